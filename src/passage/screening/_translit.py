"""Cyrillic-to-Latin transliteration schemes used to build comparable keys for names.

Each scheme turns a lower-case Cyrillic token into one Latin spelling, the way that scheme's users write it:
BGN/PCGN for Russian, ICAO Doc 9303 (machine-readable passports, both languages), the Belarusian national
Latin (2007 instruction; its diacritics are folded later), Belarusian Łacinka, and a French-style
transcription. The tables are deliberately simple: they serve matching, not publication.
"""

from __future__ import annotations

from collections.abc import Mapping

_COMMON: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "з": "z",
    "и": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "ы": "y",
    "э": "e",
    "і": "i",
    "ъ": "",
    "ь": "",
    "'": "",
    "’": "",
    "ʼ": "",
}

BGN_PCGN_RU: Mapping[str, str] = {
    **_COMMON,
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "й": "y",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "yu",
    "я": "ya",
    "ў": "w",
    "ґ": "g",
    "є": "ye",
    "ї": "yi",
}
ICAO_9303: Mapping[str, str] = {
    **_COMMON,
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "й": "i",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ю": "iu",
    "я": "ia",
    "ў": "u",
    "ъ": "ie",
    "ґ": "g",
    "є": "ie",
    "ї": "i",
}
# Belarusian national Latin (2007) with its diacritics: fold_latin() later maps ž to z/zh and so on.
BY_NATIONAL: Mapping[str, str] = {
    **_COMMON,
    "г": "h",
    "е": "ie",
    "ё": "io",
    "ж": "ž",
    "й": "j",
    "х": "ch",
    "ц": "c",
    "ч": "č",
    "ш": "š",
    "щ": "šč",
    "ю": "iu",
    "я": "ia",
    "ў": "ŭ",
    "ґ": "g",
    "є": "je",
    "ї": "ji",
}
# Łacinka: like the national Latin, but л is ł (hard) and х is ch.
LACINKA: Mapping[str, str] = {**BY_NATIONAL, "л": "ł", "е": "je", "ю": "ju", "я": "ja", "ё": "jo"}
FRENCH: Mapping[str, str] = {
    **_COMMON,
    "е": "e",
    "ё": "io",
    "ж": "j",
    "й": "i",
    "х": "kh",
    "ц": "ts",
    "ч": "tch",
    "ш": "ch",
    "щ": "chtch",
    "у": "ou",
    "ю": "iou",
    "я": "ia",
    "ў": "ou",
    "ґ": "g",
    "є": "ie",
    "ї": "i",
}

SCHEMES: Mapping[str, Mapping[str, str]] = {
    "bgn_pcgn_ru": BGN_PCGN_RU,
    "icao_9303": ICAO_9303,
    "by_national": BY_NATIONAL,
    "lacinka": LACINKA,
    "french": FRENCH,
}

_CYRILLIC_FIRST, _CYRILLIC_LAST = "\u0400", "\u04ff"


def has_cyrillic(text: str) -> bool:
    """Whether any character of `text` is in the Cyrillic block."""
    return any(_CYRILLIC_FIRST <= ch <= _CYRILLIC_LAST for ch in text)


def transliterate(token: str, table: Mapping[str, str]) -> str:
    """`token` (lower case) with each Cyrillic letter replaced; other characters are kept."""
    return "".join(table.get(ch, ch) for ch in token)


def all_transliterations(token: str) -> dict[str, str]:
    """Scheme name -> Latin spelling of a lower-case Cyrillic token."""
    return {name: transliterate(token, table) for name, table in SCHEMES.items()}
