"""Day-count windows over date ranges computed position by position, and min/max against a constant, agree
with the scalar evaluator on the cases the vectorized forms treat specially: an unknown window bound (fact or
folded law gap), an unknown or empty list, rows with fewer ranges than the widest row, ranges on and across the
window's edges, a window ending before it starts, and dates at the calendar's ends."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from passage.engine import DateRange, Expr, const, days_covered, fact, law_unknown, maximum, minimum, on
from passage.engine.expressions import Endpoints
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import VectorCompiler, facts_frame, table_layout
from passage.rulebooks import default_library

ON = date(2025, 1, 10)
D = date
ABSENCES = fact("absences")
START = fact("pr_since")  # a date fact of the person catalog, here a window's first day


def _ranges(*pairs: tuple[date, date]) -> tuple[DateRange, ...]:
    return tuple(DateRange(a, b) for a, b in pairs)


ROWS: list[dict[str, object]] = [
    {},  # both unknown
    {"pr_since": D(2024, 1, 1)},  # absences unknown
    {"absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},  # window start unknown
    {"pr_since": D(2024, 1, 1), "absences": ()},  # none
    {"pr_since": D(2024, 1, 1), "absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},
    {"pr_since": D(2024, 3, 5), "absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},  # across the start
    {"pr_since": D(2024, 3, 10), "absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},  # ends on the start
    {"pr_since": D(2024, 3, 9), "absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},
    {"pr_since": D(2024, 1, 1), "absences": _ranges((D(2025, 1, 1), D(2025, 2, 1)))},  # across the end
    {"pr_since": D(2024, 1, 1), "absences": _ranges((D(2025, 1, 10), D(2025, 2, 1)))},  # starts on the end
    {"pr_since": D(2024, 1, 1), "absences": _ranges((D(2025, 1, 9), D(2025, 1, 10)))},
    {"pr_since": D(2026, 1, 1), "absences": _ranges((D(2024, 3, 1), D(2024, 3, 10)))},  # window ends first
    {"pr_since": D(2024, 1, 1), "absences": _ranges((D(2024, 5, 1), D(2024, 5, 1)))},  # a one-day range
    {"pr_since": D(2020, 1, 1), "absences": _ranges(  # the widest row: three ranges, one outside
        (D(2021, 1, 1), D(2021, 3, 1)), (D(2023, 6, 1), D(2023, 7, 1)), (D(2026, 1, 1), D(2026, 2, 1)))},
    {"pr_since": D(2020, 1, 1), "absences": _ranges(  # two ranges in a row where three fit
        (D(2019, 12, 1), D(2020, 1, 5)), (D(2024, 12, 31), D(2025, 3, 1)))},
    {"pr_since": date.min, "absences": _ranges((date.min, date.min + timedelta(days=3)), (D(2024, 1, 1), date.max))},
    {"pr_since": date.max, "absences": _ranges((D(2024, 1, 1), date.max))},
]


def _cases(endpoints: Endpoints) -> list[Expr]:
    gap = law_unknown("law.absence_day_counting")
    return [
        days_covered(ABSENCES, START, on(), endpoints),
        days_covered(ABSENCES, const(D(2024, 2, 1)), START, endpoints),
        days_covered(ABSENCES, START, START, endpoints),  # an empty window
        days_covered(ABSENCES, maximum(START, D(2022, 1, 1)), on(), endpoints),
        days_covered(ABSENCES, gap, on(), endpoints),  # a window bound the law leaves open
        days_covered(ABSENCES, const(D(2021, 1, 1)), const(D(2025, 1, 1)), endpoints),
    ]


def _minmax_cases() -> list[Expr]:
    cut = D(2022, 1, 1)
    return [maximum(START, cut), maximum(cut, START), minimum(START, cut), minimum(cut, START),
            maximum(START, ON) >= D(2025, 1, 10), minimum(START, date.min), maximum(START, date.max)]


def _check(cases: list[Expr], layouts: list[dict[str, object]]) -> None:
    library = default_library()
    scope = library.for_subject("person")[0].name
    frame = facts_frame(ROWS, library.facts["person"])
    scalar = Compiler(library)
    for layout in layouts:
        vector = VectorCompiler(library, ON, **layout)  # type: ignore[arg-type]
        table = vector.select(frame, {str(n): case for n, case in enumerate(cases)}, scope)
        for n, case in enumerate(cases):
            fn = scalar.fn(case, scope)
            for index, row in enumerate(ROWS):
                expected = fn(Context(row, ON))
                expected = None if isinstance(expected, Unknown) else expected
                assert table[str(n)][index] == expected, f"case {n} ({layout}) for {row}"


@pytest.mark.parametrize("endpoints", ["inclusive", "exclusive"])
def test_windows_agree_with_scalar_by_position_and_on_lists(endpoints: Endpoints) -> None:
    library = default_library()
    frame = facts_frame(ROWS, library.facts["person"])
    layout = table_layout(library, "person", frame)
    assert layout["widths"]["absences"] == 3
    # By position (the table's width, and wider), and on lists (no layout).
    _check(_cases(endpoints), [layout, {"widths": {"absences": 5}}, {}])


def test_a_window_where_no_row_has_a_range() -> None:
    library = default_library()
    scope = library.for_subject("person")[0].name
    rows: list[dict[str, object]] = [{}, {"pr_since": D(2024, 1, 1)}, {"pr_since": D(2024, 1, 1), "absences": ()}]
    frame = facts_frame(rows, library.facts["person"])
    vector = VectorCompiler(library, ON, widths={"absences": 0})
    table = vector.select(frame, {"days": days_covered(ABSENCES, START, on())}, scope)
    assert table["days"].to_list() == [None, None, 0]


def test_min_and_max_against_a_constant_agree_with_scalar() -> None:
    _check(_minmax_cases(), [{}])
    library = default_library()
    scope = library.for_subject("person")[0].name
    plan = str(VectorCompiler(library, ON).compile(maximum(START, D(2022, 1, 1)), scope))
    assert plan.count("when") == 1  # one choice: the constant is never unknown


def test_unknown_windows_need_no_null_test_of_their_own() -> None:
    """By position, an unknown window bound stays unknown through the arithmetic: the only null test is the
    list's."""
    library = default_library()
    scope = library.for_subject("person")[0].name
    vector = VectorCompiler(library, ON, widths={"absences": 2})
    plan = str(vector.compile(days_covered(ABSENCES, START, on()), scope))
    assert plan.count("is_null") == 1
    assert 'col("absences").is_null()' in plan


def test_the_layout_measures_only_the_ranges_the_rulebooks_read() -> None:
    """evaluate_frame measures the widest row of a date-ranges fact only for rulebooks whose statuses compute
    windows over it (following named rules): by_consular reads no range, ca_status reads the absences."""
    library = default_library()
    frame = facts_frame(ROWS, library.facts["person"])
    assert table_layout(library, "person", frame, rulebooks=["by_consular"])["widths"] == {}
    assert table_layout(library, "person", frame, rulebooks=["ca_status"])["widths"] == {"absences": 3}
    assert table_layout(library, "person", frame, rulebooks=["by_consular", "ca_status"])["widths"] == {"absences": 3}
    assert table_layout(library, "person", frame)["widths"] == {"absences": 3}  # every date-ranges fact
