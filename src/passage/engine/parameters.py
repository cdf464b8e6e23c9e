"""Effective-dated parameters: the numbers and dates of the law, each with its period and source.

A parameter's id is its file's stem plus its key (`fees.coi_adult` is key `coi_adult` of `fees.yaml`), as
in OpenFisca. Each value holds for a period [from, to); periods are sorted and neither overlap nor leave
gaps — a change of law is a new period, never an edit of the past. Before the first period the law is
unknown, and a look-up says so (`None`) instead of guessing.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from passage.engine.errors import RulebookError

Unit = Literal["CAD", "days", "months", "years", "int", "date", "percent", "bool", "text", "list"]
UNITS: tuple[Unit, ...] = ("CAD", "days", "months", "years", "int", "date", "percent", "bool", "text", "list")
ParamValue = Decimal | int | date | bool | str | tuple[str, ...] | None


@dataclass(frozen=True)
class Period:
    start: date
    end: date | None  # exclusive; None = open-ended
    value: ParamValue  # None: no such value in law for this period, on purpose
    source: str
    verified: bool


@dataclass(frozen=True)
class Parameter:
    id: str
    description: str
    unit: Unit
    periods: tuple[Period, ...]
    file: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", [p.start for p in self.periods])

    def period_on(self, day: date) -> Period | None:
        """The period in force on `day`, or None when the law for that day is not encoded."""
        index = bisect.bisect_right(self._starts, day) - 1  # type: ignore[attr-defined]
        if index < 0:
            return None
        period = self.periods[index]
        if period.end is not None and day >= period.end:
            return None
        return period


class ParameterSet(Mapping[str, Parameter]):
    def __init__(self, parameters: dict[str, Parameter] | None = None) -> None:
        self._parameters: dict[str, Parameter] = dict(parameters or {})

    def __getitem__(self, key: str) -> Parameter:
        return self._parameters[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._parameters)

    def __len__(self) -> int:
        return len(self._parameters)

    def add(self, parameter: Parameter) -> None:
        if parameter.id in self._parameters:
            raise RulebookError(parameter.file, parameter.id, "parameter defined twice")
        self._parameters[parameter.id] = parameter


def load_parameter_file(path: Path, raw: object, prefix: str = "") -> list[Parameter]:
    """Parameters of one parsed YAML file; `prefix` (the rulebook name) keeps ids unique across rulebooks."""
    file = str(path)
    if raw is None:
        return []
    if not isinstance(raw, dict):
        raise RulebookError(file, "(top level)", "expected a mapping of parameter key to parameter")
    stem = f"{prefix}{path.stem}"
    return [_parse_parameter(f"{stem}.{key}", str(key), entry, file) for key, entry in raw.items()]


def _parse_parameter(param_id: str, key: str, entry: object, file: str) -> Parameter:
    if not isinstance(entry, dict):
        raise RulebookError(file, key, "expected a mapping with description, unit and values")
    unit = entry.get("unit")
    if unit not in UNITS:
        raise RulebookError(file, f"{key}.unit", f"must be one of {', '.join(UNITS)}, not {unit!r}")
    raw_values = entry.get("values")
    if not isinstance(raw_values, list) or not raw_values:
        raise RulebookError(file, f"{key}.values", "expected a non-empty list of periods")
    periods = [_parse_period(key, i, item, unit, file) for i, item in enumerate(raw_values)]
    for i, (earlier, later) in enumerate(itertools.pairwise(periods), start=1):
        where = f"{key}.values[{i}]"
        if earlier.end is None:
            raise RulebookError(file, where, f"period from {later.start} follows an open-ended period")
        if later.start < earlier.end:
            raise RulebookError(file, where, f"overlaps the previous period (which ends {earlier.end})")
        if later.start > earlier.end:
            raise RulebookError(
                file, where, f"leaves a gap from {earlier.end} to {later.start}; say what holds there "
                "with a period whose value is null"
            )
    unknown = set(entry) - {"description", "unit", "values", "note"}
    if unknown:
        raise RulebookError(file, key, f"unknown keys {sorted(unknown)}")
    return Parameter(param_id, str(entry.get("description") or ""), unit, tuple(periods), file)


def _parse_period(key: str, index: int, item: object, unit: Unit, file: str) -> Period:
    where = f"{key}.values[{index}]"
    if not isinstance(item, dict):
        raise RulebookError(file, where, "expected a mapping with from, value, source, verified")
    start, end = item.get("from"), item.get("to")
    if not isinstance(start, date):
        raise RulebookError(file, f"{where}.from", "must be a date YYYY-MM-DD")
    if end is not None and (not isinstance(end, date) or end <= start):
        raise RulebookError(file, f"{where}.to", f"must be a date after {start}")
    source = item.get("source")
    if not isinstance(source, str) or not source:
        raise RulebookError(file, f"{where}.source", "every value needs a source id")
    verified = item.get("verified")
    if not isinstance(verified, bool):
        raise RulebookError(file, f"{where}.verified", "must be true or false")
    if "value" not in item:
        raise RulebookError(file, f"{where}.value", "is required (null for 'no value in law here')")
    unknown = set(item) - {"from", "to", "value", "source", "verified", "note"}
    if unknown:
        raise RulebookError(file, where, f"unknown keys {sorted(unknown)}")
    return Period(start, end, _coerce(item["value"], unit, file, f"{where}.value"), source, verified)


def _coerce(value: object, unit: Unit, file: str, where: str) -> ParamValue:
    if value is None:
        return None
    if unit in ("CAD", "percent"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise RulebookError(file, where, f"expected a number for unit {unit}")
        try:
            number = Decimal(str(value))
            return number.quantize(Decimal("0.01")) if unit == "CAD" else number  # YAML reads 120.00 as 120.0
        except InvalidOperation:
            raise RulebookError(file, where, f"expected a number for unit {unit}, got {value!r}") from None
    if unit in ("days", "months", "years", "int"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise RulebookError(file, where, f"expected a whole number for unit {unit}")
        return value
    if unit == "date":
        if not isinstance(value, date):
            raise RulebookError(file, where, "expected a date YYYY-MM-DD")
        return value
    if unit == "bool":
        if not isinstance(value, bool):
            raise RulebookError(file, where, "expected true or false")
        return value
    if unit == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RulebookError(file, where, "expected a list of text values")
        return tuple(value)
    if not isinstance(value, str):
        raise RulebookError(file, where, "expected text")
    return value
