"""Pages of the self-assessment: landing, interview by topic, summary, plan, PDF, forget, error pages.

Every page is server-rendered and works without JavaScript. Answers are read from and written to the
server-side session only; nothing a person answered goes into a URL, a log line or another table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from passage.assess import Assessment
from passage.authz.routes import public_route
from passage.engine import LANGUAGES
from passage.engine.facts import FactSpec
from passage.engine.texts import format_value
from passage.interview import next_step, pending_groups, progress
from passage.web import answers as answer_forms
from passage.web import engine
from passage.web.texts import LANGUAGE_NAMES, countries, country_name, fmt_date, fmt_money, lang_texts, t

SUBJECT = "person"
STATUS_GROUPS = (
    ("available", ("eligible",)),
    ("possible", ("likely_eligible",)),
    ("not_available", ("not_eligible",)),
    ("unknown", ("needs_info",)),
)


def today() -> date:
    fixed: str = settings.PASSAGE_TODAY
    return date.fromisoformat(fixed) if fixed else timezone.localdate()


def preferred_language(request: HttpRequest) -> str:
    """The first supported language of the Accept-Language header, else English."""
    header = request.headers.get("Accept-Language", "")
    ranked = []
    for index, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.split("-")[0].lower()))
    for _, _, code in sorted(ranked):
        if code in LANGUAGES:
            return str(code)
        if code == "by":  # a common mistake for Belarusian
            return "be"
    return "en"


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise Http404


# Session state -----------------------------------------------------------------------------------
def _answers(request: HttpRequest) -> dict[str, object]:
    return dict(request.session.get("answers", {}))


def _dont_know(request: HttpRequest) -> set[str]:
    return set(request.session.get("dont_know", []))


def _assessment(request: HttpRequest) -> Assessment:
    return engine.run(_answers(request), today(), SUBJECT)


def _catalog() -> Mapping[str, FactSpec]:
    return engine.library().facts.get(SUBJECT, {})


def _base(request: HttpRequest, lang: str, **extra: Any) -> dict[str, Any]:
    path = request.path
    rest = path[len(lang) + 2 :] if path.startswith(f"/{lang}/") else ""
    switch = [
        {"code": code, "name": LANGUAGE_NAMES[code], "url": f"/{code}/{rest}", "current": code == lang}
        for code in LANGUAGES
    ]
    return {"lang": lang, "T": lang_texts(lang), "languages": switch, **extra}


# Pages -------------------------------------------------------------------------------------------
@public_route(["GET"])
def root(request: HttpRequest) -> HttpResponse:
    response = HttpResponseRedirect(f"/{preferred_language(request)}/")
    response["Vary"] = "Accept-Language"
    return response


@public_route(["GET"])
def landing(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    return render(
        request, "passage/landing.html", _base(request, lang, forgotten=request.GET.get("forgotten") == "1")
    )


@public_route(["GET"])
def interview(request: HttpRequest, lang: str) -> HttpResponse:
    """The next topic to ask about, chosen by the rules; the summary once nothing is left to ask."""
    _check_lang(lang)
    step = next_step(_assessment(request), _dont_know(request))
    return HttpResponseRedirect(f"/{lang}/interview/{step.topic}/" if step else f"/{lang}/summary/")


def _topic_facts(
    assessment: Assessment, topic: str, answers: Mapping[str, object], dont_know: set[str]
) -> list[FactSpec]:
    """A topic page's facts: its pending questions and those already answered, in catalog order."""
    catalog = _catalog()
    pending = {q.fact for g in pending_groups(assessment, dont_know) if g.topic == topic for q in g.questions}
    shown = pending | {f for f in (*answers, *dont_know) if f in catalog and catalog[f].topic == topic}
    return [spec for name, spec in catalog.items() if name in shown and not spec.derived]


