"""Cases through the test client: list, create (idempotent), people and facts, optimistic locking, workflow,
assessments stored as determinations with their law-derived tasks, the dashboard, re-running open cases,
authorization by role on these routes, and the audit entries written (docs/workspace-cases.md)."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

ON = date(2026, 11, 1)  # PASSAGE_TODAY of tests/web/conftest.py
ENTERED = "2026-02-10"
# A visitor in Canada since 2026-02-10 who fears return: the one-year refugee-claim bar applies.
CLAIMANT_FACTS: dict[str, object] = {
    "citizenships": ["BY"],
    "in_canada": True,
    "canadian_status": "visitor",
    "fears_return": True,
    "first_entry_date": ENTERED,
    "removal_order": False,
    "previous_claim": "none",
    "entered_between_ports_from_us": False,
    "national_passport_expiry": "2027-03-01",
    "status_expiry": "2027-01-15",
}


@pytest.fixture(scope="module", autouse=True)
def _keyring(_database: None) -> None:
    """The keyring made outside the rolled-back test transactions (the vault is cached per process), as the
    security tests' conftest does."""
    from passage.storage.keys import reset_vault, vault

    reset_vault()
    vault()


def audit_actions() -> list[str]:
    from passage.storage.models import AuditRecord

    return [json.loads(line)["action"] for line in AuditRecord.objects.order_by("seq").values_list("line", flat=True)]


def make_case(org: Any, assignee: Any = None, stage: str = "intake", reference: str = "K-1") -> Any:
    from passage.cases.models import Case

    case = Case(organization=org, assigned_to=assignee, stage=stage)
    case.reference = reference
    case.save()
    return case


def make_person(
    case: Any, relationship: str = "principal", facts: dict[str, object] | None = None, **texts: str
) -> Any:
    from passage.cases.models import Person

    person = Person(case=case, relationship=relationship)
    values = {"given_names_latin": "Alena", "surname_latin": "Kavalchuk", "passport_number": "MP1234567", **texts}
    for name, value in values.items():
        setattr(person, name, value)
    person.facts = facts if facts is not None else {}
    person.save()
    return person


