"""Listed persons: the `ListedEntry` record and the loader/validator of `listed_persons.yaml`.

The YAML file (rulebooks/ca_trade_belarus/data/listed_persons.yaml) is Schedule 1 to SOR/2020-214, one
entry per item. Loading checks every entry and raises `ListFormatError` naming the file, the entry and
what was expected; it never skips an entry silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import yaml

from passage.screening.errors import ListFormatError

Kind = Literal["individual", "entity"]
KINDS: tuple[Kind, ...] = ("individual", "entity")
PARTS = ("1", "1.1", "2", "3")

DEFAULT_LIST = (
    Path(__file__).resolve().parent.parent / "rulebooks" / "ca_trade_belarus" / "data" / "listed_persons.yaml"
)

_BORN = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


@dataclass(frozen=True)
class ListedEntry:
    """One listed person or entity, from Schedule 1 or from GAC's consolidated list."""

    id: str
    name: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    born: str | None = None  # ISO date, or a year alone
    listed_on: date | None = None
    part: str = ""  # Schedule 1 part ("1", "1.1", "2", "3") or the consolidated list's schedule text
    item: int | None = None
    source: str = ""
    regime: str = "Belarus"
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


def _require(entry: dict[object, object], key: str, file: str, record: str, expected: str) -> object:
    if key not in entry or entry[key] is None:
        raise ListFormatError(file, record, f"missing `{key}`: expected {expected}")
    return entry[key]


def _parse_entry(raw: object, file: str, index: int) -> ListedEntry:
    record = f"entry #{index + 1}"
    if not isinstance(raw, dict):
        raise ListFormatError(
            file, record, "expected a mapping with id, part, item, kind, name, listed_on, source"
        )
    entry_id = _require(raw, "id", file, record, "an id such as sch1-p1-8")
    if not isinstance(entry_id, str) or not entry_id:
        raise ListFormatError(file, record, "`id` must be non-empty text")
    record = f"entry {entry_id}"
    part = _require(raw, "part", file, record, f"one of {', '.join(PARTS)}")
    if str(part) not in PARTS:
        raise ListFormatError(
            file, record, f"`part` must be one of {', '.join(PARTS)} (as text), not {part!r}"
        )
    item = _require(raw, "item", file, record, "a positive whole number")
    if not isinstance(item, int) or isinstance(item, bool) or item < 1:
        raise ListFormatError(file, record, f"`item` must be a positive whole number, not {item!r}")
    kind = _require(raw, "kind", file, record, "individual or entity")
    if kind not in KINDS:
        raise ListFormatError(file, record, f"`kind` must be individual or entity, not {kind!r}")
    name = _require(raw, "name", file, record, "the name as written in the law")
    if not isinstance(name, str) or not name.strip():
        raise ListFormatError(file, record, "`name` must be non-empty text")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise ListFormatError(file, record, "`aliases` must be a list of non-empty texts")
    born = raw.get("born")
    if born is not None and not (isinstance(born, str) and _BORN.match(born)):
        raise ListFormatError(
            file, record, f"`born` must be YYYY or YYYY-MM-DD in quotes, or null, not {born!r}"
        )
    listed_on = _require(raw, "listed_on", file, record, "a date YYYY-MM-DD")
    if not isinstance(listed_on, date):
        raise ListFormatError(file, record, f"`listed_on` must be a date YYYY-MM-DD, not {listed_on!r}")
    source = _require(raw, "source", file, record, "a source id from sources.yaml")
    if not isinstance(source, str) or not source:
        raise ListFormatError(file, record, "`source` must be a source id")
    return ListedEntry(
        id=entry_id,
        name=name.strip(),
        kind=kind,
        aliases=tuple(a.strip() for a in aliases),
        born=born,
        listed_on=listed_on,
        part=str(part),
        item=item,
        source=source,
    )


def parse_listed_persons(raw: object, file: str) -> list[ListedEntry]:
    """Entries of a parsed listed_persons.yaml; raises ListFormatError on the first problem found."""
    if not isinstance(raw, dict) or not isinstance(raw.get("entries"), list):
        raise ListFormatError(file, "(top level)", "expected a mapping with an `entries` list")
    entries = [_parse_entry(e, file, i) for i, e in enumerate(raw["entries"])]
    seen: dict[str, str] = {}
    for e in entries:
        for key in (e.id, f"part {e.part} item {e.item}"):
            if key in seen:
                raise ListFormatError(file, f"entry {e.id}", f"duplicate {key!r} (also {seen[key]})")
            seen[key] = e.id
    return entries


def load_listed_persons(path: Path | str | None = None) -> list[ListedEntry]:
    """Schedule 1 entries from `path` (default: the ca_trade_belarus rulebook's listed_persons.yaml)."""
    file = Path(path) if path is not None else DEFAULT_LIST
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ListFormatError(str(file), "(file)", f"a readable UTF-8 file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ListFormatError(str(file), "(file)", "UTF-8 text") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ListFormatError(
            str(file), where, f"valid YAML ({getattr(exc, 'problem', None) or exc})"
        ) from None
    return parse_listed_persons(raw, str(file))


def entries_on(entries: Sequence[ListedEntry], day: date) -> list[ListedEntry]:
    """The entries listed on or before `day` (entries without a listing date are kept)."""
    return [e for e in entries if e.listed_on is None or e.listed_on <= day]
