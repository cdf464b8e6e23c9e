"""Reading a trade CSV into numbered rows, and the cell parsers both layouts share (private).

Invariants: text is UTF-8 (a byte-order mark is allowed); every row keeps the line it starts on, so each
error can name it; a cell is parsed as a number only when it is one (no float, no locale guessing).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from passage.trade_figures.errors import TradeFileError
from passage.trade_figures.series import Flow

# Statistics Canada's standard table symbols (statcan.gc.ca "Symbol legend"): the figure is not there.
SYMBOL_REASONS = {
    "x": "suppressed",  # suppressed to meet the confidentiality requirements of the Statistics Act
    "F": "unreliable",  # too unreliable to be published
    "..": "not_available",  # not available for a specific reference period
    ".": "not_available",  # not available for any reference period
    "...": "not_applicable",
}
_MONTHLY = re.compile(r"(\d{4})-?(\d{2})(?:-\d{2})?")
_YEARLY = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class Row:
    line: int
    cells: list[str]

    def blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


@dataclass(frozen=True)
class Observation:
    """One cell of trade: a flow member (exports, imports, or the parts of exports) for a year or a month."""

    member: str  # "exports" | "imports" | "domestic" | "re"
    year: int
    month: int | None
    value: Decimal | None
    reason: str  # why value is None
    line: int
    flag: str = ""  # a quality symbol kept with the value (E, p, r, A-D)


def decode(data: bytes, file: str) -> str:
    """The file's text; names the line of the first byte that is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise TradeFileError(
            file,
            line,
            "UTF-8 text (Statistics Canada's CSV downloads are UTF-8; re-save the file as UTF-8)",
            f"byte 0x{data[error.start]:02x}",
        ) from error
    if "\x00" in text:
        raise TradeFileError(
            file, text[: text.index("\x00")].count("\n") + 1, "text", "a NUL byte (binary file?)"
        )
    return text


def read_rows(text: str, file: str) -> list[Row]:
    """Rows with the line each starts on; blank rows dropped (they carry nothing)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            row = Row(start, cells)
            if not row.blank():
                rows.append(row)
            start = reader.line_num + 1
    except csv.Error as error:
        raise TradeFileError(
            file, reader.line_num or 1, "well-formed CSV (quotes closed, commas between cells)", str(error)
        ) from error
    if not rows:
        raise TradeFileError(file, None, "a header row and data rows", "an empty file")
    return rows


def header_key(name: str) -> str:
    """A header compared without case, surrounding space or doubled spaces."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()


def parse_period(raw: str, file: str, line: int) -> tuple[int, int | None]:
    """`2021` -> (2021, None); `2021-03`, `202103` or `2021-03-01` -> (2021, 3)."""
    text = raw.strip()
    if match := _YEARLY.fullmatch(text):
        return int(match.group(1)), None
    if (match := _MONTHLY.fullmatch(text)) and 1 <= int(match.group(2)) <= 12:
        return int(match.group(1)), int(match.group(2))
    raise TradeFileError(file, line, "a period written YYYY or YYYY-MM", repr(raw))


def parse_amount(raw: str, file: str, line: int, *, grouped: bool) -> Decimal:
    """A number zero or more; `grouped` allows `$` and `,` thousands separators (English exports)."""
    text = raw.strip()
    if grouped:
        text = text.replace("$", "").replace(",", "").replace("\u00a0", "").replace(" ", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value < 0 or not re.fullmatch(r"\d+(\.\d+)?", text.lstrip("+")):
        raise TradeFileError(
            file, line, "a number, zero or more (or a Statistics Canada symbol x, F, ..)", repr(raw)
        )
    return value


_IMPORTS = {"import", "imports", "total imports", "total import"}
_EXPORTS = {"export", "exports", "total exports", "total export"}
_DOMESTIC = {"domestic export", "domestic exports"}
_RE = {"re-export", "re-exports", "reexport", "reexports", "re-exportations"}
_BALANCE = {"balance", "trade balance", "balance of trade", "total trade", "trade"}


def trade_member(raw: str, file: str, line: int) -> str | None:
    """The flow a Trade cell names (exports, imports, domestic, re), or None for a balance or total trade."""
    key = header_key(raw)
    for names, member in ((_IMPORTS, "imports"), (_EXPORTS, "exports"), (_DOMESTIC, "domestic"), (_RE, "re")):
        if key in names:
            return member
    if key in _BALANCE:
        return None
    raise TradeFileError(
        file, line, "a trade flow: Import, Export, Domestic export, Re-export or Trade balance", repr(raw)
    )


def check_flow(flow: str | None) -> Flow | None:
    if flow is None:
        return None
    if flow == "exports":
        return "exports"
    if flow == "imports":
        return "imports"
    raise TradeFileError("--flow", None, "exports or imports", repr(flow))
