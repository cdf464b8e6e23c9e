"""What a rulebook declares: named rules, and the options a subject can get.

A `rules.py` builds a `RulebookDefinition` from engine expressions. Conditions are the units of
explanation: each has a citation and texts for when it holds and when it fails. Values (dates, amounts)
are named so texts and deadlines can use them. An option's status is an expression too; `eligibility()`
builds the person statuses (eligible / likely_eligible / not_eligible; unknown → needs_info).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from passage.engine.expressions import TRUE, Expr, if_, lift

RuleKind = Literal["condition", "value"]
PERSON_STATUSES = ("eligible", "likely_eligible", "not_eligible", "needs_info")


@dataclass(frozen=True)
class Rule:
    """A named expression. A `condition` is a reason a person reads (texts `rule.<name>.held`/`.failed`,
    optional `.unknown`); a `value` is a named date or amount, usable in texts as `{name}`."""

    name: str
    expr: Expr
    sources: tuple[str, ...]
    kind: RuleKind = "condition"
    verified: bool = True  # False when the rule encodes a reading not confirmed by an official source

    @property
    def text_key(self) -> str:
        return f"rule.{self.name}"


def condition(name: str, expr: object, *sources: str, verified: bool = True) -> Rule:
    return Rule(name, lift(expr), tuple(sources), "condition", verified)


def value(name: str, expr: object, *sources: str, verified: bool = True) -> Rule:
    return Rule(name, lift(expr), tuple(sources), "value", verified)


@dataclass(frozen=True)
class Notice:
    """A document to provide or a warning to heed, shown when `when` holds (or may hold, if
    `show_if_unknown`: a warning that protects people is shown while it cannot be ruled out)."""

    key: str
    when: Expr = TRUE
    sources: tuple[str, ...] = ()
    show_if_unknown: bool = False


@dataclass(frozen=True)
class Fee:
    """An amount (usually a parameter, whose period gives the source) payable when `when` holds."""

    key: str
    amount: Expr
    when: Expr = TRUE
    currency: str = "CAD"


@dataclass(frozen=True)
class Deadline:
    """A date by which something must be done; `id` is stable (scenarios and cases refer to it)."""

    id: str
    date: Expr
    key: str
    when: Expr = TRUE
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """An outcome a subject can get. `status` evaluates to one of `statuses`; unknown → `unknown_status`."""

    id: str
    status: Expr
    sources: tuple[str, ...]
    statuses: tuple[str, ...] = PERSON_STATUSES
    unknown_status: str = "needs_info"
    favourable: tuple[str, ...] = ("eligible", "likely_eligible")  # statuses worth hinting towards
    fees: tuple[Fee, ...] = ()
    documents: tuple[Notice, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    warnings: tuple[Notice, ...] = ()
    values: Mapping[str, Expr] = field(default_factory=dict)  # extra outputs, e.g. eligible_from

    @property
    def title_key(self) -> str:
        return f"option.{self.id}"


def eligibility(eligible: object, discretionary: object = False) -> Expr:
    """The person status: `eligible`, or `likely_eligible` when the decision is discretionary or
    evidence-dependent, or `not_eligible`; unknown when the facts do not settle it."""
    return if_(eligible, if_(discretionary, "likely_eligible", "eligible"), "not_eligible")


@dataclass(frozen=True)
class Derivation:
    """Facts computed from other facts by a matcher that is not a rule (e.g. fuzzy screening of a name
    against a sanctions list). `compute(facts, on)` returns a value for each of `facts`; they are declared
    in the rulebook's facts.yaml with `derived: true`, so no user can supply them, and rules read them like
    any fact. It runs only when all `inputs` are known; otherwise the derived facts stay unknown."""

    facts: tuple[str, ...]
    inputs: tuple[str, ...]
    compute: Callable[[Mapping[str, object], date], Mapping[str, object]]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class RulebookDefinition:
    """What a rulebook's `rules.py` exports as `DEFINITION`."""

    subject: str
    version: str
    rules: tuple[Rule, ...]
    options: tuple[Option, ...]
    depends_on: tuple[str, ...] = ()
    derivations: tuple[Derivation, ...] = ()
