"""A plain-text table of a trade series (the CLI's output and the chart's text fallback).

Invariants: one line per year from the first figure to the last, so a year with no figure shows as such;
each missing amount says why; each row names its source; notes (rows set aside, selections) follow.
"""

from __future__ import annotations

from passage.trade_figures.series import TradeSeries
from passage.trade_figures.texts import format_amount, format_note, partner_name, text


def table_rows(series: TradeSeries, lang: str) -> list[tuple[str, str, str, str]]:
    """(year, exports, imports, source) for every year of the span, formatted for `lang`."""
    rows = []
    known = series.by_year()
    for year in series.span():
        row = known.get(year)
        if row is None:
            gap = text("missing.no_year", lang)
            rows.append((str(year), gap, gap, ""))
            continue
        sources = dict.fromkeys(a.source for a in (row.exports, row.imports))
        mark = " *" if row.verified is False else ""
        rows.append(
            (
                str(year),
                format_amount(row.exports, lang),
                format_amount(row.imports, lang),
                ", ".join(sources) + mark,
            )
        )
    return rows


def format_table(series: TradeSeries, lang: str, title: str | None = None) -> str:
    """The series as aligned text: a title, the unit, one line per year, then the notes."""
    partner = partner_name(series.partner, lang)
    heading = title or text("title.default", lang, partner=partner)
    header = (
        text("table.year", lang),
        text("flow.exports", lang),
        text("flow.imports", lang),
        text("table.source", lang),
    )
    body = table_rows(series, lang)
    if not body:
        return "\n".join([heading, text("desc.empty", lang)]) + "\n"
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]
    lines = [heading, f"({text('axis.unit', lang)})", ""]
    for line in [header, *body]:
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
    footer = []
    if any(row.exports.approximate or row.imports.approximate for row in series.years):
        footer.append(text("value.approximate", lang))
    if any(cells[3].endswith("*") for cells in body):
        footer.append(text("value.unverified", lang))
    footer.extend(format_note(note, lang) for note in series.notes)
    if footer:
        lines.extend(["", *footer])
    return "\n".join(lines) + "\n"
