"""The facade every interface calls: a subject's facts and a date in, an Assessment out.

`assess()` reads the facts strictly (every problem named), runs every rulebook of the subject as of the
date, and returns an Assessment that renders to the public JSON contract or to text in any supported
language. The CLI, the web app, cases, documents and simulations go through here and never reach into a
rulebook's internals.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from passage import __version__
from passage.engine import (
    ENGINE_VERSION,
    LANGUAGES,
    Evaluator,
    InputError,
    Library,
    OptionResult,
    Problem,
    Receipt,
    make_receipt,
    parse_facts,
)
from passage.engine.library import read_yaml
from passage.engine.scalar import Context
from passage.engine.texts import TextCatalog, fill, format_value
from passage.engine.values import Unknown
from passage.rulebooks import default_library

UI_TEXTS_FILE = Path(__file__).with_name("ui_texts.yaml")
MAX_FACTS_BYTES = 1_000_000


@lru_cache(maxsize=1)
def ui_texts() -> TextCatalog:
    catalog = TextCatalog()
    catalog.load(UI_TEXTS_FILE, read_yaml(UI_TEXTS_FILE))
    return catalog


@lru_cache(maxsize=4)
def evaluator_for(library: Library) -> Evaluator:
    return Evaluator(library)


def ui(key: str, lang: str, **values: object) -> str:
    template = ui_texts()[key][lang]
    if "{" not in template:
        return template
    return fill(template, lang, lambda name: values.get(name, "?"))


@lru_cache(maxsize=4)
def _source_dicts(library: Library) -> dict[str, dict[str, Any]]:
    """Every source as the contract writes it, by id."""
    return {
        source_id: {"title": source.title, "url": source.url, "section": source.section, "tier": source.tier,
                    "verified": source.verified}
        for source_id, source in library.sources.items()
    }


@lru_cache(maxsize=4)
def _templates(library: Library) -> dict[tuple[str, str, str], str]:
    """Every text of every rulebook by (rulebook, key, language): one dictionary look-up per text when an
    assessment is rendered (it renders about a hundred)."""
    return {
        (name, key, lang): template
        for name, rulebook in library.rulebooks.items()
        for key, translations in rulebook.texts.items()
        for lang, template in translations.items()
    }


@dataclass
class Assessment:
    subject: str
    on: date
    options: list[OptionResult]
    receipt: Receipt
    library: Library
    context: Context

    @property
    def missing(self) -> list[str]:
        """Facts that would settle some option, those settling the most options first."""
        counts = Counter(fact for option in self.options for fact in option.missing)
        return [fact for fact, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]

    def option(self, option_id: str) -> OptionResult:
        for option in self.options:
            if option.id == option_id:
                return option
        raise KeyError(option_id)

    # Rendering --------------------------------------------------------------------------------
    def text(self, rulebook: str, key: str, lang: str) -> str:
        template = _templates(self.library).get((rulebook, key, lang))
        if template is None:
            template = self.library.rulebooks[rulebook].texts[key][lang]  # KeyError names a missing text
        if "{" not in template:  # most texts name no value
            return template
        return fill(template, lang, lambda name: self._resolve(rulebook, name))

    def _resolve(self, rulebook: str, name: str) -> object:
        if name == "on":
            return self.context.on
        if name in self.context.facts:
            value = self.context.facts[name]
            return "—" if value is None else value
        qualified = self.library.qualify_rule(rulebook, name)
        book, _, local = qualified.partition(".")
        if book in self.library.rulebooks and local in self.library.rulebooks[book].rules:
            value = evaluator_for(self.library).compiler.rule_fn(qualified)(self.context)
        else:
            param_id = self.library.qualify_param(rulebook, name)
            period = self.library.parameters[param_id].period_on(self.context.on) if (
                param_id in self.library.parameters
            ) else None
            value = period.value if period is not None else None
        return "?" if value is None or isinstance(value, Unknown) else value

    def reason_text(self, rule: str, holds: bool | None, lang: str) -> str:
        """The sentence for a reason: the rule's text for held/failed, or what is still to check."""
        book, _, local = rule.partition(".")
        if holds is None:
            if (book, f"rule.{local}.unknown", lang) in _templates(self.library):
                return self.text(book, f"rule.{local}.unknown", lang)
            return f"{ui('label.open', lang)}: {self.text(book, f'rule.{local}.held', lang)}"
        return self.text(book, f"rule.{local}.{'held' if holds else 'failed'}", lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The public JSON contract (see README), every text in `lang`."""
        check_language(lang)
        cited: dict[str, None] = {}
        options = []
        for option in self.options:
            rendered = self._option_dict(option, lang)
            for source_id in option.sources:
                cited[source_id] = None
            for reason in option.reasons:
                cited.update(dict.fromkeys(reason.sources))
            for fee in option.fees:
                cited.update(dict.fromkeys(fee.sources))
            options.append(rendered)
        return {
            "subject": self.subject,
            "on": self.on.isoformat(),
            "lang": lang,
            "options": options,
            "missing": self.missing,
            "sources": {sid: self._source_dict(sid) for sid in cited},
            "receipt": self.receipt.to_dict(),
            "notice": ui("label.not_advice", lang),
        }

    def _option_dict(self, option: OptionResult, lang: str) -> dict[str, Any]:
        book = option.rulebook
        catalog = self.library.facts.get(self.subject, {})
        rendered: dict[str, Any] = {
            "id": option.id,
            "title": self.text(book, f"option.{option.id}", lang),
            "status": option.status,
            "status_text": ui(f"status.{option.status}", lang) if f"status.{option.status}" in ui_texts() else "",
            "reasons": [
                {
                    "rule": reason.rule,
                    "holds": reason.holds,
                    "text": self.reason_text(reason.rule, reason.holds, lang),
                    "sources": list(reason.sources),
                    "verified": reason.verified,
                }
                for reason in option.reasons
            ],
            "missing": option.missing,
            "questions": {name: catalog[name].question[lang] for name in option.missing if name in catalog},
            "fees": [
                {
                    "amount": float(fee.amount) if fee.amount is not None else None,
                    "currency": fee.currency,
                    "what": self.text(book, fee.key, lang),
                    "source": fee.sources[0] if fee.sources else None,
                    "verified": fee.verified,
                    "conditional": fee.conditional,
                    **({"law_unknown": self._gap_texts(book, fee.law_gaps, lang)} if fee.amount is None else {}),
                }
                for fee in option.fees
            ],
            "documents": [self.text(book, doc.key, lang) for doc in option.documents],
            "deadlines": [
                {"id": d.id, "date": d.date.isoformat(), "what": self.text(book, d.key, lang)}
                for d in option.deadlines
            ],
            "warnings": [self.text(book, warning.key, lang) for warning in option.warnings],
            "warning_ids": [warning.key for warning in option.warnings],
            "sources": option.sources,
            "verified": option.verified,
        }
        if option.law_gaps:
            rendered["law_unknown"] = self._gap_texts(book, tuple(option.law_gaps), lang)
        if option.hints:
            rendered["would_qualify"] = [{"fact": h.fact, "value": h.value} for h in option.hints]
        for name, value in option.values.items():
            rendered[name] = value.isoformat() if isinstance(value, date) else _jsonable(value)
        return rendered

    def _value_names(self, option_id: str) -> list[str]:
        _, option = self.library.option(option_id)
        return list(option.values)

    def _gap_texts(self, book: str, gaps: tuple[str, ...], lang: str) -> list[dict[str, str]]:
        """What is not encoded, in words: a law_unknown key's own text, else the generic sentence."""
        texts = self.library.rulebooks[book].texts
        generic = ui("label.law_unknown", lang)
        return [{"what": gap, "text": self.text(book, gap, lang) if gap in texts else generic} for gap in gaps] or [
            {"what": "", "text": generic}
        ]

    def _source_dict(self, source_id: str) -> dict[str, Any]:
        return dict(_source_dicts(self.library)[source_id])  # a copy: a caller may change what it gets

    def to_text(self, lang: str = "en") -> str:
        """A plain-text plan for a terminal: options grouped by status, with reasons and what to do."""
        data = self.to_dict(lang)
        lines = [ui("label.assessed_on", lang, on=self.on), ""]
        for option in data["options"]:
            lines.append(f"■ {option['title']} — {option['status_text'] or option['status']}")
            for reason in option["reasons"]:
                flag = "" if reason["verified"] else f"  [{ui('label.unverified', lang)}]"
                lines.append(f"    · {reason['text']}{flag}")
            for fee in option["fees"]:
                amount = (format_value(Decimal(str(fee["amount"])), lang, "CAD") if fee["amount"] is not None
                          else "; ".join(gap["text"] for gap in fee["law_unknown"]))
                flag = "" if fee["verified"] else f"  [{ui('label.unverified', lang)}]"
                when = f" ({ui('label.if_applies', lang)})" if fee["conditional"] else ""
                lines.append(f"    {ui('label.fees', lang)}: {fee['what']}: {amount}{when}{flag}")
            for deadline in option["deadlines"]:
                lines.append(f"    {ui('label.deadlines', lang)}: {deadline['what']}")
            for name in self._value_names(option["id"]):
                if option.get(name) not in (None, ""):
                    shown = format_value(_parse_iso(option[name]), lang)
                    lines.append(f"    {ui(f'value.{name}', lang) if f'value.{name}' in ui_texts() else name}: {shown}")
            for warning in option["warnings"]:
                lines.append(f"    ⚠ {warning}")
            if option["missing"]:
                lines.append(f"    {ui('label.missing', lang)}: " + "; ".join(option["questions"].values()))
            for gap in option.get("law_unknown", []):
                lines.append(f"    ? {gap['text']}")
            lines.append("")
        lines.append(data["notice"])
        return "\n".join(lines)


def _parse_iso(value: object) -> object:
    """A rendered value back to a date when it is one (values are ISO text in the JSON form)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _jsonable(value: object) -> object:
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(value)


def check_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise InputError(Problem("lang", "one of " + ", ".join(LANGUAGES), repr(lang)))


def assess(raw: Mapping[str, object], on: date, library: Library | None = None) -> Assessment:
    """Assess `raw` facts (the JSON object of the contract; `"subject"` defaults to `"person"`) as of `on`."""
    library = library or default_library()
    facts_in = dict(raw)
    subject = facts_in.pop("subject", "person")
    if not isinstance(subject, str) or subject not in library.subjects():
        raise InputError(Problem("subject", "one of " + ", ".join(library.subjects()), repr(subject)))
    facts = parse_facts(facts_in, library.facts.get(subject, {}))
    evaluator = evaluator_for(library)
    context = evaluator.context(evaluator.derive(subject, facts, on), on)
    options = [
        evaluator.evaluate_option(rulebook, option, context)
        for rulebook in library.for_subject(subject)
        for option in rulebook.options
    ]
    receipt = make_receipt(library, subject, facts_in, on, ENGINE_VERSION)
    return Assessment(subject, on, options, receipt, library, context)


def read_facts_json(text: str, source: str) -> dict[str, object]:
    """The facts object of a JSON document; names the line and column of a syntax error."""
    if len(text.encode("utf-8")) > MAX_FACTS_BYTES:
        raise InputError(Problem(source, f"a JSON file under {MAX_FACTS_BYTES} bytes", "a larger file"))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            Problem(source, "a JSON object of facts", f"malformed JSON at line {error.lineno}, column {error.colno}: "
                    f"{error.msg}")
        ) from None
    if not isinstance(data, dict):
        raise InputError(Problem(source, "a JSON object of facts (fact name -> value)", type(data).__name__))
    return data


__all__ = ["Assessment", "__version__", "assess", "read_facts_json", "ui"]
