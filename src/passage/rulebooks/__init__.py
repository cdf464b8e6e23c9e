"""The rulebooks shipped with Passage: one folder per body of law, plus the subject fact catalogs in
`facts/`. `default_library()` loads and checks them all once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from passage.engine import Library, load_library

RULEBOOKS_DIR = Path(__file__).resolve().parent


# The order options are presented in (CLI, API, web): Canadian documents and status first, protection next,
# and last the routes through the state the person may be fleeing (renewing a national passport can mean
# going back). Rulebooks not named here follow, alphabetically.
PRESENTATION_ORDER = ("ca_travel_documents", "ca_status", "ca_protection", "by_consular", "ca_trade_belarus")


def rulebook_folders(root: Path = RULEBOOKS_DIR) -> list[Path]:
    """Every folder under `root` that holds a rulebook (a rules.py), in presentation order."""
    folders = [p.parent for p in root.glob("*/rules.py")]
    rank = {name: index for index, name in enumerate(PRESENTATION_ORDER)}
    return sorted(folders, key=lambda folder: (rank.get(folder.name, len(rank)), folder.name))


def fact_catalogs(root: Path = RULEBOOKS_DIR) -> list[Path]:
    return sorted((root / "facts").glob("*.yaml"))


@lru_cache(maxsize=1)
def default_library() -> Library:
    return load_library(rulebook_folders(), fact_catalogs())
