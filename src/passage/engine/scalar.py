"""The scalar evaluator: one subject, one date, every value with Kleene three-valued logic.

Each named rule is compiled once into a generated Python function (much faster than walking the tree, or
calling a closure per node, on every evaluation); named rules are memoised per evaluation, so a rule shared
by many options is computed once.
Semantics, which the vectorized evaluator reproduces exactly:
- false AND unknown = false; true OR unknown = true; NOT unknown = unknown;
- any comparison, arithmetic or date operation on an unknown is unknown (carrying its facts);
- IF on an unknown condition gives the branches' common value when they agree, else unknown;
- a parameter with no value in law on the date is unknown with the parameter named in `gaps`.
"""

from __future__ import annotations

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


class Context:
    """One evaluation: the facts, the as-of date, and the memo of rules and parameters computed so far.

    `stable` memoises the rules that do not depend on the date (no `on()`, no parameter below them): it is
    the same dict as `memo` here, and is shared by the contexts `as_of` other days, so a search over dates
    (`earliest_date`) recomputes only what the date changes.
    """

    __slots__ = ("facts", "memo", "on", "periods", "stable")

    def __init__(self, facts: Mapping[str, object], on: date, stable: dict[str, Any] | None = None) -> None:
        self.facts = facts
        self.on = on
        self.memo: dict[str, Any] = {}
        self.periods: dict[str, Period | None] = {}
        self.stable: dict[str, Any] = self.memo if stable is None else stable

    def as_of(self, day: date) -> Context:
        return self if day == self.on else Context(self.facts, day, self.stable)


class Compiler:
    """Compiles expression nodes of a Library into Python functions, once per (node, rulebook scope).

    Each named rule becomes one generated function (Python source, `compile()`d): its expression tree is
    written out as straight-line code with Kleene logic inline, references to other rules read the memo
    and call their functions. Calling one function per rule instead of one closure per node is what makes
    an explained assessment of every option cost tens of microseconds.
    """

    def __init__(self, library: Library) -> None:
        self.library = library
        self._cache: dict[tuple[int, str], Fn] = {}
        self._rule_fns: dict[str, Fn] = {}
        self._rule_bodies: dict[str, Fn] = {}
        self._probes: dict[tuple[int, str], Fn] = {}
        self._dated: dict[str, bool] = {}
        self._keep: list[Expr] = []  # keeps compiled nodes alive so their ids stay unique
        self._periods: dict[tuple[str, date], Period | None] = {}
        self._param_fns: dict[str, tuple[Fn, dict[date, Any]]] = {}

    def fn(self, node: Expr, scope: str) -> Fn:
        key = (id(node), scope)
        compiled = self._cache.get(key)
        if compiled is None:
            if isinstance(node, Ref):
                compiled = self.rule_fn(self.library.qualify_rule(scope, node.name))
            else:
                compiled = _Source(self, scope).function(node, f"<passage {scope} {type(node).__name__}>")
            self._cache[key] = compiled
            self._keep.append(node)
        return compiled

    def probe_fn(self, node: Expr, scope: str) -> Fn:
        """`node` as one function for a context of its own on another day (the probes of `earliest_date`):
        the rules below it that depend on the date are written out in place, computed at most once each in
        local variables, without the memo (a probe's memo is thrown away); the others are read from
        `ctx.stable` as usual."""
        key = (id(node), scope)
        compiled = self._probes.get(key)
        if compiled is None:
            compiled = _Source(self, scope, inline=True).function(node, f"<passage {scope} probe>")
            self._probes[key] = compiled
            self._keep.append(node)
        return compiled

    def tuple_fn(self, nodes: tuple[Expr, ...], scope: str) -> Fn:
        """One function computing every node of `nodes`, in order, as a tuple (one call instead of many)."""
        return _Source(self, scope).function(nodes, f"<passage {scope} tuple>")

    def rule_fn(self, qualified: str) -> Fn:
        """The memoised function of a named rule (`rulebook.rule`)."""
        compiled = self._rule_fns.get(qualified)
        if compiled is None:
            body = self.rule_body(qualified)
            if self.rule_dated(qualified):

                def compiled(ctx: Context) -> Any:
                    value = ctx.memo.get(qualified, _MISSING)
                    return body(ctx) if value is _MISSING else value

            else:

                def compiled(ctx: Context) -> Any:
                    value = ctx.stable.get(qualified, _MISSING)
                    return body(ctx) if value is _MISSING else value

            self._rule_fns[qualified] = compiled
        return compiled

    def rule_body(self, qualified: str) -> Fn:
        """The function computing a named rule and storing it in the memo (callers check the memo first)."""
        body = self._rule_bodies.get(qualified)
        if body is None:
            book, rule = self.library.rule(qualified)
            memo = "M" if self.rule_dated(qualified) else "S"
            body = _Source(self, book.name).function(rule.expr, f"<passage rule {qualified}>", (memo, qualified))
            self._rule_bodies[qualified] = body
        return body

    def rule_dated(self, qualified: str) -> bool:
        """Whether a named rule depends on the date: it reads `on()` or a parameter, directly or below."""
        dated = self._dated.get(qualified)
        if dated is None:
            book, rule = self.library.rule(qualified)
            dated = self.dated(rule.expr, book.name)
            self._dated[qualified] = dated
        return dated

    def dated(self, node: Expr, scope: str) -> bool:
        for item in node.walk():
            if isinstance(item, On | Param):
                return True
            if isinstance(item, Ref) and self.rule_dated(self.library.qualify_rule(scope, item.name)):
                return True
        return False

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

    def param_fn(self, qualified: str) -> tuple[Fn, dict[date, Any]]:
        """The value of a parameter on the context's date (or an unknown naming it when the law gives none),
        and the values found so far by day, which generated code reads before calling the function."""
        found = self._param_fns.get(qualified)
        if found is None:
            gap = Unknown(gaps=frozenset({qualified}))
            parameter = self.library.parameters[qualified]
            by_day: dict[date, Any] = {}

            def compiled(ctx: Context) -> Any:
                value = by_day.get(ctx.on, _MISSING)
                if value is _MISSING:
                    period = parameter.period_on(ctx.on)
                    value = gap if period is None or period.value is None else period.value
                    if len(by_day) < 10_000:  # bounded: a long-running server sees many days
                        by_day[ctx.on] = value
                return value

            found = (compiled, by_day)
            self._param_fns[qualified] = found
        return found


