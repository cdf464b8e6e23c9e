"""Receipts: what a stored determination needs to be re-run and compared later.

A receipt names the engine version, each rulebook loaded with its version and content hash, a hash of
the facts (never the facts themselves) and the as-of date. Re-running with the same receipt must give the
same outcome; a changed hash says the law encoded has changed since.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from passage.engine.library import Library


@dataclass(frozen=True)
class Receipt:
    engine_version: str
    rulebooks: Mapping[str, Mapping[str, str]]  # name -> {"version", "hash"}
    facts_hash: str
    on: date

    def to_dict(self) -> dict[str, object]:
        return {
            "engine_version": self.engine_version,
            "rulebooks": {name: dict(info) for name, info in self.rulebooks.items()},
            "facts_hash": self.facts_hash,
            "on": self.on.isoformat(),
        }


def facts_hash(raw_facts: Mapping[str, object]) -> str:
    """SHA-256 of the facts in canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(raw_facts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def make_receipt(
    library: Library, subject: str, raw_facts: Mapping[str, object], on: date, engine_version: str
) -> Receipt:
    books = {
        rb.name: {"version": rb.version, "hash": rb.content_hash} for rb in library.for_subject(subject)
    }
    return Receipt(engine_version, books, facts_hash(raw_facts), on)
