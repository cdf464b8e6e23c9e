"""The words and numbers of the trade-figures table and chart, in en, fr, be, ru (texts in texts.yaml).

Invariants: every key has all four languages with the same placeholders (checked on load, and by a test);
an unknown language or key is a `TradeFiguresError`, never a fallback to English. Amounts are shown in
millions of CAD, grouped and with the decimal mark each language uses.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from passage.engine.errors import RulebookError
from passage.engine.texts import LANGUAGES, parse_translations
from passage.trade_figures.errors import TradeFiguresError
from passage.trade_figures.series import Amount, Note

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
_GROUP = {"en": ",", "fr": "\u202f", "be": "\u202f", "ru": "\u202f"}  # as passage.engine.texts.format_int
_DECIMAL = {"en": ".", "fr": ",", "be": ",", "ru": ","}
_MILLION = Decimal(1_000_000)


@lru_cache(maxsize=1)
def load_texts() -> dict[str, dict[str, str]]:
    """Key -> language -> text, every language present."""
    try:
        raw = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TradeFiguresError(f"{TEXTS_FILE}: expected a readable YAML file; {error}") from error
    if not isinstance(raw, dict):
        raise TradeFiguresError(f"{TEXTS_FILE}: expected a mapping of text keys")
    try:
        return {str(key): parse_translations(value, str(TEXTS_FILE), str(key)) for key, value in raw.items()}
    except RulebookError as error:
        raise TradeFiguresError(str(error)) from error


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise TradeFiguresError(f"--lang: expected one of {', '.join(LANGUAGES)}; got {lang!r}")


def text(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang`, with its `{placeholders}` filled from `values`."""
    check_language(lang)
    texts = load_texts()
    if key not in texts:
        raise TradeFiguresError(f"{TEXTS_FILE.name}: no text {key!r}")
    return texts[key][lang].format(**values)


def partner_name(partner: str, lang: str) -> str:
    """The partner as `lang` writes it (Belarus is translated; other names stay as the file gives them)."""
    key = f"partner.{partner.strip().casefold()}"
    return text(key, lang) if key in load_texts() else partner


def format_millions(value: Decimal, lang: str) -> str:
    """`value` (CAD) in millions: one decimal, three below 0.1 million so a small figure never reads 0.0."""
    millions = value / _MILLION
    places = Decimal("0.1") if millions >= Decimal("0.1") or millions == 0 else Decimal("0.001")
    rounded = millions.quantize(places, rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{rounded:,f}".partition(".")
    return whole.replace(",", _GROUP[lang]) + (_DECIMAL[lang] + fraction if fraction else "")


def format_amount(amount: Amount, lang: str) -> str:
    """An amount for a reader: `15.8` (millions), `≈23.0`, or the reason it is missing."""
    if amount.value is None:
        return text(f"missing.{amount.missing or 'not_available'}", lang)
    return ("≈" if amount.approximate else "") + format_millions(amount.value, lang)


def format_note(note: Note, lang: str) -> str:
    values = note.mapping()
    if note.key == "one_flow":
        values["flow"] = text(f"flow.{values['flow']}", lang)
    if "reporter" in values:
        values["reporter"] = partner_name(values["reporter"], lang)
    return text(f"note.{note.key}", lang, **values)
