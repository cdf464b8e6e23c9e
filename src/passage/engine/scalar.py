"""The scalar evaluator: one subject, one date, every value with Kleene three-valued logic.

Each expression node is compiled once into a Python closure (much faster than walking the tree on every
call); named rules are memoised per evaluation, so a rule shared by many options is computed once.
Semantics, which the vectorized evaluator reproduces exactly:
- false AND unknown = false; true OR unknown = true; NOT unknown = unknown;
- any comparison, arithmetic or date operation on an unknown is unknown (carrying its facts);
- IF on an unknown condition gives the branches' common value when they agree, else unknown;
- a parameter with no value in law on the date is unknown with the parameter named in `gaps`.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from passage.engine.errors import RulebookError
from passage.engine.expressions import (
    And,
    Arith,
    Compare,
    Const,
    Contains,
    DateAdd,
    DaysBetween,
    DaysCovered,
    EarliestDate,
    Expr,
    Fact,
    If,
    IsIn,
    LawUnknown,
    Not,
    On,
    Or,
    Param,
    Present,
    RangeBound,
    Ref,
    Size,
    StartsWith,
    YearsBetween,
)
from passage.engine.library import Library
from passage.engine.parameters import Period
from passage.engine.values import DateRange, Unknown, Value, add_months, full_years_between

Fn = Callable[["Context"], Any]
_MISSING = object()

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "floordiv": operator.floordiv,
    "min": min, "max": max,
}


class Context:
    """One evaluation: the facts, the as-of date, and the memo of rules and parameters computed so far."""

    __slots__ = ("facts", "memo", "on", "periods")

    def __init__(self, facts: Mapping[str, object], on: date) -> None:
        self.facts = facts
        self.on = on
        self.memo: dict[str, Any] = {}
        self.periods: dict[str, Period | None] = {}

    def as_of(self, day: date) -> Context:
        return Context(self.facts, day)


class Compiler:
    """Compiles expression nodes of a Library into closures, once per (node, rulebook scope)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._cache: dict[tuple[int, str], Fn] = {}
        self._rule_fns: dict[str, Fn] = {}
        self._keep: list[Expr] = []  # keeps compiled nodes alive so their ids stay unique
        self._periods: dict[tuple[str, date], Period | None] = {}

    def fn(self, node: Expr, scope: str) -> Fn:
        key = (id(node), scope)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(node, scope)
            self._cache[key] = compiled
            self._keep.append(node)
        return compiled

    def rule_fn(self, qualified: str) -> Fn:
        """The memoised closure of a named rule (`rulebook.rule`)."""
        compiled = self._rule_fns.get(qualified)
        if compiled is None:
            book, rule = self.library.rule(qualified)
            body: list[Fn] = []

            def compiled(ctx: Context) -> Any:
                value = ctx.memo.get(qualified, _MISSING)
                if value is _MISSING:
                    if not body:
                        body.append(self.fn(rule.expr, book.name))
                    value = body[0](ctx)
                    ctx.memo[qualified] = value
                return value

            self._rule_fns[qualified] = compiled
        return compiled

    def period(self, ctx: Context, qualified: str) -> Period | None:
        if qualified in ctx.periods:
            return ctx.periods[qualified]
        # Parameters never change once loaded, so a (parameter, day) look-up is shared by every evaluation
        # of this library (the bisection of earliest_date asks about the same days again and again).
        key = (qualified, ctx.on)
        if key in self._periods:
            found = self._periods[key]
        else:
            found = self.library.parameters[qualified].period_on(ctx.on)
            if len(self._periods) < 100_000:  # bounded: a long-running server sees many days
                self._periods[key] = found
        ctx.periods[qualified] = found
        return found

    def _compile(self, node: Expr, scope: str) -> Fn:
        if isinstance(node, Const):
            constant = node.value
            return lambda ctx: constant
        if isinstance(node, Fact):
            return _fact_fn(node.name)
        if isinstance(node, Present):
            return _present_fn(node.name)
        if isinstance(node, On):
            return lambda ctx: ctx.on
        if isinstance(node, LawUnknown):
            not_encoded = Unknown(gaps=frozenset({node.key}))
            return lambda ctx: not_encoded
        if isinstance(node, Param):
            return self._param_fn(self.library.qualify_param(scope, node.id))
        if isinstance(node, Ref):
            return self.rule_fn(self.library.qualify_rule(scope, node.name))
        if isinstance(node, And):
            return _and_fn(tuple(self.fn(item, scope) for item in node.items))
        if isinstance(node, Or):
            return _or_fn(tuple(self.fn(item, scope) for item in node.items))
        if isinstance(node, Not):
            return _not_fn(self.fn(node.item, scope))
        if isinstance(node, Compare):
            return _binary_fn(_COMPARE[node.op], self.fn(node.left, scope), self.fn(node.right, scope))
        if isinstance(node, Arith):
            return _binary_fn(_ARITH[node.op], self.fn(node.left, scope), self.fn(node.right, scope))
        if isinstance(node, If):
            return _if_fn(self.fn(node.cond, scope), self.fn(node.then, scope), self.fn(node.otherwise, scope))
        if isinstance(node, DateAdd):
            return _binary_fn(_DATE_ADD[node.unit], self.fn(node.date, scope), self.fn(node.amount, scope))
        if isinstance(node, DaysBetween):
            return _binary_fn(lambda a, b: (b - a).days, self.fn(node.start, scope), self.fn(node.end, scope))
        if isinstance(node, YearsBetween):
            return _binary_fn(full_years_between, self.fn(node.start, scope), self.fn(node.end, scope))
        if isinstance(node, DaysCovered):
            return _covered_fn(
                self.fn(node.ranges, scope), self.fn(node.start, scope), self.fn(node.end, scope), node.endpoints
            )
        if isinstance(node, IsIn):
            return _is_in_fn(self.fn(node.item, scope), frozenset(node.values))
        if isinstance(node, Contains):
            return _contains_fn(self.fn(node.collection, scope), node.value)
        if isinstance(node, Size):
            collection = self.fn(node.collection, scope)
            return lambda ctx: (lambda v: v if type(v) is Unknown else len(v))(collection(ctx))
        if isinstance(node, RangeBound):
            return _range_bound_fn(
                self.fn(node.ranges, scope), node.bound, node.pick, self.fn(node.after, scope),
                self.fn(node.default, scope),
            )
        if isinstance(node, StartsWith):
            return _starts_with_fn(self.fn(node.item, scope), node.prefixes)
        if isinstance(node, EarliestDate):
            return _earliest_fn(self.fn(node.condition, scope), self.fn(node.start, scope), self.fn(node.end, scope))
        raise RulebookError("(engine)", type(node).__name__, "no scalar evaluation for this node type")

    def _param_fn(self, qualified: str) -> Fn:
        gap = Unknown(gaps=frozenset({qualified}))

        def param_fn(ctx: Context) -> Any:
            found = self.period(ctx, qualified)
            if found is None or found.value is None:
                return gap
            return found.value

        return param_fn


