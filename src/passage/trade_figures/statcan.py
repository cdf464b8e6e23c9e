"""Loading Canada's merchandise trade with one partner from a Statistics Canada CSV the user downloaded.

Two layouts, told apart by the header:

(a) The standard Statistics Canada data-table CSV ("full table download", English). *Confirmed* from
    Statistics Canada's Full Table Download (CSV) User Guide and symbol legend: English files are
    comma-separated (French ones use semicolons, and are refused with a message); one observation per row;
    symbols `x` suppressed (Statistics Act), `F` too unreliable, `..` not available for the period.
    *Confirmed from secondary sources only* (public schemas of StatCan tables): the columns `REF_DATE`,
    `GEO`, `DGUID`, one column per dimension, `UOM`, `UOM_ID`, `SCALAR_FACTOR`, `SCALAR_ID`, `VECTOR`,
    `COORDINATE`, `VALUE`, `STATUS`, `SYMBOL`, `TERMINATED`, `DECIMALS`, with `VALUE` scaled by
    `SCALAR_FACTOR` ("units", "thousands", "millions", ...) and an empty `VALUE` beside a `STATUS` symbol.
    *Assumed* (from the table's dimension names, not checked against a downloaded file): the dimension
    columns `Trade` (Import, Export / Domestic export / Re-export, Trade balance) and `Principal trading
    partners`; any column whose name contains "partner" or "countr" is taken as the partner.
(b) A CIMT / Trade Data Online style export. *Assumed* (no official description of the export's header
    was found): one row per partner, flow and period, with a year/period column, a country/partner column,
    a trade-flow column (or `flow` given for the whole file) and a value column in dollars (or thousands /
    millions when the header says so); title lines before the header and one-cell notes after the data are
    allowed and reported as notes.

Invariants: monthly figures are summed to a year only when all twelve months have a value (otherwise the
year is missing, with the reason); a suppressed or unavailable cell is missing, never zero; a file that
breaks the figures down further than partner x flow x period (by province, product, basis...) is refused
unless one value per dimension can be chosen by a stated rule (GEO Canada, customs basis, unadjusted), and
each choice is recorded as a note. Every problem raises `TradeFileError` naming the file and the line.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from passage.trade_figures._csv import (
    SYMBOL_REASONS,
    Observation,
    Row,
    check_flow,
    decode,
    header_key,
    parse_amount,
    parse_period,
    read_rows,
    trade_member,
)
from passage.trade_figures.errors import TradeFileError
from passage.trade_figures.series import Amount, Flow, Note, TradeSeries, YearFigures

_SCALES = {
    "units": 0,
    "unit": 0,
    "tens": 1,
    "hundreds": 2,
    "thousands": 3,
    "tens of thousands": 4,
    "hundreds of thousands": 5,
    "millions": 6,
    "tens of millions": 7,
    "hundreds of millions": 8,
    "billions": 9,
}
_DOLLARS = {"dollars", "dollar", "canadian dollars", "dollars canadiens"}
_METADATA = {
    "ref_date",
    "dguid",
    "uom",
    "uom_id",
    "scalar_factor",
    "scalar_id",
    "vector",
    "coordinate",
    "value",
    "status",
    "symbol",
    "terminated",
    "decimals",
}
# When a file holds several values of a dimension, the one that gives Canada's customs-basis annual totals.
_PREFERRED = {"geo": "canada", "basis": "customs", "seasonal adjustment": "unadjusted"}
_YEAR_HEADERS = {"year", "period", "ref_date", "time period", "année", "annee", "période", "periode"}
_FLOW_HEADERS = {"trade flow", "flow", "trade", "trade type", "flux", "commerce", "type de commerce"}


def load_statcan_csv(path: Path, partner: str = "Belarus", flow: str | None = None) -> TradeSeries:
    """Figures by year for `partner` from a Statistics Canada CSV (either layout); see the module doc."""
    file = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TradeFileError(
            file, None, "a readable CSV file", error.strerror or type(error).__name__
        ) from error
    return read_trade_csv(data, file, partner, flow)


def read_trade_csv(data: bytes, file: str, partner: str = "Belarus", flow: str | None = None) -> TradeSeries:
    """As `load_statcan_csv`, from the file's bytes (`file` names it in errors)."""
    given_flow = check_flow(flow)
    if not partner.strip():
        raise TradeFileError(file, None, "a partner name", "an empty name")
    rows = read_rows(decode(data, file), file)
    header = rows[0]
    keys = [header_key(cell) for cell in header.cells]
    if len(keys) == 1 and ";" in header.cells[0]:
        raise TradeFileError(
            file,
            header.line,
            "the English, comma-separated download (columns REF_DATE, ..., "
            "VALUE); this looks like the French, semicolon-separated one",
            header.cells[0][:60],
        )
    if "ref_date" in keys and "value" in keys:
        observations, notes = _table_layout(rows, keys, file, partner, given_flow)
    else:
        observations, notes = _flow_layout(rows, file, partner, given_flow)
    return _series(observations, notes, file, partner, given_flow)


