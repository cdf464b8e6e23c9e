"""Figures for advocacy over an organization's open cases, never a person (admins and analysts).

Population: the people of the organization's open cases (every stage but `closed`). Three tables:
- options: for each option id, how many people's latest determination gives each status;
- passport horizon: the `national_passport_expiry` fact against the day: expired, under 6 months, 6 to 12
  months, over 12 months, none held (the fact is null), unknown (absent or unreadable);
- status in Canada: the `canadian_status` fact (unknown when absent).

Small cells are suppressed: a count from 1 to 4 is shown as "<5" (primary suppression). Every row of a
table counts one population, and the tables share it, so a lone suppressed cell could be worked out from
the others; whenever a row has exactly one suppressed cell, its smallest other non-zero cell is suppressed
too and shown as "x" (secondary suppression). No total is shown. Zero is shown: it names nobody.
Determinations and facts are decrypted in Python (30,000 people take a few seconds at most).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from passage.auth.models import User
from passage.authz.cases import can_see_aggregates
from passage.cases.models import OPEN_STAGES, Determination, Person
from passage.cases.services import NotAllowed
from passage.storage.audit import actor_of, audit

THRESHOLD = 5
PRIMARY, SECONDARY = "<5", "x"
STATUSES = ("eligible", "likely_eligible", "not_eligible", "needs_info")
HORIZONS = ("expired", "under_6_months", "6_to_12_months", "over_12_months", "none_held", "unknown")
CANADIAN_STATUSES = (
    "citizen",
    "permanent_resident",
    "protected_person",
    "refugee_claimant",
    "worker",
    "student",
    "visitor",
    "none",
    "unknown",
)


@dataclass(frozen=True)
class Row:
    key: str
    cells: tuple[str, ...]  # as shown: a number, "<5" or "x"


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Figures:
    on: date
    options: Table
    horizon: Table
    status: Table

    def tables(self) -> tuple[Table, ...]:
        return (self.options, self.horizon, self.status)


def suppress(counts: list[int]) -> tuple[str, ...]:
    """One row of counts as shown (primary and secondary suppression)."""
    shown = [PRIMARY if 0 < n < THRESHOLD else str(n) for n in counts]
    if shown.count(PRIMARY) == 1:
        others = [(n, i) for i, n in enumerate(counts) if n >= THRESHOLD]
        if others:
            shown[min(others)[1]] = SECONDARY
    return tuple(shown)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 exists in every month


def horizon(facts: dict[str, Any], on: date) -> str:
    if "national_passport_expiry" not in facts:
        return "unknown"
    value = facts["national_passport_expiry"]
    if value is None:
        return "none_held"
    try:
        expiry = date.fromisoformat(str(value))
    except ValueError:
        return "unknown"
    if expiry < on:
        return "expired"
    if expiry < _add_months(on, 6):
        return "under_6_months"
    if expiry < _add_months(on, 12):
        return "6_to_12_months"
    return "over_12_months"


def canadian_status(facts: dict[str, Any]) -> str:
    value = facts.get("canadian_status")
    return value if isinstance(value, str) and value in CANADIAN_STATUSES else "unknown"


def figures(user: object, on: date) -> Figures:
    """The three tables for `user`'s organization (audited as `aggregates.read`)."""
    if not can_see_aggregates(user):
        raise NotAllowed("aggregates")
    assert isinstance(user, User)  # noqa: S101 - can_see_aggregates is False for anything else
    people = Person.objects.filter(case__organization_id=user.organization_id, case__stage__in=OPEN_STAGES)
    latest = Determination.objects.filter(person=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    rows = people.annotate(latest_id=Subquery(latest)).values_list("pk", "facts_enc", "latest_id")
    horizon_counts: Counter[str] = Counter()
    status_counts: Counter[str] = Counter()
    latest_ids = []
    for pk, facts_enc, latest_id in rows.iterator(chunk_size=2000):
        probe = Person(pk=pk, facts_enc=facts_enc)
        facts = probe.facts if facts_enc is not None else {}
        facts = facts if isinstance(facts, dict) else {}
        horizon_counts[horizon(facts, on)] += 1
        status_counts[canadian_status(facts)] += 1
        if latest_id is not None:
            latest_ids.append(latest_id)
    option_counts: dict[str, Counter[str]] = {}
    for start in range(0, len(latest_ids), 2000):
        chunk = latest_ids[start : start + 2000]
        for pk, result_enc in Determination.objects.filter(pk__in=chunk).values_list("pk", "result_enc"):
            result = Determination(pk=pk, result_enc=result_enc).result if result_enc is not None else None
            for option in (result or {}).get("options", []) if isinstance(result, dict) else []:
                if isinstance(option, dict) and isinstance(option.get("id"), str):
                    status = option.get("status")
                    if status in STATUSES:
                        option_counts.setdefault(option["id"], Counter())[str(status)] += 1
    with transaction.atomic():
        audit(actor_of(user), "aggregates.read", "organization", user.organization_id)
    return Figures(
        on=on,
        options=Table(
            "options",
            STATUSES,
            tuple(
                Row(option, suppress([option_counts[option][s] for s in STATUSES])) for option in sorted(option_counts)
            ),
        ),
        horizon=_one_column("horizon", horizon_counts, HORIZONS),
        status=_one_column("status", status_counts, CANADIAN_STATUSES),
    )


def _one_column(name: str, counts: Counter[str], keys: tuple[str, ...]) -> Table:
    """A one-column table: the whole column is one partition of the population, suppressed together."""
    cells = suppress([counts[k] for k in keys])
    return Table(name, ("people",), tuple(Row(key, (cell,)) for key, cell in zip(keys, cells, strict=True)))


def to_csv(result: Figures) -> str:
    """table,row,column,value lines (values as shown, suppressed cells included)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    for table in result.tables():
        for row in table.rows:
            for column, cell in zip(table.columns, row.cells, strict=True):
                writer.writerow([table.name, row.key, column, cell])
    return out.getvalue()
