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
chunk (one commit, not one per person). With `workers` > 1 (the command) those assessments are made in worker
processes that never touch the database (`_Workers`), while this process stores the previous chunk.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from multiprocessing.pool import Pool
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from passage.auth.models import Organization, Role, User
from passage.cases.assessments import Prepared, prepare, store_prepared
from passage.cases.models import OPEN_STAGES, Case, Determination, Person
from passage.cases.services import NotAllowed, today
from passage.engine import InputError, NotVectorizable, RulebookError
from passage.storage.audit import SYSTEM, actor_of, audit

CHUNK = 500
MAX_WORKERS = 4


def default_workers() -> int:
    """Worker processes for the command: one a core, at most MAX_WORKERS (1: everything in this process)."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


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
    workers: int = 1,
) -> list[Change]:
    """Every option whose status changed, for every assessed person of every open case (of `organization`,
    or all). `user`, when given, must be an admin (the page): the run is limited to their organization and
    audited as them; otherwise (the command) it is audited as the system. `workers` > 1 (the command)
    assesses the changed people in that many worker processes (`_Workers`); the page runs in its own."""
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
    with _Workers(workers) as pool:
        # A chunk is screened and its changed people handed to the workers before the previous chunk is
        # stored, so that storing (here) and assessing (there) overlap.
        waiting: _Started | None = None
        for batch in _chunks(people.iterator(chunk_size=CHUNK)):
            started = _start(batch, day, pool)
            if waiting is not None:
                changes += _finish(waiting, dry_run, user, actor)
            waiting = started
        if waiting is not None:
            changes += _finish(waiting, dry_run, user, actor)
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


class _Workers:
    """Worker processes that assess a chunk's changed people (`prepare`: the assessment, its JSON, its
    tasks), the pure computation that is most of a re-run's time once outcomes change; the database is read
    and written only here, in this process. Started at the first chunk that needs them (a run where nothing
    changed forks nothing), by fork, after the rulebooks are loaded, so each worker starts with them; a worker
    never touches a database connection (it inherits this process's, unused, and exits without closing it)."""

    MIN_PER_WORKER = 8  # fewer changed people than this a worker: assessed here (a fork costs more)

    def __init__(self, count: int) -> None:
        self.count = count
        self.pool: Pool | None = None

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        if self.pool is not None:
            if kind is None:
                self.pool.close()
            else:  # the run failed: what the workers are still assessing is not wanted
                self.pool.terminate()
            self.pool.join()
            gc.unfreeze()

    def prepare(self, facts_list: list[Mapping[str, object]], day: date) -> Callable[[], list[Prepared | None]]:
        """Start preparing; the returned function waits for the results, in order."""
        if self.count <= 1 or len(facts_list) < self.count * self.MIN_PER_WORKER:
            done = [prepare(facts, day) for facts in facts_list]
            return lambda: done
        if self.pool is None:
            from passage.rulebooks import default_library

            default_library()  # loaded before the fork: the workers inherit it
            # Frozen, this process's objects are left out of the workers' garbage collections, which would
            # otherwise touch every one of them and so copy every inherited page into each worker.
            gc.freeze()
            self.pool = multiprocessing.get_context("fork").Pool(self.count)
        # chunks of a few people a task: the result's JSON (about 27 kB) is the bulk of what comes back
        size = max(1, len(facts_list) // (self.count * 4))
        pending = self.pool.starmap_async(prepare, [(facts, day) for facts in facts_list], chunksize=size)
        return pending.get


def _chunks(people: Iterator[Person]) -> Iterator[list[Person]]:
    batch: list[Person] = []
    for person in people:
        batch.append(person)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Started:
    """A chunk screened: the people whose statuses may have changed, their assessments on the way."""

    candidates: list[tuple[Person, dict[str, object], dict[str, str], dict[str, Any]]]
    results: Callable[[], list[Prepared | None]]


def _start(batch: list[Person], day: date, pool: _Workers) -> _Started:
    # the receipts only: the result (tens of kilobytes each) is read only for determinations stored before
    # receipts carried statuses
    determinations = Determination.objects.defer("result_enc").in_bulk([p.latest_id for p in batch])
    facts_list = [person.facts or {} for person in batch]
    try:
        screened = _screen(facts_list, day)
    except (RulebookError, NotVectorizable):  # a rule only the scalar evaluator runs: assess everyone
        screened = [{} for _ in batch]
    candidates = []
    for person, facts, statuses in zip(batch, facts_list, screened, strict=True):
        old = determinations.get(person.latest_id)
        if old is None or statuses is None:
            continue  # no determination, or facts the current catalog no longer reads (the person's page names them)
        old_statuses, old_receipt = _old_statuses(old)
        if statuses and statuses == old_statuses:
            continue
        candidates.append((person, facts, old_statuses, old_receipt))
    return _Started(candidates, pool.prepare([facts for _, facts, _, _ in candidates], day))


def _finish(started: _Started, dry_run: bool, user: object, actor: str) -> list[Change]:
    out: list[Change] = []
    to_store: list[tuple[Person, Prepared, dict[str, object]]] = []
    for (person, facts, old_statuses, old_receipt), ready in zip(started.candidates, started.results(), strict=True):
        if ready is None:
            continue  # facts the current catalog no longer accepts
        changed = [
            (option, old_statuses.get(option), status)
            for option, status in ready.statuses.items()
            if old_statuses.get(option) != status
        ]
        if not changed:
            continue
        why = _why(old_receipt, ready.receipt)
        to_store.append((person, ready, facts))
        out += [Change(person.case_id, person.pk, option, was, now, why) for option, was, now in changed]
    if dry_run or not to_store:
        return out
    made = store_prepared(to_store, user, actor)  # one transaction, one commit for the chunk
    stored = {determination.person_id: determination.pk for determination in made}
    return [replace(change, determination_id=stored.get(change.person_id)) for change in out]
