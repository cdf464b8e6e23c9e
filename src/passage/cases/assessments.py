"""Assessing a person of a case: `passage.assess.assess` over the person's stored facts with the SHIPPED
rulebooks (`passage.rulebooks.default_library()`), as of today, stored as a Determination, and the dated
deadlines of the result turned into tasks.

What a Determination holds (both encrypted):
- `result`: `Assessment.to_dict("en")`, the public JSON contract;
- `receipt`: the engine's receipt (engine version, rulebook hashes, facts hash, `on`) plus `facts` (the facts
  assessed, so the page can be shown again in another language and the run repeated) and `statuses`
  (option id -> status, so a re-run compares without reading the whole result).

Tasks from the law (`Task.source == "law"`), replacing that person's previous open law tasks at each
assessment (done tasks are kept as history):
- every dated deadline of every option (`options[].deadlines[]`: the Basis of Claim and the one-year
  refugee-claim bar, the PRRA window and bar, the H&C bar, extension, permit cap, restoration) — kind = the
  deadline id;
- the citizenship option's `eligible_from` — kind `citizenship_eligible_from`;
- the facts `national_passport_expiry` and `status_expiry` — kinds `passport_expiry`, `status_expiry`.
Only dates on or after the assessment day become tasks (a passport that expired years ago is no deadline);
the same (kind, date) is one task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from passage.assess import Assessment, assess
from passage.cases.models import Determination, Person, Task
from passage.cases.services import require, today
from passage.engine import LANGUAGES, InputError
from passage.storage.audit import actor_of, audit, audit_each
from passage.storage.secret import JsonText, json_dumps

FACT_DEADLINES = {"national_passport_expiry": "passport_expiry", "status_expiry": "status_expiry"}
OPTION_VALUE_DEADLINES = {("citizenship_grant", "eligible_from"): "citizenship_eligible_from"}
# Every kind of task the law gives, for the texts (ws.cases_kind_<kind>) and the documentation.
LAW_KINDS = (
    "boc_due",
    "claim_last_day",
    "prra_application_last_day",
    "prra_bar_ends",
    "hc_bar_ends",
    "extension_apply_by",
    "permit_cannot_pass",
    "restoration_last_day",
    "citizenship_eligible_from",
    "passport_expiry",
    "status_expiry",
)


def run_assessment(facts: Mapping[str, object], on: date) -> Assessment:
    """The shipped rulebooks over `facts` (subject person) as of `on`."""
    from passage.rulebooks import default_library

    return assess({**facts, "subject": "person"}, on, default_library())


def _iso(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def law_tasks(result: Mapping[str, Any], facts: Mapping[str, object], on: date) -> list[tuple[str, date]]:
    """(kind, due date) of every deadline in an assessment's JSON and the person's dated facts, from `on`."""
    found: dict[tuple[str, date], None] = {}
    for option in result.get("options", []):
        for deadline in option.get("deadlines", []):
            day = _iso(deadline.get("date"))
            if day is not None:
                found[(str(deadline.get("id")), day)] = None
        for (option_id, value_name), kind in OPTION_VALUE_DEADLINES.items():
            if option.get("id") == option_id:
                day = _iso(option.get(value_name))
                if day is not None:
                    found[(kind, day)] = None
    for fact_name, kind in FACT_DEADLINES.items():
        day = _iso(facts.get(fact_name))
        if day is not None:
            found[(kind, day)] = None
    return sorted(((kind[:64], day) for kind, day in found if day >= on), key=lambda item: (item[1], item[0]))


def statuses_of(assessment: Assessment) -> dict[str, str]:
    return {option.id: option.status for option in assessment.options}


@dataclass(frozen=True)
class Prepared:
    """An assessment made ready to store, by `prepare` (no database: a re-run computes these in worker
    processes): the result already encoded as the stored JSON, the engine's receipt, the statuses and the
    law's tasks."""

    on: date
    result_json: JsonText  # Assessment.to_dict("en"), encoded as SecretJson stores it
    receipt: dict[str, Any]  # Receipt.to_dict()
    statuses: dict[str, str]
    tasks: list[tuple[str, date]]  # law_tasks(result, facts, on)


def prepared(assessment: Assessment, facts: Mapping[str, object]) -> Prepared:
    result = assessment.to_dict("en")
    return Prepared(
        on=assessment.on,
        result_json=JsonText(json_dumps(result)),
        receipt=assessment.receipt.to_dict(),
        statuses=statuses_of(assessment),
        tasks=law_tasks(result, facts, assessment.on),
    )


