"""The fictional person rulebook of tests/web/fixture_person, loaded once for the interview's own tests
(a pure library: no web app, no environment variables)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

from passage.assess import Assessment, assess
from passage.engine import Library, load_library
from passage.rulebooks import fact_catalogs

FIXTURE_RULEBOOK = Path(__file__).resolve().parents[1] / "web" / "fixture_person"


@lru_cache(maxsize=1)
def fixture_library() -> Library:
    return load_library([FIXTURE_RULEBOOK], fact_catalogs())


def run(answers: Mapping[str, object], on: date) -> Assessment:
    """The Assessment of `answers` under the fixture rulebook."""
    return assess({"subject": "person", **answers}, on, fixture_library())
