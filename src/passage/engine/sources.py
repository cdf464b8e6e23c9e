"""The registry of sources: every rule and every parameter value points to one.

A source is a law section or an official page (or, marked so, a secondary source or our own inference).
Its tier decides whether what cites it is shown as verified.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from passage.engine.errors import RulebookError

Tier = Literal["law", "government", "secondary", "inference"]
TIERS: tuple[Tier, ...] = ("law", "government", "secondary", "inference")
VERIFIED_TIERS = frozenset({"law", "government"})


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    url: str
    tier: Tier
    section: str = ""
    consulted: date | None = None

    @property
    def verified(self) -> bool:
        """Whether this source is official (law or a government page)."""
        return self.tier in VERIFIED_TIERS

    def citation(self) -> str:
        section = f", {self.section}" if self.section else ""
        return f"{self.title}{section}"


class SourceRegistry(Mapping[str, Source]):
    """Sources by id. Registering two different sources under one id is an error."""

    def __init__(self) -> None:
        self._sources: dict[str, Source] = {}

    def __getitem__(self, key: str) -> Source:
        return self._sources[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._sources)

    def __len__(self) -> int:
        return len(self._sources)

    def add(self, source: Source, file: str) -> None:
        existing = self._sources.get(source.id)
        if existing is not None and existing != source:
            raise RulebookError(file, source.id, "a different source is already registered under this id")
        self._sources[source.id] = source

    def load(self, raw: object, file: str) -> None:
        """Register the sources of one parsed sources.yaml."""
        if raw is None:
            return
        if not isinstance(raw, dict):
            raise RulebookError(file, "(top level)", "expected a mapping of source id to source")
        for source_id, entry in raw.items():
            self.add(_parse_source(str(source_id), entry, file), file)


def _parse_source(source_id: str, entry: object, file: str) -> Source:
    if not isinstance(entry, dict):
        raise RulebookError(file, source_id, "expected a mapping with title, url and tier")
    for key in ("title", "url", "tier"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise RulebookError(file, f"{source_id}.{key}", "is required and must be text")
    tier = entry["tier"]
    if tier not in TIERS:
        raise RulebookError(file, f"{source_id}.tier", f"must be one of {', '.join(TIERS)}, not {tier!r}")
    url = entry["url"]
    if not url.startswith(("https://", "http://")):
        raise RulebookError(file, f"{source_id}.url", "must be an http(s) URL")
    consulted = entry.get("consulted")
    if consulted is not None and not isinstance(consulted, date):
        raise RulebookError(file, f"{source_id}.consulted", "must be a date YYYY-MM-DD")
    unknown = set(entry) - {"title", "url", "tier", "section", "consulted", "note"}
    if unknown:
        raise RulebookError(file, source_id, f"unknown keys {sorted(unknown)}")
    return Source(source_id, entry["title"].strip(), url, tier, str(entry.get("section") or ""), consulted)
