from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from passage.assess import Assessment, assess
from passage.interview import answerable_missing, is_finished, next_step, pending_groups, progress
from passage.rulebooks import default_library
from tests.interview.conftest import run

ON = date(2026, 11, 1)


class TestNextQuestions:
    def test_first_step_is_the_topic_of_the_most_settling_fact(self) -> None:
        """With no answers, the first topic asked holds the fact settling the most options."""
        assessment = run({}, ON)
        ranked = answerable_missing(assessment)
        step = next_step(assessment)
        assert step is not None
        assert ranked[0].fact == "canadian_status"
        assert step.topic == ranked[0].spec.topic
        assert step.facts[0] == "canadian_status"

    def test_questions_are_grouped_by_topic_and_each_asked_once(self) -> None:
        """Every pending fact appears in exactly one group, the group of its topic."""
        assessment = run({}, ON)
        groups = pending_groups(assessment)
        facts = [q.fact for g in groups for q in g.questions]
        assert sorted(facts) == sorted(assessment.missing)
        assert all(q.spec.topic == g.topic for g in groups for q in g.questions)
        assert len({g.topic for g in groups}) == len(groups)

    def test_answered_facts_are_not_asked_again(self) -> None:
        """A fact that has an answer is not among the next questions."""
        assessment = run({"canadian_status": "visitor"}, ON)
        assert "canadian_status" not in [q.fact for q in answerable_missing(assessment)]

    def test_facts_that_cannot_change_an_outcome_are_not_asked(self) -> None:
        """Once an option is settled its other facts are not asked (a visitor is never asked pr_since)."""
        assessment = run({"canadian_status": "visitor"}, ON)
        assert "pr_since" not in [q.fact for q in answerable_missing(assessment)]


class TestDontKnow:
    def test_dont_know_is_not_asked_again(self) -> None:
        """A fact answered "I don't know" is left out of every later step."""
        assessment = run({}, ON)
        asked = [q.fact for q in answerable_missing(assessment, {"canadian_status"})]
        assert "canadian_status" not in asked
        assert asked

    def test_finished_when_every_remaining_question_is_dont_know(self) -> None:
        """The interview stops when only "I don't know" facts remain."""
        assessment = run({}, ON)
        assert not is_finished(assessment)
        assert is_finished(assessment, set(assessment.missing))


class TestFinished:
    def test_finished_when_every_option_is_settled(self) -> None:
        """When no option needs information, there is no next step."""
        answers = {
            "canadian_status": "visitor",
            "in_canada": True,
            "fears_return": False,
            "citizenships": ["BY"],
            "national_passport_expiry": None,
        }
        assessment = run(answers, ON)
        assert all(o.status != "needs_info" for o in assessment.options)
        assert next_step(assessment) is None
        assert is_finished(assessment)


class TestProgress:
    def test_progress_counts_answers_and_dont_knows(self) -> None:
        """Progress is (dealt with, dealt with + pending) and reaches its total when finished."""
        assessment = run({"canadian_status": "visitor"}, ON)
        done, total = progress(1, assessment, {"in_canada"})
        assert done == 2
        assert total == 2 + len(answerable_missing(assessment, {"in_canada"}))


def _interview(persona: Mapping[str, object], unknown: set[str]) -> tuple[Assessment, list[str]]:
    """Answer each step's questions from `persona` with the shipped rulebooks ("I don't know" for the facts in
    `unknown` or not in `persona`) until the interview is finished; the last assessment and the facts asked."""
    answers: dict[str, object] = {}
    dont_know: set[str] = set()
    asked: list[str] = []
    while True:
        assessment = assess(answers, ON, default_library())
        step = next_step(assessment, dont_know)
        if step is None:
            return assessment, asked
        for fact in step.facts:
            asked.append(fact)
            if fact in persona and fact not in unknown:
                answers[fact] = persona[fact]
            else:
                dont_know.add(fact)


CITIZEN: Mapping[str, object] = MappingProxyType({
    "canadian_status": "citizen", "in_canada": True, "birth_date": "1990-03-01", "citizenships": ["CA", "BY"],
    "fears_return": False,
})


class TestDetailsOfWhatOneCanGet:

    def test_a_citizen_is_asked_their_age_so_the_plan_names_the_adult_passport_fees(self) -> None:
        """Being a citizen settles the passport; the age settles only which fee (adult or child), and is still
        asked, so the plan lists the adult fees as certain instead of every fee "if it applies to you"."""
        assessment, asked = _interview(CITIZEN, set())
        passport = assessment.option("canadian_passport")
        assert passport.status == "eligible"
        assert "birth_date" in asked
        assert {fee.key for fee in passport.fees} == {
            "fee.passport_adult_10y_in_canada", "fee.passport_adult_5y_in_canada"
        }
        assert not any(fee.conditional for fee in passport.fees)
        assert passport.details_missing == []

    def test_an_unknown_age_leaves_every_fee_conditional_and_ends_the_interview(self) -> None:
        """"I don't know" for the age: the interview still ends, with the child fee listed as conditional."""
        assessment, asked = _interview(CITIZEN, {"birth_date"})
        passport = assessment.option("canadian_passport")
        assert asked.count("birth_date") == 1
        assert passport.details_missing == ["birth_date"]
        assert "fee.passport_child_in_canada" in {fee.key for fee in passport.fees if fee.conditional}

    def test_details_are_asked_after_every_question_that_settles_an_option(self) -> None:
        """A detail settles no option: it ranks after every fact that does (here the citizenships, which
        settle the Belarusian passport options)."""
        assessment = assess({"canadian_status": "citizen", "in_canada": True}, ON, default_library())
        assert [(q.fact, q.settles) for q in answerable_missing(assessment)] == [("citizenships", 2), ("birth_date", 0)]
