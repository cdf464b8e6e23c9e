"""Evaluating options: statuses, the reasons that decided them, and the outputs a person acts on."""

from __future__ import annotations

from datetime import date, timedelta

from passage.engine import Evaluator, Library, OptionResult, parse_facts

ON = date(2024, 6, 1)
BASE = {"birth_date": "1990-05-01", "status": "resident", "passport_expiry": "2030-01-01", "citizenships": ["FR"],
        "arrival_date": "2020-01-01", "absences": [], "income": 50000}


def _run(evaluator: Evaluator, raw: dict[str, object], on: date = ON) -> dict[str, OptionResult]:
    facts = parse_facts(raw, evaluator.library.facts["example_person"])
    return {r.id: r for r in evaluator.evaluate("example_person", facts, on)}


class TestReasons:
    def test_failed_conditions_only(self, example_evaluator: Evaluator) -> None:
        """For not_eligible, the reasons are the conditions that failed, not the ones that held."""
        result = _run(example_evaluator, {**BASE, "status": "visitor"})["travel_pass"]
        assert result.status == "not_eligible"
        assert [(r.rule, r.holds) for r in result.reasons] == [("example_rulebook.is_resident", False)]

    def test_chain_that_held(self, example_evaluator: Evaluator) -> None:
        """For eligible, the reasons are the chain of conditions that held."""
        result = _run(example_evaluator, BASE)["travel_pass"]
        assert result.status == "eligible"
        assert [r.rule.split(".")[1] for r in result.reasons] == [
            "is_resident", "holds_valid_passport", "enough_presence"]
        assert all(r.holds for r in result.reasons)

    def test_unverified_source_flagged(self, example_evaluator: Evaluator) -> None:
        """A reason resting on a secondary source is marked unverified."""
        result = _run(example_evaluator, {**BASE, "passport_expiry": None, "citizenships": ["BY"]})["travel_pass"]
        assert result.status == "likely_eligible"
        listed = next(r for r in result.reasons if r.rule.endswith("from_listed_country"))
        assert listed.verified is False
        assert result.verified is False

    def test_needs_info_names_missing_and_hints(self, example_evaluator: Evaluator) -> None:
        """needs_info names the facts that would settle it and which answer would make it available."""
        raw = {k: v for k, v in BASE.items() if k != "status"}
        result = _run(example_evaluator, raw)["travel_pass"]
        assert (result.status, result.missing) == ("needs_info", ["status"])
        assert {(h.fact, h.value) for h in result.hints} == {("status", "resident"), ("status", "citizen")}


class TestOutputs:
    def test_fee_by_age_and_date(self, example_evaluator: Evaluator) -> None:
        """The fee follows the period in force on the date, with its source and verified flag."""
        before = _run(example_evaluator, BASE, date(2026, 3, 30))["travel_pass"].fees
        after = _run(example_evaluator, BASE, date(2026, 3, 31))["travel_pass"].fees
        assert [(str(f.amount), f.verified) for f in before] == [("120.00", True)]
        assert [(str(f.amount), f.verified) for f in after] == [("122.50", False)]

    def test_conditional_fee_when_age_unknown(self, example_evaluator: Evaluator) -> None:
        """With the age unknown both fees are listed, each marked as conditional."""
        raw = {k: v for k, v in BASE.items() if k != "birth_date"}
        fees = _run(example_evaluator, raw)["travel_pass"].fees
        assert [(f.key, f.conditional) for f in fees] == [("fee.adult", True), ("fee.child", True)]

    def test_law_gap_is_not_a_guess(self, example_evaluator: Evaluator) -> None:
        """A child fee for a date the law gives none is reported with no amount, never a default."""
        child = {**BASE, "birth_date": "2012-01-01"}
        (fee,) = _run(example_evaluator, child, date(2015, 6, 1))["travel_pass"].fees
        assert (fee.key, fee.amount, fee.verified) == ("fee.child", None, False)
        assert fee.law_gaps == ("example_rulebook.fees.pass_child",)

    def test_protective_warning_shown_while_unknown(self, example_evaluator: Evaluator) -> None:
        """A warning marked show_if_unknown appears while it cannot be ruled out, marked uncertain."""
        raw = {k: v for k, v in BASE.items() if k != "citizenships"}
        warnings = _run(example_evaluator, raw)["travel_pass"].warnings
        assert [(w.key, w.certain) for w in warnings] == [("warning.not_for_home_country", False)]

    def test_deadline_is_a_date(self, example_evaluator: Evaluator) -> None:
        """Deadlines carry dates computed from the facts (month arithmetic clamps to month end)."""
        deadlines = _run(example_evaluator, {**BASE, "arrival_date": "2022-08-31"})["travel_pass"].deadlines
        assert [(d.id, d.date) for d in deadlines] == [("pass_expiry", date(2024, 2, 29))]


class TestEarliestDate:
    def test_matches_day_by_day_search(self, example_library: Library, example_evaluator: Evaluator) -> None:
        """The bisection finds the same first eligible day as checking every day in turn."""
        raw = {**BASE, "arrival_date": "2024-01-15", "absences": [{"from": "2024-02-01", "to": "2024-03-01"}]}
        result = _run(example_evaluator, raw)["travel_pass"]
        expected = None
        for offset in range(0, 731):
            day = ON + timedelta(days=offset)
            if _run(example_evaluator, raw, day)["travel_pass"].status == "eligible":
                expected = day
                break
        assert expected is not None
        assert result.values["eligible_from"] == expected


class TestVerifiedParameters:
    def test_unverified_parameter_marks_the_reason(self) -> None:
        """A condition reading a parameter whose value on the date is unverified is shown as unverified."""
        from passage.engine import load_library
        from tests.conftest import EXAMPLE

        library = load_library([EXAMPLE])  # its own copy: the shared example library stays untouched
        period = library.parameters["example_rulebook.thresholds.adult_age"].period_on(ON)
        object.__setattr__(period, "verified", False)
        evaluator = Evaluator(library)
        facts = parse_facts({**BASE}, library.facts["example_person"])
        verdicts = {r.rule: r.verified for r in evaluator.evaluate("example_person", facts, ON)[1].reasons}
        assert verdicts == {"example_rulebook.low_income": True, "example_rulebook.is_adult": False}
