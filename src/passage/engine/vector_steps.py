"""Monotone functions of one date column, compared with a constant, as one comparison of that column.

An age from a birth date, a date plus twelve months, the days since a date: each is a monotone function of
one date column once the as-of date and parameters are constants. Compared with a constant, the rows where
the comparison holds are those whose date is on one side of a threshold date. The threshold is found once,
by bisection over every date of the calendar with the scalar evaluator's own functions (`add_months`,
`full_years_between`), so both evaluators agree by construction; the rows then need one date comparison
instead of calendar arithmetic (`dt.year`, `dt.offset_by` cost tens of ms per million rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from passage.engine.values import add_months, full_years_between

FIRST_DAY = date.min.toordinal()
LAST_DAY = date.max.toordinal()


class _Extreme:
    """A date arithmetic result past the calendar (the scalar evaluator raises OverflowError there):
    above (`HIGH`) or below (`LOW`) every value it is compared with."""

    def __init__(self, sign: int) -> None:
        self.sign = sign


HIGH, LOW = _Extreme(1), _Extreme(-1)


def _flip(value: object) -> object:
    if value is HIGH:
        return LOW
    return HIGH if value is LOW else value


@dataclass(frozen=True)
class Step:
    """A value computed from one Date column (`source`, available after stage `level`) by `fn`, the
    scalar function of one date, non-decreasing if `increasing` else non-increasing. A null date gives a
    null value, and a date gives a value."""

    source: pl.Expr
    level: int
    fn: Callable[[date], object]
    increasing: bool

    def then(self, fn: Callable[[object], object], keeps_order: bool) -> Step:
        inner = self.fn
        return Step(self.source, self.level, lambda day: fn(inner(day)), self.increasing == keeps_order)


def identity(source: pl.Expr, level: int) -> Step:
    return Step(source, level, lambda day: day, True)


def date_add(step: Step, amount: int, unit: str) -> Step:
    """`step` plus a constant number of days, months or years (the month end clamped, as add_months)."""

    def add(value: object) -> object:
        if isinstance(value, _Extreme):
            return value
        try:
            if unit == "days":
                return value + timedelta(days=amount)  # type: ignore[operator]
            return add_months(value, amount if unit == "months" else 12 * amount)  # type: ignore[arg-type]
        except OverflowError:
            return HIGH if amount > 0 else LOW

    return step.then(add, keeps_order=True)


def years_between(step: Step, other: date, step_is_start: bool) -> Step:
    """Completed years from `step` to the constant `other`, or from `other` to `step`."""
    if step_is_start:
        return step.then(lambda v: _flip(v) if isinstance(v, _Extreme) else full_years_between(v, other),  # type: ignore[arg-type]
                         keeps_order=False)
    return step.then(lambda v: v if isinstance(v, _Extreme) else full_years_between(other, v),  # type: ignore[arg-type]
                     keeps_order=True)


def days_between(step: Step, other: date, step_is_start: bool) -> Step:
    """Days from `step` to the constant `other`, or from `other` to `step`."""
    if step_is_start:
        return step.then(lambda v: _flip(v) if isinstance(v, _Extreme) else (other - v).days,  # type: ignore[operator]
                         keeps_order=False)
    return step.then(lambda v: v if isinstance(v, _Extreme) else (v - other).days,  # type: ignore[operator]
                     keeps_order=True)


def plus(step: Step, amount: int, negate: bool) -> Step:
    """`step + amount`, or `amount - step` when `negate`."""
    if negate:
        return step.then(lambda v: _flip(v) if isinstance(v, _Extreme) else amount - v,  # type: ignore[operator]
                         keeps_order=False)
    return step.then(lambda v: v if isinstance(v, _Extreme) else v + amount, keeps_order=True)  # type: ignore[operator]


_SIGNS: dict[str, Callable[[int], bool]] = {
    "eq": lambda s: s == 0, "ne": lambda s: s != 0, "lt": lambda s: s < 0, "le": lambda s: s <= 0,
    "gt": lambda s: s > 0, "ge": lambda s: s >= 0,
}
MIRRORED = {"eq": "eq", "ne": "ne", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}


def compare(step: Step, op: str, constant: Any) -> pl.Expr | None:
    """`step <op> constant` as comparisons of the source column with threshold dates; None when the values
    cannot be compared with the constant (the general path then says what the scalar evaluator says)."""
    if op == "eq":
        at_least, at_most = compare(step, "ge", constant), compare(step, "le", constant)
        return None if at_least is None or at_most is None else at_least & at_most
    if op == "ne":
        equal = compare(step, "eq", constant)
        return None if equal is None else ~equal
    test = _SIGNS[op]

    def holds(ordinal: int) -> bool:
        value = step.fn(date.fromordinal(ordinal))
        sign = value.sign if isinstance(value, _Extreme) else (value > constant) - (value < constant)
        return test(sign)

    try:
        first, last = holds(FIRST_DAY), holds(LAST_DAY)
        if first == last:  # the same on every date of the calendar
            return pl.when(step.source.is_not_null()).then(pl.lit(last, dtype=pl.Boolean))
        # The comparison is monotone in the date: bisect for the first date where it is as on the last day.
        low, high = FIRST_DAY, LAST_DAY  # invariant: differs on `low`, as on the last day on `high`
        while high - low > 1:
            middle = (low + high) // 2
            if holds(middle) == last:
                high = middle
            else:
                low = middle
    except TypeError:  # values of another kind than the constant
        return None
    threshold = pl.lit(date.fromordinal(high), dtype=pl.Date)
    return step.source >= threshold if last else step.source < threshold
