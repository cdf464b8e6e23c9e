"""The shipment page: a form for a shipment's facts, the four determinations with their reasons, and the
Canada–Belarus trade figures as a chart and a table.

Nothing is stored: the form posts the facts, the page answers, and the facts are gone with the response
(no session, no table, no log). The law is applied as of the date the person gives (default today).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from passage.authz.routes import public_route
from passage.engine import InputError
from passage.engine.facts import FactSpec, parse_date
from passage.trade_figures import load_cited_figures, render_svg
from passage.web import engine
from passage.web.texts import countries, fmt_date, t
from passage.web.views import _base, _check_lang, today

SUBJECT = "shipment"
VALUE_KEYS = ("policy", "schedule_line", "rate", "matched_name", "matched_entry", "score")  # option values shown


def _fields(lang: str, values: dict[str, str], errors: dict[str, str]) -> list[dict[str, Any]]:
    """The shipment facts a person can give, as form fields (derived facts are computed, never asked)."""
    catalog: dict[str, FactSpec] = engine.library().facts.get(SUBJECT, {})
    fields = []
    for name, spec in catalog.items():
        if spec.derived:
            continue
        fields.append({
            "name": name,
            "type": spec.type,
            "question": spec.question[lang],
            "help": spec.help[lang] if spec.help else "",
            "value": values.get(name, ""),
            "error": errors.get(name, ""),
            "choices": [(value, labels[lang]) for value, labels in spec.values.items()],
            "countries": countries(lang) if spec.type == "country" else [],
        })
    return fields


def _raw_facts(post: dict[str, str]) -> dict[str, object]:
    """The posted fields as contract values; empty means unknown. Types are checked by the engine."""
    catalog = engine.library().facts.get(SUBJECT, {})
    raw: dict[str, object] = {}
    for name, spec in catalog.items():
        value = post.get(name, "").strip()
        if not value or spec.derived:
            continue
        if spec.type == "bool":
            raw[name] = {"yes": True, "no": False}.get(value, value)
        elif spec.type == "decimal":
            raw[name] = value.replace(",", ".").replace(" ", "")
        elif spec.nullable and value == "none":
            raw[name] = None
        else:
            raw[name] = value
    return raw


def _results(raw: dict[str, object], on: date, lang: str) -> list[dict[str, Any]]:
    assessment = engine.run(raw, on, SUBJECT)
    data = assessment.to_dict(lang)
    sources = assessment.library.sources
    results = []
    for option in data["options"]:
        values = {key: option[key] for key in VALUE_KEYS if option.get(key) not in (None, "")}
        results.append({
            **option,
            "status_label": t(f"trade.status.{option['status']}", lang),
            "values": values,
            "cites": [{"title": sources[s].title, "url": sources[s].url, "verified": sources[s].verified}
                      for s in option["sources"] if s in sources],
        })
    return results


@public_route(["GET", "POST"])
def trade(request: HttpRequest, lang: str) -> HttpResponse:
    _check_lang(lang)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    results: list[dict[str, Any]] = []
    on = today()
    status = 200
    if request.method == "POST":
        values = {key: str(request.POST.get(key, ""))[:500] for key in request.POST if key != "csrfmiddlewaretoken"}
        try:
            if values.get("on"):
                on = parse_date(values["on"], "on")
            results = _results(_raw_facts(values), on, lang)
        except InputError as error:
            errors = {problem.field.split("[")[0]: f"{t('errors.invalid', lang)}: {problem}"
                      for problem in error.problems}
            status = 400
    context = _base(
        request, lang,
        fields=_fields(lang, values, errors),
        errors=list(errors.values()),
        results=results,
        on_value=values.get("on") or on.isoformat(),
        on_text=fmt_date(on, lang),
        figures_table=_figures_rows(lang),
    )
    return render(request, "passage/trade.html", context, status=status)


def _figures_rows(lang: str) -> list[dict[str, str]]:
    from passage.trade_figures import format_millions

    rows = []
    for year in load_cited_figures().years:
        rows.append({
            "year": str(year.year),
            "exports": format_millions(year.exports.value, lang) if year.exports.value is not None else "—",
            "imports": format_millions(year.imports.value, lang) if year.imports.value is not None else "—",
        })
    return rows


@public_route(["GET"])
def trade_chart(request: HttpRequest, lang: str) -> HttpResponse:
    """The cited figures as an SVG image, labelled in `lang` (served from our own origin)."""
    _check_lang(lang)
    return HttpResponse(render_svg(load_cited_figures(), lang), content_type="image/svg+xml; charset=utf-8")
