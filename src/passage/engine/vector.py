"""The vectorized evaluator: the same expression trees compiled to Polars, run over a table of facts.

A row is a subject; a null cell is an unknown fact. Polars' boolean `&`, `|` and `~` already follow Kleene
logic on nulls; every other operator propagates null, and `If` reproduces the scalar rule (on an unknown
condition, the branches' common value if they agree). A nullable fact `x` has a companion column
`x__present` (true: a value was given; false: the answer was "none"; null: not answered). The as-of date
is one for the whole run, so parameters become literals. A property test checks that this evaluator and
the scalar one agree on every rule of every rulebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

import polars as pl

from passage.engine.errors import NotVectorizable, RulebookError
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
from passage.engine.facts import FactSpec
from passage.engine.library import Library
from passage.engine.rulebook import Option
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown

RANGE_TYPE = pl.List(pl.Struct({"from": pl.Date, "to": pl.Date}))
DTYPES: dict[str, Any] = {
    "bool": pl.Boolean,
    "enum": pl.String,
    "int": pl.Int64,
    "decimal": pl.Decimal(38, 2),
    "date": pl.Date,
    "country": pl.String,
    "countries": pl.List(pl.String),
    "date_ranges": RANGE_TYPE,
    "text": pl.String,
}
PRESENT_SUFFIX = "__present"
UNIT_DTYPES: dict[str, Any] = {
    "CAD": pl.Decimal(38, 2), "percent": pl.Decimal(38, 4), "days": pl.Int64, "months": pl.Int64,
    "years": pl.Int64, "int": pl.Int64, "date": pl.Date, "bool": pl.Boolean, "text": pl.String,
    "list": pl.List(pl.String),
}


def facts_schema(catalog: Mapping[str, FactSpec]) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for name, spec in catalog.items():
        schema[name] = DTYPES[spec.type]
        if spec.nullable:
            schema[name + PRESENT_SUFFIX] = pl.Boolean
    return schema


def facts_frame(rows: Iterable[Mapping[str, object]], catalog: Mapping[str, FactSpec]) -> pl.DataFrame:
    """A table of parsed facts (as `parse_facts` returns them), one row per subject."""
    columns: dict[str, list[object]] = {name: [] for name in facts_schema(catalog)}
    for row in rows:
        for name, spec in catalog.items():
            value = row.get(name)
            if spec.type == "date_ranges" and value is not None:
                value = [{"from": r.start, "to": r.end} for r in value]  # type: ignore[attr-defined]
            elif spec.type == "countries" and value is not None:
                value = list(value)  # type: ignore[call-overload]
            columns[name].append(value)
            if spec.nullable:
                columns[name + PRESENT_SUFFIX].append((row[name] is not None) if name in row else None)
    return pl.DataFrame(columns, schema=facts_schema(catalog))


@dataclass(frozen=True)
class _Compiled:
    """A compiled node: its Polars expression, the stage after which it can be computed (0: on the input
    columns), and whether it is a leaf (a column or literal, cheap to repeat)."""

    expr: pl.Expr
    level: int
    leaf: bool = False
    constant: bool = False  # depends only on the date and parameters: the same for every row
    value: object = None  # its value, when constant


class VectorCompiler:
    """Compiles expressions of a Library to Polars for one as-of date.

    Every named rule, and every non-trivial branch of an `If`, is materialized once as a column in staged
    `with_columns`, so a rule used by ten others is computed once and nested `If`s do not copy their
    branches (which would grow the plan exponentially). Use `select(frame, {name: expr})` to run.
    """

    def __init__(self, library: Library, on: date) -> None:
        self.library = library
        self.on = on
        self._rules: dict[str, _Compiled] = {}
        self._ranges: dict[str, tuple[_Compiled, _Compiled]] = {}
        self._prefixes: dict[tuple[str, int], _Compiled] = {}
        self._stages: list[list[pl.Expr]] = []
        # Subtrees that depend only on the date and parameters are folded to literals by the scalar
        # evaluator, so both evaluators agree on them by construction and no row recomputes them.
        self._scalar = Compiler(library)
        self._empty = Context({}, on)

    def status(self, option: Option, scope: str) -> pl.Expr:
        expr = self.compile(option.status, scope)
        return expr.fill_null(pl.lit(option.unknown_status)).alias(option.id)

    def compile(self, node: Expr, scope: str) -> pl.Expr:
        """The expression of `node`, valid on a frame prepared by `prepare` (as `select` does)."""
        return self._compile(node, scope).expr

    def prepare(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """`frame` with every materialized column added, stage by stage."""
        for stage in self._stages:
            if stage:
                frame = frame.with_columns(stage)
        return frame

    def select(self, frame: pl.DataFrame, columns: Mapping[str, Expr | pl.Expr], scope: str = "") -> pl.DataFrame:
        exprs = [
            (self.compile(value, scope) if isinstance(value, Expr) else value).alias(name)
            for name, value in columns.items()
        ]
        return self.prepare(frame.lazy()).select(exprs).collect()

    def _materialize(self, compiled: _Compiled) -> _Compiled:
        if compiled.leaf:
            return compiled
        while len(self._stages) <= compiled.level:
            self._stages.append([])
        name = f"__v{sum(len(stage) for stage in self._stages)}"
        self._stages[compiled.level].append(compiled.expr.alias(name))
        return _Compiled(pl.col(name), compiled.level + 1, leaf=True)

    def _compile(self, node: Expr, scope: str) -> _Compiled:
        if isinstance(node, Const | On | Param | LawUnknown):
            return self._fold(node, scope)
        if isinstance(node, Fact):
            return _Compiled(pl.col(node.name), 0, leaf=True)
        if isinstance(node, Present):
            return _Compiled(pl.col(node.name + PRESENT_SUFFIX), 0, leaf=True)
        if isinstance(node, DaysCovered) and isinstance(node.ranges, Fact):
            # The trips' first and last days as integer lists, extracted once per fact for every window.
            firsts, lasts = self._range_days(node.ranges.name)
            start, end = self._compile(node.start, scope), self._compile(node.end, scope)
            level = max(firsts.level, start.level, end.level)
            ranges = pl.col(node.ranges.name)
            expr = _covered_days(ranges, firsts.expr, lasts.expr, start.expr, end.expr, node.endpoints)
            return _Compiled(expr, level)
        if isinstance(node, StartsWith) and isinstance(node.item, Fact):
            return self._starts_with(node.item.name, node.prefixes)
        if isinstance(node, Ref):
            qualified = self.library.qualify_rule(scope, node.name)
            if qualified not in self._rules:
                book, rule = self.library.rule(qualified)
                compiled = self._compile(rule.expr, book.name)
                self._rules[qualified] = compiled if compiled.constant else self._materialize(compiled)
            return self._rules[qualified]
        children = [self._compile(child, scope) for child in node.children()]
        if children and all(child.constant for child in children) and not isinstance(node, EarliestDate):
            return self._fold(node, scope)
        level = max((child.level for child in children), default=0)
        if isinstance(node, If):
            cond, then, otherwise = (self._materialize(child) for child in children)
            level = max(cond.level, then.level, otherwise.level)
            test = cond.expr.cast(pl.Boolean)  # a folded unknown is an untyped null
            expr = (
                pl.when(test).then(then.expr)
                .when(~test).then(otherwise.expr)
                .when(then.expr == otherwise.expr).then(then.expr)
                .otherwise(None)
            )
            return _Compiled(expr, level)
        amounts = [children[1].value] if isinstance(node, DateAdd) and children[1].constant else []
        return _Compiled(self._combine(node, [child.expr for child in children], amounts), level)

    def _starts_with(self, fact_name: str, prefixes: tuple[str, ...]) -> _Compiled:
        """Prefix tests on a text fact, one set look-up per prefix length on a prefix column sliced once per
        (fact, length) and shared by every schedule (hundreds of HS prefixes, a handful of lengths)."""
        tests = []
        level = 0
        for length in sorted({len(p) for p in prefixes}):
            key = (fact_name, length)
            if key not in self._prefixes:
                column = pl.col(fact_name)
                sliced = pl.when(column.str.len_chars() >= length).then(column.str.slice(0, length))
                self._prefixes[key] = self._materialize(_Compiled(sliced, 0))
            head = self._prefixes[key]
            level = max(level, head.level)
            wanted = [p for p in prefixes if len(p) == length]
            # a value too short for this length is a known "no" (null slice), but an unknown value stays unknown
            tests.append(pl.when(pl.col(fact_name).is_null()).then(None).otherwise(
                head.expr.is_in(_set_literal(wanted)).fill_null(False)))
        if not tests:
            return _Compiled(pl.when(pl.col(fact_name).is_null()).then(None).otherwise(pl.lit(False)), 0)
        return _Compiled(reduce(lambda a, b: a | b, tests), level)

    def _range_days(self, fact_name: str) -> tuple[_Compiled, _Compiled]:
        if fact_name not in self._ranges:
            column = pl.col(fact_name)
            self._ranges[fact_name] = (
                self._materialize(_Compiled(_range_field(column, "from"), 0)),
                self._materialize(_Compiled(_range_field(column, "to"), 0)),
            )
        return self._ranges[fact_name]

    def _fold(self, node: Expr, scope: str) -> _Compiled:
        """A literal for a node that is the same on every row (computed once, by the scalar evaluator)."""
        value = self._scalar.fn(node, scope)(self._empty)
        if isinstance(value, Unknown):
            dtype = None
            if isinstance(node, Param):  # the law gives no value on the date: a null of the parameter's type
                dtype = UNIT_DTYPES[self.library.parameters[self.library.qualify_param(scope, node.id)].unit]
            # Untyped otherwise: a law_unknown may stand for a date, an amount or a condition; logic casts
            # its operands to boolean.
            return _Compiled(pl.lit(None, dtype=dtype), 0, leaf=True, constant=True, value=None)
        return _Compiled(_literal(value), 0, leaf=True, constant=True, value=value)

    def _combine(self, node: Expr, args: list[pl.Expr], amounts: list[object]) -> pl.Expr:
        if isinstance(node, And):
            return reduce(lambda a, b: a & b, (arg.cast(pl.Boolean) for arg in args))
        if isinstance(node, Or):
            return reduce(lambda a, b: a | b, (arg.cast(pl.Boolean) for arg in args))
        if isinstance(node, Not):
            return ~args[0].cast(pl.Boolean)  # cast: an all-null operand still needs the boolean type
        if isinstance(node, Compare):
            return _compare(node.op, args[0], args[1])
        if isinstance(node, Arith):
            return _arith(node.op, args[0], args[1])
        if isinstance(node, DateAdd):
            return _date_add(args[0], amounts[0] if amounts else None, args[1], node.unit)
        if isinstance(node, DaysBetween):
            return (args[1] - args[0]).dt.total_days()
        if isinstance(node, YearsBetween):
            start, end = args

            def month_day(day: pl.Expr) -> pl.Expr:  # dt.month() is Int8: widen before multiplying
                return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

            before_birthday = month_day(end) < month_day(start)
            return end.dt.year().cast(pl.Int64) - start.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)
        if isinstance(node, DaysCovered):
            return _covered(args[0], args[1], args[2], node.endpoints)
        if isinstance(node, IsIn):
            return args[0].is_in(_set_literal(list(node.values)))
        if isinstance(node, Contains):
            return args[0].list.contains(node.value)
        if isinstance(node, Size):
            return args[0].list.len().cast(pl.Int64)
        if isinstance(node, RangeBound):
            return _range_bound(args[0], args[1], args[2], node.bound, node.pick)
        if isinstance(node, StartsWith):
            return _starts_with(args[0], node.prefixes)
        if isinstance(node, EarliestDate):
            raise NotVectorizable("earliest_date searches over dates and runs only in the scalar evaluator")
        raise RulebookError("(engine)", type(node).__name__, "no vectorized evaluation for this node type")


def evaluate_frame(
    library: Library, subject: str, frame: pl.DataFrame, on: date, rulebooks: Iterable[str] | None = None
) -> pl.DataFrame:
    """Every option's status for every row of `frame` as of `on` (one column per option id), for all the
    subject's rulebooks or only those named."""
    compiler = VectorCompiler(library, on)
    wanted = None if rulebooks is None else set(rulebooks)
    columns = [
        compiler.status(option, rulebook.name)
        for rulebook in library.for_subject(subject)
        if wanted is None or rulebook.name in wanted
        for option in rulebook.options
    ]
    return compiler.prepare(frame.lazy()).select(columns).collect()


