"""Fuzzing the parsers of files people import (SECURITY-TESTS item 18): GAC's consolidated sanctions list
(`passage screen --list`) and Statistics Canada trade CSVs (`passage trade-figures --csv`). Whatever the
bytes, a parser returns its result or raises its own error naming the file and what was expected (exit
code 2 at the command line), never a bare exception and its traceback.

The inputs are the project's own well-formed fixtures, then mangled: bytes flipped, cut short, spliced
with pieces of another file, or replaced by random bytes altogether.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passage.screening.gac_xml import ListFormatError, parse_consolidated_list
from passage.trade_figures.errors import TradeFiguresError
from passage.trade_figures.statcan import read_trade_csv

HERE = Path(__file__).resolve().parent
XML_SAMPLES = sorted((HERE / "screening" / "fixtures").glob("sema-lmes-*.xml"))
CSV_SAMPLES = sorted((HERE / "trade_figures" / "fixtures").glob("*.csv"))


def mangled(samples: list[Path]) -> st.SearchStrategy[bytes]:
    """A sample's bytes with up to four edits (a flipped byte, a cut, a splice from another sample), or
    random bytes."""
    originals = [path.read_bytes() for path in samples]

    @st.composite
    def edit(draw: st.DrawFn) -> bytes:
        data = bytearray(draw(st.sampled_from(originals)))
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from(["flip", "cut", "splice", "insert"]))
            at = draw(st.integers(0, max(0, len(data) - 1)))
            if kind == "flip" and data:
                data[at] = draw(st.integers(0, 255))
            elif kind == "cut":
                del data[at:]
            elif kind == "splice":
                other = draw(st.sampled_from(originals))
                start = draw(st.integers(0, max(0, len(other) - 1)))
                data[at:at] = other[start:start + draw(st.integers(1, 200))]
            else:
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
        return bytes(data)

    return st.one_of(edit(), st.binary(max_size=300))


def test_there_are_samples_to_mangle() -> None:
    """The fuzz starts from real files: every sample used is one the parsers' own tests read."""
    assert len(XML_SAMPLES) >= 3
    assert len(CSV_SAMPLES) >= 5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled(XML_SAMPLES), country=st.sampled_from(["Belarus", None]))
def test_the_sanctions_list_parser_fails_only_with_its_own_error(data: bytes, country: str | None) -> None:
    message = ""
    try:
        entries = parse_consolidated_list(data, "sema-lmes.xml", country)
    except ListFormatError as error:
        message = str(error)
    if message:
        assert "sema-lmes.xml" in message
    else:
        assert all(entry.name for entry in entries)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mangled(CSV_SAMPLES), flow=st.sampled_from([None, "imports", "exports"]))
def test_the_trade_csv_parser_fails_only_with_its_own_error(data: bytes, flow: str | None) -> None:
    message = ""
    try:
        series = read_trade_csv(data, "trade.csv", "Belarus", flow)
    except TradeFiguresError as error:
        message = str(error)
    if message:
        assert "trade.csv" in message
    else:
        assert series is not None
