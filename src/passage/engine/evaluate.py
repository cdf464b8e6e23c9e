"""Evaluating a subject's options as of a date, with the reasons that decided each one.

Reasons are found by walking an option's status expression with the values computed: for a condition
that failed, the named conditions that failed under it; for one that held, the chain that held; for an
unknown, the conditions still open. The walk stops at the first named condition on each path (that is the
unit a person reads, with its citation). For `needs_info`, missing yes/no and choice facts are tried
one at a time to tell which answer would make the option available, when that is cheap.
The results here are language-neutral (text keys and values); `render` turns them into a language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from passage.engine.expressions import And, Expr, If, Not, Or, Param, Ref
from passage.engine.library import Library, Rulebook
from passage.engine.rulebook import Notice, Option
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown

MAX_HINT_FACTS = 4


@dataclass(frozen=True)
class Reason:
    rule: str  # qualified rule name
    holds: bool | None  # None: not settled by the facts given
    sources: tuple[str, ...]
    verified: bool


@dataclass(frozen=True)
class FeeResult:
    key: str
    amount: Decimal | None  # None: the law for this date is not encoded
    currency: str
    sources: tuple[str, ...]
    verified: bool
    conditional: bool  # True: applies only if a condition not yet settled holds
    law_gaps: tuple[str, ...] = ()  # why the amount is unknown: parameters or law_unknown keys


@dataclass(frozen=True)
class DeadlineResult:
    id: str
    date: date
    key: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class NoticeResult:
    key: str
    certain: bool  # False: shown because it cannot be ruled out yet
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Hint:
    fact: str
    value: object


@dataclass
class OptionResult:
    id: str
    rulebook: str
    status: str
    reasons: list[Reason]
    missing: list[str]
    law_gaps: list[str]
    fees: list[FeeResult]
    documents: list[NoticeResult]
    deadlines: list[DeadlineResult]
    warnings: list[NoticeResult]
    sources: list[str]
    values: dict[str, object] = field(default_factory=dict)
    hints: list[Hint] = field(default_factory=list)
    verified: bool = True


class Evaluator:
    """Evaluates the options of a Library's rulebooks for one subject at a time."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.compiler = Compiler(library)
        self._rule_params: dict[str, tuple[str, ...]] = {}
        # A person cannot answer a derived fact; ask for the inputs it is computed from instead.
        self._inputs_of: dict[str, tuple[str, ...]] = {
            derived: derivation.inputs
            for rulebook in library.rulebooks.values()
            for derivation in rulebook.definition.derivations
            for derived in derivation.facts
        }

    def context(self, facts: Mapping[str, object], on: date) -> Context:
        return Context(facts, on)

    def derive(self, subject: str, facts: Mapping[str, object], on: date) -> dict[str, object]:
        """`facts` plus the facts the subject's derivations compute from them."""
        result = dict(facts)
        for rulebook in self.library.for_subject(subject):
            for derivation in rulebook.definition.derivations:
                if all(result.get(name) is not None for name in derivation.inputs):
                    computed = derivation.compute(result, on)
                    result.update({name: computed[name] for name in derivation.facts if name in computed})
        return result

    def evaluate(
        self, subject: str, facts: Mapping[str, object], on: date, *, hints: bool = True
    ) -> list[OptionResult]:
        ctx = Context(self.derive(subject, facts, on), on)
        results = []
        for rulebook in self.library.for_subject(subject):
            for option in rulebook.options:
                results.append(self.evaluate_option(rulebook, option, ctx, hints=hints))
        return results

    def status(self, rulebook: Rulebook, option: Option, ctx: Context) -> tuple[str, Unknown | None]:
        value = self.compiler.fn(option.status, rulebook.name)(ctx)
        if type(value) is Unknown:
            return option.unknown_status, value
        return str(value), None

    def evaluate_option(self, rulebook: Rulebook, option: Option, ctx: Context, *, hints: bool = True) -> OptionResult:
        scope = rulebook.name
        status, unknown = self.status(rulebook, option, ctx)
        reasons = self._dedupe(self._reasons(option.status, scope, ctx))
        fees = [fee for fee in (self._fee(f, scope, ctx) for f in option.fees) if fee is not None]
        deadlines = []
        for deadline in option.deadlines:
            when = self.compiler.fn(deadline.when, scope)(ctx)
            day = self.compiler.fn(deadline.date, scope)(ctx)
            if when is True and isinstance(day, date):
                deadlines.append(DeadlineResult(deadline.id, day, deadline.key, deadline.sources))
        values = {name: self._plain(self.compiler.fn(expr, scope)(ctx)) for name, expr in option.values.items()}
        sources = list(dict.fromkeys([*option.sources, *(s for r in reasons for s in r.sources)]))
        result = OptionResult(
            id=option.id,
            rulebook=scope,
            status=status,
            reasons=reasons,
            missing=self._askable(unknown.facts, ctx) if unknown is not None else [],
            law_gaps=sorted(unknown.gaps) if unknown is not None else [],
            fees=fees,
            documents=self._notices(option.documents, scope, ctx),
            deadlines=sorted(deadlines, key=lambda d: d.date),
            warnings=self._notices(option.warnings, scope, ctx),
            sources=sources,
            values=values,
            verified=all(r.verified for r in reasons) and all(f.verified for f in fees),
        )
        if hints and unknown is not None and unknown.facts:
            result.hints = self._hints(rulebook, option, ctx, unknown)
        return result

    def _askable(self, facts: frozenset[str], ctx: Context) -> list[str]:
        """The facts to ask for: derived facts are replaced by their inputs that are not yet known."""
        asked: set[str] = set()
        for name in facts:
            inputs = self._inputs_of.get(name)
            if inputs is None:
                asked.add(name)
            else:
                asked.update(i for i in inputs if ctx.facts.get(i) is None)
        return sorted(asked)

    # Reasons ----------------------------------------------------------------------------------
    def _reasons(self, node: Expr, scope: str, ctx: Context) -> list[Reason]:
        if isinstance(node, Ref):
            qualified = self.library.qualify_rule(scope, node.name)
            book, rule = self.library.rule(qualified)
            if rule.kind == "condition":
                value = self.compiler.rule_fn(qualified)(ctx)
                holds = value if isinstance(value, bool) else None
                verified = (
                    rule.verified
                    and all(self.library.sources[s].verified for s in rule.sources)
                    and self._parameters_verified(qualified, book.name, ctx)
                )
                return [Reason(qualified, holds, rule.sources, verified)]
            return self._reasons(rule.expr, book.name, ctx)
        if isinstance(node, And | Or):
            value = self.compiler.fn(node, scope)(ctx)
            decisive = node.items
            if isinstance(value, bool) and value == isinstance(node, Or):
                # Or that held / And that failed: only the items with that same value decided it.
                decisive = tuple(i for i in node.items if self.compiler.fn(i, scope)(ctx) is value)
            elif not isinstance(value, bool):
                decisive = tuple(i for i in node.items if type(self.compiler.fn(i, scope)(ctx)) is Unknown)
            return [reason for item in decisive for reason in self._reasons(item, scope, ctx)]
        if isinstance(node, Not):
            return self._reasons(node.item, scope, ctx)
        if isinstance(node, If):
            test = self.compiler.fn(node.cond, scope)(ctx)
            reasons = self._reasons(node.cond, scope, ctx)
            if test is True:
                reasons += self._reasons(node.then, scope, ctx)
            elif test is False:
                reasons += self._reasons(node.otherwise, scope, ctx)
            return reasons
        return []

    def _parameters_verified(self, qualified: str, scope: str, ctx: Context) -> bool:
        """Whether every parameter the rule reads directly has a verified value on the date."""
        params = self._rule_params.get(qualified)
        if params is None:
            _, rule = self.library.rule(qualified)
            params = tuple(
                self.library.qualify_param(scope, node.id) for node in rule.expr.walk() if isinstance(node, Param)
            )
            self._rule_params[qualified] = params
        for param_id in params:
            period = self.compiler.period(ctx, param_id)
            if period is not None and not period.verified:
                return False
        return True

    @staticmethod
    def _dedupe(reasons: list[Reason]) -> list[Reason]:
        seen: set[str] = set()
        unique = []
        for reason in reasons:
            if reason.rule not in seen:
                seen.add(reason.rule)
                unique.append(reason)
        return unique

    # Outputs ----------------------------------------------------------------------------------
    def _fee(self, fee: Any, scope: str, ctx: Context) -> FeeResult | None:
        when = self.compiler.fn(fee.when, scope)(ctx)
        if when is False:
            return None
        amount = self.compiler.fn(fee.amount, scope)(ctx)
        sources, verified = [], True
        for node in fee.amount.walk():
            if isinstance(node, Param):
                period = self.compiler.period(ctx, self.library.qualify_param(scope, node.id))
                if period is not None:
                    sources.append(period.source)
                    verified = verified and period.verified
                else:
                    verified = False
        number = Decimal(str(amount)) if isinstance(amount, int | Decimal) else None
        gaps = tuple(sorted(amount.gaps)) if type(amount) is Unknown else ()
        return FeeResult(
            fee.key, number, fee.currency, tuple(sources), verified and number is not None, when is not True, gaps
        )

    def _notices(self, notices: tuple[Notice, ...], scope: str, ctx: Context) -> list[NoticeResult]:
        shown = []
        for notice in notices:
            when = self.compiler.fn(notice.when, scope)(ctx)
            if when is True or (notice.show_if_unknown and type(when) is Unknown):
                shown.append(NoticeResult(notice.key, when is True, notice.sources))
        return shown

    @staticmethod
    def _plain(value: object) -> object:
        return None if type(value) is Unknown else value

    def _hints(self, rulebook: Rulebook, option: Option, ctx: Context, unknown: Unknown) -> list[Hint]:
        """Single answers that would make the option favourable, for yes/no and choice facts."""
        if len(unknown.facts) > MAX_HINT_FACTS:
            return []
        catalog = self.library.facts.get(rulebook.subject, {})
        hints = []
        for name in sorted(unknown.facts):
            spec = catalog.get(name)
            if spec is None or spec.type not in ("bool", "enum"):
                continue
            candidates: tuple[object, ...] = (True, False) if spec.type == "bool" else tuple(spec.values)
            for candidate in candidates:
                trial = Context({**ctx.facts, name: candidate}, ctx.on)
                status, _ = self.status(rulebook, option, trial)
                if status in option.favourable:
                    hints.append(Hint(name, candidate))
        return hints
