"""The `passage` command: the contract, and clear errors (exit 2, no traceback) on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PASSAGE = [sys.executable, "-m", "passage.cli"]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [*PASSAGE, *args]  # our own CLI with test arguments
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps({"citizenships": ["BY"], "in_canada": True}), encoding="utf-8")
    return path


class TestAssess:
    def test_json_contract(self, facts_file: Path) -> None:
        """assess prints the contract: subject, on, options with status, reasons, missing; and a receipt."""
        result = _run("assess", str(facts_file), "--on", "2025-01-10")
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["subject"], data["on"]) == ("person", "2025-01-10")
        assert {"options", "missing", "receipt", "sources"} <= set(data)
        for option in data["options"]:
            assert option["status"] in ("eligible", "likely_eligible", "not_eligible", "needs_info")
            assert {"id", "reasons", "missing", "fees", "documents", "deadlines", "warnings", "sources"} <= set(option)

    @pytest.mark.parametrize("lang", ["en", "fr", "be", "ru"])
    def test_text_in_every_language(self, facts_file: Path, lang: str) -> None:
        """The text form renders in each supported language, ending with the not-legal-advice notice."""
        result = _run("assess", str(facts_file), "--on", "2025-01-10", "--lang", lang, "--format", "text")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip()

    def test_stdin(self) -> None:
        """Facts can come on standard input with '-'."""
        result = _run("assess", "-", "--on", "2025-01-10", stdin='{"in_canada": true}')
        assert result.returncode == 0, result.stderr


class TestBadInput:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ('{"in_canda": true}', "in_canda: expected a known fact (did you mean in_canada?)"),
            ('{"canadian_status": "tourist"}', "canadian_status: expected one of citizen"),
            ('{"birth_date": "1990-02-30"}', "birth_date: expected a date YYYY-MM-DD; got 1990-02-30, which is not"),
            ('{"in_canada": "yes"}', "in_canada: expected true or false"),
            ('{"in_canada": true,', "malformed JSON at line 1"),
            ("[1, 2]", "expected a JSON object of facts"),
            ('{"subject": "robot"}', "subject: expected one of"),
        ],
    )
    def test_exit_2_with_named_problem(self, tmp_path: Path, content: str, message: str) -> None:
        """Bad facts exit with code 2 and a message naming the fact and what was expected; no traceback."""
        path = tmp_path / "bad.json"
        path.write_text(content, encoding="utf-8")
        result = _run("assess", str(path), "--on", "2025-01-10")
        assert result.returncode == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr + result.stdout

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--on", "2025-13-01"], "--on: expected a date YYYY-MM-DD"),
            (["--lang", "de"], "lang: expected one of en, fr, be, ru"),
            (["--format", "xml"], "--format: expected json or text"),
        ],
    )
    def test_bad_options(self, facts_file: Path, args: list[str], message: str) -> None:
        """A bad date, language or format exits 2 and names the option."""
        result = _run("assess", str(facts_file), *args)
        assert result.returncode == 2
        assert message in result.stderr

    def test_missing_file(self, tmp_path: Path) -> None:
        """A file that does not exist exits 2 and says so."""
        result = _run("assess", str(tmp_path / "nope.json"))
        assert result.returncode == 2
        assert "no such file" in result.stderr


class TestListings:
    def test_facts_lists_the_contract(self) -> None:
        """`passage facts` lists every person fact with its type and question."""
        result = _run("facts", "--format", "json", "--lang", "be")
        assert result.returncode == 0, result.stderr
        names = {row["name"] for row in json.loads(result.stdout)}
        assert {"birth_date", "citizenships", "national_passport_expiry", "absences"} <= names

    def test_rulebooks(self) -> None:
        """`passage rulebooks` names each rulebook with version and hash."""
        result = _run("rulebooks")
        assert result.returncode == 0, result.stderr
        assert "sha256=" in result.stdout


class TestScreen:
    def test_cyrillic_spelling_matches(self) -> None:
        """A listed person's name in Belarusian Cyrillic, surname first, is reported as a match."""
        result = _run("screen", "Лукашэнка Аляксандр")
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("Match: Aleksandr Grigoryevich Lukashenko")

    def test_not_listed_before_listing_date(self) -> None:
        """Screening as of a date before a person was listed does not match them."""
        result = _run("screen", "Nikolai Aleksandrovich Lukashenko", "--on", "2024-08-07")
        assert "Nikolai" not in result.stdout.split("\n")[0]

    def test_batch_csv(self, tmp_path: Path) -> None:
        """Batch mode screens every row of a CSV and writes one result row per name."""
        source, target = tmp_path / "names.csv", tmp_path / "out.csv"
        source.write_text("name\nЛукашенко Александр\nJohn Smith\n", encoding="utf-8")
        result = _run("screen", "--csv", str(source), "--output", str(target))
        assert result.returncode == 0, result.stderr
        lines = target.read_text(encoding="utf-8").splitlines()
        assert lines[1].startswith("Лукашенко Александр,match,")
        assert lines[2].startswith("John Smith,no_match,")

    def test_batch_missing_column(self, tmp_path: Path) -> None:
        """A CSV without the named column exits 2 naming the column and the ones found."""
        source = tmp_path / "names.csv"
        source.write_text("nm\nx\n", encoding="utf-8")
        result = _run("screen", "--csv", str(source))
        assert result.returncode == 2
        assert "expected a column 'name'; found nm" in result.stderr


class TestTradeFigures:
    def test_cited_figures_and_chart(self, tmp_path: Path) -> None:
        """trade-figures prints the cited yearly figures and writes an SVG chart."""
        chart = tmp_path / "chart.svg"
        result = _run("trade-figures", "--lang", "fr", "--chart", str(chart))
        assert result.returncode == 0, result.stderr
        assert "2021" in result.stdout
        assert "<svg" in chart.read_text(encoding="utf-8")
        assert "Importations au Canada" in chart.read_text(encoding="utf-8")

    def test_missing_csv(self, tmp_path: Path) -> None:
        """A CSV that does not exist exits 2 naming the file."""
        result = _run("trade-figures", "--csv", str(tmp_path / "none.csv"))
        assert result.returncode == 2
        assert "none.csv" in result.stderr
