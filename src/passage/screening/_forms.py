"""Name forms of listed entries: which words a form has, what role each plays and how much it weighs.

An entry has several forms: its name as in the law, each alias the law gives, and for entities the name
without a bracketed translation and that translation alone. Roles follow how Schedule 1 writes names:
given name first, surname last (or the word in capitals), anything in between a patronymic or middle name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from passage.screening.entries import ListedEntry
from passage.screening.normalize import NameToken, canon, normalize_name

Role = Literal["surname", "given", "patronymic", "other", "word"]
FormSource = Literal["name", "alias", "derived"]

WEIGHTS: dict[Role, float] = {"surname": 3.0, "given": 2.0, "patronymic": 1.0, "other": 1.0, "word": 1.0}

# Legal-form and filler words that say nothing about which entity it is (Latin, and Russian/Belarusian
# words after transliteration): dropped from entity names and from queries compared with them.
_STOP_WORDS = (
    "jsc ojsc cjsc pjsc oao ooo zao ao pao llc ltd ue uе co inc corp plc gmbh sa ag the of and "
    "company joint stock open closed public limited liability otkrytoe aktsionernoe obshchestvo "
    "zakrytoe tovarystva adkrytae aktsyianernae tavarystva"
)
STOP_CANONS: frozenset[str] = frozenset(canon(w) for w in _STOP_WORDS.split())

_PAREN = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True, slots=True)
class Form:
    """One searchable spelling of one entry."""

    entry: int  # index into the screener's entries
    text: str
    source: FormSource
    tokens: tuple[NameToken, ...]
    roles: tuple[Role, ...]
    individual: bool
    joined: tuple[str, ...] = ()  # the whole name as one word: with and without legal-form words

    @property
    def short_acronym(self) -> bool:
        """A lone short word such as KGB or LAT: matches only exactly, and only as a possible match."""
        return len(self.tokens) == 1 and len(self.tokens[0].text) <= 4 and not self.individual


def drop_stop_words(tokens: tuple[NameToken, ...]) -> tuple[NameToken, ...]:
    """`tokens` without legal-form words, unless that would leave nothing."""
    kept = tuple(t for t in tokens if not (t.canons & STOP_CANONS))
    return kept or tokens


def _individual_roles(tokens: tuple[NameToken, ...]) -> tuple[Role, ...]:
    n = len(tokens)
    if n == 1:
        return ("surname",)
    capitals = [i for i, t in enumerate(tokens) if t.upper]
    surname = capitals[-1] if capitals else n - 1
    roles: list[Role] = []
    for i, t in enumerate(tokens):
        if i == surname:
            roles.append("surname")
        elif i == (0 if surname != 0 else 1):
            roles.append("given")
        else:
            roles.append("patronymic" if t.patronymic or n == 3 else "other")
    return tuple(roles)


def _entity_texts(entry: ListedEntry) -> list[tuple[str, FormSource]]:
    texts: list[tuple[str, FormSource]] = [(entry.name, "name")]
    texts += [(a, "alias") for a in entry.aliases]
    for inner in _PAREN.findall(entry.name):
        words = inner.split()
        if len(words) >= 2 or (len(words) == 1 and len(inner) >= 4 and inner.isupper()):
            texts.append((inner, "derived"))
    outer = _PAREN.sub(" ", entry.name).strip()
    if outer != entry.name:
        texts.append((outer, "derived"))
    return texts


def forms_of(entry: ListedEntry, index: int) -> list[Form]:
    """Every searchable form of `entry` (the entry's position in the screener is `index`)."""
    individual = entry.kind == "individual"
    named: list[tuple[str, FormSource]] = [(entry.name, "name"), *[(a, "alias") for a in entry.aliases]]
    texts = named if individual else _entity_texts(entry)
    forms: list[Form] = []
    seen: set[tuple[frozenset[str], ...]] = set()
    for text, source in texts:
        all_tokens = normalize_name(text)
        tokens = all_tokens if individual else drop_stop_words(all_tokens)
        if not tokens:
            continue
        key = tuple(t.canons for t in tokens)
        if key in seen:
            continue
        seen.add(key)
        word: Role = "word"
        roles: tuple[Role, ...] = _individual_roles(tokens) if individual else (word,) * len(tokens)
        joined = tuple(dict.fromkeys("".join(t.forms[0][1] for t in ts) for ts in (tokens, all_tokens)))
        forms.append(Form(index, text, source, tokens, roles, individual, joined))
    return forms
