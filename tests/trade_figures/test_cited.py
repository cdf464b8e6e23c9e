"""The cited Canada-Belarus figures (trade_figures.yaml) as a series."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from passage.trade_figures import TradeFileError, load_cited_figures

SOURCES = Path(__file__).parents[2] / "src/passage/rulebooks/ca_trade_belarus/sources.yaml"


class TestCitedFigures:
    def test_only_years_with_a_cited_figure(self) -> None:
        """The series holds 2013, 2020 and 2021 and nothing in between: no year is interpolated."""
        assert [row.year for row in load_cited_figures().years] == [2013, 2020, 2021]

    def test_amounts_are_exact_canadian_dollars(self) -> None:
        """15.8 million is exactly 15,800,000 CAD (Decimal), not a float."""
        by_year = load_cited_figures().by_year()
        assert by_year[2021].exports_cad == Decimal(15_800_000)
        assert by_year[2013].imports_cad == Decimal(34_600_000)

    def test_a_side_not_reported_stays_missing(self) -> None:
        """2020 exports were not reported: missing with the reason, never zero."""
        row = load_cited_figures().by_year()[2020]
        assert row.exports_cad is None
        assert row.exports.missing == "not_reported"
        assert row.imports.approximate is True

    def test_every_amount_names_a_registered_source(self) -> None:
        """Each amount's source id is a key of the rulebook's sources.yaml, with the row's note."""
        registered = set(yaml.safe_load(SOURCES.read_text(encoding="utf-8")))
        for row in load_cited_figures().years:
            for amount in (row.exports, row.imports):
                assert amount.source in registered
                assert amount.note

    def test_other_reporter_and_currency_set_aside(self) -> None:
        """The Belarus MFA's USD figures are not mixed into Canada's CAD series; a note says so."""
        series = load_cited_figures()
        assert series.by_year()[2020].imports_cad == Decimal(23_000_000)
        assert [note.mapping()["currency"] for note in series.notes if note.key == "set_aside"] == ["USD"]

    def test_verified_flag_follows_the_file(self) -> None:
        """Rows from government pages are verified; the secondary-source row is not."""
        by_year = load_cited_figures().by_year()
        assert (by_year[2013].verified, by_year[2020].verified, by_year[2021].verified) == (True, False, True)


class TestCitedFileErrors:
    def test_a_malformed_file_names_the_key(self, tmp_path: Path) -> None:
        """A figure that is not a number is reported with its key, not a traceback."""
        path = tmp_path / "trade_figures.yaml"
        path.write_text("figures:\n  - {year: 2021, exports_to_belarus: lots, imports_from_belarus: 1, "
                        "currency: CAD, unit: million, reporter: Canada, source: s}\n", encoding="utf-8")
        with pytest.raises(TradeFileError, match=r"figures\[0\]\.exports_to_belarus: a number or null"):
            load_cited_figures(path)

    def test_an_unreadable_file_is_our_error(self, tmp_path: Path) -> None:
        """A missing file raises TradeFileError naming it."""
        with pytest.raises(TradeFileError, match=r"nowhere\.yaml"):
            load_cited_figures(tmp_path / "nowhere.yaml")