def _column(keys: list[str], name: str, file: str, header: Row) -> int:
    if name not in keys:
        raise TradeFileError(
            file,
            header.line,
            f"a column {name.upper()} (Statistics Canada table layout)",
            "columns " + ", ".join(cell.strip() for cell in header.cells),
        )
    return keys.index(name)


def _check_width(row: Row, width: int, file: str) -> None:
    if len(row.cells) != width:
        raise TradeFileError(file, row.line, f"{width} cells, as in the header", f"{len(row.cells)} cells")


def _same_partner(cell: str, partner: str) -> bool:
    name = header_key(cell)
    if "[" in name:  # member names may carry a code: "Belarus [BY]"
        name = name[: name.index("[")].strip()
    return name == header_key(partner)


def _no_partner(file: str, partner: str, seen: set[str]) -> TradeFileError:
    listed = ", ".join(sorted(seen)[:12]) + (", ..." if len(seen) > 12 else "")
    return TradeFileError(file, None, f"rows for the partner {partner!r}", f"partners in the file: {listed}")


def _table_layout(
    rows: list[Row], keys: list[str], file: str, partner: str, flow: Flow | None
) -> tuple[list[Observation], list[Note]]:
    line = rows[0].line
    ref, value, uom, scalar = (
        _column(keys, name, file, rows[0]) for name in ("ref_date", "value", "uom", "scalar_factor")
    )
    status = keys.index("status") if "status" in keys else None
    dimensions = [i for i, key in enumerate(keys) if key not in _METADATA]
    partners = [i for i in dimensions if "partner" in keys[i]] or [
        i for i in dimensions if "countr" in keys[i]
    ]
    if len(partners) != 1:
        raise TradeFileError(
            file,
            line,
            "one partner column (such as `Principal trading partners`)",
            "columns " + ", ".join(rows[0].cells),
        )
    who = partners[0]
    trade = keys.index("trade") if "trade" in keys else None
    if trade is None and flow is None:
        raise TradeFileError(file, line, "a `Trade` column, or the flow of the whole file given (--flow)")
    others = [i for i in dimensions if i not in (who, trade)]
    matched, seen = [], set()
    for row in rows[1:]:
        _check_width(row, len(keys), file)
        seen.add(row.cells[who].strip())
        if _same_partner(row.cells[who], partner):
            matched.append(row)
    if not matched:
        raise _no_partner(file, partner, seen)
    matched, notes = _choose(matched, others, rows[0].cells, file)
    observations = []
    for row in matched:
        member = trade_member(row.cells[trade], file, row.line) if trade is not None else flow
        if member is None or (flow is not None and _flow_of(member) != flow):
            continue  # a trade balance, or the flow not asked for: derived or unwanted, not data lost
        if header_key(row.cells[uom]) not in _DOLLARS:
            raise TradeFileError(file, row.line, "UOM Dollars", repr(row.cells[uom]))
        exponent = _SCALES.get(header_key(row.cells[scalar]))
        if exponent is None:
            raise TradeFileError(
                file, row.line, "SCALAR_FACTOR units, thousands, millions, ...", repr(row.cells[scalar])
            )
        symbol = row.cells[status].strip() if status is not None else ""
        observations.append(
            _observe(
                member,
                row,
                row.cells[ref],
                row.cells[value],
                symbol,
                Decimal(10) ** exponent,
                file,
                grouped=False,
            )
        )
    return observations, notes


