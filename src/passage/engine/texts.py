"""Texts a person reads, in every supported language, and values formatted for each language.

A text catalog maps a key (`rule.is_permanent_resident.held`) to one string per language; loading fails
if any language is missing, so no person ever meets an English fallback. A text may name values in braces
(`{first_entry_date}`); they are filled in and formatted the way the reader's language writes dates,
amounts and numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path

from passage.engine.errors import RulebookError

LANGUAGES: tuple[str, ...] = ("en", "fr", "be", "ru")
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")

_MONTHS = {  # genitive forms, as in "7 September 2023" / "7 верасня 2023 г."
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "be": ["студзеня", "лютага", "сакавіка", "красавіка", "мая", "чэрвеня", "ліпеня", "жніўня", "верасня",
           "кастрычніка", "лістапада", "снежня"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
}
_NARROW_NBSP = "\u202f"


def parse_translations(raw: object, file: str, key: str) -> dict[str, str]:
    """One text in every language; names the missing or empty language."""
    if not isinstance(raw, dict):
        raise RulebookError(file, key, f"expected a text in each of {', '.join(LANGUAGES)}")
    result: dict[str, str] = {}
    for lang in LANGUAGES:
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise RulebookError(file, f"{key}.{lang}", "missing translation")
        result[lang] = text.strip()
    extra = set(raw) - set(LANGUAGES)
    if extra:
        raise RulebookError(file, key, f"unsupported languages {sorted(extra)}")
    placeholders = {lang: set(PLACEHOLDER.findall(text)) for lang, text in result.items()}
    if len({frozenset(p) for p in placeholders.values()}) > 1:
        raise RulebookError(file, key, f"the languages use different placeholders: {placeholders}")
    return result


class TextCatalog(Mapping[str, Mapping[str, str]]):
    """Texts by key, each in every language."""

    def __init__(self) -> None:
        self._texts: dict[str, dict[str, str]] = {}
        self._files: dict[str, str] = {}

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._texts[key]

    def __contains__(self, key: object) -> bool:  # Mapping's own goes through __getitem__ and an exception
        return key in self._texts

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def file_of(self, key: str) -> str:
        return self._files.get(key, "")

    def load(self, path: Path, raw: object) -> None:
        file = str(path)
        if raw is None:
            return
        if not isinstance(raw, dict):
            raise RulebookError(file, "(top level)", "expected a mapping of text key to translations")
        for key, translations in raw.items():
            key = str(key)
            if key in self._texts:
                raise RulebookError(file, key, f"text defined twice (also in {self._files[key]})")
            self._texts[key] = parse_translations(translations, file, key)
            self._files[key] = file

    def add(self, key: str, translations: Mapping[str, str], file: str) -> None:
        if key in self._texts:
            raise RulebookError(file, key, f"text defined twice (also in {self._files[key]})")
        self._texts[key] = dict(translations)
        self._files[key] = file


def format_value(value: object, lang: str, unit: str = "") -> str:
    """`value` written the way `lang` writes it (dates, amounts, whole numbers, lists)."""
    if isinstance(value, bool):
        return {"en": ("yes", "no"), "fr": ("oui", "non"), "be": ("так", "не"), "ru": ("да", "нет")}[lang][
            0 if value else 1
        ]
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, Decimal) or unit == "CAD":
        return format_money(Decimal(str(value)), lang)
    if isinstance(value, int):
        return format_int(value, lang)
    if isinstance(value, tuple):
        return ", ".join(format_value(item, lang) for item in value)
    return str(value)


def format_date(day: date, lang: str) -> str:
    month = _MONTHS[lang][day.month - 1]
    if lang == "en":
        return f"{day.day} {month} {day.year}"
    if lang == "fr":
        return f"{'1er' if day.day == 1 else day.day} {month} {day.year}"
    return f"{day.day} {month} {day.year} г."


def format_int(number: int, lang: str) -> str:
    grouped = f"{number:,}"
    return grouped if lang == "en" else grouped.replace(",", _NARROW_NBSP)


def format_money(amount: Decimal, lang: str) -> str:
    whole = f"{amount:,.2f}"
    if lang == "en":
        return f"${whole}"
    local = whole.replace(",", _NARROW_NBSP).replace(".", ",")
    return f"{local}\u00a0$"


def fill(template: str, lang: str, resolve: Callable[[str], object]) -> str:
    """`template` with each `{name}` replaced by `resolve(name)` formatted for `lang`."""
    if "{" not in template:
        return template
    filled = PLACEHOLDER.sub(lambda match: format_value(resolve(match.group(1)), lang), template)
    # Belarusian and Russian dates end in "г."; a date closing a sentence must not read "г..".
    return filled.replace("г..", "г.") if lang in ("be", "ru") else filled
