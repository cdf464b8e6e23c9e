"""Names to comparable keys: tokenizing, transliterating, folding and a phonetic canonical form.

A name becomes a tuple of `NameToken`s. Each token carries several *canonical forms*, one per plausible
spelling (each Cyrillic transliteration scheme; Latin with diacritics folded two ways; Belarusian/Russian
and French spelling alternatives), and the *skeletons* of those forms (first letter plus consonants) that
the screener indexes. Invariants: normalisation never raises for any `str` (it may return an empty tuple);
it is deterministic; canonical forms contain only `[a-z0-9SCZ]` (S, C, Z are the merged sibilant classes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from passage.screening._translit import all_transliterations, has_cyrillic

MAX_TOKENS = 16  # longer names keep their first 16 tokens: no real listed name has more
MAX_TOKEN_CHARS = 64

# Letters NFKD does not decompose into a base letter plus a mark.
_SPECIAL_PLAIN = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ŋ": "n",
        "ĸ": "k",
    }
)
# Belarusian Latin / Łacinka / Polish / Czech letters spelt as English-style digraphs.
_DIGRAPHS = str.maketrans(
    {
        "š": "sh",
        "ž": "zh",
        "č": "ch",
        "ć": "ch",
        "ś": "sh",
        "ź": "zh",
        "ŭ": "u",
        "ł": "l",
        "ń": "n",
        "ĺ": "l",
        "ř": "rzh",
        "ż": "zh",
    }
)

_PATRONYMIC = re.compile(r"(vich|vych|vitch|vna|una|ichna|ovych|evych|ievich|ovici|evici)$")
_PATRONYMIC_CYR = re.compile(r"(вич|віч|вна|ўна|ична|ічна)$")
_SPLIT = re.compile(r"[\s\-‐‑‒–—―/\\,;:()\[\]{}<>«»“”„\"'‘’`´|+&*#@!?=_~^%$]+")
_VOWEL_RUN = re.compile(r"[aeiou]+")


@dataclass(frozen=True, slots=True)
class NameToken:
    """One word of a name with its comparable forms."""

    text: str  # as written, for explanations
    forms: tuple[tuple[str, str], ...]  # (spelling scheme, canonical form), distinct forms, best first
    skeletons: frozenset[str]
    initial: bool  # a single letter such as "A." : matches a given name starting with it
    patronymic: bool  # looks like an East Slavic patronymic (…vich, …vna, …auna)
    upper: bool  # written in capitals (the law writes surnames so in newer entries)
    plain: str = ""  # lower-case ASCII spelling (ICAO 9303 for Cyrillic): catches typos the canon hides

    @property
    def canons(self) -> frozenset[str]:
        return frozenset(canon for _, canon in self.forms)


def _vowel_class(match: re.Match[str]) -> str:
    run = match.group(0)
    if "a" in run or "o" in run:
        return "a"
    return "u" if "u" in run else "i"


@lru_cache(maxsize=65536)
def canon(latin: str) -> str:
    """The phonetic canonical form of a lower-case ASCII Latin spelling.

    Merges what transliteration schemes spell differently: sh/ch/sch/tch (one class S), kh/h/g (г is h in
    Belarusian, g in Russian), ts/tz/c-before-e/i (C), c/ck/q -> k, x -> ks, w -> v, j/y -> i, doubled
    letters, and vowel runs (a/o one class: Belarusian akanne, e/i/y another).
    """
    s = re.sub(r"[^a-z0-9]", "", latin)
    if not s or s.isdigit():
        return s
    s = s.replace("ph", "f")
    s = re.sub(r"shch|szcz|chtch|tsch|sch|tch|ch|sh|sz|cz", "S", s)
    s = s.replace("zh", "Z")
    s = re.sub(r"kh|h|g", "g", s)
    s = re.sub(r"ts|tz", "C", s)
    s = re.sub(r"c(?=[eiy])", "C", s)
    s = s.replace("ck", "k").replace("c", "k").replace("q", "k").replace("x", "ks").replace("w", "v")
    s = s.replace("j", "i").replace("y", "i")
    s = re.sub(r"(.)\1+", r"\1", s)
    return _VOWEL_RUN.sub(_vowel_class, s)


def skeleton(canonical: str) -> str:
    """First character plus the consonants of a canonical form: the key the screener indexes."""
    if not canonical:
        return ""
    return canonical[0] + re.sub(r"[aiu]", "", canonical[1:])


def _ascii_alnum(text: str) -> str:
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _fold(text: str) -> tuple[str, str]:
    """(plain, digraph) ASCII spellings of a lower-case Latin token: Łukašenka -> lukasenka, lukashenka."""
    digraph = unicodedata.normalize("NFKD", text.translate(_DIGRAPHS))
    plain = unicodedata.normalize("NFKD", text.translate(_SPECIAL_PLAIN))
    return _ascii_alnum(plain), _ascii_alnum(digraph)


# Spelling alternatives applied to a Latin spelling, each giving one more form.
_ALTERNATIVES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("u_short", re.compile(r"(?<=[aeo])u(?=[^aeiou]|$)"), "v"),  # ў: Novikau ~ Novikov, Paulouskaya
    ("french_ou", re.compile(r"ou"), "u"),  # Loukachenko ~ Lukashenko
    ("by_dz", re.compile(r"dz(?=[^h])|dz$"), "d"),  # Dzmitry ~ Dmitry, Vadzim ~ Vadim
    ("u_initial", re.compile(r"^u(?=[^aeiou])"), "v"),  # Uladzimir ~ Vladimir
)


def _latin_forms(latin: str, scheme: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    plain, digraph = _fold(latin)
    for spelling, name in ((plain, scheme), (digraph, scheme + "+digraphs")):
        if not spelling:
            continue
        out.append((name, canon(spelling)))
        combined = spelling
        for alt_name, pattern, repl in _ALTERNATIVES:
            changed = pattern.sub(repl, spelling)
            if changed != spelling:
                out.append((f"{name}+{alt_name}", canon(changed)))
                combined = pattern.sub(repl, combined)
        if combined != spelling:
            out.append((f"{name}+all", canon(combined)))
    return out


@lru_cache(maxsize=65536)
def _token(raw: str) -> NameToken | None:
    text = raw[:MAX_TOKEN_CHARS]
    letters = text.rstrip(".")
    upper = len(letters) > 1 and letters.isupper()
    low = letters.casefold()
    if not low:
        return None
    if has_cyrillic(low):
        latins = all_transliterations(low)
        candidates = [form for scheme, latin in latins.items() for form in _latin_forms(latin, scheme)]
        plain = _fold(latins["icao_9303"])[0]
        patronymic = bool(_PATRONYMIC_CYR.search(low))
    else:
        candidates = _latin_forms(low, "latin")
        plain = _fold(low)[0]
        patronymic = False
    if not candidates or not any(c for _, c in candidates):
        literal = "".join(ch for ch in low if ch.isalnum())
        if not literal:
            return None
        candidates = [("literal", literal)]
    seen: dict[str, str] = {}
    for scheme, c in candidates:
        if c and c not in seen:
            seen[c] = scheme
    forms = tuple((scheme, c) for c, scheme in seen.items())
    first_latin = _fold(low)[0] if not has_cyrillic(low) else ""
    patronymic = patronymic or (len(low) > 5 and bool(_PATRONYMIC.search(first_latin)))
    return NameToken(
        text=text,
        forms=forms,
        skeletons=frozenset(skeleton(c) for _, c in forms),
        initial=len(low) == 1 and low.isalpha(),
        patronymic=patronymic,
        upper=upper,
        plain=plain,
    )


def _split_initials(word: str) -> list[str]:
    """'A.G.' -> ['A.', 'G.']; other words unchanged."""
    parts = [p for p in word.split(".") if p]
    if len(parts) > 1 and all(len(p) == 1 for p in parts):
        return [p + "." for p in parts]
    if len(parts) > 1:
        return parts
    return [word]


def tokenize(name: str) -> list[str]:
    """The words of a name: NFKC, split on spaces, hyphens, quotes, brackets and punctuation."""
    text = unicodedata.normalize("NFKC", name)
    words: list[str] = []
    for word in _SPLIT.split(text):
        if word:
            words.extend(_split_initials(word))
        if len(words) >= MAX_TOKENS:
            break
    return words[:MAX_TOKENS]


def normalize_name(name: str) -> tuple[NameToken, ...]:
    """The comparable tokens of `name` (empty if it has no letters or digits)."""
    tokens = (_token(word) for word in tokenize(name))
    return tuple(t for t in tokens if t is not None)
