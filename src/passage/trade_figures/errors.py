"""Errors of the trade-figures package: each names the file, the line (if any) and what was expected.

Callers (the CLI, the web) catch `TradeFiguresError` and show its message; for bad input nothing in this
package lets another exception type escape, and nothing is skipped silently.
"""

from __future__ import annotations

from passage.engine.errors import PassageError


class TradeFiguresError(PassageError):
    """Base class of every error this package raises on purpose."""


class TradeFileError(TradeFiguresError):
    """A trade-figures file that cannot be used: names the file, the line and what was expected there."""

    def __init__(self, file: str, line: int | None, expected: str, found: str = "") -> None:
        self.file, self.line, self.expected, self.found = file, line, expected, found
        where = f"{file}: line {line}" if line is not None else file
        got = f"; got {found}" if found else ""
        super().__init__(f"{where}: expected {expected}{got}")
