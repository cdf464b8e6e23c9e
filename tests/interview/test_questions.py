from __future__ import annotations

from datetime import date

from passage.interview import answerable_missing, is_finished, next_step, pending_groups, progress
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
