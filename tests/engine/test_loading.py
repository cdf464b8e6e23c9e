"""Loading a rulebook checks everything a run would trip on, and names the file and key."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from passage.engine import RulebookError, load_library
from passage.engine.library import read_yaml
from passage.engine.parameters import load_parameter_file


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


class TestRulebookChecks:
    def test_example_loads(self, example_copy: Path) -> None:
        """The example rulebook loads and gets a content hash."""
        library = load_library([example_copy])
        assert len(library.rulebooks["example_rulebook"].content_hash) == 64

    def test_undeclared_fact(self, example_copy: Path) -> None:
        """A rule using a fact nobody declared is a load error naming the fact and the rule."""
        _replace(example_copy / "rules.py", 'fact("income")', 'fact("incom")')
        with pytest.raises(RulebookError, match=r"rules\.py: rule low_income: uses undeclared fact 'incom'"):
            load_library([example_copy])

    def test_dangling_source(self, example_copy: Path) -> None:
        """A rule citing a source missing from sources.yaml is a load error."""
        _replace(example_copy / "rules.py", '"example-policy", verified=False', '"no-such-source", verified=False')
        with pytest.raises(RulebookError, match="cites unknown source 'no-such-source'"):
            load_library([example_copy])

    def test_parameter_with_dangling_source(self, example_copy: Path) -> None:
        """A parameter value citing an unknown source is a load error naming the parameter."""
        _replace(example_copy / "parameters" / "fees.yaml", "value: 57.00, source: example-act",
                 "value: 57.00, source: nowhere")
        with pytest.raises(RulebookError, match=r"fees\.yaml: example_rulebook\.fees\.pass_child: cites unknown"):
            load_library([example_copy])

    def test_missing_translation(self, example_copy: Path) -> None:
        """A text without its Belarusian version is a load error naming the key and language."""
        _replace(example_copy / "texts.yaml", "be: Зніжка, ", "")
        with pytest.raises(RulebookError, match=r"texts\.yaml: option\.discount\.be: missing translation"):
            load_library([example_copy])

    def test_missing_text(self, example_copy: Path) -> None:
        """A condition without its 'failed' text is a load error."""
        text = (example_copy / "texts.yaml").read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if not line.startswith("rule.low_income.failed")]
        (example_copy / "texts.yaml").write_text("\n".join(kept), encoding="utf-8")
        with pytest.raises(RulebookError, match=r"rule\.low_income\.failed: missing \(needed by rule low_income\)"):
            load_library([example_copy])

    def test_unknown_placeholder(self, example_copy: Path) -> None:
        """A text naming a value that does not exist is a load error."""
        _replace(example_copy / "texts.yaml", "{days_present} days in the last year.\"", "{dayz} days.\"")
        with pytest.raises(RulebookError):
            load_library([example_copy])

    def test_rule_cycle(self, example_copy: Path) -> None:
        """Rules that depend on each other in a circle are a load error naming the cycle."""
        _replace(example_copy / "rules.py", 'years_between(fact("birth_date"), on())',
                 'years_between(fact("birth_date"), on()) + ref("discount_rate")')
        with pytest.raises(RulebookError, match="rule cycle"):
            load_library([example_copy])

    def test_unknown_parameter(self, example_copy: Path) -> None:
        """A rule using a parameter that does not exist is a load error."""
        _replace(example_copy / "rules.py", 'param("thresholds.low_income")', 'param("thresholds.low")')
        with pytest.raises(RulebookError, match=r"unknown parameter 'thresholds\.low'"):
            load_library([example_copy])

    def test_malformed_yaml(self, example_copy: Path) -> None:
        """Malformed YAML is a load error naming the file and line, not a parser traceback."""
        (example_copy / "sources.yaml").write_text("example-act:\n  title: [unclosed\n", encoding="utf-8")
        with pytest.raises(RulebookError, match=r"sources\.yaml: line \d+: malformed YAML"):
            load_library([example_copy])

    def test_yaml_nested_too_deeply(self, example_copy: Path) -> None:
        """A file nested thousands of levels deep is a load error naming the file, not a RecursionError."""
        (example_copy / "sources.yaml").write_text("x: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
        with pytest.raises(RulebookError, match=r"sources\.yaml: \(file\): malformed YAML: nested too deeply"):
            load_library([example_copy])

    def test_yaml_read_as_pyyaml_reads_it(self, tmp_path: Path) -> None:
        """The loader's direct construction builds what PyYAML's safe constructor builds: text, numbers,
        dates (an impossible one stays text), booleans (only true/false), null, lists, maps, anchors and
        merge keys."""
        path = tmp_path / "mixed.yaml"
        path.write_text(
            "base: &base {fee: 12.50, from: 2024-01-01}\n"
            "merged: {<<: *base, to: 2023-02-30}\n"
            "items: [1, -2, 0x10, 1e3, true, no, on, null, ~, '', plain text, 'quoted: text']\n"
            "alias: *base\n"
            "on: 2025-01-10\n",
            encoding="utf-8",
        )
        assert read_yaml(path) == {
            "base": {"fee": 12.5, "from": date(2024, 1, 1)},
            "merged": {"fee": 12.5, "from": date(2024, 1, 1), "to": "2023-02-30"},
            "items": [1, -2, 16, "1e3", True, "no", "on", None, None, "", "plain text", "quoted: text"],
            "alias": {"fee": 12.5, "from": date(2024, 1, 1)},
            "on": date(2025, 1, 10),
        }

    def test_undeclared_status(self, example_copy: Path) -> None:
        """An option producing a status it does not declare is a load error."""
        _replace(example_copy / "rules.py", '"eligible", if_(ref("is_adult")', '"maybe", if_(ref("is_adult")')
        with pytest.raises(RulebookError, match="status 'maybe' is not among"):
            load_library([example_copy])


class TestParameterPeriods:
    def _load(self, tmp_path: Path, body: str) -> list[object]:
        path = tmp_path / "fees.yaml"
        path.write_text(body, encoding="utf-8")
        return load_parameter_file(path, read_yaml(path))  # type: ignore[return-value]

    def test_overlap(self, tmp_path: Path) -> None:
        """Two periods that overlap are a load error naming the key and period."""
        body = """x:
  unit: CAD
  values:
    - {from: 2020-01-01, to: 2022-01-01, value: 1, source: s, verified: true}
    - {from: 2021-01-01, value: 2, source: s, verified: true}
