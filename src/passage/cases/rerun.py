"""Re-running open cases after a rulebook change (or simply a later day).

`rerun_open_cases()` assesses again every person of every open case who has been assessed before, with the
shipped rulebooks as they are now, as of today; where an option's status differs from the person's latest
determination, it stores a new Determination (and so refreshes the person's law tasks) and reports each
changed option with why: which rulebooks changed (by content hash), whether the facts changed since, and
whether the day moved. People never assessed are left alone (nothing to compare with: a caseworker assesses
them first). `dry_run` reports without storing anything.

Speed: statuses are first computed for a chunk of 500 people at once by the engine's vectorized evaluator
(which agrees with the scalar one by construction and by test); only people whose statuses differ are
assessed again through `passage.assess`, and their new determinations are stored in one transaction per
chunk (one commit, not one per person).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from passage.auth.models import Organization, Role, User
from passage.cases.assessments import run_assessment, statuses_of, store_determinations
from passage.cases.models import OPEN_STAGES, Case, Determination, Person
from passage.cases.services import NotAllowed, today
from passage.engine import InputError, NotVectorizable, RulebookError
from passage.storage.audit import SYSTEM, actor_of, audit

CHUNK = 500


@dataclass(frozen=True)
class Change:
    case_id: Any
    person_id: Any
    option: str
    old: str | None
    new: str
    why: tuple[str, ...]  # "rulebook:<name>", "facts", "date", "engine"
    determination_id: Any = None  # the new determination (None in a dry run)


def _why(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    reasons = []
    old_books, new_books = old.get("rulebooks") or {}, new.get("rulebooks") or {}
    for name in sorted(set(old_books) | set(new_books)):
        if old_books.get(name) != new_books.get(name):
            reasons.append(f"rulebook:{name}")
    if old.get("engine_version") != new.get("engine_version"):
        reasons.append("engine")
    if old.get("facts_hash") != new.get("facts_hash"):
        reasons.append("facts")
    if old.get("on") != new.get("on"):
        reasons.append("date")
    return tuple(reasons)


def _old_statuses(determination: Determination) -> tuple[dict[str, str], dict[str, Any]]:
    receipt: dict[str, Any] = determination.receipt or {}
    statuses = receipt.get("statuses")
    if not isinstance(statuses, dict):  # stored before receipts carried statuses: read the result itself
        result = determination.result or {}
        statuses = {o.get("id"): o.get("status") for o in result.get("options", [])}
    return statuses, receipt


def rerun_open_cases(
    organization: Organization | None = None,
    *,
    on: date | None = None,
    dry_run: bool = False,
    user: object = None,
) -> list[Change]:
    """Every option whose status changed, for every assessed person of every open case (of `organization`,
    or all). `user`, when given, must be an admin (the page): the run is limited to their organization and
    audited as them; otherwise (the command) it is audited as the system."""
    if user is not None:
        if not (isinstance(user, User) and user.is_active and user.role == Role.ADMIN):
            raise NotAllowed("rerun")
        organization = user.organization
    actor = actor_of(user) if user is not None else SYSTEM
    day = on or today()
    cases = Case.objects.filter(stage__in=OPEN_STAGES)
    if organization is not None:
        cases = cases.filter(organization=organization)
    latest = Determination.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    people = (
        Person.objects.filter(case__in=cases.values("pk"))
        .only("id", "case_id", "created_at", "facts_enc")
        .annotate(latest_id=Subquery(latest))
        .filter(latest_id__isnull=False)
        .order_by("case_id", "created_at", "id")
    )
    changes: list[Change] = []
    batch: list[Person] = []
    for person in people.iterator(chunk_size=CHUNK):
        batch.append(person)
        if len(batch) >= CHUNK:
            changes += _run_batch(batch, day, dry_run, user, actor)
            batch = []
    if batch:
        changes += _run_batch(batch, day, dry_run, user, actor)
    if not dry_run:
        with transaction.atomic():
            if organization is not None:
                audit(actor, "case.rerun", "organization", organization.pk)
            else:
                audit(actor, "case.rerun")
    return changes


def _screen(facts_list: list[dict[str, object]], day: date) -> list[dict[str, str] | None]:
    """Each person's option statuses as of `day` by the engine's vectorized evaluator (one Polars pass over the
    chunk; the scalar and vectorized evaluators agree by a property test over every shipped rule), or None
    for a person whose stored facts the catalog no longer reads. Only changed people are then assessed again
    through `passage.assess` for the stored determination."""
    from passage.engine import parse_facts
    from passage.engine.vector import evaluate_frame, facts_frame
    from passage.rulebooks import default_library

    library = default_library()
    catalog = library.facts.get("person", {})
    parsed: list[Any] = []
    for facts in facts_list:
        try:
            parsed.append(parse_facts(facts, catalog))
        except InputError:
            parsed.append(None)
    readable = [p for p in parsed if p is not None]
    table = evaluate_frame(library, "person", facts_frame(readable, catalog), day) if readable else None
    rows = iter(table.iter_rows(named=True)) if table is not None else iter(())
    return [None if p is None else next(rows) for p in parsed]


def _run_batch(batch: list[Person], day: date, dry_run: bool, user: object, actor: str) -> list[Change]:
    # the receipts only: the result (tens of kilobytes each) is read only for determinations stored before
    # receipts carried statuses
    determinations = Determination.objects.defer("result_enc").in_bulk([p.latest_id for p in batch])
    facts_list = [person.facts or {} for person in batch]
    try:
        screened = _screen(facts_list, day)
    except (RulebookError, NotVectorizable):  # a rule only the scalar evaluator runs: assess everyone
        screened = [{} for _ in batch]
    out: list[Change] = []
    to_store: list[tuple[Person, Any, dict[str, object]]] = []
    for person, facts, statuses in zip(batch, facts_list, screened, strict=True):
        old = determinations.get(person.latest_id)
        if old is None or statuses is None:
            continue  # no determination, or facts the current catalog no longer reads (the person's page names them)
        old_statuses, old_receipt = _old_statuses(old)
        if statuses and statuses == old_statuses:
            continue
        try:
            assessment = run_assessment(facts, day)
        except InputError:
            continue
        new_statuses = statuses_of(assessment)
        changed = [
            (option, old_statuses.get(option), status)
            for option, status in new_statuses.items()
            if old_statuses.get(option) != status
        ]
        if not changed:
            continue
        why = _why(old_receipt, assessment.receipt.to_dict())
        to_store.append((person, assessment, facts))
        out += [Change(person.case_id, person.pk, option, was, now, why) for option, was, now in changed]
    if dry_run or not to_store:
        return out
    made = store_determinations(to_store, user, actor)  # one transaction, one commit for the chunk
    stored = {determination.person_id: determination.pk for determination in made}
    return [replace(change, determination_id=stored.get(change.person_id)) for change in out]
