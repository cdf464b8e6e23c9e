"""A self-contained, accessible SVG bar chart of a trade series: exports and imports by year.

Invariants: the SVG references nothing outside itself (no URL, font, stylesheet or script; only the SVG
namespace declaration); it has a `<title>` and a `<desc>` holding the whole table as text, so a screen reader
gets every figure; a bar is drawn only for an amount that exists, and a year or flow with no figure is an
empty slot marked "n/a" (in the reader's language), never a zero-height bar; colours are from the Okabe-Ito
palette, told apart by position and legend as well as hue. PNG output is not provided: it would need a
rasterizer (cairo) that Passage does not otherwise depend on.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from passage.trade_figures.series import FLOWS, TradeSeries
from passage.trade_figures.table import format_table
from passage.trade_figures.texts import check_language, format_amount, format_millions, partner_name, text

SVG_NS = "http://www.w3.org/2000/svg"
_COLOURS = {"exports": "#0072B2", "imports": "#D55E00"}  # Okabe-Ito blue and vermillion
_LEFT, _RIGHT, _TOP, _BOTTOM, _HEIGHT = 78, 24, 84, 48, 380
_SLOT = 64  # px per year
_MILLION = Decimal(1_000_000)


def render_svg(series: TradeSeries, lang: str, title: str | None = None) -> str:
    """The chart as an SVG document (UTF-8 text)."""
    check_language(lang)
    partner = partner_name(series.partner, lang)
    heading = title or text("title.default", lang, partner=partner)
    years = list(series.span())
    width = max(560, _LEFT + _RIGHT + _SLOT * len(years))
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(_HEIGHT),
            "viewBox": f"0 0 {width} {_HEIGHT}",
            "role": "img",
            "aria-labelledby": "chart-title chart-desc",
            "lang": lang,
            "font-family": "sans-serif",
            "font-size": "12",
        },
    )
    ET.SubElement(svg, "title", {"id": "chart-title"}).text = heading
    summary = (
        text("desc.summary", lang, partner=partner, first=years[0], last=years[-1])
        if years
        else text("desc.empty", lang)
    )
    ET.SubElement(svg, "desc", {"id": "chart-desc"}).text = (
        summary + "\n\n" + format_table(series, lang, heading)
    )
    ET.SubElement(svg, "rect", {"width": str(width), "height": str(_HEIGHT), "fill": "#ffffff"})
    ET.SubElement(
        svg, "text", {"x": str(_LEFT), "y": "24", "font-size": "16", "font-weight": "bold", "fill": "#1a1a1a"}
    ).text = heading
    _legend(svg, lang)
    if not years:
        ET.SubElement(
            svg, "text", {"x": str(_LEFT), "y": str(_HEIGHT // 2), "fill": "#1a1a1a"}
        ).text = summary
        return _serialize(svg)
    top = _axis(svg, series, lang, width)
    plot = _HEIGHT - _TOP - _BOTTOM
    known = series.by_year()
    bars = ET.SubElement(svg, "g", {"class": "bars"})
    for index, year in enumerate(years):
        x0 = _LEFT + index * _SLOT
        ET.SubElement(
            bars,
            "text",
            {
                "x": str(x0 + _SLOT // 2),
                "y": str(_HEIGHT - _BOTTOM + 18),
                "text-anchor": "middle",
                "fill": "#1a1a1a",
                "class": "year",
            },
        ).text = str(year)
        row = known.get(year)
        for position, flow in enumerate(FLOWS):
            amount = row.amount(flow) if row is not None else None
            x = x0 + 8 + position * 24
            label = text(f"flow.{flow}", lang)
            if amount is None or amount.value is None:
                reason = text("missing.no_year", lang) if amount is None else format_amount(amount, lang)
                gap = ET.SubElement(
                    bars,
                    "text",
                    {
                        "x": str(x + 10),
                        "y": str(_HEIGHT - _BOTTOM - 6),
                        "text-anchor": "middle",
                        "font-size": "9",
                        "fill": "#555555",
                        "class": f"gap {flow}",
                        "data-year": str(year),
                    },
                )
                gap.text = text("value.gap_mark", lang)
                ET.SubElement(gap, "title").text = f"{year}, {label}: {reason}"
                continue
            height = float(amount.value / _MILLION / top) * plot
            bar = ET.SubElement(
                bars,
                "rect",
                {
                    "x": str(x),
                    "y": f"{_HEIGHT - _BOTTOM - height:.2f}",
                    "width": "20",
                    "height": f"{height:.2f}",
                    "fill": _COLOURS[flow],
                    "class": f"bar {flow}",
                    "data-year": str(year),
                },
            )
            if amount.approximate:
                bar.set("stroke", "#1a1a1a")
                bar.set("stroke-dasharray", "3 2")
            value = text("value.millions", lang, amount=format_amount(amount, lang))
            ET.SubElement(bar, "title").text = f"{year}, {label}: {value}"
    return _serialize(svg)


def _legend(svg: ET.Element, lang: str) -> None:
    legend = ET.SubElement(svg, "g", {"class": "legend"})
    x = _LEFT
    for flow in FLOWS:
        ET.SubElement(
            legend, "rect", {"x": str(x), "y": "40", "width": "14", "height": "14", "fill": _COLOURS[flow]}
        )
        label = text(f"flow.{flow}", lang)
        ET.SubElement(legend, "text", {"x": str(x + 20), "y": "52", "fill": "#1a1a1a"}).text = label
        x += 40 + 7 * len(label)


def _axis(svg: ET.Element, series: TradeSeries, lang: str, width: int) -> Decimal:
    """Draw the value axis and grid; return the axis top in millions."""
    values = [
        a.value / _MILLION for row in series.years for a in (row.exports, row.imports) if a.value is not None
    ]
    step = _nice_step(max(values, default=Decimal(0)))
    top = step * 5
    plot = _HEIGHT - _TOP - _BOTTOM
    axis = ET.SubElement(svg, "g", {"class": "axis", "aria-hidden": "true"})
    for tick in range(6):
        y = _HEIGHT - _BOTTOM - plot * tick / 5
        ET.SubElement(
            axis,
            "line",
            {
                "x1": str(_LEFT),
                "x2": str(width - _RIGHT),
                "y1": f"{y:.2f}",
                "y2": f"{y:.2f}",
                "stroke": "#d0d0d0" if tick else "#1a1a1a",
            },
        )
        ET.SubElement(
            axis, "text", {"x": str(_LEFT - 6), "y": f"{y + 4:.2f}", "text-anchor": "end", "fill": "#1a1a1a"}
        ).text = format_millions(step * tick * _MILLION, lang)
    ET.SubElement(
        axis,
        "text",
        {
            "x": "16",
            "y": str(_TOP + plot // 2),
            "text-anchor": "middle",
            "fill": "#1a1a1a",
            "transform": f"rotate(-90 16 {_TOP + plot // 2})",
        },
    ).text = text("axis.unit", lang)
    return top


def _nice_step(maximum: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 x 10^k step with five steps reaching `maximum` (1 when there is nothing)."""
    if maximum <= 0:
        return Decimal(1)
    power = Decimal(10) ** (maximum / 5).adjusted()
    for factor in (1, 2, 5, 10):
        if power * factor * 5 >= maximum:
            return power * factor
    return power * 10  # unreachable: 10 x 10^k x 5 always reaches the maximum


def _serialize(svg: ET.Element) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode") + "\n"
