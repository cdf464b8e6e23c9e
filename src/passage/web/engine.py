"""The web app's one door to `passage.assess`: which library it runs, and the assessment of answers.

The library is the shipped rulebooks unless `PASSAGE_RULEBOOKS` names rulebook folders (used by tests and
staging to run a fixed, fictional rulebook). Nothing here keeps answers: they come in, an Assessment goes out.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path

from passage.assess import Assessment, assess
from passage.engine import Library, load_library
from passage.rulebooks import default_library, fact_catalogs


@lru_cache(maxsize=1)
def library() -> Library:
    folders = [Path(p) for p in os.environ.get("PASSAGE_RULEBOOKS", "").split(os.pathsep) if p]
    return load_library(folders, fact_catalogs()) if folders else default_library()


def run(answers: Mapping[str, object], on: date, subject: str = "person") -> Assessment:
    """The Assessment of `answers` (raw JSON values) as of `on`; raises InputError naming bad facts."""
    return assess({"subject": subject, **answers}, on, library())
