"""Every scenario of every shipped rulebook (and the engine's example) runs as its own test."""

from __future__ import annotations

import pytest

from passage.engine import Evaluator, Library, Scenario, load_scenarios, run_scenario
from passage.rulebooks import default_library
from tests.conftest import EXAMPLE


def _cases() -> list[tuple[Library, Evaluator, Scenario]]:
    from passage.engine import load_library

    cases = []
    for library in (default_library(), load_library([EXAMPLE])):
        evaluator = Evaluator(library)
        for rulebook in library.rulebooks.values():
            for scenario in load_scenarios(rulebook.path / "tests", rulebook.subject):
                cases.append((library, evaluator, scenario))
    return cases


CASES = _cases()


@pytest.mark.parametrize(("library", "evaluator", "scenario"), CASES, ids=[c[2].id for c in CASES])
def test_scenario(library: Library, evaluator: Evaluator, scenario: Scenario) -> None:
    """The outcome the law gives for these facts on this date is the one Passage gives."""
    assert run_scenario(library, evaluator, scenario) == []
