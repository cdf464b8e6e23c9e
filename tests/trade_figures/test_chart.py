"""The SVG chart, the text table, the four-language texts and the CLI body."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from passage.engine.texts import LANGUAGES, PLACEHOLDER
from passage.trade_figures import (
    TradeFiguresError,
    TradeSeries,
    format_millions,
    format_table,
    load_cited_figures,
    load_statcan_csv,
    render_svg,
)
from passage.trade_figures.cli import figures_command
from passage.trade_figures.texts import TEXTS_FILE

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.encode("utf-8"))  # noqa: S314  # our own output, not untrusted input


def _bars(root: ET.Element) -> list[ET.Element]:
    return [el for el in root.iter(f"{NS}rect") if "bar" in el.get("class", "").split()]


class TestSvgChart:
    def test_a_bar_for_each_figure_and_none_for_missing(self) -> None:
        """Cited figures: two bars in 2013 and 2021, only imports in 2020, none for 2014-2019."""
        bars = _bars(_parse(render_svg(load_cited_figures(), "en")))
        drawn = sorted((el.get("data-year"), el.get("class")) for el in bars)
        assert drawn == [("2013", "bar exports"), ("2013", "bar imports"), ("2020", "bar imports"),
                         ("2021", "bar exports"), ("2021", "bar imports")]
        assert all(float(el.get("height", "0")) > 0 for el in bars)

    def test_missing_years_are_marked_as_gaps(self) -> None:
        """Each year or flow with no figure gets a gap mark (text, not a bar), 2014-2019 included."""
        root = _parse(render_svg(load_cited_figures(), "en"))
        gaps = {(el.get("data-year"), el.get("class")) for el in root.iter(f"{NS}text")
                if "gap" in el.get("class", "")}
        assert ("2020", "gap exports") in gaps
        assert {year for year, _ in gaps} == {str(y) for y in range(2014, 2021)}

    def test_bar_heights_follow_the_values(self) -> None:
        """The 2013 imports bar (34.6 M) is taller than the 2021 imports bar (32.9 M)."""
        bars = {(el.get("data-year"), el.get("class")): float(el.get("height", "0"))
                for el in _bars(_parse(render_svg(load_cited_figures(), "en")))}
        assert bars[("2013", "bar imports")] > bars[("2021", "bar imports")] > bars[("2021", "bar exports")]

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_title_and_desc_hold_every_figure(self, lang: str) -> None:
        """<title> and <desc> exist and the desc carries each figure as text, in every language."""
        root = _parse(render_svg(load_cited_figures(), lang))
        assert root.get("role") == "img"
        assert root.findtext(f"{NS}title")
        desc = root.findtext(f"{NS}desc") or ""
        for figure in (Decimal("1.7"), Decimal("34.6"), Decimal("23.0"), Decimal("15.8"), Decimal("32.9")):
            assert format_millions(figure * 1_000_000, lang) in desc

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_self_contained(self, lang: str) -> None:
        """Nothing refers outside the file: no href, url(), @import or http beyond the SVG namespace."""
        svg = render_svg(load_cited_figures(), lang, title="Test")
        without_namespace = svg.replace('xmlns="http://www.w3.org/2000/svg"', "", 1)
        assert "http" not in without_namespace
        assert not re.search(r"href|url\(|@import|<script|<style", svg)

    def test_a_csv_series_charts_too(self, fixtures: Path) -> None:
        """A series from a StatCan CSV draws bars only for the years with a whole-year figure."""
        series = load_statcan_csv(fixtures / "statcan_monthly.csv")
        drawn = sorted((el.get("data-year"), el.get("class")) for el in _bars(_parse(render_svg(series, "fr"))))
        assert drawn == [("2021", "bar exports"), ("2021", "bar imports"), ("2022", "bar exports")]

    def test_an_empty_series(self) -> None:
        """A series with no figure renders a valid SVG that says so, with no bar."""
        root = _parse(render_svg(TradeSeries("Belarus", "none", ()), "ru"))
        assert not _bars(root)
        assert "Нет данных" in (root.findtext(f"{NS}desc") or "")

    def test_unknown_language(self) -> None:
        """A language Passage does not speak is our error, not an English fallback."""
        with pytest.raises(TradeFiguresError, match="--lang"):
            render_svg(load_cited_figures(), "de")


class TestTexts:
    def test_every_text_in_every_language(self) -> None:
        """Each key of texts.yaml has a non-empty text in en, fr, be and ru, with the same placeholders."""
        raw = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
        for key, texts in raw.items():
            assert set(texts) == set(LANGUAGES), key
            assert all(isinstance(texts[lang], str) and texts[lang].strip() for lang in LANGUAGES), key
            assert len({frozenset(PLACEHOLDER.findall(texts[lang])) for lang in LANGUAGES}) == 1, key

    @pytest.mark.parametrize(
        ("lang", "expected"),
        [("en", "1,234.6"), ("fr", "1\u202f234,6"), ("be", "1\u202f234,6"), ("ru", "1\u202f234,6")],
    )
    def test_millions_formatted_per_language(self, lang: str, expected: str) -> None:
        """Millions are grouped and use each language's decimal mark."""
        assert format_millions(Decimal(1_234_567_890), lang) == expected

    def test_small_figures_never_read_zero(self) -> None:
        """45,000 CAD shows as 0.045 million, not 0.0."""
        assert format_millions(Decimal(45_000), "en") == "0.045"


class TestTable:
    def test_one_line_per_year_of_the_span(self) -> None:
        """The table lists 2013 to 2021, each year without a figure saying so."""
        table = format_table(load_cited_figures(), "en")
        assert table.count("no figure for this year") == 12  # 2014-2019, both flows
        assert "not reported by the source" in table
        assert "* from a secondary source" in table
        assert "USD" in table

    def test_notes_translated(self) -> None:
        """The set-aside note names Belarus in the reader's language."""
        assert "сообщает Беларусь" in format_table(load_cited_figures(), "ru")


class TestFiguresCommand:
    def test_prints_the_table_and_writes_the_svg(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Without a CSV: the cited figures as a table on stdout, and a parseable SVG file."""
        output = tmp_path / "chart.svg"
        figures_command(None, "Belarus", "be", output)
        assert "Экспарт з Канады" in capsys.readouterr().out
        assert _bars(_parse(output.read_text(encoding="utf-8")))

    def test_reads_a_csv(self, fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """With a CSV: its figures, no SVG when no output is given."""
        figures_command(fixtures / "tdo_partner_trade.csv", "Belarus", "en", None)
        assert "15.8" in capsys.readouterr().out

    def test_cited_figures_are_about_belarus_only(self) -> None:
        """Another partner without a CSV is refused with a reason."""
        with pytest.raises(TradeFiguresError, match="Belarus only"):
            figures_command(None, "Poland", "en", None)

    def test_unwritable_output_is_our_error(self, tmp_path: Path) -> None:
        """An output path in a missing folder raises TradeFileError naming it."""
        with pytest.raises(TradeFiguresError, match=r"chart\.svg: expected a writable file"):
            figures_command(None, "Belarus", "en", tmp_path / "missing" / "chart.svg")
