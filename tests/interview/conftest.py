"""The fictional person rulebook of tests/web/fixture_person, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURE_RULEBOOK = Path(__file__).resolve().parents[1] / "web" / "fixture_person"


@pytest.fixture(autouse=True)
def _fixture_rulebook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PASSAGE_RULEBOOKS", str(FIXTURE_RULEBOOK))
