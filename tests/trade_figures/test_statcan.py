"""Loading Statistics Canada CSV files: the data-table layout and the CIMT / Trade Data Online layout."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passage.engine.errors import PassageError
from passage.trade_figures import TradeFileError, load_statcan_csv, read_trade_csv

HEADER = (
    "REF_DATE,GEO,DGUID,Trade,Principal trading partners,UOM,UOM_ID,SCALAR_FACTOR,SCALAR_ID,VECTOR,"
    "COORDINATE,VALUE,STATUS,SYMBOL,TERMINATED,DECIMALS"
)


class TestStatcanTableMonthly:
    def test_months_sum_to_the_year_scaled_by_scalar_factor(self, fixtures: Path) -> None:
        """Twelve monthly values in thousands add up to the year's exact dollars."""
        row = load_statcan_csv(fixtures / "statcan_monthly.csv").by_year()[2021]
        assert row.imports_cad == sum(Decimal(2700 + m) for m in range(1, 13)) * 1000
        assert row.exports_cad == sum(Decimal(1300 + 2 * m) for m in range(1, 13)) * 1000

    def test_a_suppressed_month_makes_the_year_missing_not_zero(self, fixtures: Path) -> None:
        """A month marked x in STATUS leaves the year's imports missing as suppressed."""
        row = load_statcan_csv(fixtures / "statcan_monthly.csv").by_year()[2022]
        assert row.imports_cad is None
        assert row.imports.missing == "suppressed"
        assert row.exports_cad is not None

    def test_an_incomplete_year_is_missing(self, fixtures: Path) -> None:
        """Three months of 2023 are not a year: the figure is missing, with the reason."""
        row = load_statcan_csv(fixtures / "statcan_monthly.csv").by_year()[2023]
        assert (row.exports.missing, row.imports.missing) == ("incomplete_year", "incomplete_year")

    def test_other_partners_balance_and_other_basis_are_left_out(self, fixtures: Path) -> None:
        """Russia's rows, trade balance and balance-of-payments rows do not change Belarus's figures."""
        series = load_statcan_csv(fixtures / "statcan_monthly.csv")
        assert series.by_year()[2021].imports_cad == Decimal(32_478_000)
        assert [note.mapping() for note in series.notes] == [{"dimension": "Basis", "value": "Customs"}]

    def test_an_absent_partner_lists_the_partners_there_are(self, fixtures: Path) -> None:
        """Asking for a partner the file lacks names the partners it has."""
        with pytest.raises(TradeFileError, match="partners in the file: Belarus, Russia"):
            load_statcan_csv(fixtures / "statcan_monthly.csv", partner="Narnia")


class TestStatcanTableAnnual:
    def test_domestic_and_re_exports_make_total_exports(self, fixtures: Path) -> None:
        """Without a total row, exports are domestic exports plus re-exports (millions scaled)."""
        by_year = load_statcan_csv(fixtures / "statcan_annual.csv").by_year()
        assert by_year[2019].exports_cad == Decimal("10.0") * 1_000_000
        assert "STATUS E" in by_year[2019].exports.note

    def test_not_available_symbol_is_missing(self, fixtures: Path) -> None:
        """An empty VALUE with STATUS .. is missing as not available, never zero."""
        row = load_statcan_csv(fixtures / "statcan_annual.csv").by_year()[2020]
        assert row.imports_cad is None
        assert row.imports.missing == "not_available"

    def test_partner_with_a_code_matches(self) -> None:
        """A member name carrying a code, `Belarus [BY]`, matches the partner Belarus."""
        text = HEADER + "\n2019,Canada,x,Import,Belarus [BY],Dollars,81,units,0,v1,1.1,500,,,,0\n"
        series = read_trade_csv(text.encode(), "t.csv")
        assert series.by_year()[2019].imports_cad == 500


class TestTradeDataOnlineLayout:
    def test_grouped_dollar_values_and_gap_years(self, fixtures: Path) -> None:
        """Values with thousands separators load exactly; 2020, absent from the file, stays absent."""
        series = load_statcan_csv(fixtures / "tdo_partner_trade.csv")
        assert [row.year for row in series.years] == [2019, 2021, 2022]
        assert series.by_year()[2021].exports_cad == Decimal(15_812_345)

    def test_symbol_in_the_value_cell_is_missing(self, fixtures: Path) -> None:
        """An `x` in the value column is a suppressed figure, not zero and not an error."""
        assert load_statcan_csv(fixtures / "tdo_partner_trade.csv").by_year()[2022].exports.missing == "suppressed"

    def test_title_and_footnote_lines_become_notes(self, fixtures: Path) -> None:
        """Lines before the header and one-cell lines after the data are kept as notes with their line."""
        notes = [note.mapping() for note in load_statcan_csv(fixtures / "tdo_partner_trade.csv").notes]
        assert [note["line"] for note in notes] == ["1", "2", "12"]
        assert notes[-1]["text"].startswith("Source: Statistics Canada")

    def test_flow_given_for_a_file_of_one_flow(self, fixtures: Path) -> None:
        """With flow=imports, a file without a flow column loads as imports in thousands."""
        row = load_statcan_csv(fixtures / "cimt_imports_only.csv", flow="imports").by_year()[2020]
        assert row.imports_cad == (Decimal(1000) + sum(Decimal(1000 + m) for m in range(2, 13))) * 1000
        assert row.exports.missing == "not_in_file"

    def test_no_flow_column_and_no_flow_given_is_an_error(self, fixtures: Path) -> None:
        """Without a flow column the loader asks for --flow, naming the header line."""
        with pytest.raises(TradeFileError, match=r"line 1: expected a trade-flow column"):
            load_statcan_csv(fixtures / "cimt_imports_only.csv")


