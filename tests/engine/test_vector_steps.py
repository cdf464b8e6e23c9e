"""Monotone date functions compared with a constant become threshold comparisons (vector_steps): on every day
of several whole years, the calendar's ends, and the days where calendar arithmetic clamps (29 February,
month ends), the vectorized value equals the scalar one."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest

from passage.engine import Expr, const, days_between, fact, on, years_between
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import VectorCompiler
from passage.rulebooks import default_library

# Every day of 1999-2005 (two 29 Februaries), the calendar's ends, and unknown.
DAYS: list[date | None] = [date(1999, 1, 1) + timedelta(days=n) for n in range(7 * 366)]
DAYS += [date.min, date.min + timedelta(days=400), date.max, date.max - timedelta(days=400), None]
AS_OF = [date(2004, 2, 29), date(2005, 2, 28), date(2005, 3, 1), date(2003, 12, 31), date(2004, 1, 31)]
BIRTH = fact("birth_date")


def _cases(day: date) -> list[Expr]:
    age = years_between(BIRTH, on())
    plus_12_months = BIRTH.plus_months(12)
    return [
        age >= 18, age > 1, age < 3, age <= 2, age.eq(5), age.ne(5), age + 1 >= 3, const(4) - age > 2,
        years_between(const(date(2000, 2, 29)), BIRTH) >= 4,
        on() >= plus_12_months, plus_12_months.eq(on()), plus_12_months.ne(on()),
        BIRTH.plus_months(-1) < date(2003, 2, 28), BIRTH.plus_years(1) <= on(), BIRTH.plus_years(9000) > on(),
        BIRTH.plus_days(14) >= on(), BIRTH.plus_days(-30) < day,
        days_between(BIRTH, on()) >= 90, days_between(on(), BIRTH) > -2,
        years_between(BIRTH.plus_months(6), on()) >= 1,
    ]


@pytest.mark.parametrize("day", AS_OF, ids=str)
def test_threshold_comparisons_agree_with_scalar(day: date) -> None:
    library = default_library()
    scope = library.for_subject("person")[0].name
    vector, scalar = VectorCompiler(library, day), Compiler(library)
    cases = _cases(day)
    frame = pl.DataFrame({"birth_date": DAYS}, schema={"birth_date": pl.Date})
    table = vector.select(frame, {str(n): case for n, case in enumerate(cases)}, scope)
    for n, case in enumerate(cases):
        fn = scalar.fn(case, scope)
        for index, birth in enumerate(DAYS):
            try:
                expected = fn(Context({} if birth is None else {"birth_date": birth}, day))
            except OverflowError:  # past the calendar: the scalar evaluator has no answer
                continue
            expected = None if isinstance(expected, Unknown) else expected
            assert table[str(n)][index] == expected, f"case {n} on {day} for {birth}"


def test_the_comparisons_read_the_date_column_only() -> None:
    """No calendar arithmetic per row: an age or a date plus months compared with a constant is the date
    column compared with threshold dates."""
    library = default_library()
    scope = library.for_subject("person")[0].name
    vector = VectorCompiler(library, date(2025, 1, 10))
    plan = str(vector.compile(years_between(BIRTH, on()) >= 18, scope)) + str(
        vector.compile(on() >= BIRTH.plus_months(12), scope))
    assert "dt." not in plan
    assert "offset_by" not in plan
    assert "2007-01-11" in plan  # born on or before 2007-01-10: 18 years old
    assert "2024-01-11" in plan
