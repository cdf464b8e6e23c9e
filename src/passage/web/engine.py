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


class _HashableLibrary(Library):
    # `assess.evaluator_for` caches on the library with lru_cache, but Library is an eq-dataclass and so
    # unhashable (TypeError in assess()). Identity hashing is what that cache means; remove this class once
    # Library itself hashes by identity (reported to the engine's owner).
    __hash__ = object.__hash__


@lru_cache(maxsize=1)
def library() -> Library:
    folders = [Path(p) for p in os.environ.get("PASSAGE_RULEBOOKS", "").split(os.pathsep) if p]
    base = load_library(folders, fact_catalogs()) if folders else default_library()
    if type(base).__hash__ is not None:
        return base
    return _HashableLibrary(base.rulebooks, base.sources, base.facts, base.parameters)


def run(answers: Mapping[str, object], on: date, subject: str = "person") -> Assessment:
    """The Assessment of `answers` (raw JSON values) as of `on`; raises InputError naming bad facts."""
    return assess({"subject": subject, **answers}, on, library())
