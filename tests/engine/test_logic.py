"""Kleene three-valued logic, exhaustively, and the unknown that carries the facts to ask."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from passage.engine import Library, Unknown, all_of, any_of, fact, if_, not_
from passage.engine.scalar import Compiler, Context

T, F = True, False
U = Unknown(frozenset({"u"}))
VALUES = {"T": T, "F": F, "U": U}

# Kleene's strong three-valued logic, written out by hand.
AND_TABLE = {("T", "T"): "T", ("T", "F"): "F", ("T", "U"): "U", ("F", "T"): "F", ("F", "F"): "F",
             ("F", "U"): "F", ("U", "T"): "U", ("U", "F"): "F", ("U", "U"): "U"}
OR_TABLE = {("T", "T"): "T", ("T", "F"): "T", ("T", "U"): "T", ("F", "T"): "T", ("F", "F"): "F",
            ("F", "U"): "U", ("U", "T"): "T", ("U", "F"): "U", ("U", "U"): "U"}
NOT_TABLE = {"T": "F", "F": "T", "U": "U"}


def _label(value: object) -> str:
    return "U" if isinstance(value, Unknown) else ("T" if value is True else "F")


def _evaluate(library: Library, expr: object, facts: dict[str, object]) -> object:
    return Compiler(library).fn(expr, "example_rulebook")(Context(facts, date(2024, 1, 1)))  # type: ignore[arg-type]


# Two independent conditions, each made true, false or unknown by the facts given.
A = fact("status").eq("resident")
B = fact("income").eq(100)


def _facts(a: str = "U", b: str = "U") -> dict[str, object]:
    """Facts making A and B true (T), false (F) or unknown (U: the fact is left out)."""
    facts: dict[str, object] = {}
    if a != "U":
        facts["status"] = "resident" if a == "T" else "visitor"
    if b != "U":
        facts["income"] = Decimal(100) if b == "T" else Decimal(5)
    return facts


class TestTruthTables:
    @pytest.mark.parametrize(("a", "b"), list(itertools.product("TFU", repeat=2)))
    def test_and(self, example_library: Library, a: str, b: str) -> None:
        """AND follows Kleene: false dominates unknown, unknown dominates true."""
        assert _label(_evaluate(example_library, all_of(A, B), _facts(a, b))) == AND_TABLE[(a, b)]

    @pytest.mark.parametrize(("a", "b"), list(itertools.product("TFU", repeat=2)))
    def test_or(self, example_library: Library, a: str, b: str) -> None:
        """OR follows Kleene: true dominates unknown, unknown dominates false."""
        assert _label(_evaluate(example_library, any_of(A, B), _facts(a, b))) == OR_TABLE[(a, b)]

    @pytest.mark.parametrize("a", "TFU")
    def test_not(self, example_library: Library, a: str) -> None:
        """NOT swaps true and false and keeps unknown unknown."""
        assert _label(_evaluate(example_library, not_(A), _facts(a))) == NOT_TABLE[a]


class TestUnknownCarriesFacts:
    def test_union_of_facts(self, example_library: Library) -> None:
        """An unknown AND of two unknown facts names both facts."""
        expr = all_of(fact("status").eq("resident"), fact("income") > 5)
        result = _evaluate(example_library, expr, {})
        assert isinstance(result, Unknown)
        assert result.facts == {"status", "income"}

    def test_false_settles_without_asking(self, example_library: Library) -> None:
        """A false condition settles an AND even while the other fact is unknown."""
        expr = all_of(fact("status").eq("resident"), fact("income") > 5)
        assert _evaluate(example_library, expr, {"status": "visitor"}) is False

    def test_unknown_has_no_truth_value(self) -> None:
        """Using an unknown as a Python boolean is a programming error, not a silent false."""
        with pytest.raises(TypeError):
            bool(U)


class TestIf:
    def test_unknown_condition_with_equal_branches(self, example_library: Library) -> None:
        """IF on an unknown condition gives the common value when both branches agree."""
        expr = if_(fact("status").eq("resident"), "same", "same")
        assert _evaluate(example_library, expr, {}) == "same"

    def test_unknown_condition_with_different_branches(self, example_library: Library) -> None:
        """IF on an unknown condition with different branches is unknown, naming the condition's facts."""
        expr = if_(fact("status").eq("resident"), "a", "b")
        result = _evaluate(example_library, expr, {})
        assert isinstance(result, Unknown)
        assert result.facts == {"status"}