class TestBadFiles:
    @pytest.mark.parametrize(
        ("name", "line", "expected"),
        [
            ("bad_non_numeric.csv", 3, "a number, zero or more"),
            ("bad_missing_column.csv", 1, "a column SCALAR_FACTOR"),
            ("bad_unclosed_quote.csv", 3, "well-formed CSV"),
            ("bad_ragged.csv", 3, "16 cells, as in the header"),
            ("bad_scalar.csv", 2, "SCALAR_FACTOR units, thousands, millions"),
            ("bad_latin1.csv", 4, "UTF-8 text"),
            ("bad_french_semicolon.csv", 1, "the English, comma-separated download"),
            ("bad_duplicate_rows.csv", 3, "one row per partner, flow and period"),
        ],
    )
    def test_error_names_file_line_and_expectation(self, fixtures: Path, name: str, line: int,
                                                   expected: str) -> None:
        """Each malformed fixture raises TradeFileError naming the file, the line and what was expected."""
        with pytest.raises(TradeFileError) as caught:
            load_statcan_csv(fixtures / name)
        message = str(caught.value)
        assert message.startswith(f"{fixtures / name}: line {line}: expected ")
        assert expected in message
        assert caught.value.line == line

    def test_missing_file_is_our_error(self, tmp_path: Path) -> None:
        """A path that does not exist is reported as our error, naming it."""
        with pytest.raises(TradeFileError, match=r"absent\.csv: expected a readable CSV file"):
            load_statcan_csv(tmp_path / "absent.csv")

    def test_empty_file(self) -> None:
        """An empty file is reported as such."""
        with pytest.raises(TradeFileError, match="expected a header row and data rows"):
            read_trade_csv(b"", "empty.csv")

    def test_unknown_flow_argument(self, fixtures: Path) -> None:
        """A flow other than exports or imports is refused."""
        with pytest.raises(TradeFileError, match="expected exports or imports"):
            load_statcan_csv(fixtures / "cimt_imports_only.csv", flow="both")

    def test_unknown_trade_member(self) -> None:
        """A Trade value that is no flow names the line and the flows expected."""
        text = HEADER + "\n2019,Canada,x,Smuggling,Belarus,Dollars,81,units,0,v1,1.1,500,,,,0\n"
        with pytest.raises(TradeFileError, match=r"line 2: expected a trade flow"):
            read_trade_csv(text.encode(), "t.csv")


_CELL = st.one_of(
    st.sampled_from(["", "x", "..", "F", "E", "Belarus", "Import", "Export", "Trade balance", "2021", "2021-03",
                     "2021-13", "units", "thousands", "Dollars", "12.5", "-4", "1e9", '"', ";", "Canada"]),
    st.text(max_size=8),
)


class TestNoInputCrashes:
    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=400))
    def test_any_bytes(self, data: bytes) -> None:
        """No bytes make the loader raise anything but its own error."""
        message = ""
        try:
            read_trade_csv(data, "fuzz.csv")
        except TradeFileError as error:
            message = str(error)
        assert not message or re.match(r"fuzz\.csv(: line \d+)?: expected ", message)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.lists(_CELL, min_size=1, max_size=17), max_size=8), st.sampled_from([None, "imports"]))
    def test_any_rows_under_a_statcan_header(self, rows: list[list[str]], flow: str | None) -> None:
        """No rows under a real header make the loader raise anything but its own error."""
        import csv
        import io

        out = io.StringIO()
        csv.writer(out).writerows([HEADER.split(","), *rows])
        caught: PassageError | None = None
        try:
            read_trade_csv(out.getvalue().encode(), "fuzz.csv", flow=flow)
        except PassageError as error:
            caught = error
        assert caught is None or isinstance(caught, TradeFileError)

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=300))
    def test_any_text(self, text: str) -> None:
        """No text (UTF-8) makes the loader raise anything but its own error."""
        with contextlib.suppress(TradeFileError):
            read_trade_csv(text.encode("utf-8", "surrogatepass"), "fuzz.csv")
