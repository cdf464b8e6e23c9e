"""Shared fixtures: the example rulebook (engine tests) and the shipped library (rulebook tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from passage.engine import Evaluator, Library, load_library

EXAMPLE = Path(__file__).parent / "engine" / "example_rulebook"


@pytest.fixture(scope="session")
def example_library() -> Library:
    return load_library([EXAMPLE])


@pytest.fixture(scope="session")
def example_evaluator(example_library: Library) -> Evaluator:
    return Evaluator(example_library)


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """A writable copy of the example rulebook, for tests that break it on purpose."""
    target = tmp_path / "example_rulebook"
    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target
