"""The phrases of a screening result in en, fr, be, ru (from texts.yaml) and the rendering of a result.

Invariant: every key in texts.yaml has all four languages (checked on load and by a test); a missing key
or language is a `ScreeningError`, never a silent fallback to English.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from passage.screening.errors import ScreeningError
from passage.screening.matcher import ScreeningResult

LANGUAGES = ("en", "fr", "be", "ru")
TEXTS_FILE = Path(__file__).with_name("texts.yaml")


@lru_cache(maxsize=1)
def load_texts() -> dict[str, dict[str, str]]:
    """Key -> language -> text, checked for completeness."""
    raw = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ScreeningError(f"{TEXTS_FILE}: expected a mapping of text keys")
    out: dict[str, dict[str, str]] = {}
    for key, langs in raw.items():
        if not isinstance(langs, dict) or any(not isinstance(langs.get(lang), str) for lang in LANGUAGES):
            raise ScreeningError(f"{TEXTS_FILE}: {key}: expected a text in each of {', '.join(LANGUAGES)}")
        out[str(key)] = {lang: langs[lang] for lang in LANGUAGES}
    return out


def text(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang`, with `{placeholders}` filled from `values`."""
    if lang not in LANGUAGES:
        raise ScreeningError(f"language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    texts = load_texts()
    if key not in texts:
        raise ScreeningError(f"no text {key!r} in {TEXTS_FILE.name}")
    return texts[key][lang].format(**values)


def explain(result: ScreeningResult, lang: str = "en") -> list[str]:
    """Sentences describing `result` for a person, in `lang`."""
    status = text(f"status.{result.status}", lang)
    if result.entry is None or result.explanation is None or result.status == "no_match":
        return [status]
    entry, why = result.entry, result.explanation
    lines = [text("result.summary", lang, status=status, listed_name=entry.name, score=f"{result.score:g}")]
    if entry.item is not None and entry.listed_on is not None:
        lines.append(
            text(
                "result.listed_under",
                lang,
                part=entry.part,
                item=entry.item,
                listed_on=entry.listed_on.isoformat(),
            )
        )
    if why.name_source != "name":
        lines.append(text("result.matched_alias", lang, matched_name=why.matched_name))
    for token in why.tokens:
        role = text(f"role.{token.role}", lang)
        lines.append(
            text(
                f"token.{token.how}",
                lang,
                query=token.query_token,
                listed=token.entry_token,
                role=role,
                scheme=token.scheme.split("+")[0],
                score=f"{token.score:g}",
            )
        )
    if why.order != "single":
        lines.append(text(f"order.{why.order}", lang))
    if why.unmatched_query:
        lines.append(text("unmatched.query", lang, words=", ".join(why.unmatched_query)))
    if why.unmatched_entry:
        lines.append(text("unmatched.entry", lang, words=", ".join(why.unmatched_entry)))
    lines.extend(text(f"cap.{cap}", lang) for cap in why.caps)
    if result.entry.kind == "individual":
        lines.append(text("advice.mistaken_identity", lang))
    return lines