def _literal(value: object) -> pl.Expr:
    if value is None:
        return pl.lit(None)
    if isinstance(value, bool):
        return pl.lit(value, dtype=pl.Boolean)
    if isinstance(value, int):
        return pl.lit(value, dtype=pl.Int64)
    if isinstance(value, Decimal):
        return pl.lit(value, dtype=pl.Decimal(38, max(2, -value.as_tuple().exponent)))  # type: ignore[operator]
    if isinstance(value, date):
        return pl.lit(value, dtype=pl.Date)
    if isinstance(value, tuple):
        return pl.lit(list(value), dtype=pl.List(pl.String))
    return pl.lit(value, dtype=pl.String)


def _set_literal(values: Sequence[object]) -> pl.Expr:
    """A literal set for `is_in`, imploded so Polars reads it as one collection (not element-wise)."""
    return pl.lit(pl.Series(values)).implode()


def _compare(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    if op == "lt":
        return left < right
    if op == "le":
        return left <= right
    if op == "gt":
        return left > right
    return left >= right


def _arith(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if op == "add":
        return left + right
    if op == "sub":
        return left - right
    if op == "mul":
        return left * right
    if op == "floordiv":
        return left // right
    either_null = left.is_null() | right.is_null()
    combined = pl.min_horizontal(left, right) if op == "min" else pl.max_horizontal(left, right)
    return pl.when(either_null).then(None).otherwise(combined)  # min/max_horizontal skip nulls


def _date_add(day: pl.Expr, constant_amount: object, amount: pl.Expr, unit: str) -> pl.Expr:
    if unit == "days":
        return day + pl.duration(days=amount)
    suffix = "mo" if unit == "months" else "y"
    if isinstance(constant_amount, int):  # the usual case: a fixed or parameter amount
        return day.dt.offset_by(f"{constant_amount}{suffix}")
    return day.dt.offset_by(pl.format("{}" + suffix, amount))


def _range_field(ranges: pl.Expr, field: str) -> pl.Expr:
    """One bound of every range of a date-ranges column, as a list of day numbers (Int64)."""
    return ranges.list.eval(pl.element().struct.field(field).cast(pl.Int32).cast(pl.Int64))


def _covered(ranges: pl.Expr, start: pl.Expr, end: pl.Expr, endpoints: str) -> pl.Expr:
    return _covered_days(ranges, _range_field(ranges, "from"), _range_field(ranges, "to"), start, end, endpoints)


def _covered_days(
    ranges: pl.Expr, firsts: pl.Expr, lasts: pl.Expr, start: pl.Expr, end: pl.Expr, endpoints: str
) -> pl.Expr:
    """Days of [start, end) inside the ranges: sum of max(0, min(last, hi) - max(first, lo)) over ranges,
    written with list arithmetic (a list minus a per-row number broadcasts)."""
    # Ranges count [first + first_offset, last + last_offset); shifting the window by the offsets instead of
    # every range leaves a constant (last_offset - first_offset) to add back to each length.
    first_offset, last_offset = (1, 0) if endpoints == "exclusive" else (0, 1)
    lo = start.cast(pl.Int32).cast(pl.Int64) - first_offset
    hi = end.cast(pl.Int32).cast(pl.Int64) - last_offset

    def relu(values: pl.Expr) -> pl.Expr:
        return values.list.eval(pl.element().clip(lower_bound=0))

    clipped_last = lasts - relu(lasts - hi)
    clipped_first = firsts + relu(lo - firsts)
    total = relu(clipped_last - clipped_first + (last_offset - first_offset)).list.sum()
    return pl.when(start.is_null() | end.is_null() | ranges.is_null()).then(None).otherwise(total)


def _range_bound(ranges: pl.Expr, after: pl.Expr, default: pl.Expr, bound: str, pick: str) -> pl.Expr:
    field = "from" if bound == "start" else "to"
    days = ranges.list.eval(pl.element().struct.field(field).cast(pl.Int32).cast(pl.Int64))
    # offsets from `after` (list minus scalar); keep the positive ones, pick, back to a date
    offsets = (days - after.cast(pl.Int32).cast(pl.Int64)).list.eval(pl.element().filter(pl.element() > 0))
    picked = offsets.list.min() if pick == "min" else offsets.list.max()
    as_date = (picked + after.cast(pl.Int32).cast(pl.Int64)).cast(pl.Int32).cast(pl.Date)
    unknown = ranges.is_null() | after.is_null()
    return pl.when(unknown).then(None).when(picked.is_null()).then(default).otherwise(as_date)


def _starts_with(item: pl.Expr, prefixes: tuple[str, ...]) -> pl.Expr:
    """One set look-up per prefix length (a schedule has hundreds of prefixes of a few lengths)."""
    lengths = sorted({len(p) for p in prefixes})
    if not lengths:
        return pl.when(item.is_null()).then(None).otherwise(pl.lit(False))
    tests = [
        (item.str.len_chars() >= n) & item.str.slice(0, n).is_in(_set_literal([p for p in prefixes if len(p) == n]))
        for n in lengths
    ]
    return reduce(lambda a, b: a | b, tests)
