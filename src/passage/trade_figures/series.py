"""Canada's merchandise trade with one partner, year by year: the records every loader returns and the
chart and table read.

Invariants: amounts are exact `Decimal` Canadian dollars (never floats); a year or a side of the trade with no
figure stays missing (`value is None`, with the reason), never zero and never interpolated; every amount
names where it comes from (a source id of `sources.yaml`, or a file and its lines).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

Flow = Literal["exports", "imports"]
FLOWS: tuple[Flow, ...] = ("exports", "imports")


@dataclass(frozen=True)
class Amount:
    """One side of one year's trade: a value in CAD, or why there is none."""

    value: Decimal | None
    source: str
    note: str = ""
    approximate: bool = False
    missing: str = ""  # a reason key (texts.yaml `missing.*`) when value is None

    @classmethod
    def absent(cls, source: str, reason: str, note: str = "") -> Amount:
        return cls(None, source, note, missing=reason)


@dataclass(frozen=True)
class YearFigures:
    """Exports to and imports from the partner in one calendar year."""

    year: int
    exports: Amount
    imports: Amount
    verified: bool | None = None  # cited figures: whether the source is official; None for a user's file

    @property
    def exports_cad(self) -> Decimal | None:
        return self.exports.value

    @property
    def imports_cad(self) -> Decimal | None:
        return self.imports.value

    def amount(self, flow: Flow) -> Amount:
        return self.exports if flow == "exports" else self.imports


@dataclass(frozen=True)
class Note:
    """A remark about a series for the reader (a text key of texts.yaml `note.*` and its values)."""

    key: str
    values: tuple[tuple[str, str], ...] = ()

    def mapping(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True)
class TradeSeries:
    """Figures by year (ascending, one record per year) for one partner, with where they come from."""

    partner: str
    origin: str
    years: tuple[YearFigures, ...]
    notes: tuple[Note, ...] = field(default=())

    def __post_init__(self) -> None:
        numbers = [row.year for row in self.years]
        if numbers != sorted(set(numbers)):
            raise ValueError("years must be ascending and unique")  # a bug of ours, not bad input

    def by_year(self) -> dict[int, YearFigures]:
        return {row.year: row for row in self.years}

    def span(self) -> range:
        """Every year from the first to the last figure: years absent in between are gaps to show."""
        if not self.years:
            return range(0)
        return range(self.years[0].year, self.years[-1].year + 1)
