"""Loading GAC's consolidated sanctions list (sema-lmes.xml) from a local file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from passage.screening import ListFormatError, Screener, load_consolidated_list, parse_consolidated_list

FIXTURES = Path(__file__).parent / "fixtures"


class TestLoading:
    def test_bilingual_format_loads_belarus_records(self) -> None:
        """The current bilingual format loads; by default only Belarus records are kept."""
        entries = load_consolidated_list(FIXTURES / "sema-lmes-sample.xml")
        assert [(e.name, e.kind, e.part, e.item) for e in entries] == [
            ("Ivan Ivanovich Testovich", "individual", "1, Part 1", 901),
            ("Example Potash Trading LLC", "entity", "1, Part 2", 902),
        ]
        assert entries[0].aliases == ("Ivan Testovich", "Ivan Testovič")
        assert entries[0].born == "1970-01-01"
        assert entries[0].listed_on == date(2020, 9, 28)

    def test_all_countries_on_request(self) -> None:
        """country=None keeps every regime's records."""
        entries = load_consolidated_list(FIXTURES / "sema-lmes-sample.xml", country=None)
        assert {e.regime for e in entries} == {"Belarus", "Russia"}

    def test_legacy_english_tags_load(self) -> None:
        """The older English-only element names load too."""
        (entry,) = load_consolidated_list(FIXTURES / "sema-lmes-legacy.xml")
        assert (entry.name, entry.listed_on) == ("Anna Primerova", date(2023, 8, 4))

    def test_loaded_list_can_be_screened(self) -> None:
        """A screener built from the XML finds a record by a Cyrillic spelling."""
        screener = Screener(load_consolidated_list(FIXTURES / "sema-lmes-sample.xml"))
        result = screener.screen("Иван Тестович")[0]
        assert result.status == "match"
        assert result.entry is not None
        assert result.entry.item == 901


class TestBadFiles:
    def test_missing_field_names_file_record_and_field(self) -> None:
        """A record without an item number is reported with the file, the record and the missing element."""
        with pytest.raises(ListFormatError) as err:
            load_consolidated_list(FIXTURES / "sema-lmes-missing-item.xml")
        assert err.value.record == "record #2"
        assert "Item-NumeroDarticle" in err.value.expected
        assert "sema-lmes-missing-item.xml" in str(err.value)

    def test_malformed_xml_names_the_position(self) -> None:
        """Unclosed elements are reported with line and column, not a parser traceback."""
        with pytest.raises(ListFormatError, match=r"line \d+, column \d+"):
            load_consolidated_list(FIXTURES / "sema-lmes-malformed.xml")

    def test_doctype_is_refused(self) -> None:
        """A document declaring entities is refused before parsing."""
        xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><data-set></data-set>'
        with pytest.raises(ListFormatError, match="DOCTYPE"):
            parse_consolidated_list(xml, "inline.xml")

    def test_wrong_root_and_bad_date(self) -> None:
        """A root other than <data-set>, or a listing date that is not YYYY-MM-DD, is an error."""
        with pytest.raises(ListFormatError, match="data-set"):
            parse_consolidated_list(b"<list/>", "inline.xml")
        bad_date = (
            b"<data-set><record><Country-Pays>Belarus</Country-Pays><LastName-NomDeFamille>X</LastName-NomDeFamille>"
            b"<Schedule-Annexe>1</Schedule-Annexe><Item-NumeroDarticle>1</Item-NumeroDarticle>"
            b"<DateOfListing-DateDinscription>28/09/2020</DateOfListing-DateDinscription></record></data-set>"
        )
        with pytest.raises(ListFormatError, match="YYYY-MM-DD"):
            parse_consolidated_list(bad_date, "inline.xml")

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that does not exist is a ListFormatError naming it."""
        with pytest.raises(ListFormatError, match=r"nowhere\.xml"):
            load_consolidated_list(tmp_path / "nowhere.xml")
