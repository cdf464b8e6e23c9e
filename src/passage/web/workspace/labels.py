"""What a stored value reads as in the reader's language: fact answers, task kinds, option titles, statuses.

Shared by the pages that show a person's record (cases.py) and the record a person takes away (the PDF export
in records.py), so both say the same thing in the same words.
"""

from __future__ import annotations

from datetime import date

from passage.engine.facts import FactSpec
from passage.web.texts import country_name, fmt_date, t

STATUS_KEYS = ("eligible", "likely_eligible", "not_eligible", "needs_info")


def has_text(key: str) -> bool:
    try:
        t(key, "en")
    except KeyError:
        return False
    return True


def kind_text(kind: str, lang: str) -> str:
    key = f"ws.cases_kind_{kind}"
    return t(key, lang) if has_text(key) else t("ws.cases_kind_other", lang)


def task_text(kind: str, source: str, detail: str | None, lang: str) -> str:
    """A deadline the law sets is named by its kind; a task a worker wrote reads as they wrote it."""
    return kind_text(kind, lang) if source == "law" else (detail or kind_text("other", lang))


def status_text(status: str, lang: str) -> str:
    return t(f"status.{status}", lang) if status in STATUS_KEYS else status


def fact_display(spec: FactSpec, value: object, lang: str) -> str:
    """A stored answer (JSON-shaped, as kept on a person) as the interview would say it."""
    if value is None:
        return t("interview.none", lang)
    if spec.type == "bool":
        return t("interview.yes" if value else "interview.no", lang)
    if spec.type == "enum" and isinstance(value, str):
        return spec.values[value][lang] if value in spec.values else value
    if spec.type == "date" and isinstance(value, str):
        return date_text(value, lang)
    if spec.type == "country" and isinstance(value, str):
        return country_name(value, lang)
    if spec.type == "countries" and isinstance(value, list):
        return ", ".join(country_name(str(c), lang) for c in value) or "—"
    if spec.type == "date_ranges" and isinstance(value, list):
        spans = (f"{date_text(r.get('from'), lang)} – {date_text(r.get('to'), lang)}"
                 for r in value if isinstance(r, dict))
        return "; ".join(spans) or "—"
    return str(value)


def date_text(value: object, lang: str) -> str:
    """A stored ISO date in the language's format; anything else as stored (never hidden, never a crash)."""
    try:
        return fmt_date(date.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)


def option_titles(lang: str) -> dict[str, str]:
    """Option id -> its title in `lang`, for every option a person can be assessed for."""
    from passage.rulebooks import default_library

    titles = {}
    for book in default_library().for_subject("person"):
        for option in book.options:
            key = f"option.{option.id}"
            if key in book.texts:
                titles[option.id] = book.texts[key][lang]
    return titles
