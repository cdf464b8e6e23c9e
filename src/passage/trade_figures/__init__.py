"""Canada's merchandise trade with Belarus (or another partner) by year: load, tabulate, chart. Pure: no
Django, no network.

Exports:
- `load_cited_figures(path=CITED_FILE)`: the figures Passage cites (rulebooks/ca_trade_belarus/data/
  trade_figures.yaml), Canada-reported CAD only; other rows set aside with a note.
- `load_statcan_csv(path, partner="Belarus", flow=None)` and `read_trade_csv(data, file, ...)`: a Statistics
  Canada data-table CSV or a CIMT / Trade Data Online style export (layouts in statcan.py and
  docs/trade-figures.md).
- `render_svg(series, lang, title=None)`: an accessible, self-contained SVG chart; `format_table(series,
  lang)`: the same as text. Languages en, fr, be, ru (texts.yaml).
- `figures_command(csv, partner, lang, output, flow=None)` (in `passage.trade_figures.cli`): the CLI body.
- Records: `TradeSeries`, `YearFigures`, `Amount`, `Note`; errors `TradeFiguresError`, `TradeFileError`.
"""

from passage.trade_figures.chart import render_svg
from passage.trade_figures.cited import CITED_FILE, load_cited_figures
from passage.trade_figures.errors import TradeFiguresError, TradeFileError
from passage.trade_figures.series import FLOWS, Amount, Flow, Note, TradeSeries, YearFigures
from passage.trade_figures.statcan import load_statcan_csv, read_trade_csv
from passage.trade_figures.table import format_table
from passage.trade_figures.texts import format_millions

__all__ = [
    "CITED_FILE",
    "FLOWS",
    "Amount",
    "Flow",
    "Note",
    "TradeFiguresError",
    "TradeFileError",
    "TradeSeries",
    "YearFigures",
    "format_millions",
    "format_table",
    "load_cited_figures",
    "load_statcan_csv",
    "read_trade_csv",
    "render_svg",
]
