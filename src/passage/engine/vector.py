"""The vectorized evaluator: the same expression trees compiled to Polars, run over a table of facts.

A row is a subject; a null cell is an unknown fact. Polars' boolean `&`, `|` and `~` already follow Kleene
logic on nulls; every other operator propagates null, and `If` reproduces the scalar rule (on an unknown
condition, the branches' common value if they agree). A nullable fact `x` has a companion column
`x__present` (true: a value was given; false: the answer was "none"; null: not answered). The as-of date
is one for the whole run, so parameters become literals. A property test checks that this evaluator and
the scalar one agree on every rule of every rulebook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
from passage.engine.values import DateRange

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


class VectorCompiler:
    """Compiles expressions of a Library to Polars expressions for one as-of date."""

    def __init__(self, library: Library, on: date) -> None:
        self.library = library
        self.on = on
        self._rules: dict[str, pl.Expr] = {}

    def status(self, option: Option, scope: str) -> pl.Expr:
        expr = self.compile(option.status, scope)
        return expr.fill_null(pl.lit(option.unknown_status)).alias(option.id)

    def compile(self, node: Expr, scope: str) -> pl.Expr:
        if isinstance(node, Const):
            return _literal(node.value)
        if isinstance(node, Fact):
            return pl.col(node.name)
        if isinstance(node, Present):
            return pl.col(node.name + PRESENT_SUFFIX)
        if isinstance(node, On):
            return pl.lit(self.on, dtype=pl.Date)
        if isinstance(node, LawUnknown):
            return pl.lit(None, dtype=pl.Boolean)  # typed, so logic over it type-checks in Polars
        if isinstance(node, Param):
            qualified = self.library.qualify_param(scope, node.id)
            parameter = self.library.parameters[qualified]
            period = parameter.period_on(self.on)
            if period is None or period.value is None:  # law not encoded on this date: a typed null
                return pl.lit(None, dtype=UNIT_DTYPES[parameter.unit])
            return _literal(period.value)
        if isinstance(node, Ref):
            qualified = self.library.qualify_rule(scope, node.name)
            if qualified not in self._rules:
                book, rule = self.library.rule(qualified)
                self._rules[qualified] = self.compile(rule.expr, book.name)
            return self._rules[qualified]
        if isinstance(node, And):
            return reduce(lambda a, b: a & b, (self._boolean(i, scope) for i in node.items))
        if isinstance(node, Or):
            return reduce(lambda a, b: a | b, (self._boolean(i, scope) for i in node.items))
        if isinstance(node, Not):
            return ~self._boolean(node.item, scope)
        if isinstance(node, Compare):
            return _compare(node.op, self.compile(node.left, scope), self.compile(node.right, scope))
        if isinstance(node, Arith):
            return _arith(node.op, self.compile(node.left, scope), self.compile(node.right, scope))
        if isinstance(node, If):
            cond, then, otherwise = (self.compile(n, scope) for n in (node.cond, node.then, node.otherwise))
            return (
                pl.when(cond).then(then)
                .when(~cond).then(otherwise)
                .when(then == otherwise).then(then)
                .otherwise(None)
            )
        if isinstance(node, DateAdd):
            return _date_add(self.compile(node.date, scope), node.amount, self.compile(node.amount, scope), node.unit)
        if isinstance(node, DaysBetween):
            return (self.compile(node.end, scope) - self.compile(node.start, scope)).dt.total_days()
        if isinstance(node, YearsBetween):
            start, end = self.compile(node.start, scope), self.compile(node.end, scope)
            def month_day(day: pl.Expr) -> pl.Expr:  # dt.month() is Int8: widen before multiplying
                return day.dt.month().cast(pl.Int32) * 100 + day.dt.day().cast(pl.Int32)

            before_birthday = month_day(end) < month_day(start)
            return end.dt.year().cast(pl.Int64) - start.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)
        if isinstance(node, DaysCovered):
            return _covered(
                self.compile(node.ranges, scope), self.compile(node.start, scope), self.compile(node.end, scope),
                node.endpoints,
            )
        if isinstance(node, IsIn):
            return self.compile(node.item, scope).is_in(_set_literal(list(node.values)))
        if isinstance(node, Contains):
            return self.compile(node.collection, scope).list.contains(node.value)
        if isinstance(node, Size):
            return self.compile(node.collection, scope).list.len().cast(pl.Int64)
        if isinstance(node, RangeBound):
            ranges, after = self.compile(node.ranges, scope), self.compile(node.after, scope)
            field = "from" if node.bound == "start" else "to"
            days = ranges.list.eval(pl.element().struct.field(field).cast(pl.Int32).cast(pl.Int64))
            # offsets from `after` (list minus scalar); keep the positive ones, pick, back to a date
            offsets = (days - after.cast(pl.Int32).cast(pl.Int64)).list.eval(pl.element().filter(pl.element() > 0))
            picked = offsets.list.min() if node.pick == "min" else offsets.list.max()
            as_date = (picked + after.cast(pl.Int32).cast(pl.Int64)).cast(pl.Int32).cast(pl.Date)
            return (
                pl.when(ranges.is_null() | after.is_null()).then(None)
                .when(picked.is_null()).then(self.compile(node.default, scope))
                .otherwise(as_date)
            )
        if isinstance(node, StartsWith):
            return _starts_with(self.compile(node.item, scope), node.prefixes)
        if isinstance(node, EarliestDate):
            raise NotVectorizable("earliest_date searches over dates and runs only in the scalar evaluator")
        raise RulebookError("(engine)", type(node).__name__, "no vectorized evaluation for this node type")


    def _boolean(self, node: Expr, scope: str) -> pl.Expr:
        """An operand of AND/OR/NOT, cast so an all-null operand still has the boolean type Polars needs."""
        return self.compile(node, scope).cast(pl.Boolean)


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
    return frame.lazy().select(columns).collect()


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


def _set_literal(values: list[object]) -> pl.Expr:
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


def _date_add(day: pl.Expr, amount_node: Expr, amount: pl.Expr, unit: str) -> pl.Expr:
    if unit == "days":
        return day + pl.duration(days=amount)
    suffix = "mo" if unit == "months" else "y"
    if isinstance(amount_node, Const) and isinstance(amount_node.value, int):
        return day.dt.offset_by(f"{amount_node.value}{suffix}")
    return day.dt.offset_by(pl.format("{}" + suffix, amount))


def _covered(ranges: pl.Expr, start: pl.Expr, end: pl.Expr, endpoints: str) -> pl.Expr:
    first_offset, last_offset = (1, 0) if endpoints == "exclusive" else (0, 1)
    lo, hi = start.cast(pl.Int32).cast(pl.Int64), end.cast(pl.Int32).cast(pl.Int64)
    firsts = ranges.list.eval(pl.element().struct.field("from").cast(pl.Int32).cast(pl.Int64) + first_offset)
    lasts = ranges.list.eval(pl.element().struct.field("to").cast(pl.Int32).cast(pl.Int64) + last_offset)

    def relu(values: pl.Expr) -> pl.Expr:
        return values.list.eval(pl.element().clip(lower_bound=0))

    # min(last, hi) - max(first, lo), clipped at 0, summed; written with list arithmetic.
    clipped_last = lasts - relu(lasts - hi)
    clipped_first = firsts + relu(lo - firsts)
    total = relu(clipped_last - clipped_first).list.sum()
    return pl.when(start.is_null() | end.is_null() | ranges.is_null()).then(None).otherwise(total)


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


def ranges_to_python(value: object) -> tuple[DateRange, ...]:
    """The scalar form of a date-ranges cell (for tests comparing both evaluators)."""
    if not isinstance(value, list):
        return ()
    return tuple(DateRange(item["from"], item["to"]) for item in value)