"""
        with pytest.raises(RulebookError, match=r"fees\.yaml: x\.values\[1\]: overlaps"):
            self._load(tmp_path, body)

    def test_gap(self, tmp_path: Path) -> None:
        """A gap between periods is a load error unless a null period says it is intended."""
        body = """x:
  unit: CAD
  values:
    - {from: 2020-01-01, to: 2021-01-01, value: 1, source: s, verified: true}
    - {from: 2021-06-01, value: 2, source: s, verified: true}
"""
        with pytest.raises(RulebookError, match="leaves a gap from 2021-01-01 to 2021-06-01"):
            self._load(tmp_path, body)

    def test_impossible_date(self, tmp_path: Path) -> None:
        """An impossible date in a period is a load error, not a YAML traceback."""
        body = "x:\n  unit: CAD\n  values:\n    - {from: 2021-02-30, value: 1, source: s, verified: true}\n"
        with pytest.raises(RulebookError, match=r"x\.values\[0\]\.from: must be a date"):
            self._load(tmp_path, body)

    def test_lookup_as_of(self, tmp_path: Path) -> None:
        """A value holds from its first day up to, not including, the next period's first day."""
        body = """x:
  unit: CAD
  values:
    - {from: 2013-07-01, to: 2026-03-31, value: 260, source: s, verified: true}
    - {from: 2026-03-31, value: 266.25, source: s, verified: false}
"""
        (parameter,) = self._load(tmp_path, body)
        assert parameter.period_on(date(2013, 6, 30)) is None  # type: ignore[attr-defined]
        assert str(parameter.period_on(date(2026, 3, 30)).value) == "260.00"  # type: ignore[attr-defined]
        later = parameter.period_on(date(2026, 3, 31))  # type: ignore[attr-defined]
        assert (str(later.value), later.verified) == ("266.25", False)
