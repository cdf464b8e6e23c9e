"""Texts a person reads, and the listed-persons loader's errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from passage.screening import (
    ListFormatError,
    Screener,
    ScreeningError,
    entries_on,
    explain,
    load_listed_persons,
    text,
)
from passage.screening.texts import LANGUAGES, TEXTS_FILE

RULES = Path(__file__).resolve().parents[2] / "src" / "passage" / "rulebooks" / "ca_trade_belarus" / "data"


class TestTexts:
    def test_every_key_has_all_four_languages(self) -> None:
        """Every text key in texts.yaml has en, fr, be and ru, and the four differ."""
        raw = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
        for key, langs in raw.items():
            assert set(langs) == set(LANGUAGES), key
            assert len({langs[lang] for lang in LANGUAGES}) == 4, key

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_explanations_render_in_every_language(self, lang: str) -> None:
        """A match, a possible match and a no-match all render without a missing key or placeholder."""
        screener = Screener(load_listed_persons())
        for query in ["Лукашэнка Аляксандр", "Lukashenko", "John Smith", "KGB", "Vadim Mozol"]:
            for result in screener.screen(query):
                lines = explain(result, lang)
                assert lines
                assert all("{" not in line for line in lines)

    def test_unknown_language_or_key_is_an_error(self) -> None:
        """Asking for a language or key that does not exist raises ScreeningError."""
        with pytest.raises(ScreeningError):
            text("status.match", "de")
        with pytest.raises(ScreeningError):
            text("status.nothing", "en")


class TestListedPersonsLoader:
    def test_default_list_loads_320_entries(self) -> None:
        """The rulebook's Schedule 1 file loads in full."""
        assert len(load_listed_persons()) == 320

    def test_entries_on_a_day_are_those_listed_by_then(self) -> None:
        """On 2020-09-28 only the 11 original listings were in force."""
        from datetime import date

        assert len(entries_on(load_listed_persons(), date(2020, 9, 28))) == 11

    def test_bad_entry_is_reported_with_file_entry_and_expectation(self, tmp_path: Path) -> None:
        """An entry with a wrong kind names the file, the entry id and what was expected."""
        raw = yaml.safe_load((RULES / "listed_persons.yaml").read_text(encoding="utf-8"))
        raw["entries"][3]["kind"] = "ship"
        bad = tmp_path / "listed.yaml"
        bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ListFormatError) as err:
            load_listed_persons(bad)
        assert err.value.record == "entry sch1-p1-4"
        assert "individual or entity" in err.value.expected

    def test_duplicate_item_is_an_error(self, tmp_path: Path) -> None:
        """Two entries with the same part and item are refused."""
        raw = yaml.safe_load((RULES / "listed_persons.yaml").read_text(encoding="utf-8"))
        raw["entries"][1]["item"] = 1
        bad = tmp_path / "listed.yaml"
        bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        with pytest.raises(ListFormatError, match="duplicate"):
            load_listed_persons(bad)

    def test_invalid_yaml_names_the_line(self, tmp_path: Path) -> None:
        """Broken YAML is reported with its line."""
        bad = tmp_path / "listed.yaml"
        bad.write_text("entries:\n  - id: [unclosed\n", encoding="utf-8")
        with pytest.raises(ListFormatError, match="line"):
            load_listed_persons(bad)