def _fact_fn(name: str) -> Fn:
    unknown = Unknown(frozenset({name}))

    def fact_fn(ctx: Context) -> Any:
        value = ctx.facts.get(name)
        return unknown if value is None else value

    return fact_fn


def _present_fn(name: str) -> Fn:
    unknown = Unknown(frozenset({name}))

    def present_fn(ctx: Context) -> Any:
        value = ctx.facts.get(name, _MISSING)
        if value is _MISSING:
            return unknown
        return value is not None

    return present_fn


def _and_fn(items: tuple[Fn, ...]) -> Fn:
    def and_fn(ctx: Context) -> Any:
        unknown: Unknown | None = None
        for item in items:
            value = item(ctx)
            if value is False:
                return False
            if value is not True:
                unknown = value if unknown is None else unknown.merge(value)
        return True if unknown is None else unknown

    return and_fn


def _or_fn(items: tuple[Fn, ...]) -> Fn:
    def or_fn(ctx: Context) -> Any:
        unknown: Unknown | None = None
        for item in items:
            value = item(ctx)
            if value is True:
                return True
            if value is not False:
                unknown = value if unknown is None else unknown.merge(value)
        return False if unknown is None else unknown

    return or_fn


def _not_fn(item: Fn) -> Fn:
    def not_fn(ctx: Context) -> Any:
        value = item(ctx)
        if value is True:
            return False
        if value is False:
            return True
        return value

    return not_fn


def _binary_fn(op: Callable[[Any, Any], Any], left: Fn, right: Fn) -> Fn:
    def binary_fn(ctx: Context) -> Any:
        a, b = left(ctx), right(ctx)
        if type(a) is Unknown:
            return a.merge(b) if type(b) is Unknown else a
        if type(b) is Unknown:
            return b
        return op(a, b)

    return binary_fn