def _choose(
    rows: list[Row], dimensions: list[int], names: list[str], file: str
) -> tuple[list[Row], list[Note]]:
    """Keep one value of each other dimension: the only one, or the preferred one; else refuse the file."""
    notes = []
    for i in dimensions:
        values = sorted({row.cells[i].strip() for row in rows})
        if len(values) == 1:
            continue
        wanted = _PREFERRED.get(header_key(names[i]))
        chosen = [v for v in values if wanted is not None and header_key(v).startswith(wanted)]
        if len(chosen) != 1:
            raise TradeFileError(
                file,
                None,
                f"one value of `{names[i].strip()}` (filter the table to one)",
                ", ".join(values[:8]),
            )
        rows = [row for row in rows if row.cells[i].strip() == chosen[0]]
        notes.append(Note("selection", (("dimension", names[i].strip()), ("value", chosen[0]))))
    return rows, notes


def _flow_of(member: str) -> Flow:
    return "imports" if member == "imports" else "exports"


def _observe(
    member: str, row: Row, period: str, raw: str, symbol: str, scale: Decimal, file: str, *, grouped: bool
) -> Observation:
    year, month = parse_period(period, file, row.line)
    text = raw.strip()
    reason = SYMBOL_REASONS.get(symbol) or SYMBOL_REASONS.get(text)
    if reason is not None:
        return Observation(member, year, month, None, reason, row.line)
    if not text:
        return Observation(member, year, month, None, "not_available", row.line)
    value = parse_amount(text, file, row.line, grouped=grouped) * scale
    return Observation(member, year, month, value, "", row.line, symbol)


def _flow_layout(
    rows: list[Row], file: str, partner: str, flow: Flow | None
) -> tuple[list[Observation], list[Note]]:
    start, columns = _find_header(rows, file, flow)
    header = rows[start]
    year, who, value = columns["year"], columns["partner"], columns["value"]
    trade = columns.get("flow")
    value_key = header_key(header.cells[value])
    scale = (
        Decimal(1_000_000)
        if "million" in value_key
        else Decimal(1_000)
        if "thousand" in value_key
        else Decimal(1)
    )
    notes = [Note("file_note", (("line", str(r.line)), ("text", r.cells[0].strip()))) for r in rows[:start]]
    observations, seen = [], set()
    for row in rows[start + 1 :]:
        if len(row.cells) != len(header.cells) and not any(cell.strip() for cell in row.cells[1:]):
            notes.append(Note("file_note", (("line", str(row.line)), ("text", row.cells[0].strip()))))
            continue  # a footnote such as "Source: Statistics Canada": kept as a note, not data
        _check_width(row, len(header.cells), file)
        seen.add(row.cells[who].strip())
        if not _same_partner(row.cells[who], partner):
            continue
        member = trade_member(row.cells[trade], file, row.line) if trade is not None else flow
        if member is None or (flow is not None and _flow_of(member) != flow):
            continue
        observations.append(
            _observe(member, row, row.cells[year], row.cells[value], "", scale, file, grouped=True)
        )
    if not any(_same_partner(name, partner) for name in seen):
        raise _no_partner(file, partner, seen)
    return observations, notes


