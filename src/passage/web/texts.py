"""The web app's texts (texts.yaml) and per-language helpers: text, dates, money, countries."""

from __future__ import annotations

import gettext
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pycountry

from passage.assess import ui, ui_texts
from passage.engine import LANGUAGES
from passage.engine.facts import COUNTRY_CODES
from passage.engine.library import read_yaml
from passage.engine.texts import TextCatalog, fill, format_date, format_money

TEXTS_FILE = Path(__file__).with_name("texts.yaml")
WORKSPACE_TEXTS = Path(__file__).with_name("workspace") / "texts"
TEXT_FILES = (TEXTS_FILE, Path(__file__).with_name("trade_texts.yaml"), *sorted(WORKSPACE_TEXTS.glob("*.yaml")))
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "be": "Беларуская", "ru": "Русский"}


@lru_cache(maxsize=1)
def web_texts() -> TextCatalog:
    catalog = TextCatalog()
    for path in TEXT_FILES:
        catalog.load(path, read_yaml(path))
    return catalog


def t(key: str, lang: str, **values: object) -> str:
    """The web text `key` in `lang` (falls back to the shared ui_texts catalog for status/label keys)."""
    catalog = web_texts()
    if key in catalog:
        return fill(catalog[key][lang], lang, lambda name: values.get(name, "?"))
    if key in ui_texts():
        return ui(key, lang, **values)
    raise KeyError(key)


def lang_texts(lang: str) -> dict[str, str]:
    """Every text in `lang`, keyed with dots replaced by underscores, for templates (`T.plan_title`)."""
    texts = {key.replace(".", "_"): value[lang] for key, value in ui_texts().items()}
    texts.update({key.replace(".", "_"): value[lang] for key, value in web_texts().items()})
    return texts


def fmt_date(day: date, lang: str) -> str:
    return format_date(day, lang)


def fmt_money(amount: float | None, lang: str) -> str:
    return "?" if amount is None else format_money(Decimal(str(amount)), lang)


@lru_cache(maxsize=len(LANGUAGES))
def countries(lang: str) -> list[tuple[str, str]]:
    """(ISO code, name in `lang`) for every assignable country, sorted by name as `lang` reads it."""
    translate = (
        (lambda s: s)
        if lang == "en"
        else gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True).gettext
    )
    names = []
    for code in COUNTRY_CODES:
        country = pycountry.countries.get(alpha_2=code)
        name = getattr(country, "common_name", None) or (country.name if country else code)
        names.append((code, translate(country.name) if country and lang != "en" else name))
    return sorted(names, key=lambda item: item[1].casefold())


def country_name(code: str, lang: str) -> str:
    return dict(countries(lang)).get(code, code)
