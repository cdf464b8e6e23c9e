"""What the vectorized compiler leaves out of a plan, and that the values stay the scalar evaluator's:
constant operands of And/Or, If on a constant condition or between equal constants, a status the same for
every row; and the plans evaluate_frame keeps."""

from __future__ import annotations

import weakref
from datetime import date
from typing import Any

import polars as pl
import pytest

from passage.engine import DateRange, Option, all_of, any_of, const, fact, if_, law_unknown, not_, vector
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import VectorCompiler, evaluate_frame, facts_frame
from passage.rulebooks import default_library

ON = date(2025, 1, 10)
ROWS: list[dict[str, object]] = [{}, {"in_canada": True}, {"in_canada": False}]


def _frame() -> pl.DataFrame:
    return pl.DataFrame({"in_canada": [None, True, False]}, schema={"in_canada": pl.Boolean})


def test_constant_operands_are_folded_as_the_scalar_evaluator_does() -> None:
    library = default_library()
    scope = library.for_subject("person")[0].name
    vector, scalar = VectorCompiler(library, ON), Compiler(library)
    here, gap = fact("in_canada"), law_unknown("law.extension_fee")
    cases = {
        "and_false": all_of(here, const(False)), "and_true": all_of(here, const(True)),
        "or_true": any_of(here, const(True)), "or_false": any_of(here, const(False)),
        "and_unknown": all_of(here, gap.eq(True)), "or_unknown": any_of(not_(here), gap.eq(True)),
        "if_true": if_(const(True), here, not_(here)), "if_false": if_(const(False), here, not_(here)),
        "if_same": if_(here, "eligible", "eligible"), "if_unknown": if_(gap.eq(True), here, here),
    }
    plans = {name: str(vector.compile(case, scope)) for name, case in cases.items()}
    assert plans["and_false"] == "false"
    assert plans["or_true"] == "true"
    assert plans["if_same"] == '"eligible"'
    assert "true" not in plans["and_true"]
    assert "false" not in plans["or_false"]
    table = vector.select(_frame(), cases, scope)
    for name, case in cases.items():
        fn = scalar.fn(case, scope)
        for index, row in enumerate(ROWS):
            expected = fn(Context(row, ON))
            expected = None if isinstance(expected, Unknown) else expected
            assert table[name][index] == expected, f"{name} for {row}"


def test_a_status_the_same_for_every_row_has_a_row_per_row() -> None:
    library = default_library()
    scope = library.for_subject("person")[0].name
    vector = VectorCompiler(library, ON)
    never = if_(all_of(fact("in_canada"), False), "eligible", "not_eligible")
    options = [Option("always", const("eligible"), ()), Option("never", never, ())]
    table = vector.prepare(_frame().lazy()).select([vector.status(o, scope) for o in options]).collect()
    assert table["always"].to_list() == ["eligible"] * 3
    assert table["never"].to_list() == ["not_eligible"] * 3


def _statuses(rows: list[dict[str, object]], on: date, rulebooks: list[str] | None) -> list[dict[str, object]]:
    library = default_library()
    table = evaluate_frame(library, "person", facts_frame(rows, library.facts["person"]), on, rulebooks)
    return table.rows(named=True)


def _scalar_statuses(rows: list[dict[str, object]], on: date, rulebooks: list[str] | None) -> list[dict[str, object]]:
    library = default_library()
    compiler = Compiler(library)
    expected = []
    for row in rows:
        statuses: dict[str, object] = {}
        for rulebook in library.for_subject("person"):
            if rulebooks is not None and rulebook.name not in rulebooks:
                continue
            for option in rulebook.options:
                value = compiler.fn(option.status, rulebook.name)(Context(row, on))
                statuses[option.id] = option.unknown_status if isinstance(value, Unknown) else value
        expected.append(statuses)
    return expected