_OPERATORS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
              "add": "+", "sub": "-", "mul": "*", "floordiv": "//"}
_MAX_INDENT = 40  # deeper subtrees become functions of their own (Python limits nesting)
_MAX_LOOPS = 16
_MAX_INLINED_LINES = 2000  # past this, rules are called instead of written out in place


class _Source:
    """The Python source of one function evaluating an expression tree, and the names it refers to.

    Every node writes statements that leave its value in a local variable and returns that variable's
    name, with whether it may be an Unknown (constants and the date never are: their checks are left out).
    The semantics are those of the module docstring, operator by operator.
    """

    def __init__(self, compiler: Compiler, scope: str, inline: bool = False) -> None:
        self.compiler = compiler
        self.scope = scope
        self.inline = inline  # write the rules that depend on the date out in place (see Compiler.probe_fn)
        self.inlined: dict[str, str] = {}  # rule -> the local variable holding its value
        self.loops = 0  # Python allows 20 nested loops in a function
        self.lines: list[str] = []
        # Values computed unconditionally (at the function's first level, outside any loop), by node: the
        # same expression object used again later in this function (a condition shared by several outputs
        # of an option) reads the variable instead of computing again. Evaluation has no side effects.
        self.computed: dict[tuple[int, str], tuple[str, bool]] = {}
        self.names: dict[str, Any] = {
            "Unknown": Unknown, "MISSING": _MISSING, "timedelta": timedelta, "add_months": add_months,
            "full_years_between": full_years_between,
        }
        self.count = 0

    def function(self, node: Expr | tuple[Expr, ...], label: str, store: tuple[str, str] | None = None) -> Fn:
        if isinstance(node, tuple):
            result = "(" + "".join(f"{self.emit(item, 1)[0]}, " for item in node) + ")"
        else:
            result, _ = self.emit(node, 1)
        lines = ["def evaluate(ctx):", "    F = ctx.facts", "    M = ctx.memo", "    S = ctx.stable",
                 "    on = ctx.on", *(f"    {local} = MISSING" for local in self.inlined.values()), *self.lines]
        if store is not None:
            lines.append(f"    {store[0]}[{store[1]!r}] = {result}")
        lines.append(f"    return {result}")
        # The source is generated from the rulebook tree by this module, never from a user's input.
        exec(compile("\n".join(lines), label, "exec"), self.names)  # noqa: S102  # nosec B102
        return self.names["evaluate"]  # type: ignore[no-any-return]

    def name(self, value: object) -> str:
        self.count += 1
        name = f"k{self.count}"
        self.names[name] = value
        return name

    def var(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def emit(self, node: Expr, indent: int) -> tuple[str, bool]:
        known = self.computed.get((id(node), self.scope))
        if known is not None:
            return known
        result = self.emit_node(node, indent)
        if indent == 1 and self.loops == 0:
            self.computed[id(node), self.scope] = result
        return result

    def emit_node(self, node: Expr, indent: int) -> tuple[str, bool]:
        pad = "    " * indent
        out = self.lines.append
        if indent > _MAX_INDENT or self.loops > _MAX_LOOPS:
            target = self.var()
            out(f"{pad}{target} = {self.name(self.compiler.fn(node, self.scope))}(ctx)")
            return target, True
        if isinstance(node, Const):
            return self.name(node.value), False
        if isinstance(node, On):
            return "on", False
        if isinstance(node, LawUnknown):
            return self.name(Unknown(gaps=frozenset({node.key}))), True
        target = self.var()
        if isinstance(node, Fact):
            out(f"{pad}{target} = F.get({node.name!r})")
            out(f"{pad}if {target} is None: {target} = {self.name(Unknown(frozenset({node.name})))}")
            return target, True
        if isinstance(node, Present):
            out(f"{pad}{target} = F.get({node.name!r}, MISSING)")
            unknown = self.name(Unknown(frozenset({node.name})))
            out(f"{pad}{target} = {unknown} if {target} is MISSING else {target} is not None")
            return target, True
        if isinstance(node, Param):
            param, by_day = self.compiler.param_fn(self.compiler.library.qualify_param(self.scope, node.id))
            out(f"{pad}{target} = {self.name(by_day)}.get(on, MISSING)")
            out(f"{pad}if {target} is MISSING: {target} = {self.name(param)}(ctx)")
            return target, True
        if isinstance(node, Ref):
            qualified = self.compiler.library.qualify_rule(self.scope, node.name)
            if self.inline and self.compiler.rule_dated(qualified) and len(self.lines) < _MAX_INLINED_LINES:
                return self.inline_rule(qualified, indent), True
            memo = "M" if self.compiler.rule_dated(qualified) else "S"
            body = self.name(self.compiler.rule_body(qualified))
            out(f"{pad}{target} = {memo}.get({qualified!r}, MISSING)")
            out(f"{pad}if {target} is MISSING: {target} = {body}(ctx)")
            return target, True
        if isinstance(node, And | Or):
            # Kleene: the first decisive item (false for AND, true for OR) ends it; else any unknown, merged.
            decisive, neutral = ("False", "True") if isinstance(node, And) else ("True", "False")
            unknown = self.var()
            self.loops += 1
            out(f"{pad}while True:")
            out(f"{pad}    {unknown} = None")
            for item in node.items:
                value, _ = self.emit(item, indent + 1)
                out(f"{pad}    if {value} is {decisive}:")
                out(f"{pad}        {target} = {decisive}")
                out(f"{pad}        break")
                out(f"{pad}    if {value} is not {neutral}:")
                out(f"{pad}        {unknown} = {value} if {unknown} is None else {unknown}.merge({value})")
            out(f"{pad}    {target} = {neutral} if {unknown} is None else {unknown}")
            out(f"{pad}    break")
            self.loops -= 1
            return target, True
        if isinstance(node, Not):
            value, _ = self.emit(node.item, indent)
            out(f"{pad}{target} = False if {value} is True else (True if {value} is False else {value})")
            return target, True
        if isinstance(node, If):
            cond, _ = self.emit(node.cond, indent)
            out(f"{pad}if {cond} is not False:")
            then, _ = self.emit(node.then, indent + 1)
            out(f"{pad}    pass")
            out(f"{pad}if {cond} is not True:")
            otherwise, _ = self.emit(node.otherwise, indent + 1)
            out(f"{pad}    pass")
            out(f"{pad}if {cond} is True: {target} = {then}")
            out(f"{pad}elif {cond} is False: {target} = {otherwise}")
            same = f"type({then}) is not Unknown and type({then}) is type({otherwise}) and {then} == {otherwise}"
            out(f"{pad}elif {same}:")
            out(f"{pad}    {target} = {then}")
            out(f"{pad}else:")
            out(f"{pad}    {target} = {cond}")
            out(f"{pad}    if type({then}) is Unknown: {target} = {target}.merge({then})")
            out(f"{pad}    if type({otherwise}) is Unknown: {target} = {target}.merge({otherwise})")
            return target, True
        if isinstance(node, Compare | Arith | DateAdd | DaysBetween | YearsBetween):
            left, right = _operands(node)
            a, a_unknown = self.emit(left, indent)
            b, b_unknown = self.emit(right, indent)
            expression = self.operation(node, a, b)
            if a_unknown and b_unknown:
                out(f"{pad}if type({a}) is Unknown: {target} = {a}.merge({b}) if type({b}) is Unknown else {a}")
                out(f"{pad}elif type({b}) is Unknown: {target} = {b}")
                out(f"{pad}else: {target} = {expression}")
            elif a_unknown or b_unknown:
                maybe = a if a_unknown else b
                out(f"{pad}{target} = {maybe} if type({maybe}) is Unknown else {expression}")
            else:
                out(f"{pad}{target} = {expression}")
            return target, a_unknown or b_unknown
        if isinstance(node, IsIn | Contains | Size | StartsWith):
            item = node.collection if isinstance(node, Contains | Size) else node.item
            value, may_be_unknown = self.emit(item, indent)
            if isinstance(node, IsIn):
                expression = f"{value} in {self.name(frozenset(node.values))}"
            elif isinstance(node, Contains):
                expression = f"{self.name(node.value)} in {value}"
            elif isinstance(node, Size):
                expression = f"len({value})"
            else:
                expression = f"{self.name(_prefix_test(node.prefixes))}({value})"
            if may_be_unknown:
                out(f"{pad}{target} = {value} if type({value}) is Unknown else {expression}")
            else:
                out(f"{pad}{target} = {expression}")
            return target, may_be_unknown
        if isinstance(node, DaysCovered):
            spans, _ = self.emit(node.ranges, indent)
            low, _ = self.emit(node.start, indent)
            high, _ = self.emit(node.end, indent)
            covered = self.name(_covered(node.endpoints))
            out(f"{pad}if type({spans}) is Unknown or type({low}) is Unknown or type({high}) is Unknown:")
            out(f"{pad}    {target} = {self.name(_merged)}({spans}, {low}, {high})")
            out(f"{pad}else: {target} = {covered}({spans}, {low}, {high})")
            return target, True
        if isinstance(node, RangeBound):
            spans, _ = self.emit(node.ranges, indent)
            limit, _ = self.emit(node.after, indent)
            pick = self.name(_range_pick(node.bound, node.pick))
            out(f"{pad}if type({spans}) is Unknown or type({limit}) is Unknown:")
            out(f"{pad}    {target} = {self.name(_merged)}({spans}, {limit})")
            out(f"{pad}else:")
            out(f"{pad}    {target} = {pick}({spans}, {limit})")
            out(f"{pad}    if {target} is MISSING:")
            default, _ = self.emit(node.default, indent + 2)
            out(f"{pad}        {target} = {default}")
            return target, True
        if isinstance(node, EarliestDate):
            search = _earliest_fn(
                self.compiler.fn(node.condition, self.scope), self.compiler.fn(node.start, self.scope),
                self.compiler.fn(node.end, self.scope), self.compiler.dated(node.condition, self.scope),
                self.compiler.probe_fn(node.condition, self.scope),
            )
            out(f"{pad}{target} = {self.name(search)}(ctx)")
            return target, True
        raise RulebookError("(engine)", type(node).__name__, "no scalar evaluation for this node type")

    def inline_rule(self, qualified: str, indent: int) -> str:
        """A named rule computed in place, once: each use is guarded by whether it was computed already."""
        local = self.inlined.get(qualified)
        if local is None:
            local = self.inlined[qualified] = self.var()
        pad = "    " * indent
        self.lines.append(f"{pad}if {local} is MISSING:")
        book, rule = self.compiler.library.rule(qualified)
        outer, self.scope = self.scope, book.name
        value, _ = self.emit(rule.expr, indent + 1)
        self.scope = outer
        self.lines.append(f"{pad}    {local} = {value}")
        return local

    def operation(self, node: Expr, a: str, b: str) -> str:
        if isinstance(node, Compare | Arith):
            if node.op in ("min", "max"):
                return f"{node.op}({a}, {b})"
            return f"{a} {_OPERATORS[node.op]} {b}"
        if isinstance(node, DateAdd):
            if node.unit == "days":
                return f"{a} + timedelta(days={b})"
            return f"add_months({a}, {b})" if node.unit == "months" else f"add_months({a}, 12 * {b})"
        if isinstance(node, DaysBetween):
            return f"({b} - {a}).days"
        return f"full_years_between({a}, {b})"


def _operands(node: Compare | Arith | DateAdd | DaysBetween | YearsBetween) -> tuple[Expr, Expr]:
    if isinstance(node, Compare | Arith):
        return node.left, node.right
    if isinstance(node, DateAdd):
        return node.date, node.amount
    return node.start, node.end


def _merged(*values: object) -> Unknown:
    """The unknowns among `values`, merged in order (the first one absorbs the others)."""
    result: Unknown | None = None
    for value in values:
        if type(value) is Unknown:
            result = value if result is None else result.merge(value)
    return result  # type: ignore[return-value]  # called only when one of them is unknown


def _covered(endpoints: str) -> Callable[[Any, date, date], int]:
    # exclusive: the first and last day of a range are not covered (IRCC: days of departure and return
    # count as days in Canada); inclusive: they are.
    first_offset, last_offset = (1, 0) if endpoints == "exclusive" else (0, 1)

    def covered(spans: Any, lo: date, hi: date) -> int:
        total = 0
        lo_ord, hi_ord = lo.toordinal(), hi.toordinal()
        span: DateRange
        for span in spans:
            first = max(span.start.toordinal() + first_offset, lo_ord)
            last = min(span.end.toordinal() + last_offset, hi_ord)
            if last > first:
                total += last - first
        return total

    return covered


def _range_pick(bound: str, pick: str) -> Callable[[Any, date], Any]:
    """The min or max bound among the ranges' bounds strictly after `limit`; MISSING when there is none."""
    choose = min if pick == "min" else max

    def range_pick(spans: Any, limit: date) -> Any:
        days = [span.start if bound == "start" else span.end for span in spans]
        days = [day for day in days if day > limit]
        return choose(days) if days else _MISSING

    return range_pick


def _prefix_test(prefixes: tuple[str, ...]) -> Callable[[str], bool]:
    by_length: dict[int, frozenset[str]] = {}
    for prefix in prefixes:
        by_length[len(prefix)] = by_length.get(len(prefix), frozenset()) | {prefix}
    groups = tuple(by_length.items())

    def starts_with(value: str) -> bool:
        return any(value[:length] in group for length, group in groups if len(value) >= length)

    return starts_with


def _earliest_fn(condition: Fn, start: Fn, end: Fn, dated: bool, probe: Fn) -> Fn:
    def holds(ctx: Context, day: date) -> Any:
        if day == ctx.on:
            return condition(ctx)
        return probe(Context(ctx.facts, day, ctx.stable))

    def earliest_fn(ctx: Context) -> Value:
        first, last = start(ctx), end(ctx)
        if type(first) is Unknown or type(last) is Unknown:
            return first if type(first) is Unknown else last
        at_last = holds(ctx, last)
        if at_last is not True:
            return None if at_last is False else at_last
        # A condition that does not read the date holds on every day if on the last.
        at_first = holds(ctx, first) if dated else True
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
