"""The body of `passage trade-figures`: print the table, and write the SVG chart when asked.

A plain function so the CLI module only registers it; every problem surfaces as a `PassageError`
(`TradeFiguresError`), which the CLI turns into exit code 2 with one line, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from passage.trade_figures.chart import render_svg
from passage.trade_figures.cited import load_cited_figures
from passage.trade_figures.errors import TradeFiguresError, TradeFileError
from passage.trade_figures.statcan import load_statcan_csv
from passage.trade_figures.table import format_table
from passage.trade_figures.texts import check_language


def figures_command(
    csv: Path | None, partner: str, lang: str, output: Path | None, flow: str | None = None
) -> None:
    """Print Canada's trade with `partner` by year (cited figures, or a StatCan CSV's); write the SVG."""
    check_language(lang)
    if csv is None:
        if partner.strip().casefold() != "belarus":
            raise TradeFiguresError(
                f"--partner: the cited figures cover Belarus only; got {partner!r} "
                "(give a Statistics Canada CSV for another partner)"
            )
        if flow is not None:
            raise TradeFiguresError("--flow: only with a CSV file that holds one flow")
        series = load_cited_figures()
    else:
        series = load_statcan_csv(csv, partner, flow)
    sys.stdout.write(format_table(series, lang))
    if output is not None:
        try:
            output.write_text(render_svg(series, lang), encoding="utf-8")
        except OSError as error:
            raise TradeFileError(
                str(output), None, "a writable file for the SVG chart", error.strerror or type(error).__name__
            ) from error
        sys.stdout.write(f"\n→ {output}\n")