@public_route(["GET", "POST"])
def topic(request: HttpRequest, lang: str, topic: str) -> HttpResponse:
    _check_lang(lang)
    answers, dont_know = _answers(request), _dont_know(request)
    assessment = engine.run(answers, today(), SUBJECT)
    specs = _topic_facts(assessment, topic, answers, dont_know)
    if not specs:
        raise Http404
    history: list[str] = list(request.session.get("history", []))
    errors: dict[str, list[str]] = {}
    shown = dict(answers)
    extra_rows: dict[str, int] = {}
    if request.method == "POST":
        data = request.POST
        add = data.get("add_row", "")
        reading = answer_forms.read(data, specs)
        if add:
            # "Add another row" without JavaScript: show the form again with one more row; nothing saved.
            for spec in specs:
                shown[spec.name] = answer_forms.posted_value(data, spec)
            extra_rows[add] = 1
        elif reading.errors:
            errors = reading.errors
            for spec in specs:
                shown[spec.name] = answer_forms.posted_value(data, spec)
        else:
            for spec in specs:
                answers.pop(spec.name, None)
                dont_know.discard(spec.name)
            answers.update(reading.answers)
            dont_know |= reading.dont_know
            request.session["answers"] = answers
            request.session["dont_know"] = sorted(dont_know)
            if topic in history:
                history = history[: history.index(topic)]
            request.session["history"] = [*history, topic]
            return HttpResponseRedirect(f"/{lang}/interview/")
    back = (
        history[history.index(topic) - 1]
        if topic in history and history.index(topic) > 0
        else (history[-1] if history and topic not in history else "")
    )
    done, total = progress(len(answers), assessment, dont_know)
    questions = [
        _question(
            spec,
            lang,
            spec.name in shown,
            shown.get(spec.name),
            spec.name in dont_know,
            errors.get(spec.name),
            extra_rows.get(spec.name, 0),
        )
        for spec in specs
    ]
    context = _base(
        request,
        lang,
        topic=topic,
        topic_title=_topic_title(topic, lang),
        questions=questions,
        error_list=[q for q in questions if q["errors"]],
        back=f"/{lang}/interview/{back}/" if back else f"/{lang}/",
        done=done,
        total=max(total, 1),
        progress_text=t("interview.progress", lang, done=done, total=max(total, 1)),
    )
    return render(request, "passage/topic.html", context, status=400 if errors else 200)


def _topic_title(topic: str, lang: str) -> str:
    key = f"topic.{topic}"
    try:
        return t(key, lang)
    except KeyError:
        return t("topic.other", lang)


def _question(
    spec: FactSpec, lang: str, present: bool, value: object, dk: bool, errors: list[str] | None, extra: int
) -> dict[str, Any]:
    kind = "rows" if spec.type in {"countries", "date_ranges"} else spec.type
    error_texts = []
    for problem in errors or []:
        if not problem:
            error_texts.append(t("errors.required", lang))
        else:
            kind_key = spec.type if spec.type in {"date", "date_ranges", "int"} else "other"
            error_texts.append(f"{t('errors.invalid', lang)}: {t(f'errors.type.{kind_key}', lang)}")
    return {
        "name": spec.name,
        "type": spec.type,
        "kind": kind,
        "question": spec.question[lang],
        "help": spec.help[lang] if spec.help else "",
        "value": value,
        "dk": dk,
        "nullable": spec.nullable,
        "is_none": present and value is None and spec.nullable and not dk,
        "errors": error_texts,
        "choices": [(v, labels[lang]) for v, labels in spec.values.items()],
        "countries": countries(lang) if spec.type in {"country", "countries"} else [],
        "rows": answer_forms.rows_for(spec, value, extra) if kind == "rows" else [],
        "min": spec.minimum,
        "max": spec.maximum,
    }


def _display(spec: FactSpec, value: object, lang: str) -> str:
    if value is None:
        return t("interview.none", lang)
    if spec.type == "enum" and isinstance(value, str):
        return spec.values[value][lang] if value in spec.values else value
    if spec.type == "date" and isinstance(value, str):
        return fmt_date(date.fromisoformat(value), lang)
    if spec.type == "country" and isinstance(value, str):
        return country_name(value, lang)
    if spec.type == "countries" and isinstance(value, list):
        return ", ".join(country_name(str(c), lang) for c in value) or "—"
    if spec.type == "date_ranges" and isinstance(value, list):
        return (
            "; ".join(
                " – ".join(fmt_date(date.fromisoformat(r[end]), lang) for end in ("from", "to"))
                for r in value
            )
            or "—"
        )
    return format_value(value, lang)