def prepare(facts: Mapping[str, object], on: date) -> Prepared | None:
    """`run_assessment` and `prepared`, or None for facts the current catalog no longer accepts."""
    try:
        return prepared(run_assessment(facts, on), facts)
    except InputError:
        return None


def store_determination(
    person: Person, assessment: Assessment, facts: Mapping[str, object], author: object, actor: str
) -> Determination:
    """Save the assessment as a Determination and replace the person's open law tasks (inside the caller's
    transaction or its own)."""
    return store_determinations([(person, assessment, facts)], author, actor)[0]


def store_determinations(
    items: Sequence[tuple[Person, Assessment, Mapping[str, object]]], author: object, actor: str
) -> list[Determination]:
    """The same for many people at once."""
    return store_prepared([(person, prepared(assessment, facts), facts) for person, assessment, facts in items],
                          author, actor)


def store_prepared(
    items: Sequence[tuple[Person, Prepared, Mapping[str, object]]], author: object, actor: str
) -> list[Determination]:
    """Store prepared assessments (a re-run's chunk): one insert of the determinations, one delete of the
    people's open law tasks, one insert of the new ones, and one audit entry per determination (appended
    together). The keyring is read once for the chunk's encryptions (`Vault.pinned_data_key`)."""
    from passage.storage.keys import vault

    created_by = author if getattr(author, "pk", None) else None
    determinations: list[Determination] = []
    tasks: list[Task] = []
    with vault().pinned_data_key():
        for person, ready, facts in items:
            determination = Determination(person=person, assessed_on=ready.on, created_by=created_by)
            determination.result = ready.result_json
            determination.receipt = {**ready.receipt, "facts": dict(facts), "statuses": ready.statuses}
            determinations.append(determination)
            tasks += [
                Task(case_id=person.case_id, person=person, kind=kind, due_on=day, source="law",
                     determination=determination)
                for kind, day in ready.tasks
            ]
    with transaction.atomic():
        Determination.objects.bulk_create(determinations)
        Task.objects.filter(
            person_id__in=[person.pk for person, _, _ in items], source="law", done_at__isnull=True
        ).delete()
        Task.objects.bulk_create(tasks)
        audit_each(actor, "determination.create", "determination", [d.pk for d in determinations])
    return determinations


def assess_person(user: object, person: Person, on: date | None = None) -> Determination:
    """Assess `person` now (or as of `on`) and store the Determination with its tasks. An InputError (stored
    facts the current catalog no longer accepts) propagates, naming the facts."""
    require(user, "write", person.case)
    facts = person.facts or {}
    assessment = run_assessment(facts, on or today())
    return store_determination(person, assessment, facts, user, actor_of(user))


def latest_determination(person: Person) -> Determination | None:
    return person.determinations.order_by("-created_at").first()


def determination_of(person_ids: list[Any], determination_id: object) -> Determination | None:
    from django.core.exceptions import ValidationError

    try:
        return Determination.objects.filter(pk=determination_id, person_id__in=person_ids).first()
    except (ValidationError, ValueError):
        return None


@dataclass
class Shown:
    """A determination as shown: its JSON in the page's language when it can be reproduced exactly."""

    result: dict[str, Any]
    receipt: dict[str, Any]
    lang: str  # the language `result` is in
    reproduced: bool  # True when re-run with the same rulebooks and facts (so the texts are in `lang`)


def shown_in(determination: Determination, lang: str) -> Shown:
    """The stored result, or (for another language) the same assessment re-run in that language when the
    receipt's rulebooks, facts and date reproduce it exactly; otherwise the stored English text."""
    result: dict[str, Any] = determination.result or {}
    receipt: dict[str, Any] = determination.receipt or {}
    if lang == "en" or lang not in LANGUAGES:
        return Shown(result, receipt, "en", True)
    facts = receipt.get("facts")
    if isinstance(facts, dict):
        try:
            again = run_assessment(facts, determination.assessed_on)
        except InputError:
            again = None
        if again is not None:
            fresh = again.receipt.to_dict()
            stored = {k: receipt.get(k) for k in fresh}
            if fresh == stored:
                return Shown(again.to_dict(lang), receipt, lang, True)
    return Shown(result, receipt, "en", False)


def read_determination(user: object, determination: Determination) -> None:
    require(user, "read_sensitive", determination.person.case)
    with transaction.atomic():
        audit(actor_of(user), "determination.read", "determination", determination.pk)
