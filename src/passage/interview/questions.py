"""Missing facts turned into grouped questions (see the package docstring for the invariants)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from passage.assess import Assessment
from passage.engine.facts import FactSpec


@dataclass(frozen=True)
class Question:
    """One fact to ask about, and how many options its answer could settle."""

    fact: str
    spec: FactSpec
    settles: int


@dataclass(frozen=True)
class Step:
    """The questions of one topic, asked together on one page."""

    topic: str
    questions: tuple[Question, ...]

    @property
    def facts(self) -> tuple[str, ...]:
        return tuple(q.fact for q in self.questions)


def _catalog(assessment: Assessment) -> Mapping[str, FactSpec]:
    return assessment.library.facts.get(assessment.subject, {})


def answerable_missing(assessment: Assessment, dont_know: Collection[str] = ()) -> list[Question]:
    """Missing facts a person can still answer, most options settled first (ties by name).

    Then, settling no option's status, the facts that decide the details of an option the person can get:
    which of its fees (the adult or the child fee), documents and deadlines apply. Without them a plan would
    list every fee of the option as "if it applies to you".

    Derived facts (computed by Passage) and facts answered "I don't know" are left out: asking them
    again could not change anything the person can tell us.
    """
    catalog = _catalog(assessment)
    counts = Counter(fact for option in assessment.options for fact in option.missing)
    for option in assessment.options:
        for fact in option.details_missing:
            counts.setdefault(fact, 0)
    questions = [
        Question(fact, catalog[fact], count)
        for fact, count in counts.items()
        if fact in catalog and not catalog[fact].derived and fact not in dont_know
    ]
    return sorted(questions, key=lambda q: (-q.settles, q.fact))


def pending_groups(assessment: Assessment, dont_know: Collection[str] = ()) -> list[Step]:
    """Every pending question grouped by topic; the topic of the most-settling question comes first."""
    groups: dict[str, list[Question]] = {}
    for question in answerable_missing(assessment, dont_know):
        groups.setdefault(question.spec.topic, []).append(question)
    return [Step(topic, tuple(questions)) for topic, questions in groups.items()]


def next_step(assessment: Assessment, dont_know: Collection[str] = ()) -> Step | None:
    """The next topic to ask about with its questions, or None when the interview is finished."""
    groups = pending_groups(assessment, dont_know)
    return groups[0] if groups else None


def is_finished(assessment: Assessment, dont_know: Collection[str] = ()) -> bool:
    """True when every option (and the details of those one can get) is settled or every remaining question
    was answered "I don't know"."""
    return next_step(assessment, dont_know) is None


def progress(answered: int, assessment: Assessment, dont_know: Collection[str] = ()) -> tuple[int, int]:
    """(questions dealt with, questions dealt with + still pending): an honest, growing estimate."""
    done = answered + len(dont_know)
    return done, done + len(answerable_missing(assessment, dont_know))