def _if_fn(cond: Fn, then: Fn, otherwise: Fn) -> Fn:
    def if_fn(ctx: Context) -> Any:
        test = cond(ctx)
        if test is True:
            return then(ctx)
        if test is False:
            return otherwise(ctx)
        a, b = then(ctx), otherwise(ctx)
        if type(a) is not Unknown and type(a) is type(b) and a == b:
            return a
        result: Unknown = test
        for branch in (a, b):
            if type(branch) is Unknown:
                result = result.merge(branch)
        return result

    return if_fn


def _add_days(day: date, amount: int) -> date:
    return day + timedelta(days=amount)


_DATE_ADD: dict[str, Callable[[Any, Any], Any]] = {
    "days": _add_days,
    "months": add_months,
    "years": lambda day, amount: add_months(day, 12 * amount),
}


def _covered_fn(ranges: Fn, start: Fn, end: Fn, endpoints: str) -> Fn:
    # exclusive: the first and last day of a range are not covered (IRCC: days of departure and return
    # count as days in Canada); inclusive: they are.
    first_offset, last_offset = (1, 0) if endpoints == "exclusive" else (0, 1)

    def covered_fn(ctx: Context) -> Any:
        spans, lo, hi = ranges(ctx), start(ctx), end(ctx)
        unknowns = [v for v in (spans, lo, hi) if type(v) is Unknown]
        if unknowns:
            result: Unknown = unknowns[0]
            for other in unknowns[1:]:
                result = result.merge(other)
            return result
        total = 0
        lo_ord, hi_ord = lo.toordinal(), hi.toordinal()
        span: DateRange
        for span in spans:
            first = max(span.start.toordinal() + first_offset, lo_ord)
            last = min(span.end.toordinal() + last_offset, hi_ord)
            if last > first:
                total += last - first
        return total

    return covered_fn


def _is_in_fn(item: Fn, values: frozenset[object]) -> Fn:
    def is_in_fn(ctx: Context) -> Any:
        value = item(ctx)
        return value if type(value) is Unknown else value in values

    return is_in_fn


def _contains_fn(collection: Fn, member: str) -> Fn:
    def contains_fn(ctx: Context) -> Any:
        value = collection(ctx)
        return value if type(value) is Unknown else member in value

    return contains_fn


def _range_bound_fn(ranges: Fn, bound: str, pick: str, after: Fn, default: Fn) -> Fn:
    choose = min if pick == "min" else max

    def range_bound_fn(ctx: Context) -> Any:
        spans, limit = ranges(ctx), after(ctx)
        if type(spans) is Unknown or type(limit) is Unknown:
            return spans.merge(limit) if type(spans) is Unknown and type(limit) is Unknown else (
                spans if type(spans) is Unknown else limit)
        days = [span.start if bound == "start" else span.end for span in spans]
        days = [day for day in days if day > limit]
        return choose(days) if days else default(ctx)

    return range_bound_fn


def _starts_with_fn(item: Fn, prefixes: tuple[str, ...]) -> Fn:
    by_length: dict[int, frozenset[str]] = {}
    for prefix in prefixes:
        by_length[len(prefix)] = by_length.get(len(prefix), frozenset()) | {prefix}

    def starts_with_fn(ctx: Context) -> Any:
        value = item(ctx)
        if type(value) is Unknown:
            return value
        return any(value[:length] in group for length, group in by_length.items() if len(value) >= length)

    return starts_with_fn


def _earliest_fn(condition: Fn, start: Fn, end: Fn) -> Fn:
    def holds(ctx: Context, day: date) -> Any:
        return condition(ctx.as_of(day))

    def earliest_fn(ctx: Context) -> Value:
        first, last = start(ctx), end(ctx)
        if type(first) is Unknown or type(last) is Unknown:
            return first if type(first) is Unknown else last
        at_last = holds(ctx, last)
        if at_last is not True:
            return None if at_last is False else at_last
        at_first = holds(ctx, first)
        if at_first is True:
            return first  # type: ignore[no-any-return]
        if at_first is not False:
            return at_first  # type: ignore[no-any-return]
        low, high = first, last  # invariant: fails on `low`, holds on `high`
        while (high - low).days > 1:
            middle = low + timedelta(days=(high - low).days // 2)
            verdict = holds(ctx, middle)
            if verdict is True:
                high = middle
            elif verdict is False:
                low = middle
            else:
                return verdict  # type: ignore[no-any-return]
        return high  # type: ignore[no-any-return]

    return earliest_fn
