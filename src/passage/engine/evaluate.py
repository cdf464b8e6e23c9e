"""Evaluating a subject's options as of a date, with the reasons that decided each one.

Reasons are found by walking an option's status expression with the values computed: for a condition
that failed, the named conditions that failed under it; for one that held, the chain that held; for an
unknown, the conditions still open. The walk stops at the first named condition on each path (that is the
unit a person reads, with its citation). For `needs_info`, missing yes/no and choice facts are tried
one at a time to tell which answer would make the option available, when that is cheap.
The results here are language-neutral (text keys and values); `render` turns them into a language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from passage.engine.expressions import And, Expr, Fact, If, Not, Or, Param, Present, Ref
from passage.engine.library import Library, Rulebook
from passage.engine.rulebook import Deadline, Fee, Notice, Option, Rule
from passage.engine.scalar import Compiler, Context, Fn
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
    # For an option the person can get (a favourable status): the facts that would settle which of its fees,
    # documents, deadlines and warnings apply, or a fee's amount (the adult or the child fee: the age).
    details_missing: list[str] = field(default_factory=list)


ReasonPlan = Callable[[Context, list[Reason]], None]


@dataclass(frozen=True)
class _OptionPlan:
    """An option's functions, resolved once: its status, its reasons, and each output with its condition."""

    status: Fn
    reasons: ReasonPlan | None
    whens: Fn  # every output's condition at once: fees, deadlines, documents, warnings, in that order
    fees: tuple[tuple[Fee, Fn, tuple[str, ...]], ...]  # fee, amount, parameters read
    deadlines: tuple[tuple[Deadline, Fn], ...]  # deadline, date
    documents: tuple[tuple[NoticeResult, NoticeResult | None], ...]  # shown when certain, when unknown
    warnings: tuple[tuple[NoticeResult, NoticeResult | None], ...]
    values: tuple[tuple[str, Fn], ...]
    facts_kept: dict[str, tuple[str, ...]]  # for hints: fact -> rules of the status that do not read it


