"""What the vectorized compiler leaves out of a plan, and that the values stay the scalar evaluator's:
constant operands of And/Or, If on a constant condition or between equal constants, a status the same for
every row."""

from __future__ import annotations

from datetime import date

import polars as pl

from passage.engine import Option, all_of, any_of, const, fact, if_, law_unknown, not_
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import VectorCompiler
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
