"""Scenario tests: YAML next to each rulebook, facts in and outcomes out, readable by a lawyer.

A scenario names the `on` date, the facts (as a user would give them) and what the law says the outcome
is: a status, and optionally the exact missing facts, values such as `eligible_from`, deadline dates,
fee amounts, and warning or document keys that must appear. They run under pytest and `passage test`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from passage.engine.errors import InputError, RulebookError
from passage.engine.evaluate import Evaluator, OptionResult
from passage.engine.facts import parse_facts
from passage.engine.library import Library, read_yaml

EXPECT_KEYS = {"status", "missing", "fees", "deadlines", "warnings", "documents", "reasons", "law_gaps"}


@dataclass(frozen=True)
class Scenario:
    name: str
    file: str
    on: date
    subject: str
    facts: Mapping[str, object]
    expect: Mapping[str, object]
    error: str | None = None  # expected InputError fragment, for bad-input scenarios

    @property
    def id(self) -> str:
        return f"{Path(self.file).parent.parent.name}/{Path(self.file).stem}: {self.name}"


def load_scenarios(folder: Path, subject: str = "person") -> list[Scenario]:
    """Every scenario in `folder/*.yaml` (a rulebook's tests folder); `subject` unless a scenario says."""
    scenarios = []
    for path in sorted(folder.glob("*.yaml")):
        raw = read_yaml(path)
        if not isinstance(raw, list):
            raise RulebookError(str(path), "(top level)", "expected a list of scenarios")
        for index, item in enumerate(raw):
            scenarios.append(_parse(item, str(path), index, subject))
    return scenarios


def _parse(item: object, file: str, index: int, subject: str) -> Scenario:
    where = f"[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise RulebookError(file, where, "a scenario needs a name")
    where = f"[{index}] {item['name']}"
    if not isinstance(item.get("on"), date):
        raise RulebookError(file, where, "a scenario needs an `on` date YYYY-MM-DD")
    facts = item.get("facts") or {}
    if not isinstance(facts, dict):
        raise RulebookError(file, where, "`facts` must be a mapping")
    facts = {name: _to_json(value) for name, value in facts.items()}
    expect = item.get("expect") or {}
    if not isinstance(expect, dict) or (not expect and "error" not in item):
        raise RulebookError(file, where, "`expect` must map option ids to outcomes")
    return Scenario(item["name"], file, item["on"], str(item.get("subject", subject)), facts, expect, item.get("error"))


def _to_json(value: object) -> object:
    """YAML reads dates as dates; the contract takes them as text, like JSON input."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return value


def run_scenario(library: Library, evaluator: Evaluator, scenario: Scenario) -> list[str]:
    """The ways the outcome differs from what the scenario expects (empty: it passes)."""
    catalog = library.facts.get(scenario.subject, {})
    try:
        facts = parse_facts(scenario.facts, catalog)
    except InputError as error:
        if scenario.error and scenario.error in str(error):
            return []
        return [f"input rejected: {error}"]
    if scenario.error:
        return [f"expected the input to be rejected with {scenario.error!r}"]
    results = {r.id: r for r in evaluator.evaluate(scenario.subject, facts, scenario.on)}
    failures = []
    for option_id, expected in scenario.expect.items():
        result = results.get(option_id)
        if result is None:
            failures.append(f"{option_id}: no such option for subject {scenario.subject}")
            continue
        failures.extend(f"{option_id}: {problem}" for problem in _compare(result, expected))
    return failures


def _compare(result: OptionResult, expected: object) -> list[str]:
    if isinstance(expected, str):
        expected = {"status": expected}
    if not isinstance(expected, dict):
        return [f"expectation must be a status or a mapping, not {expected!r}"]
    problems = []
    for key, want in expected.items():
        if key == "status" and result.status != want:
            problems.append(f"status {result.status}, expected {want} (missing: {result.missing})")
        elif key == "missing" and sorted(want) != result.missing:
            problems.append(f"missing {result.missing}, expected {sorted(want)}")
        elif key == "law_gaps" and sorted(want) != result.law_gaps:
            problems.append(f"law gaps {result.law_gaps}, expected {sorted(want)}")
        elif key == "fees":
            amounts = [fee.amount for fee in result.fees]
            if [Decimal(str(a)) for a in want] != amounts:
                problems.append(f"fees {[str(a) for a in amounts]}, expected {want}")
        elif key == "deadlines":
            found = {d.id: d.date for d in result.deadlines}
            for deadline_id, day in dict(want).items():
                if found.get(deadline_id) != day:
                    problems.append(f"deadline {deadline_id} is {found.get(deadline_id)}, expected {day}")
        elif key in ("warnings", "documents"):
            keys = {n.key for n in getattr(result, key)}
            for notice in want:
                if notice.startswith("not "):
                    if notice[4:] in keys:
                        problems.append(f"{key} include {notice[4:]}, expected it absent")
                elif notice not in keys:
                    problems.append(f"{key} {sorted(keys)} lack {notice}")
        elif key == "reasons":
            rules = {r.rule.partition(".")[2]: r.holds for r in result.reasons}
            for rule in want:
                if rule not in rules:
                    problems.append(f"reasons {sorted(rules)} lack {rule}")
        elif key not in EXPECT_KEYS:
            got = result.values.get(key, "(no such value)")
            if got != want:
                problems.append(f"{key} is {got}, expected {want}")
    return problems
