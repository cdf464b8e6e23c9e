"""The Canada-Belarus figures Passage cites (rulebooks/ca_trade_belarus/data/trade_figures.yaml) as a series.

Only Canada-reported figures in CAD enter the series; a row reported by another country or in another
currency (the Belarus MFA's USD figures for 2020) is set aside with a note, because adding or charting it
next to Canadian figures would compare unlike things. A year with no row is absent; a `null` side is missing
("not reported by that source"). Nothing is interpolated.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from passage.trade_figures.errors import TradeFileError
from passage.trade_figures.series import Amount, Note, TradeSeries, YearFigures

CITED_FILE = (
    Path(__file__).resolve().parent.parent / "rulebooks" / "ca_trade_belarus" / "data" / "trade_figures.yaml"
)
_UNITS = {"million": Decimal(1_000_000), "thousand": Decimal(1_000), "unit": Decimal(1)}


def load_cited_figures(path: Path = CITED_FILE) -> TradeSeries:
    """Canada's exports to and imports from Belarus by year, as cited in `trade_figures.yaml`."""
    file = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise TradeFileError(file, None, "a readable UTF-8 YAML file", type(error).__name__) from error
    rows = raw.get("figures") if isinstance(raw, dict) else None
    if not isinstance(rows, list):
        raise TradeFileError(file, None, "a mapping with a list `figures`")
    years: dict[int, YearFigures] = {}
    notes: list[Note] = []
    for index, row in enumerate(rows):
        key = f"figures[{index}]"
        if not isinstance(row, dict):
            raise TradeFileError(file, None, f"{key}: a mapping")
        year = row.get("year")
        if not isinstance(year, int) or isinstance(year, bool):
            raise TradeFileError(file, None, f"{key}.year: a whole year", repr(year))
        source = row.get("source")
        if not isinstance(source, str) or not source:
            raise TradeFileError(file, None, f"{key}.source: a source id", repr(source))
        reporter, currency = row.get("reporter"), row.get("currency")
        if reporter != "Canada" or currency != "CAD":
            notes.append(
                Note(
                    "set_aside",
                    (
                        ("year", str(year)),
                        ("reporter", str(reporter)),
                        ("currency", str(currency)),
                        ("source", source),
                    ),
                )
            )
            continue
        if year in years:
            raise TradeFileError(file, None, f"{key}: one Canada-reported row per year", f"{year} twice")
        scale = _UNITS.get(str(row.get("unit")))
        if scale is None:
            raise TradeFileError(file, None, f"{key}.unit: one of {', '.join(_UNITS)}", repr(row.get("unit")))
        note = str(row.get("notes") or "")
        approximate = row.get("approximate") is True
        sides = [
            _amount(row.get(name), scale, source, note, approximate, file, f"{key}.{name}")
            for name in ("exports_to_belarus", "imports_from_belarus")
        ]
        years[year] = YearFigures(year, sides[0], sides[1], verified=row.get("verified") is True)
    return TradeSeries("Belarus", file, tuple(years[y] for y in sorted(years)), tuple(notes))


def _amount(
    raw: object, scale: Decimal, source: str, note: str, approximate: bool, file: str, key: str
) -> Amount:
    if raw is None:
        return Amount.absent(source, "not_reported", note)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise TradeFileError(file, None, f"{key}: a number or null", repr(raw))
    try:
        value = Decimal(str(raw)) * scale  # str(): 1.7 stays 1.7, not the binary float 1.69999...
    except InvalidOperation as error:
        raise TradeFileError(file, None, f"{key}: a finite number", repr(raw)) from error
    if not value.is_finite() or value < 0:
        raise TradeFileError(file, None, f"{key}: a finite number, zero or more", repr(raw))
    whole = value == value.to_integral_value()
    return Amount(value.quantize(Decimal(1)) if whole else value, source, note, approximate)
