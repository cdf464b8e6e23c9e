"""Workspace views: cases (list, create, case page, stage and assignment), people and their facts,
assessments and determinations, tasks and the deadline dashboard, re-running open cases.

Thin: each view is wrapped by `route(...)`, fetches its case with `case_for` (404 for forbidden or missing),
and calls `passage.cases` services, which check `can` again and audit. See docs/workspace-cases.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path

from passage.auth.models import Role
from passage.authz.cases import CASE_ROLES, can, case_for
from passage.authz.routes import route
from passage.cases import assessments, deadlines, people, services
from passage.cases.models import NAME_FIELDS, Case, Person, Relationship
from passage.cases.rerun import rerun_open_cases
from passage.engine import InputError
from passage.engine.facts import FactSpec
from passage.web import answers as answer_forms
from passage.web.texts import countries, fmt_date, t
from passage.web.workspace.common import check_lang, page
from passage.web.workspace.labels import STATUS_KEYS, fact_display, has_text, kind_text, option_titles, task_text

ROLES = tuple(CASE_ROLES)
EDITORS = (Role.ADMIN, Role.CASEWORKER, Role.LAWYER)


def _not_found(_: object = None) -> Http404:
    return Http404()


def _version(request: HttpRequest) -> int:
    return services.parse_version(request.POST.get("version", ""))


def _case_url(lang: str, case: Case) -> str:
    return f"/{lang}/work/cases/{case.pk}/"


def _problem_list(lang: str, problems: Mapping[str, str]) -> list[dict[str, str]]:
    """Errors as shown: the field's label in the page's language, and what was expected (engine words)."""
    catalog = people.person_facts()
    out = []
    for name, what in problems.items():
        fact = name.split("[", 1)[0].split(".", 1)[0]
        if fact in catalog:
            label = catalog[fact].question[lang]
        else:
            key = f"ws.cases_field_{fact}"
            label = t(key, lang) if has_text(key) else fact
        out.append({"field": fact, "label": label, "what": what})
    return out


def stage_text(stage: str, lang: str) -> str:
    return t(f"ws.cases_stage_{stage}", lang)


def _stages(lang: str) -> list[tuple[str, str]]:
    return [(s, stage_text(s, lang)) for s in services.STAGE_ORDER]


def _relationships(lang: str) -> list[tuple[str, str]]:
    return [(r, t(f"ws.cases_rel_{r}", lang)) for r in Relationship.values]


def _task_row(task: Any, lang: str) -> dict[str, Any]:
    return {
        "task": task,
        "kind": task_text(task.kind, task.source, task.detail, lang),
        "due": fmt_date(task.due_on, lang),
    }


def _person_name(person: Person | None) -> str:
    if person is None:
        return ""
    latin = " ".join(x for x in (person.given_names_latin, person.surname_latin) if x)
    cyrillic = " ".join(x for x in (person.given_names_cyrillic, person.surname_cyrillic) if x)
    if latin and cyrillic:
        return f"{latin} ({cyrillic})"
    return latin or cyrillic


# --- Case list and creation -----------------------------------------------------------------------------
@route(["GET"], ROLES)
def case_list(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    stage = request.GET.get("stage", "")
    assignee = request.GET.get("assignee", "")
    page_number = request.GET.get("page", "1")
    try:
        number = int(page_number) if page_number.isdigit() and len(page_number) <= 6 else 1
        listing = services.list_cases(request.user, stage=stage or None, assignee=assignee or None, page=number)
        errors: list[dict[str, str]] = []
    except services.Invalid as error:
        listing = services.list_cases(request.user)
        errors = _problem_list(lang, error.problems)
        stage = assignee = ""
    rows = [
        {
            "case": row.case,
            "reference": row.case.reference or "",
            "name": _person_name(row.principal),
            "stage": stage_text(row.case.stage, lang),
            "assignee": row.case.assigned_to,
            "next_kind": kind_text(row.next_task_kind, lang) if row.next_task_kind else "",
            "next_due": fmt_date(row.next_task_due, lang) if row.next_task_due else "",
        }
        for row in listing.rows
    ]
    base = f"/{lang}/work/cases/?stage={stage}&assignee={assignee}&page="
    return page(
        request,
        lang,
        "workspace/cases/list.html",
        status=400 if errors else 200,
        rows=rows,
        listing=listing,
        errors=errors,
        stages=_stages(lang),
        stage=stage,
        assignee=assignee,
        assignees=services.assignable_users(request.user) if request.user.role == Role.ADMIN else [],
        prev_url=f"{base}{listing.page - 1}" if listing.page > 1 else "",
        next_url=f"{base}{listing.page + 1}" if listing.page < listing.pages else "",
        page_text=t("ws.cases_page_of", lang, page=listing.page, pages=listing.pages, total=listing.total),
        may_create=request.user.role in EDITORS,
    )


@route(["GET", "POST"], EDITORS)
def case_new(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    errors: list[dict[str, str]] = []
    values: dict[str, str] = {}
    token = services.new_token()
    if request.method == "POST":
        values = {name: str(request.POST.get(name, "")) for name in ("reference", *NAME_FIELDS)}
        posted_token = str(request.POST.get("token", ""))
        try:
            case, _ = services.create_case(
                request.user, posted_token, values["reference"], {n: values[n] for n in NAME_FIELDS}
            )
            return HttpResponseRedirect(_case_url(lang, case))
        except services.Invalid as error:
            errors = _problem_list(lang, error.problems)
            if "token" not in error.problems and services.TOKEN.match(posted_token):
                token = posted_token  # the same form, corrected: still one case
        except services.NotAllowed:
            raise _not_found() from None
    return page(
        request,
        lang,
        "workspace/cases/new.html",
        status=400 if errors else 200,
        errors=errors,
        values=values,
        token=token,
        name_fields=[(n, t(f"ws.cases_field_{n}", lang)) for n in NAME_FIELDS],
    )


# --- The case page and its workflow ---------------------------------------------------------------------
@route(["GET"], ROLES, "case")
def case_page(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "read")
    return _render_case(request, lang, case)


def _render_case(
    request: HttpRequest, lang: str, case: Case, status: int = 200, errors: list[dict[str, str]] | None = None,
    conflict: bool = False,
) -> HttpResponse:
    services.read_case(request.user, case)
    user = request.user
    sensitive = can(user, "read_sensitive", case)
    members = []
    for person in services.people_of(case):
        latest = assessments.latest_determination(person) if sensitive else None
        summary = None
        if latest is not None:
            statuses = (latest.receipt or {}).get("statuses") or {
                o.get("id"): o.get("status") for o in (latest.result or {}).get("options", [])
            }
            counts = {key: sum(1 for s in statuses.values() if s == key) for key in STATUS_KEYS}
            summary = {
                "determination": latest,
                "on": fmt_date(latest.assessed_on, lang),
                "counts": [(t(f"status.{key}", lang), counts[key]) for key in STATUS_KEYS if counts[key]],
            }
        members.append(
            {
                "person": person,
                "name": _person_name(person) or t("ws.cases_unnamed", lang),
                "relationship": t(f"ws.cases_rel_{person.relationship}", lang),
                "latest": summary,
            }
        )
    tasks = [_task_row(task, lang) for task in services.open_tasks(case)]
    return page(
        request,
        lang,
        "workspace/cases/case.html",
        status=status,
        case=case,
        reference=case.reference or "",
        stage=stage_text(case.stage, lang),
        stages=_stages(lang),
        members=members,
        tasks=tasks,
        sensitive=sensitive,
        may_write=can(user, "write", case),
        may_claim=can(user, "claim", case),
        may_assign=can(user, "assign", case),
        assignees=services.assignable_users(user) if can(user, "assign", case) else [],
        retain_until=fmt_date(case.retain_until, lang) if case.retain_until else "",
        errors=errors or [],
        conflict=conflict,
    )


def _case_post(request: HttpRequest, lang: str, case_id: Any, action: Any, apply: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, action)
    try:
        apply(case, _version(request))
    except services.Conflict:
        case.refresh_from_db()
        if not can(request.user, "read", case):  # lost a race to claim it: no longer theirs to see
            raise _not_found() from None
        return _render_case(request, lang, case, status=409, conflict=True)
    except services.Invalid as error:
        return _render_case(request, lang, case, status=400, errors=_problem_list(lang, error.problems))
    except services.NotAllowed:
        raise _not_found() from None
    return HttpResponseRedirect(_case_url(lang, case))


@route(["POST"], EDITORS, "case")
def case_stage(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    def apply(case: Case, version: int) -> None:
        reference = request.POST.get("reference")
        services.update_case(request.user, case, version, str(request.POST.get("stage", "")),
                             None if reference is None else str(reference))

    return _case_post(request, lang, case_id, "write", apply)


@route(["POST"], (Role.CASEWORKER, Role.LAWYER), "case")
def case_claim(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    return _case_post(request, lang, case_id, "claim", lambda case, v: services.claim(request.user, case, v))


@route(["POST"], (Role.ADMIN,), "case")
def case_assign(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    def apply(case: Case, version: int) -> None:
        services.assign(request.user, case, version, request.POST.get("assignee", ""))

    return _case_post(request, lang, case_id, "assign", apply)


# --- People -------------------------------------------------------------------------------------------
def _fact_questions(
    lang: str, facts: Mapping[str, object], dont_know: set[str], errors: Mapping[str, list[str]]
) -> list[dict[str, Any]]:
    questions = []
    for name, spec in people.person_facts().items():
        present = name in facts
        value = facts.get(name)
        kind = "rows" if spec.type in {"countries", "date_ranges"} else spec.type
        questions.append(
            {
                "name": name,
                "type": spec.type,
                "kind": kind,
                "question": spec.question[lang],
                "help": spec.help[lang] if spec.help else "",
                "value": value,
                "dk": name in dont_know or not present,
                "nullable": spec.nullable,
                "is_none": present and value is None and spec.nullable,
                "is_empty": present and value == [],
                "errors": errors.get(name, []),
                "choices": [(v, labels[lang]) for v, labels in spec.values.items()],
                "countries": countries(lang) if spec.type in {"country", "countries"} else [],
                "rows": answer_forms.rows_for(spec, value, 1) if kind == "rows" else [],
                "min": spec.minimum,
                "max": spec.maximum,
            }
        )
    return questions


def _read_facts(request: HttpRequest) -> tuple[dict[str, object], dict[str, list[str]], set[str]]:
    """The facts a person form posts: blank or "I don't know" is unset; errors by fact (engine messages)."""
    catalog = people.person_facts()
    specs: list[FactSpec] = list(catalog.values())
    reading = answer_forms.read(request.POST, specs)
    errors = {name: [p for p in problems if p] for name, problems in reading.errors.items()}
    errors = {name: problems for name, problems in errors.items() if problems}
    facts = dict(reading.answers)
    for spec in specs:
        if spec.type in {"countries", "date_ranges"} and facts.get(spec.name) == [] and spec.name not in errors:
            if request.POST.get(f"{spec.name}__empty"):
                continue
            facts.pop(spec.name)
    unset = {spec.name for spec in specs if spec.name not in facts and spec.name not in errors}
    return facts, errors, unset


def _shown_facts(request: HttpRequest) -> dict[str, object]:
    """What the person typed, to show again with the errors (never stored)."""
    out: dict[str, object] = {}
    for name, spec in people.person_facts().items():
        if request.POST.get(f"{name}__dk") or request.POST.get(name) == "__dk":
            continue
        value = answer_forms.posted_value(request.POST, spec)
        if value not in ("", []) or (spec.type in {"countries", "date_ranges"} and request.POST.get(f"{name}__empty")):
            out[name] = value
    return out


def _person_form(
    request: HttpRequest,
    lang: str,
    case: Case,
    person: Person | None,
    *,
    status: int = 200,
    values: Mapping[str, object] | None = None,
    facts: Mapping[str, object] | None = None,
    fact_errors: Mapping[str, list[str]] | None = None,
    errors: list[dict[str, str]] | None = None,
    conflict: bool = False,
    version: int | None = None,
) -> HttpResponse:
    sensitive = person is None or can(request.user, "read_sensitive", case)
    may_write = can(request.user, "write", case)
    if values is None:
        values = {name: (getattr(person, name) or "") if person else "" for name in people.IDENTITY_FIELDS}
        values = {**values, "relationship": person.relationship if person else Relationship.SPOUSE}
        if not sensitive:
            values = {k: v for k, v in values.items() if k in NAME_FIELDS or k == "relationship"}
    if facts is None:
        facts = (person.facts or {}) if (person is not None and sensitive) else {}
    determinations = []
    if person is not None and sensitive:
        for det in person.determinations.order_by("-created_at")[:20]:
            determinations.append({"determination": det, "on": fmt_date(det.assessed_on, lang)})
    fact_rows = []
    if person is not None and sensitive and not may_write:
        catalog = people.person_facts()
        fact_rows = [
            {"question": catalog[name].question[lang], "answer": fact_display(catalog[name], value, lang)}
            for name, value in facts.items()
            if name in catalog
        ]
    return page(
        request,
        lang,
        "workspace/cases/person.html",
        status=status,
        case=case,
        person=person,
        name=_person_name(person) if person else "",
        values=values,
        relationships=_relationships(lang),
        relationship_text=t(f"ws.cases_rel_{person.relationship}", lang) if person else "",
        name_fields=[(n, t(f"ws.cases_field_{n}", lang)) for n in NAME_FIELDS],
        other_fields=[(n, t(f"ws.cases_field_{n}", lang)) for n in ("passport_number",)],
        long_fields=[(n, t(f"ws.cases_field_{n}", lang)) for n in ("address", "contacts")],
        questions=_fact_questions(lang, facts, set(), fact_errors or {}) if may_write else [],
        fact_rows=fact_rows,
        sensitive=sensitive,
        may_write=may_write,
        errors=errors or [],
        conflict=conflict,
        version=version if version is not None else (person.version if person else None),
        determinations=determinations,
        tasks=[_task_row(task, lang) for task in person.tasks.filter(done_at__isnull=True).order_by("due_on")]
        if person
        else [],
    )


def _save_person(request: HttpRequest, lang: str, case: Case, person: Person | None) -> HttpResponse:
    texts = {name: request.POST.get(name, "") for name in people.IDENTITY_FIELDS}
    relationship = request.POST.get("relationship", "")
    facts, fact_errors, _ = _read_facts(request)
    problems: dict[str, str] = people.check_identity(relationship, texts)
    problems.update({name: " ".join(errs) for name, errs in fact_errors.items()})
    version = None
    if person is not None:
        try:
            version = _version(request)
        except services.Invalid as error:
            problems.update(error.problems)
    shown_values = {**texts, "relationship": relationship}
    if not problems:
        try:
            if person is None:
                person = people.create_person(request.user, case, relationship, texts, facts)
            else:
                assert version is not None  # noqa: S101 - parsed above when there is a person
                people.update_person(request.user, person, version, relationship, texts, facts)
            return HttpResponseRedirect(f"/{lang}/work/cases/{case.pk}/people/{person.pk}/")
        except services.Conflict:
            person = people.person_of(case, person.pk) if person else None
            return _person_form(
                request, lang, case, person, status=409, values=shown_values, facts=_shown_facts(request),
                conflict=True,
            )
        except services.Invalid as error:
            problems.update(error.problems)
        except services.NotAllowed:
            raise _not_found() from None
    fact_problem_texts = {name: [problems[name]] for name in problems if name in people.person_facts()}
    return _person_form(
        request,
        lang,
        case,
        person,
        status=400,
        values=shown_values,
        facts=_shown_facts(request),
        fact_errors=fact_problem_texts,
        errors=_problem_list(lang, problems),
        version=version,
    )


@route(["GET", "POST"], (*EDITORS, Role.VOLUNTEER), "case")
def person_new(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    if request.method == "GET":
        case = case_for(request.user, case_id, "read")
        if not can(request.user, "write", case):
            return HttpResponseRedirect(_case_url(lang, case))  # nothing to add here for this user
        return _person_form(request, lang, case, None)
    case = case_for(request.user, case_id, "write")
    return _save_person(request, lang, case, None)


@route(["GET", "POST"], ROLES, "case")
def person_page(request: HttpRequest, lang: str, case_id: Any, person_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "read" if request.method == "GET" else "write")
    try:
        person = people.person_of(case, person_id)
    except services.NotAllowed:
        raise _not_found() from None
    if request.method == "GET":
        people.read_person(request.user, person)
        return _person_form(request, lang, case, person)
    return _save_person(request, lang, case, person)


@route(["POST"], EDITORS, "case")
def person_assess(request: HttpRequest, lang: str, case_id: Any, person_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "write")
    try:
        person = people.person_of(case, person_id)
        determination = assessments.assess_person(request.user, person)
    except services.NotAllowed:
        raise _not_found() from None
    except InputError as error:
        problems = {p.field: str(p) for p in error.problems}
        return _person_form(request, lang, case, person, status=400, errors=_problem_list(lang, problems))
    return HttpResponseRedirect(f"/{lang}/work/cases/{case.pk}/determinations/{determination.pk}/")


@route(["GET"], ROLES, "case")
def determination_page(request: HttpRequest, lang: str, case_id: Any, determination_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "read_sensitive")
    determination = assessments.determination_of(list(case.people.values_list("pk", flat=True)), determination_id)
    if determination is None:
        raise Http404
    assessments.read_determination(request.user, determination)
    shown = assessments.shown_in(determination, lang)
    sources = shown.result.get("sources", {})
    groups = []
    for key in STATUS_KEYS:
        options = []
        for option in shown.result.get("options", []):
            if option.get("status") != key:
                continue
            options.append(
                {
                    **option,
                    "reasons": [
                        {**r, "cites": [{"id": s, **sources[s]} for s in r.get("sources", []) if s in sources]}
                        for r in option.get("reasons", [])
                    ],
                    "deadlines": [
                        {**d, "date_text": fmt_date(date.fromisoformat(d["date"]), lang)}
                        for d in option.get("deadlines", [])
                    ],
                    "cites": [{"id": s, **sources[s]} for s in option.get("sources", []) if s in sources],
                }
            )
        if options:
            groups.append({"title": t(f"status.{key}", lang), "options": options})
    receipt = shown.receipt
    return page(
        request,
        lang,
        "workspace/cases/determination.html",
        case=case,
        person=determination.person,
        determination=determination,
        on=fmt_date(determination.assessed_on, lang),
        groups=groups,
        notice=shown.result.get("notice", ""),
        reproduced=shown.reproduced,
        receipt_rows=sorted((receipt.get("rulebooks") or {}).items()),
        receipt=receipt,
    )


# --- Tasks and the dashboard ----------------------------------------------------------------------------
@route(["POST"], EDITORS, "case")
def task_done(request: HttpRequest, lang: str, case_id: Any, task_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "write")
    try:
        task = deadlines.task_of(case, task_id)
        deadlines.mark_done(request.user, task)
    except services.NotAllowed:
        raise _not_found() from None
    back = request.POST.get("back", "")
    if back == "dashboard":
        return HttpResponseRedirect(f"/{lang}/work/dashboard/")
    return HttpResponseRedirect(_case_url(lang, case))


@route(["GET"], ROLES)
def dashboard(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    scopes = deadlines.scopes_for(request.user)
    scope = request.GET.get("scope", scopes[0])
    if scope not in scopes:
        scope = scopes[0]
    buckets = deadlines.dashboard(request.user, scope)
    shown = []
    for bucket in buckets:
        rows = []
        for task in bucket.tasks:
            rows.append(
                {
                    **_task_row(task, lang),
                    "case": task.case,
                    "reference": task.case.reference or "",
                    "assignee": task.case.assigned_to,
                    "may_write": can(request.user, "write", task.case),
                }
            )
        shown.append({"key": bucket.key, "title": t(f"ws.cases_bucket_{bucket.key}", lang), "rows": rows,
                      "more": bucket.more})
    return page(
        request,
        lang,
        "workspace/cases/dashboard.html",
        buckets=shown,
        scope=scope,
        scopes=[(s, t(f"ws.cases_scope_{s}", lang)) for s in scopes],
    )


# --- Re-running open cases --------------------------------------------------------------------------------
@route(["GET", "POST"], (Role.ADMIN,))
def rerun(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    changes = None
    dry_run = False
    if request.method == "POST":
        dry_run = bool(request.POST.get("dry_run"))
        found = rerun_open_cases(user=request.user, dry_run=dry_run)
        cases = {c.pk: c for c in Case.objects.filter(pk__in={ch.case_id for ch in found})}
        persons = {p.pk: p for p in Person.objects.filter(pk__in={ch.person_id for ch in found})}
        titles = option_titles(lang)
        changes = [
            {
                "change": ch,
                "case": cases.get(ch.case_id),
                "reference": (cases[ch.case_id].reference or "") if ch.case_id in cases else "",
                "person": persons.get(ch.person_id),
                "relationship": t(f"ws.cases_rel_{persons[ch.person_id].relationship}", lang)
                if ch.person_id in persons
                else "",
                "option": titles.get(ch.option, ch.option),
                "old": t(f"status.{ch.old}", lang) if ch.old in STATUS_KEYS else (ch.old or "—"),
                "new": t(f"status.{ch.new}", lang) if ch.new in STATUS_KEYS else ch.new,
                "why": ", ".join(_why_text(w, lang) for w in ch.why) or "—",
            }
            for ch in found
        ]
    return page(request, lang, "workspace/cases/rerun.html", changes=changes, dry_run=dry_run)


def _why_text(why: str, lang: str) -> str:
    if why.startswith("rulebook:"):
        return t("ws.cases_why_rulebook", lang, name=why.partition(":")[2])
    return t(f"ws.cases_why_{why}", lang)


urlpatterns: list[URLPattern] = [
    path("cases/", case_list, name="ws-case-list"),
    path("cases/new/", case_new, name="ws-case-new"),
    path("cases/<uuid:case_id>/", case_page, name="ws-case"),
    path("cases/<uuid:case_id>/stage/", case_stage, name="ws-case-stage"),
    path("cases/<uuid:case_id>/claim/", case_claim, name="ws-case-claim"),
    path("cases/<uuid:case_id>/assign/", case_assign, name="ws-case-assign"),
    path("cases/<uuid:case_id>/people/new/", person_new, name="ws-person-new"),
    path("cases/<uuid:case_id>/people/<uuid:person_id>/", person_page, name="ws-person"),
    path("cases/<uuid:case_id>/people/<uuid:person_id>/assess/", person_assess, name="ws-person-assess"),
    path(
        "cases/<uuid:case_id>/determinations/<uuid:determination_id>/",
        determination_page,
        name="ws-determination",
    ),
    path("cases/<uuid:case_id>/tasks/<uuid:task_id>/done/", task_done, name="ws-task-done"),
    path("dashboard/", dashboard, name="ws-dashboard"),
    path("rerun/", rerun, name="ws-rerun"),
]
