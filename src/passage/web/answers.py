"""Form data in, raw facts out: one reader per fact type, every problem named by its fact.

The interview keeps two things in the server-side session: `answers` (fact -> raw JSON value, exactly the
`passage assess` contract) and `dont_know` (facts the person could not answer). Values are checked with the
engine's own `parse_facts`, so the web accepts exactly what the API and the CLI accept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.http import QueryDict

from passage.engine import InputError
from passage.engine.facts import FactSpec, parse_facts

EXTRA_ROWS = 1
MAX_ROWS = 40


@dataclass
class Reading:
    """What one form submission says: new answers, new "I don't know"s, and errors by fact."""

    answers: dict[str, object] = field(default_factory=dict)
    dont_know: set[str] = field(default_factory=set)
    errors: dict[str, list[str]] = field(default_factory=dict)  # fact -> engine problems ("" = required)


def _rows(data: QueryDict, name: str) -> list[str]:
    return [v.strip() for v in data.getlist(name)[:MAX_ROWS]]


def read(data: QueryDict, specs: Sequence[FactSpec]) -> Reading:
    reading = Reading()
    for spec in specs:
        name = spec.name
        choice = data.get(name, "").strip()
        if data.get(f"{name}__dk") or choice == "__dk":
            reading.dont_know.add(name)
            continue
        if spec.nullable and data.get(f"{name}__none"):
            reading.answers[name] = None
            continue
        raw: object
        if spec.type == "bool":
            if choice not in {"yes", "no"}:
                reading.errors[name] = [""] if not choice else [f"{name}: expected yes or no"]
                continue
            raw = choice == "yes"
        elif spec.type == "countries":
            raw = [code for code in _rows(data, name) if code]
        elif spec.type == "date_ranges":
            starts, ends = _rows(data, f"{name}__from"), _rows(data, f"{name}__to")
            raw = [{"from": a, "to": b} for a, b in zip(starts, ends, strict=False) if a or b]
        elif not choice:
            reading.errors[name] = [""]
            continue
        elif spec.type == "int":
            raw = int(choice) if re.fullmatch(r"-?\d{1,9}", choice) else choice
        else:
            raw = choice
        reading.answers[name] = raw
    if reading.answers:
        try:
            parse_facts(reading.answers, {s.name: s for s in specs})
        except InputError as error:
            for problem in error.problems:
                fact = re.split(r"[\[.]", problem.field, maxsplit=1)[0]
                reading.errors.setdefault(fact, []).append(str(problem))
    for fact in reading.errors:
        reading.answers.pop(fact, None)
    return reading


def rows_for(spec: FactSpec, value: object, extra: int) -> list[object]:
    """Rows to show for a list fact: its current items plus `extra` empty rows (at least one row)."""
    items: list[object] = list(value) if isinstance(value, list) else []
    blank: object = {"from": "", "to": ""} if spec.type == "date_ranges" else ""
    return items + [blank] * max(extra, 0 if items else 1)


def posted_value(data: QueryDict, spec: FactSpec) -> object:
    """What the person typed, to show again next to an error (never stored)."""
    if spec.type == "countries":
        return [c for c in _rows(data, spec.name) if c]
    if spec.type == "date_ranges":
        starts, ends = _rows(data, f"{spec.name}__from"), _rows(data, f"{spec.name}__to")
        return [{"from": a, "to": b} for a, b in zip(starts, ends, strict=False) if a or b]
    if spec.nullable and data.get(f"{spec.name}__none"):
        return None
    value = data.get(spec.name, "")
    return {"yes": True, "no": False}.get(value, value) if spec.type == "bool" else value


def as_mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}