def token_of(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, "the form carries a one-time token"
    return match.group(1)


# --- Creating and listing ---------------------------------------------------------------------------
def test_a_double_submitted_create_form_makes_one_case(make_user: Callable[..., Any], staff: Any) -> None:
    from passage.cases.models import Case, NameTerm

    worker = make_user("caseworker")
    client = staff(worker)
    token = token_of(client.get("/en/work/cases/new/").content.decode())
    form = {"token": token, "reference": "K-2026-014", "given_names_latin": "Alena", "surname_latin": "Kavalchuk",
            "surname_cyrillic": "Кавальчук"}
    first = client.post("/en/work/cases/new/", form)
    second = client.post("/en/work/cases/new/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.reference == "K-2026-014"
    assert case.assigned_to == worker
    assert case.stage == "intake"
    principal = case.people.get()
    assert (principal.relationship, principal.surname_cyrillic) == ("principal", "Кавальчук")
    assert NameTerm.objects.filter(person=principal).exists(), "names are indexed for search"
    assert audit_actions().count("case.create") == 1


def test_create_without_a_token_is_refused_and_names_the_field(make_user: Callable[..., Any], staff: Any) -> None:
    from passage.cases.models import Case

    response = staff(make_user("lawyer")).post("/fr/work/cases/new/", {"reference": "X"})
    assert response.status_code == 400
    assert "Formulaire" in response.content.decode()
    assert Case.objects.count() == 0


def test_another_users_token_does_not_lead_to_their_case(make_user: Callable[..., Any], staff: Any) -> None:
    from passage.cases.models import Case

    first, second = make_user("caseworker"), make_user("caseworker")
    token = token_of(staff(first).get("/en/work/cases/new/").content.decode())
    assert staff(first).post("/en/work/cases/new/", {"token": token, "reference": "A"}).status_code == 302
    again = staff(second).post("/en/work/cases/new/", {"token": token, "reference": "B"})
    assert again.status_code == 400
    assert Case.objects.count() == 1


def test_case_list_answers_hostile_query_strings_without_a_500(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    client = staff(make_user("admin"))
    make_case(org)
    assert client.get("/en/work/cases/?page=" + "9" * 5000).status_code == 200
    assert client.get("/en/work/cases/?page=-1&stage=").status_code == 200
    bad = client.get("/en/work/cases/?assignee=<script>")
    assert bad.status_code == 400
    assert "<script>" not in bad.content.decode()


def test_case_list_shows_principal_stage_and_next_deadline_and_filters(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.models import Task

    worker = make_user("caseworker")
    mine = make_case(org, worker, "assessment", "REF-MINE")
    make_person(mine, surname_latin="Mazurava")
    Task.objects.create(case=mine, kind="claim_last_day", due_on=date(2027, 2, 10))
    make_case(org, None, "intake", "REF-FREE")
    make_case(org, make_user("caseworker"), "intake", "REF-OTHER")
    client = staff(worker)
    body = client.get("/ru/work/cases/").content.decode()
    assert "REF-MINE" in body
    assert "REF-FREE" in body
    assert "REF-OTHER" not in body
    assert "Alena Mazurava" in body
    assert "10 февраля 2027" in body
    assert "годичный срок" in body
    assert "Оценка" in body  # the stage, in the page's language
    only = client.get("/en/work/cases/?stage=assessment").content.decode()
    assert "REF-MINE" in only
    assert "REF-FREE" not in only
    unassigned = client.get("/en/work/cases/?assignee=none").content.decode()
    assert "REF-FREE" in unassigned
    assert "REF-MINE" not in unassigned
    assert client.get("/en/work/cases/?stage=bogus").status_code == 400


def test_case_list_pages_by_fifty(org: Any, make_user: Callable[..., Any], staff: Any) -> None:
    from passage.cases.models import Case

    admin = make_user("admin")
    Case.objects.bulk_create([Case(organization=org) for _ in range(51)])
    client = staff(admin)
    first = client.get("/en/work/cases/").content.decode()
    assert first.count("/en/work/cases/") - first.count("/en/work/cases/new/") >= 50
    assert "Page 1 of 2 (51 cases)" in first
    assert "page=2" in first
    second = client.get("/en/work/cases/?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert len(re.findall(r'<th scope="row"><a href="/en/work/cases/[0-9a-f-]{36}/">', second)) == 1


# --- Who sees what ------------------------------------------------------------------------------------
def test_a_volunteer_sees_names_stage_and_tasks_but_no_passport_facts_or_determination(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.assessments import assess_person

    admin, volunteer = make_user("admin"), make_user("volunteer")
    case = make_case(org, volunteer)
    person = make_person(case, facts=dict(CLAIMANT_FACTS), address="вул. Сакрэтная 7")
    determination = assess_person(admin, person)
    client = staff(volunteer)
    page = client.get(f"/en/work/cases/{case.pk}/").content.decode()
    assert "Alena Kavalchuk" in page
    assert "Last day for a refugee claim" in page  # tasks are visible
    person_page = client.get(f"/en/work/cases/{case.pk}/people/{person.pk}/").content.decode()
    for secret in ("MP1234567", "Сакрэтная", "10 February 2026", ENTERED):
        assert secret not in page
        assert secret not in person_page
    assert "<form" not in person_page.split("<main", 1)[1].replace('action="/en/work/logout/"', "")
    assert client.get(f"/en/work/cases/{case.pk}/determinations/{determination.pk}/").status_code == 404
    assert client.post(f"/en/work/cases/{case.pk}/people/{person.pk}/", {"version": "1"}).status_code == 404
    assert client.post(f"/en/work/cases/{case.pk}/people/{person.pk}/assess/").status_code == 404
    assert client.get(f"/en/work/cases/{case.pk}/people/new/").status_code == 302


def test_another_organizations_caseworker_gets_404_everywhere(
    org: Any, other_org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.assessments import assess_person

    admin = make_user("admin")
    case = make_case(org, None)
    person = make_person(case, facts=dict(CLAIMANT_FACTS))
    determination = assess_person(admin, person)
    task = case.tasks.first()
    outsider = staff(make_user("caseworker", organization=other_org))
    base = f"/en/work/cases/{case.pk}"
    for url in (f"{base}/", f"{base}/people/{person.pk}/", f"{base}/people/new/",
                f"{base}/determinations/{determination.pk}/"):
        assert outsider.get(url).status_code == 404, url
    for url in (f"{base}/stage/", f"{base}/claim/", f"{base}/people/{person.pk}/", f"{base}/people/{person.pk}/assess/",
                f"{base}/tasks/{task.pk}/done/"):
        assert outsider.post(url, {"version": "1", "stage": "closed"}).status_code == 404, url
    assert "K-1" not in outsider.get("/en/work/cases/").content.decode()
    case.refresh_from_db()
    assert case.stage == "intake"
    assert case.assigned_to is None


# --- People and facts -------------------------------------------------------------------------------
def _person_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "relationship": "child",
        "given_names_latin": "Maksim",
        "surname_latin": "Kavalchuk",
        "given_names_cyrillic": "Максім",
        "surname_cyrillic": "Кавальчук",
        "passport_number": "KH7654321",
        "address": "12 Rue Sainte-Catherine\nMontréal",
        "contacts": "+1 514 555 0100",
        "birth_date": "2012-05-04",
        "citizenships": ["BY", ""],
        "in_canada": "yes",
        "canadian_status": "student",
        "fears_return": "__dk",
        "national_passport_expiry": "2028-01-31",
    }
    form.update(overrides)
    return form


def test_adding_a_family_member_stores_identity_and_facts(org: Any, make_user: Callable[..., Any], staff: Any) -> None:
    from passage.cases.models import NameTerm, Person

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    assert client.get(f"/be/work/cases/{case.pk}/people/new/").status_code == 200
    response = client.post(f"/en/work/cases/{case.pk}/people/new/", _person_form())
    assert response.status_code == 302
    child = Person.objects.get(case=case)
    assert response["Location"] == f"/en/work/cases/{case.pk}/people/{child.pk}/"
    assert (child.relationship, child.given_names_cyrillic, child.passport_number) == ("child", "Максім", "KH7654321")
    assert child.address == "12 Rue Sainte-Catherine\nMontréal"
    assert child.facts == {
        "birth_date": "2012-05-04",
        "citizenships": ["BY"],
        "in_canada": True,
        "canadian_status": "student",
        "national_passport_expiry": "2028-01-31",
    }, "I don't know and blank facts stay unknown"
    assert NameTerm.objects.filter(person=child).count() >= 2
    assert "person.create" in audit_actions()


def test_an_invalid_fact_rerenders_the_form_naming_the_fact_and_what_was_expected(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.models import Person

    worker = make_user("caseworker")
    case = make_case(org, worker)
    response = staff(worker).post(
        f"/en/work/cases/{case.pk}/people/new/",
        _person_form(birth_date="2012-02-30", tax_years_filed="many", relationship="cousin"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "When were you born?" in body or "birth" in body
    assert "a date YYYY-MM-DD" in body
    assert "a whole number" in body
    assert "relationship" in body.lower()
    assert "one of principal, spouse, child" in body
    assert 'value="Maksim"' in body, "what was typed is shown again"
    assert not Person.objects.exists()


def test_a_stale_version_is_a_conflict_and_changes_nothing(org: Any, make_user: Callable[..., Any], staff: Any) -> None:
    """SECURITY-TESTS item 28: two editors open the same person; the second save gets 409, not an overwrite."""
    admin, worker = make_user("admin"), make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case, relationship="principal")
    url = f"/en/work/cases/{case.pk}/people/{person.pk}/"
    first, second = staff(worker), staff(admin)
    assert 'name="version" value="1"' in first.get(url).content.decode()
    assert 'name="version" value="1"' in second.get(url).content.decode()
    saved = first.post(url, _person_form(relationship="principal", version="1", passport_number="FIRST001"))
    assert saved.status_code == 302
    lost = second.post(url, _person_form(relationship="principal", version="1", passport_number="SECOND02"))
    assert lost.status_code == 409
    assert "Nothing of yours was saved" in lost.content.decode()
    person.refresh_from_db()
    assert (person.passport_number, person.version) == ("FIRST001", 2)
    assert audit_actions().count("person.update") == 1


def test_the_conditional_update_lets_exactly_one_of_two_savers_win(org: Any, make_user: Callable[..., Any]) -> None:
    from passage.cases import people, services

    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case)
    stale = type(person).objects.get(pk=person.pk)
    people.update_person(worker, person, 1, "principal", {"surname_latin": "One"}, None)
    with pytest.raises(services.Conflict):
        people.update_person(worker, stale, 1, "principal", {"surname_latin": "Two"}, None)
    person.refresh_from_db()
    assert (person.surname_latin, person.version) == ("One", 2)


# --- Workflow ---------------------------------------------------------------------------------------
def test_stages_move_both_ways_closing_sets_retention_and_stale_stage_forms_conflict(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.services import RETENTION_YEARS

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    url = f"/en/work/cases/{case.pk}/stage/"
    assert client.post(url, {"version": "1", "stage": "submitted", "reference": "K-1"}).status_code == 302
    assert client.post(url, {"version": "2", "stage": "gathering", "reference": "K-1"}).status_code == 302
    assert client.post(url, {"version": "2", "stage": "closed", "reference": "K-1"}).status_code == 409
    case.refresh_from_db()
    assert (case.stage, case.version, case.closed_at) == ("gathering", 3, None)
    assert client.post(url, {"version": "3", "stage": "closed", "reference": "K-1"}).status_code == 302
    case.refresh_from_db()
    assert case.closed_at is not None
    assert case.retain_until is not None
    assert case.retain_until.year == case.closed_at.year + RETENTION_YEARS
    assert client.post(url, {"version": "4", "stage": "archived"}).status_code == 400
    actions = audit_actions()
    assert [
        a for a in actions if a.startswith("case.stage.")
    ] == ["case.stage.submitted", "case.stage.gathering", "case.stage.closed"]


def test_claiming_and_assigning(org: Any, make_user: Callable[..., Any], staff: Any) -> None:
    admin, lawyer, worker = make_user("admin"), make_user("lawyer"), make_user("caseworker")
    case = make_case(org, None)
    assert staff(lawyer).post(f"/en/work/cases/{case.pk}/claim/", {"version": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == lawyer
    # the other caseworker's form was read while it was unassigned: the case is no longer theirs to see
    assert staff(worker).post(f"/en/work/cases/{case.pk}/claim/", {"version": "1"}).status_code == 404
    assert staff(worker).get(f"/en/work/cases/{case.pk}/").status_code == 404
    assign = f"/en/work/cases/{case.pk}/assign/"
    assert staff(admin).post(assign, {"version": "2", "assignee": worker.pk}).status_code == 302
    case.refresh_from_db()
    assert (case.assigned_to, case.version) == (worker, 3)
    assert staff(lawyer).get(f"/en/work/cases/{case.pk}/").status_code == 404
    assert staff(admin).post(assign, {"version": "3", "assignee": "99999"}).status_code == 400
    assert staff(worker).post(assign, {"version": "3", "assignee": ""}).status_code == 404
    assert {"case.claim", "case.assign"} <= set(audit_actions())


# --- Assessments and tasks ----------------------------------------------------------------------------
def test_assess_now_stores_a_determination_and_tasks_on_the_dates_the_law_gives(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.assess import assess
    from passage.cases.models import Determination, Task
    from passage.rulebooks import default_library

    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case, facts=dict(CLAIMANT_FACTS))
    expected = assess(dict(CLAIMANT_FACTS), ON, default_library()).to_dict("en")
    claim = next(o for o in expected["options"] if o["id"] == "refugee_claim")
    bar = next(d["date"] for d in claim["deadlines"] if d["id"] == "claim_last_day")
    assert bar == "2027-02-10"  # the rulebook's own count: one year from first entry

    client = staff(worker)
    response = client.post(f"/en/work/cases/{case.pk}/people/{person.pk}/assess/")
    determination = Determination.objects.get(person=person)
    assert response["Location"] == f"/en/work/cases/{case.pk}/determinations/{determination.pk}/"
    assert determination.assessed_on == ON
    assert determination.result["options"] == expected["options"]
    assert determination.receipt["facts_hash"] == expected["receipt"]["facts_hash"]
    tasks = {(t.kind, t.due_on.isoformat()) for t in Task.objects.filter(person=person, source="law")}
    assert ("claim_last_day", bar) in tasks
    assert ("passport_expiry", "2027-03-01") in tasks
    assert ("status_expiry", "2027-01-15") in tasks
    assert ("extension_apply_by", "2027-01-15") in tasks
    assert ("boc_due", "2026-11-01") in tasks
    # assessing again replaces the open law tasks (a done one is kept as history)
    done = Task.objects.get(person=person, kind="passport_expiry")
    client.post(f"/en/work/cases/{case.pk}/tasks/{done.pk}/done/")
    client.post(f"/en/work/cases/{case.pk}/people/{person.pk}/assess/")
    assert Determination.objects.filter(person=person).count() == 2
    assert Task.objects.filter(person=person, kind="claim_last_day", done_at__isnull=True).count() == 1
    assert Task.objects.filter(person=person, kind="passport_expiry").count() == 2
    assert audit_actions().count("determination.create") == 2


def test_the_determination_page_shows_statuses_reasons_citations_and_receipt_in_the_pages_language(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.assessments import assess_person

    worker = make_user("caseworker")
    case = make_case(org, worker)
    determination = assess_person(worker, make_person(case, facts=dict(CLAIMANT_FACTS)))
    client = staff(worker)
    url = f"/{{}}/work/cases/{case.pk}/determinations/{determination.pk}/"
    en = client.get(url.format("en")).content.decode()
    assert "Refugee claim made inside Canada" in en
    assert "10 February 2027" in en
    assert determination.receipt["rulebooks"]["ca_protection"]["hash"] in en
    assert "laws-lois.justice.gc.ca" in en or "canada.ca" in en
    fr = client.get(url.format("fr")).content.decode()
    assert "10 février 2027" in fr
    assert "Shown in English" not in fr
    ru = client.get(url.format("ru")).content.decode()
    assert "10 февраля 2027" in ru
    assert audit_actions().count("determination.read") == 3


def test_stored_facts_the_catalog_refuses_are_named_instead_of_a_500(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case, facts={"in_canada": "maybe"})
    response = staff(worker).post(f"/en/work/cases/{case.pk}/people/{person.pk}/assess/")
    assert response.status_code == 400
    assert "true or false" in response.content.decode()


# --- Dashboard ------------------------------------------------------------------------------------------
def test_dashboard_buckets_mine_and_organization_and_mark_done(
    org: Any, make_user: Callable[..., Any], staff: Any
) -> None:
    from passage.cases.models import Task

    admin, worker, other = make_user("admin"), make_user("caseworker"), make_user("caseworker")
    mine, theirs = make_case(org, worker, reference="MINE-1"), make_case(org, other, reference="THEIRS-1")
    overdue = Task.objects.create(case=mine, kind="status_expiry", due_on=date(2026, 10, 20))
    Task.objects.create(case=mine, kind="claim_last_day", due_on=date(2026, 11, 5))
    Task.objects.create(case=mine, kind="passport_expiry", due_on=date(2026, 11, 25))
    Task.objects.create(case=mine, kind="hc_bar_ends", due_on=date(2027, 1, 15))
    Task.objects.create(case=mine, kind="boc_due", due_on=date(2027, 6, 1))  # beyond 90 days
    Task.objects.create(case=theirs, kind="passport_expiry", due_on=date(2026, 11, 3))
    page = html.unescape(staff(worker).get("/fr/work/dashboard/").content.decode())
    sections = page.split("<section>")[1:]
    assert len(sections) == 4
    assert "Fin du statut temporaire" in sections[0]
    assert "MINE-1" in sections[0]
    assert "Dernier jour pour demander l'asile" in sections[1]
    assert "Expiration du passeport national" in sections[2]
    assert "Fin de l'attente de 12 mois" in sections[3]
    assert "THEIRS-1" not in page
    assert "Fondement" not in page
    org_page = staff(admin).get("/en/work/dashboard/?scope=organization").content.decode()
    assert "MINE-1" in org_page
    assert "THEIRS-1" in org_page
    assert "THEIRS-1" not in staff(admin).get("/en/work/dashboard/?scope=mine").content.decode()
    done = staff(worker).post(f"/en/work/cases/{mine.pk}/tasks/{overdue.pk}/done/", {"back": "dashboard"})
    assert done.status_code == 302
    assert done["Location"] == "/en/work/dashboard/"
    overdue.refresh_from_db()
    assert overdue.done_at is not None
    assert "MINE-1" not in staff(worker).get("/en/work/dashboard/").content.decode().split("<section>")[1]
    assert "task.done" in audit_actions()


def test_dashboard_shows_fifty_a_bucket_soonest_first_counts_the_rest_and_reads_no_more_per_row(
    org: Any, make_user: Callable[..., Any]
) -> None:
    """Each bucket shows its LIMIT soonest tasks (by date, then kind) and counts the others; a manual task
    shows its own text; the number of queries does not grow with the rows shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from passage.cases import deadlines
    from passage.cases.models import Task

    admin, worker = make_user("admin"), make_user("caseworker")
    cases = [make_case(org, worker if i % 2 else None, reference=f"R-{i}") for i in range(6)]
    make_case(org, worker, stage="closed", reference="CLOSED")
    soon = [
        Task(case=cases[i % 6], kind=("passport_expiry", "boc_due")[i % 2], due_on=date(2026, 11, 10 + i % 15))
        for i in range(deadlines.LIMIT + 7)
    ]
    Task.objects.bulk_create(soon)
    manual = Task(case=cases[0], kind="other", source="manual", due_on=date(2026, 10, 30))
    manual.detail = "Call the lawyer"
    manual.save()
    with CaptureQueriesContext(connection) as queries:
        buckets = deadlines.dashboard(admin, "organization", on=ON)
        shown = [(t.due_on, t.kind, t.case.reference, t.case.assigned_to and t.case.assigned_to.username, t.detail)
                 for bucket in buckets for t in bucket.tasks]
    assert [b.key for b in buckets] == list(deadlines.BUCKETS)
    assert [(len(b.tasks), b.more) for b in buckets] == [(1, 0), (0, 0), (deadlines.LIMIT, 7), (0, 0)]
    assert shown[0] == (date(2026, 10, 30), "other", "R-0", None, "Call the lawyer")
    expected = sorted(soon, key=lambda t: (t.due_on, t.kind, t.pk.hex))[: deadlines.LIMIT]
    assert [t.pk for t in buckets[2].tasks] == [t.pk for t in expected]
    reads = [q["sql"] for q in queries.captured_queries if '"cases_' in q["sql"]]
    assert len(reads) == 2  # one sorted pass over every bucket, then the rows shown: nothing per bucket or row
    mine = deadlines.dashboard(worker, "mine", on=ON)
    assert sum(len(b.tasks) + b.more for b in mine) == sum(1 for t in soon if t.case.assigned_to_id == worker.pk)


# --- Re-running open cases ------------------------------------------------------------------------------
def test_rerun_finds_the_claim_closed_by_the_one_year_bar_and_stores_a_new_determination(
    org: Any, make_user: Callable[..., Any]
) -> None:
    from passage.cases.assessments import assess_person
    from passage.cases.models import Determination, Task
    from passage.cases.rerun import rerun_open_cases

    worker = make_user("caseworker")
    case = make_case(org, worker, stage="assessment")
    person = make_person(case, facts=dict(CLAIMANT_FACTS))
    closed = make_case(org, worker, stage="closed")
    assess_person(worker, make_person(closed, facts=dict(CLAIMANT_FACTS)))
    make_person(case, relationship="spouse", facts=dict(CLAIMANT_FACTS))  # never assessed: left alone
    assess_person(worker, person)
    later = date(2027, 3, 1)
    assert rerun_open_cases(org, on=ON) == []
    dry = rerun_open_cases(org, on=later, dry_run=True)
    assert Determination.objects.filter(person=person).count() == 1
    claim = next(c for c in dry if c.option == "refugee_claim")
    assert (claim.case_id, claim.person_id, claim.old, claim.new) == (case.pk, person.pk, "likely_eligible",
                                                                      "not_eligible")
    assert claim.why == ("date",)
    changes = rerun_open_cases(org, on=later)
    assert [(c.option, c.old, c.new) for c in changes] == [(c.option, c.old, c.new) for c in dry]
    assert Determination.objects.filter(person=person).count() == 2
    assert not Task.objects.filter(person=person, kind="claim_last_day", done_at__isnull=True).exists()
    assert rerun_open_cases(org, on=later) == [], "nothing changes twice"
    assert "case.rerun" in audit_actions()


def test_rerun_in_worker_processes_finds_and_stores_what_it_does_in_this_process(
    org: Any, make_user: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from passage.cases import rerun
    from passage.cases.assessments import assess_person, law_tasks, run_assessment
    from passage.cases.models import Determination, Task

    forks, get_context = [], multiprocessing.get_context
    monkeypatch.setattr(rerun._Workers, "MIN_PER_WORKER", 1)
    monkeypatch.setattr(multiprocessing, "get_context", lambda method: forks.append(method) or get_context(method))
    worker = make_user("caseworker")
    people = [make_person(make_case(org, worker, stage="assessment"), facts=dict(CLAIMANT_FACTS)) for _ in range(5)]
    for person in people:
        assess_person(worker, person)
    later = date(2027, 3, 1)
    here = rerun.rerun_open_cases(org, on=later, dry_run=True)
    assert forks == []
    there = rerun.rerun_open_cases(org, on=later, workers=2)
    assert forks == ["fork"]
    assert len(here) >= len(people)
    assert sorted(map(repr, here)) == sorted(repr(replace(c, determination_id=None)) for c in there)
    for change in there:
        stored = Determination.objects.get(pk=change.determination_id)
        facts = dict(CLAIMANT_FACTS)
        result = run_assessment(facts, later).to_dict("en")
        assert stored.result == result
        assert stored.receipt["statuses"][change.option] == change.new
        assert stored.receipt["facts"] == facts
        tasks = Task.objects.filter(determination=stored).order_by("due_on", "kind")
        assert [(t.kind, t.due_on) for t in tasks] == law_tasks(result, facts, later)


def test_rerun_names_changed_facts(org: Any, make_user: Callable[..., Any]) -> None:
    from passage.cases import people
    from passage.cases.assessments import assess_person
    from passage.cases.rerun import rerun_open_cases

    worker = make_user("caseworker")
    person = make_person(make_case(org, worker), facts=dict(CLAIMANT_FACTS))
    assess_person(worker, person)
    people.update_person(worker, person, 1, "principal", {}, {**CLAIMANT_FACTS, "removal_order": True})
    changes = rerun_open_cases(org, on=ON)
    claim = next(c for c in changes if c.option == "refugee_claim")
    assert claim.new == "not_eligible"
    assert claim.why == ("facts",)


def test_rerun_command_prints_ids_and_statuses_never_names(org: Any, make_user: Callable[..., Any]) -> None:
    from typer.testing import CliRunner

    from passage.cases.assessments import assess_person
    from passage.cases.models import Determination
    from passage.cli import app

    worker = make_user("caseworker")
    case = make_case(org, worker, reference="K-SECRET-REF")
    person = make_person(case, facts=dict(CLAIMANT_FACTS))
    assess_person(worker, person)
    result = CliRunner().invoke(app, ["cases", "rerun", "--organization", org.name, "--dry-run", "--on", "2027-03-01"])
    assert result.exit_code == 0, result.output
    assert f"{case.pk}\t{person.pk}\trefugee_claim\tlikely_eligible\tnot_eligible\tdate" in result.output
    assert "dry run" in result.output
    for secret in ("K-SECRET-REF", "Kavalchuk", "MP1234567"):
        assert secret not in result.output
    assert Determination.objects.count() == 1
    bad = CliRunner().invoke(app, ["cases", "rerun", "--on", "2027-02-30"])
    assert bad.exit_code != 0


def test_rerun_page_is_for_admins_and_lists_the_changes(org: Any, make_user: Callable[..., Any], staff: Any) -> None:
    from django.test import override_settings

    from passage.cases.assessments import assess_person

    admin, worker = make_user("admin"), make_user("caseworker")
    case = make_case(org, worker, reference="K-77")
    assess_person(worker, make_person(case, facts=dict(CLAIMANT_FACTS)))
    assert staff(worker).get("/en/work/rerun/").status_code == 404
    assert staff(admin).get("/en/work/rerun/").status_code == 200
    with override_settings(PASSAGE_TODAY="2027-03-01"):
        body = staff(admin).post("/ru/work/rerun/", {"dry_run": "1"}).content.decode()
    assert "K-77" in body
    assert "Ходатайство о статусе беженца, поданное в Канаде" in body
    assert "более поздний день" in body


def test_of_two_caseworkers_claiming_the_same_case_one_wins(org: Any, make_user: Callable[..., Any]) -> None:
    from passage.cases import services
    from passage.cases.models import Case

    first, second = make_user("caseworker"), make_user("lawyer")
    case = make_case(org, None)
    seen_by_second = Case.objects.get(pk=case.pk)  # both read version 1, unassigned
    services.claim(first, case, 1)
    with pytest.raises(services.Conflict):
        services.claim(second, seen_by_second, 1)
    case.refresh_from_db()
    assert (case.assigned_to, case.version) == (first, 2)
    assert audit_actions().count("case.claim") == 1