@public_route(["GET"])
def summary(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    answers, dont_know = _answers(request), _dont_know(request)
    catalog = _catalog()
    rows = [
        {
            "question": spec.question[lang],
            "answer": t("interview.dont_know", lang)
            if name in dont_know
            else _display(spec, answers[name], lang),
            "url": f"/{lang}/interview/{spec.topic}/#q-{name}",
        }
        for name, spec in catalog.items()
        if name in answers or name in dont_know
    ]
    finished = next_step(engine.run(answers, today(), SUBJECT), dont_know) is None
    return render(request, "passage/summary.html", _base(request, lang, rows=rows, finished=finished))


def plan_context(assessment: Assessment, lang: str, dont_know: set[str]) -> dict[str, Any]:
    """The plan, grouped by status, every text in `lang` and every date and amount written its way."""
    data = assessment.to_dict(lang)
    sources = assessment.library.sources
    catalog = _catalog()

    def cite(source_id: str) -> dict[str, Any]:
        source = sources[source_id]
        return {
            "id": source_id,
            "title": source.title,
            "url": source.url,
            "section": source.section or "",
            "verified": source.verified,
        }

    options = []
    for option in data["options"]:
        options.append(
            {
                **option,
                "reasons": [
                    {**r, "cites": [cite(s) for s in r["sources"] if s in sources]} for r in option["reasons"]
                ],
                "fees": [
                    {
                        **f,
                        "amount_text": fmt_money(f["amount"], lang),
                        "cite": cite(f["source"]) if f["source"] in sources else None,
                    }
                    for f in option["fees"]
                ],
                "deadlines": [
                    {**d, "date_text": fmt_date(date.fromisoformat(d["date"]), lang)}
                    for d in option["deadlines"]
                ],
                "cites": [cite(s) for s in option["sources"] if s in sources],
                "questions": list(option["questions"].values()),
            }
        )
    groups = [
        {
            "key": key,
            "title": t(f"plan.group.{key}", lang),
            "options": [o for o in options if o["status"] in statuses],
        }
        for key, statuses in STATUS_GROUPS
    ]
    receipt = data["receipt"]
    return {
        "groups": groups,
        "on_text": t("label.assessed_on", lang, on=assessment.on),
        "notice": data["notice"],
        "receipt": receipt,
        "rulebooks": sorted(receipt["rulebooks"].items()),
        "unanswered": [catalog[f].question[lang] for f in sorted(dont_know) if f in catalog],
    }


@public_route(["GET"])
def plan(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    context = plan_context(_assessment(request), lang, _dont_know(request))
    return render(request, "passage/plan.html", _base(request, lang, **context))


@public_route(["GET"])
def plan_pdf(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    from passage.web.pdf import render_plan_pdf

    context = _base(request, lang, **plan_context(_assessment(request), lang, _dont_know(request)))
    response = HttpResponse(render_plan_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="passage-plan.pdf"'
    return response


@public_route(["POST"])
def forget(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    # ASVS 7.4.1: end the server-side session: flush() deletes the row, not only the cookie.
    request.session.flush()
    return HttpResponseRedirect(f"/{lang}/?forgotten=1")


# Error pages: rendered with the same headers as every page (see middleware) -----------------------
def _error(request: HttpRequest, status: int) -> HttpResponse:
    parts = request.path.split("/")
    lang = parts[1] if len(parts) > 1 and parts[1] in LANGUAGES else preferred_language(request)
    context: dict[str, Any] = {
        "lang": lang,
        "T": lang_texts(lang),
        "message": t(f"error.{status}", lang),
        "status": status,
        "languages": [],
    }
    return render(request, "passage/error.html", context, status=status)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403)
