"""The rulebooks shipped with Passage: one folder per body of law, plus the subject fact catalogs in
`facts/`. `default_library()` loads and checks them all once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from passage.engine import Library, load_library

RULEBOOKS_DIR = Path(__file__).resolve().parent


def rulebook_folders(root: Path = RULEBOOKS_DIR) -> list[Path]:
    """Every folder under `root` that holds a rulebook (a rules.py)."""
    return sorted(p.parent for p in root.glob("*/rules.py"))


def fact_catalogs(root: Path = RULEBOOKS_DIR) -> list[Path]:
    return sorted((root / "facts").glob("*.yaml"))


@lru_cache(maxsize=1)
def default_library() -> Library:
    return load_library(rulebook_folders(), fact_catalogs())