def _find_header(rows: list[Row], file: str, flow: Flow | None) -> tuple[int, dict[str, int]]:
    """The first of the top rows naming a year, a partner and a value column (and a flow, unless given)."""
    for index, row in enumerate(rows[:30]):
        keys = [header_key(cell) for cell in row.cells]
        columns = {
            "year": [i for i, k in enumerate(keys) if k in _YEAR_HEADERS],
            "partner": [i for i, k in enumerate(keys) if "partner" in k or "countr" in k or k in ("pays",)],
            "value": [i for i, k in enumerate(keys) if k.startswith(("value", "valeur"))],
            "flow": [i for i, k in enumerate(keys) if k in _FLOW_HEADERS],
        }
        if all(len(columns[name]) == 1 for name in ("year", "partner", "value")):
            found = {name: found[0] for name, found in columns.items() if len(found) == 1}
            if "flow" not in found and flow is None:
                raise TradeFileError(
                    file,
                    row.line,
                    "a trade-flow column (imports/exports), or the flow of the whole file given (--flow)",
                    "columns " + ", ".join(row.cells),
                )
            return index, found
    raise TradeFileError(
        file,
        rows[0].line,
        "a header with REF_DATE and VALUE (Statistics Canada table) or with "
        "a year, a country/partner, a trade flow and a value column",
        "first row " + ", ".join(rows[0].cells)[:120],
    )


def _series(
    observations: list[Observation], notes: list[Note], file: str, partner: str, flow: Flow | None
) -> TradeSeries:
    by_key: dict[tuple[str, int], list[Observation]] = defaultdict(list)
    for obs in observations:
        by_key[(obs.member, obs.year)].append(obs)
    years = sorted({year for _, year in by_key})
    result = []
    for year in years:
        imports = _year_amount([by_key.get(("imports", year), [])], file)
        totals = by_key.get(("exports", year), [])
        parts = [by_key.get(("domestic", year), []), by_key.get(("re", year), [])]
        # Without a total-exports row, total exports = domestic exports + re-exports (the CIMT definition).
        exports = _year_amount([totals] if totals or not any(parts) else parts, file)
        result.append(YearFigures(year, exports, imports))
    if flow is not None:
        notes.append(Note("one_flow", (("flow", flow),)))
    return TradeSeries(partner.strip(), file, tuple(result), tuple(notes))


def _year_amount(parts: list[list[Observation]], file: str) -> Amount:
    """The year's value as the sum of `parts`, each a whole year; missing if any part is missing."""
    total, lines, flags = Decimal(0), [], set()
    for observations in parts:
        if not observations:
            return Amount.absent(file, "not_in_file")
        amount = _one_part(observations, file)
        if isinstance(amount, str):
            return Amount.absent(file, amount, _lines(observations))
        total += amount
        lines.extend(observations)
        flags |= {obs.flag for obs in observations if obs.flag}
    note = _lines(lines) + (f"; STATUS {', '.join(sorted(flags))}" if flags else "")
    return Amount(total, file, note)


def _one_part(observations: list[Observation], file: str) -> Decimal | str:
    """A year's value from one annual row or twelve monthly rows, or the reason it is missing."""
    months = [obs.month for obs in observations]
    if None in months:
        if len(observations) > 1:
            raise TradeFileError(
                file,
                observations[1].line,
                "one row per partner, flow and period (the file "
                "seems broken down further, e.g. by product or province: export the total)",
                f"another row for {observations[0].year}",
            )
        only = observations[0]
        return only.value if only.value is not None else only.reason
    if len(set(months)) != len(months):
        again = next(obs for i, obs in enumerate(observations) if obs.month in months[:i])
        raise TradeFileError(
            file,
            again.line,
            "one row per partner, flow and month (the file seems broken down "
            "further, e.g. by product or province: export the total)",
            f"another row for {again.year}-{again.month:02d}",
        )
    for obs in sorted(observations, key=lambda o: o.month or 0):
        if obs.value is None:
            return obs.reason
    if len(months) < 12:
        return "incomplete_year"
    return sum((obs.value for obs in observations if obs.value is not None), Decimal(0))


def _lines(observations: list[Observation]) -> str:
    numbers = sorted(obs.line for obs in observations)
    if not numbers:
        return ""
    return f"line {numbers[0]}" if len(numbers) == 1 else f"lines {numbers[0]}-{numbers[-1]}"