class Evaluator:
    """Evaluates the options of a Library's rulebooks for one subject at a time."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.compiler = Compiler(library)
        self._rule_params: dict[str, tuple[str, ...]] = {}
        self._plans: dict[tuple[str, str], _OptionPlan] = {}
        self._reason_plans: dict[tuple[int, str], ReasonPlan | None] = {}
        self._keep: list[Expr] = []  # nodes whose ids key `_reason_plans`
        self._shared: dict[tuple[object, ...], Any] = {}  # immutable results (reasons, notices, fees), reused
        self._facts_read: dict[str, frozenset[str]] = {}
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
        value = self.plan(rulebook, option).status(ctx)
        if type(value) is Unknown:
            return option.unknown_status, value
        return str(value), None

    # Plans ------------------------------------------------------------------------------------
    def plan(self, rulebook: Rulebook, option: Option) -> _OptionPlan:
        key = (rulebook.name, option.id)
        plan = self._plans.get(key)
        if plan is None:
            scope = rulebook.name
            fn = self.compiler.fn
            whens = (*(f.when for f in option.fees), *(d.when for d in option.deadlines),
                     *(n.when for n in option.documents), *(n.when for n in option.warnings))
            plan = _OptionPlan(
                status=fn(option.status, scope),
                reasons=self._reason_plan(option.status, scope),
                whens=self.compiler.tuple_fn(whens, scope),
                fees=tuple(
                    (fee, fn(fee.amount, scope), tuple(
                        self.library.qualify_param(scope, node.id) for node in fee.amount.walk()
                        if isinstance(node, Param)))
                    for fee in option.fees
                ),
                deadlines=tuple((d, fn(d.date, scope)) for d in option.deadlines),
                documents=self._notice_results(option.documents),
                warnings=self._notice_results(option.warnings),
                values=tuple((name, fn(expr, scope)) for name, expr in option.values.items()),
                facts_kept={},
            )
            self._plans[key] = plan
        return plan

    def _share(self, cls: Any, *fields: Any) -> Any:
        """One instance per distinct value of an immutable result (building frozen dataclasses is slow)."""
        key = (cls, *fields)
        found = self._shared.get(key)
        if found is None:
            found = cls(*fields)
            if len(self._shared) < 100_000:
                self._shared[key] = found
        return found

    def evaluate_option(self, rulebook: Rulebook, option: Option, ctx: Context, *, hints: bool = True) -> OptionResult:
        plan = self.plan(rulebook, option)
        value = plan.status(ctx)
        unknown = value if type(value) is Unknown else None
        status = option.unknown_status if unknown is not None else str(value)
        reasons: list[Reason] = []
        if plan.reasons is not None:
            plan.reasons(ctx, reasons)
            reasons = self._dedupe(reasons)
        conditions = plan.whens(ctx)
        whens = iter(conditions)
        fees = []
        amounts = []
        for (fee, amount_fn, params), when in zip(plan.fees, whens, strict=False):
            if when is not False:
                amount = amount_fn(ctx)
                amounts.append(amount)
                fees.append(self._fee(fee, when, amount, params, ctx))
        deadlines = []
        for (deadline, date_fn), when in zip(plan.deadlines, whens, strict=False):
            if when is True:
                day = date_fn(ctx)
                if isinstance(day, date):
                    deadlines.append(self._share(DeadlineResult, deadline.id, day, deadline.key, deadline.sources))
        if len(deadlines) > 1:
            deadlines.sort(key=lambda d: d.date)
        documents = self._notices(plan.documents, whens)
        warnings = self._notices(plan.warnings, whens)
        values = {name: self._plain(fn(ctx)) for name, fn in plan.values} if plan.values else {}
        # Plain loops: a generator per option costs more than the few items it walks.
        cited = dict.fromkeys(option.sources)
        verified = True
        for reason in reasons:
            cited.update(dict.fromkeys(reason.sources))
            if not reason.verified:
                verified = False
        for fee_result in fees:
            if not fee_result.verified:
                verified = False
        result = OptionResult(
            id=option.id,
            rulebook=rulebook.name,
            status=status,
            reasons=reasons,
            missing=self._askable(unknown.facts, ctx) if unknown is not None else [],
            law_gaps=sorted(unknown.gaps) if unknown is not None else [],
            fees=fees,
            documents=documents,
            deadlines=deadlines,
            warnings=warnings,
            sources=list(cited),
            values=values,
            verified=verified,
        )
        if hints and unknown is not None and unknown.facts:
            result.hints = self._hints(rulebook, option, ctx, unknown)
        if status in option.favourable:
            result.details_missing = self._details_missing((*conditions, *amounts), ctx)
        return result

    def _details_missing(self, values: tuple[object, ...], ctx: Context) -> list[str]:
        """The facts to ask for that would settle the outputs' unknown conditions and amounts."""
        facts: set[str] = set()
        for value in values:
            if type(value) is Unknown:
                facts |= value.facts
        return self._askable(frozenset(facts), ctx) if facts else []

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
        """The named conditions that decided `node` (see the module docstring), deduplicated."""
        plan = self._reason_plan(node, scope)
        reasons: list[Reason] = []
        if plan is not None:
            plan(ctx, reasons)
        return self._dedupe(reasons)

    def _reason_plan(self, node: Expr, scope: str) -> ReasonPlan | None:
        """A function appending the reasons of `node` to a list, built once per (node, scope); None when no
        named condition lies below `node` (nothing to explain, nothing to evaluate)."""
        key = (id(node), scope)
        if key in self._reason_plans:
            return self._reason_plans[key]
        plan = self._build_reason_plan(node, scope)
        self._reason_plans[key] = plan
        self._keep.append(node)
        return plan

    def _build_reason_plan(self, node: Expr, scope: str) -> ReasonPlan | None:
        if isinstance(node, Ref):
            qualified = self.library.qualify_rule(scope, node.name)
            book, rule = self.library.rule(qualified)
            if rule.kind != "condition":
                return self._reason_plan(rule.expr, book.name)
            return self._condition_plan(qualified, book.name, rule)
        if isinstance(node, And | Or):
            items = [(self.compiler.fn(item, scope), self._reason_plan(item, scope)) for item in node.items]
            decided = tuple((fn, plan) for fn, plan in items if plan is not None)
            if not decided:
                return None
            node_fn = self.compiler.fn(node, scope)
            deciding = isinstance(node, Or)  # the value that decides it: an Or that held, an And that failed

            def and_or_plan(ctx: Context, out: list[Reason]) -> None:
                value = node_fn(ctx)
                if value is deciding:  # only the items with that same value decided it
                    for fn, plan in decided:
                        if fn(ctx) is value:
                            plan(ctx, out)
                elif type(value) is Unknown:  # the items still open
                    for fn, plan in decided:
                        if type(fn(ctx)) is Unknown:
                            plan(ctx, out)
                else:
                    for _, plan in decided:
                        plan(ctx, out)

            return and_or_plan
        if isinstance(node, Not):
            return self._reason_plan(node.item, scope)
        if isinstance(node, If):
            cond_plan = self._reason_plan(node.cond, scope)
            then_plan = self._reason_plan(node.then, scope)
            otherwise_plan = self._reason_plan(node.otherwise, scope)
            if cond_plan is None and then_plan is None and otherwise_plan is None:
                return None
            cond_fn = self.compiler.fn(node.cond, scope)

            def if_plan(ctx: Context, out: list[Reason]) -> None:
                test = cond_fn(ctx)
                if cond_plan is not None:
                    cond_plan(ctx, out)
                if test is True:
                    if then_plan is not None:
                        then_plan(ctx, out)
                elif test is False and otherwise_plan is not None:
                    otherwise_plan(ctx, out)

            return if_plan
        return None

    def _condition_plan(self, qualified: str, scope: str, rule: Rule) -> ReasonPlan:
        value_fn = self.compiler.rule_fn(qualified)
        sources = rule.sources
        static = rule.verified and all(self.library.sources[s].verified for s in sources)
        params = self._params_read(qualified, scope) if static else ()
        period = self.compiler.period
        # The six Reasons this condition can give (held, failed, open; verified or not), made once.
        made = {(holds, verified): self._share(Reason, qualified, holds, sources, verified)
                for holds in (True, False, None) for verified in (True, False)}
        held, failed, still_open = made[True, static], made[False, static], made[None, static]

        if not params:  # verified or not whatever the date

            def fixed_plan(ctx: Context, out: list[Reason]) -> None:
                value = value_fn(ctx)
                out.append(held if value is True else failed if value is False else still_open)

            return fixed_plan

        def condition_plan(ctx: Context, out: list[Reason]) -> None:
            value = value_fn(ctx)
            verified = True
            for param_id in params:
                found = period(ctx, param_id)
                if found is not None and not found.verified:
                    verified = False
                    break
            out.append(made[value if value is True or value is False else None, verified])

        return condition_plan

    def _params_read(self, qualified: str, scope: str) -> tuple[str, ...]:
        """The parameters a rule reads directly."""
        params = self._rule_params.get(qualified)
        if params is None:
            _, rule = self.library.rule(qualified)
            params = tuple(
                self.library.qualify_param(scope, node.id) for node in rule.expr.walk() if isinstance(node, Param)
            )
            self._rule_params[qualified] = params
        return params

    def _parameters_verified(self, qualified: str, scope: str, ctx: Context) -> bool:
        """Whether every parameter the rule reads directly has a verified value on the date."""
        for param_id in self._params_read(qualified, scope):
            period = self.compiler.period(ctx, param_id)
            if period is not None and not period.verified:
                return False
        return True

    @staticmethod
    def _dedupe(reasons: list[Reason]) -> list[Reason]:
        if len(reasons) < 2:
            return reasons
        seen: set[str] = set()
        unique = []
        for reason in reasons:
            if reason.rule not in seen:
                seen.add(reason.rule)
                unique.append(reason)
        return unique

    # Outputs ----------------------------------------------------------------------------------
    def _fee(self, fee: Fee, when: object, amount: object, params: tuple[str, ...], ctx: Context) -> FeeResult:
        sources, verified = [], True
        for param_id in params:
            period = self.compiler.period(ctx, param_id)
            if period is not None:
                sources.append(period.source)
                verified = verified and period.verified
            else:
                verified = False
        number = Decimal(str(amount)) if isinstance(amount, int | Decimal) else None
        gaps = tuple(sorted(amount.gaps)) if type(amount) is Unknown else ()
        return self._share(  # type: ignore[no-any-return]
            FeeResult, fee.key, number, fee.currency, tuple(sources), verified and number is not None,
            when is not True, gaps,
        )

    def _notice_results(self, notices: tuple[Notice, ...]) -> tuple[tuple[NoticeResult, NoticeResult | None], ...]:
        """Per notice, its result when its condition holds, and when it is unknown (None: not shown then)."""
        return tuple(
            (self._share(NoticeResult, notice.key, True, notice.sources),
             self._share(NoticeResult, notice.key, False, notice.sources) if notice.show_if_unknown else None)
            for notice in notices
        )

    @staticmethod
    def _notices(
        notices: tuple[tuple[NoticeResult, NoticeResult | None], ...], whens: Iterator[object]
    ) -> list[NoticeResult]:
        shown = []
        for (certain, uncertain), when in zip(notices, whens, strict=False):
            if when is True:
                shown.append(certain)
            elif uncertain is not None and type(when) is Unknown:
                shown.append(uncertain)
        return shown

    @staticmethod
    def _plain(value: object) -> object:
        return None if type(value) is Unknown else value

    def _hints(self, rulebook: Rulebook, option: Option, ctx: Context, unknown: Unknown) -> list[Hint]:
        """Single answers that would make the option favourable, for yes/no and choice facts."""
        if len(unknown.facts) > MAX_HINT_FACTS:
            return []
        catalog = self.library.facts.get(rulebook.subject, {})
        plan = self.plan(rulebook, option)
        status_fn = plan.status
        hints = []
        for name in sorted(unknown.facts):
            spec = catalog.get(name)
            if spec is None or spec.type not in ("bool", "enum"):
                continue
            # The rules of the status that do not read this fact keep their values: only the others are
            # recomputed.
            rules = plan.facts_kept.get(name)
            if rules is None:
                rules = tuple(q for q in self._rules_below(option.status, rulebook.name) if name not in self._reads(q))
                plan.facts_kept[name] = rules
            memo = ctx.memo
            kept = {rule: memo[rule] for rule in rules if rule in memo}
            candidates: tuple[object, ...] = (True, False) if spec.type == "bool" else tuple(spec.values)
            for candidate in candidates:
                trial = Context({**ctx.facts, name: candidate}, ctx.on)
                trial.memo.update(kept)
                trial.periods = ctx.periods
                value = status_fn(trial)
                status = option.unknown_status if type(value) is Unknown else str(value)
                if status in option.favourable:
                    hints.append(Hint(name, candidate))
        return hints

    def _reads(self, qualified: str) -> frozenset[str]:
        """Every fact a named rule reads, directly or through the rules it refers to."""
        found = self._facts_read.get(qualified)
        if found is None:
            book, rule = self.library.rule(qualified)
            names: set[str] = set()
            for node in rule.expr.walk():
                if isinstance(node, Fact | Present):
                    names.add(node.name)
                elif isinstance(node, Ref):
                    names |= self._reads(self.library.qualify_rule(book.name, node.name))
            found = frozenset(names)
            self._facts_read[qualified] = found
        return found

    def _rules_below(self, node: Expr, scope: str) -> list[str]:
        """The named rules `node` refers to, directly or through other rules."""
        found: dict[str, None] = {}
        stack = [(node, scope)]
        while stack:
            item, where = stack.pop()
            for sub in item.walk():
                if isinstance(sub, Ref):
                    qualified = self.library.qualify_rule(where, sub.name)
                    if qualified not in found:
                        found[qualified] = None
                        book, rule = self.library.rule(qualified)
                        stack.append((rule.expr, book.name))
        return list(found)
