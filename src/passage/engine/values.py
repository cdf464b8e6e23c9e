"""Values the engine computes with, and the *unknown* of three-valued logic.

Every expression evaluates to a plain Python value (bool, int, Decimal, date, str, a tuple of country
codes, a tuple of DateRange) or to an `Unknown`. An Unknown is never a default: it carries the facts that
would settle it and the parameters whose value the law does not give for the date (`gaps`). Calendar
arithmetic clamps to the end of the month (31 January + 1 month = 28/29 February), the same rule the
vectorized evaluator uses, so both evaluators agree on every date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value not settled by the facts given (`facts`) or by the law encoded (`gaps`)."""

    facts: frozenset[str] = frozenset()
    gaps: frozenset[str] = frozenset()

    def merge(self, other: Unknown) -> Unknown:
        if other is self or (not other.facts and not other.gaps):
            return self
        if not self.facts and not self.gaps:
            return other
        # The same unknown again (a rule read twice on one path): nothing new, no new object.
        if other.facts <= self.facts and other.gaps <= self.gaps:
            return self
        return Unknown(self.facts | other.facts, self.gaps | other.gaps)

    def __bool__(self) -> bool:
        # Truthiness of an unknown is a bug in the caller: Kleene logic must be explicit.
        raise TypeError("an Unknown has no truth value; use the engine's three-valued operators")


@dataclass(frozen=True, slots=True, order=True)
class DateRange:
    """A period outside Canada (or any span), from `start` to `end`, both calendar dates."""

    start: date
    end: date


Scalar: TypeAlias = bool | int | Decimal | date | str
Value: TypeAlias = Scalar | tuple[str, ...] | tuple[DateRange, ...] | Unknown | None

UNKNOWN = Unknown()


def is_unknown(value: object) -> bool:
    return type(value) is Unknown


def merge_unknowns(*values: object) -> Unknown:
    """The union of the unknowns among `values` (the facts and gaps that would settle them all)."""
    result = UNKNOWN
    for value in values:
        if type(value) is Unknown:
            result = result.merge(value)
    return result


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the last day of the target month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    clamped = day.day
    if clamped > 28:  # only the 29th to the 31st can fall past the end of a month
        last = 29 if month == 1 and calendar.isleap(year) else _MONTH_DAYS[month]
        clamped = min(clamped, last)
    return date(year, month + 1, clamped)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def full_years_between(start: date, end: date) -> int:
    """Completed years from `start` to `end` (an age); someone born on 29 February turns a year older
    on 1 March in a common year."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years