def test_plans_are_kept_per_date_rulebooks_and_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """evaluate_frame compiles a plan once per (subject, rulebooks, date, table layout) and keeps it: a plan
    kept for one of these is never used for another (each case below differs from the first in one of them,
    and the first case's plan would give it other statuses), and the same evaluation again compiles nothing."""
    compiled: list[date] = []

    class Counting(VectorCompiler):
        def __init__(self, library: Any, on: date, **layout: Any) -> None:
            compiled.append(on)
            super().__init__(library, on, **layout)

    monkeypatch.setattr(vector, "VectorCompiler", Counting)
    monkeypatch.setattr(vector, "_PLANS", weakref.WeakKeyDictionary())
    base = {"birth_date": date(1980, 1, 1), "citizenships": ("BY",), "in_canada": True,
            "canadian_status": "permanent_resident", "pr_since": date(2019, 1, 1), "temporary_resident_since": None,
            "tax_years_filed": 3, "language_proof": True, "removal_order": False}
    one = [{**base, "absences": (DateRange(date(2021, 1, 1), date(2021, 11, 1)),)}]  # one position per row
    three = [{**base, "absences": tuple(DateRange(date(y, 1, 1), date(y, 11, 1)) for y in (2021, 2022, 2023))}]
    cases: list[tuple[list[dict[str, object]], date, list[str] | None]] = [
        (one, ON, ["ca_status"]),  # citizenship likely_eligible: one absence of 10 months
        (three, ON, ["ca_status"]),  # a wider table: the absences after the first count (not_eligible)
        (one, date(2020, 1, 10), ["ca_status"]),  # another date: not enough days yet (not_eligible)
        (one, ON, None),  # every rulebook: more options
    ]
    first = _statuses(*cases[0])
    for index, (rows, on, rulebooks) in enumerate(cases):
        table = _statuses(rows, on, rulebooks)
        assert table == _scalar_statuses(rows, on, rulebooks)
        assert (table == first) == (index == 0)
    assert compiled == [ON, ON, date(2020, 1, 10), ON]
    for rows, on, rulebooks in cases:  # again: the plans kept, nothing compiled
        assert _statuses(rows, on, rulebooks) == _scalar_statuses(rows, on, rulebooks)
    assert len(compiled) == len(cases)


def test_the_plans_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past PLANS_KEPT plans per library, the least recently used goes."""
    monkeypatch.setattr(vector, "_PLANS", weakref.WeakKeyDictionary())
    monkeypatch.setattr(vector, "PLANS_KEPT", 3)
    library = default_library()
    rows: list[dict[str, object]] = [{"in_canada": True}]
    days = [date(2025, 1, day) for day in range(1, 6)]
    for day in days:
        _statuses(rows, day, ["by_consular"])
    _statuses(rows, days[2], ["by_consular"])  # used again: now the most recent
    _statuses(rows, days[0], ["by_consular"])
    kept = [key[1] for key in vector._PLANS[library]]
    assert kept == [days[4], days[2], days[0]]


def test_an_if_on_an_unknown_condition_takes_the_branches_common_value() -> None:
    """Every combination of a true, false and unknown condition with two branches each true, false or
    unknown (so equal, different, or one unknown), texts among constants, and a constant branch: as the
    scalar evaluator."""
    library = default_library()
    scope = library.for_subject("person")[0].name
    values = (None, True, False)
    rows = [{name: value for name, value in (("in_canada", c), ("stateless", a), ("protected_person", b))
             if value is not None} for c in values for a in values for b in values]
    frame = pl.DataFrame({name: [row.get(name) for row in rows] for name in ("in_canada", "stateless",
                                                                          "protected_person")},
                         schema={"in_canada": pl.Boolean, "stateless": pl.Boolean, "protected_person": pl.Boolean})
    here, first, second = fact("in_canada"), fact("stateless"), fact("protected_person")
    labels = if_(first, "eligible", "not_eligible")
    cases = {
        "booleans": if_(here, first, second),
        "labels": if_(here, labels, if_(second, "eligible", "not_eligible")),
        "label_and_constant": if_(here, labels, "not_eligible"),
        "constant_and_boolean": if_(here, True, second),
    }
    vector, scalar = VectorCompiler(library, ON), Compiler(library)
    table = vector.select(frame, cases, scope)
    for name, case in cases.items():
        fn = scalar.fn(case, scope)
        for index, row in enumerate(rows):
            expected = fn(Context(row, ON))
            expected = None if isinstance(expected, Unknown) else expected
            assert table[name][index] == expected, f"{name} for {row}"
