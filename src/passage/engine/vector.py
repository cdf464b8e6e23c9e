"""The vectorized evaluator: the same expression trees compiled to Polars, run over a table of facts.

A row is a subject; a null cell is an unknown fact. Polars' boolean `&`, `|` and `~` already follow Kleene
logic on nulls; every other operator propagates null, and `If` reproduces the scalar rule (on an unknown
condition, the branches' common value if they agree). A nullable fact `x` has a companion column
`x__present` (true: a value was given; false: the answer was "none"; null: not answered). The as-of date
is one for the whole run, so parameters become literals. A property test checks that this evaluator and
the scalar one agree on every rule of every rulebook.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any

import polars as pl

from passage.engine import vector_steps as steps
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
from passage.engine.facts import COUNTRY_CODES, FactSpec
from passage.engine.library import Library
from passage.engine.rulebook import Option
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown

RANGE_TYPE = pl.List(pl.Struct({"from": pl.Date, "to": pl.Date}))
DTYPES: dict[str, Any] = {
    "bool": pl.Boolean,
    "enum": pl.String,  # an enum declaring its values is an Enum of them (see facts_schema)
    "int": pl.Int64,
    "decimal": pl.Decimal(38, 2),
    "date": pl.Date,
    "country": pl.String,  # an Enum of the ISO codes (see facts_schema)
    "countries": pl.List(pl.String),
    "date_ranges": RANGE_TYPE,
    "text": pl.String,
}
PRESENT_SUFFIX = "__present"
EPOCH = date(1970, 1, 1)
MAX_WIDTH = 8  # ranges per row up to which windows are computed position by position
# A missing range position as an empty range of day numbers (first after last, both far past any calendar
# date's, which are within ±3,000,000) so that min(last, hi) - max(first, lo) is negative, and fits Int32.
EMPTY_FIRST, EMPTY_LAST = 10**8, -(10**8)
WORD = 64  # prefix tests of a fact per mask column (the bits of a UInt64)
EQUALITIES = 4  # texts up to which `fact in (...)` is or'ed equalities rather than one `is_in`
TEXT_TYPES = frozenset({"enum", "country", "text"})
COUNTRY_ENUM = pl.Enum(sorted(COUNTRY_CODES))
UNIT_DTYPES: dict[str, Any] = {
    "CAD": pl.Decimal(38, 2), "percent": pl.Decimal(38, 4), "days": pl.Int64, "months": pl.Int64,
    "years": pl.Int64, "int": pl.Int64, "date": pl.Date, "bool": pl.Boolean, "text": pl.String,
    "list": pl.List(pl.String),
}


def facts_schema(catalog: Mapping[str, FactSpec], library: Library | None = None) -> dict[str, Any]:
    """The table's column types. A fact of a closed set of texts is an Enum of them (sorted): an enum fact of
    its values, a country of the ISO codes. A test `fact == "x"` is then an integer comparison, a tenth of a
    text comparison. With `library`, a text fact its rules read by prefix (HS codes, ECL items: a few
    thousand distinct codes over any number of rows) is Categorical (`codes_dtype`), encoded once when the
    table is built or read, so that its prefix tests are computed once per distinct code (see
    `VectorCompiler._starts_with`). A table may also hold any of them as text: the compiled tests read both
    (see `VectorCompiler._fact`)."""
    coded = set().union(*_library_facts(library).prefixed.values()) if library is not None else set()
    schema: dict[str, Any] = {}
    for name, spec in catalog.items():
        if spec.type == "text" and name in coded:
            schema[name] = codes_dtype(name)
        elif spec.type == "enum" and spec.values:
            schema[name] = pl.Enum(sorted(spec.values))
        elif spec.type == "country":
            schema[name] = COUNTRY_ENUM
        else:
            schema[name] = DTYPES[spec.type]
        if spec.nullable:
            schema[name + PRESENT_SUFFIX] = pl.Boolean
    return schema


def codes_dtype(fact_name: str) -> pl.Categorical:
    """The Categorical type of a text fact read by prefix (see `facts_schema`): categories of its own per fact
    name, so that its dictionary holds only codes of that fact (of every table alive in the process)."""
    return pl.Categorical(pl.Categories(fact_name, namespace="passage"))


def facts_frame(
    rows: Iterable[Mapping[str, object]], catalog: Mapping[str, FactSpec], library: Library | None = None
) -> pl.DataFrame:
    """A table of parsed facts (as `parse_facts` returns them), one row per subject, of the column types of
    `facts_schema(catalog, library)`."""
    schema = facts_schema(catalog, library)
    columns: dict[str, list[object]] = {name: [] for name in schema}
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
    return pl.DataFrame(columns, schema=schema)


@dataclass(frozen=True)
class _Compiled:
    """A compiled node: its Polars expression, the stage after which it can be computed (0: on the input
    columns), and whether it is a leaf (a column or literal, cheap to repeat)."""

    expr: pl.Expr
    level: int
    leaf: bool = False
    constant: bool = False  # depends only on the date and parameters: the same for every row
    value: object = None  # its value, when constant
    label: bool = False  # a text chosen among the library's constants, typed as the Enum `labels`
    step: steps.Step | None = None  # a monotone function of one date column (see vector_steps)


class VectorCompiler:
    """Compiles expressions of a Library to Polars for one as-of date.

    Every named rule, and every non-trivial branch of an `If`, is materialized once as a column in staged
    `with_columns`, so a rule used by ten others is computed once and nested `If`s do not copy their
    branches (which would grow the plan exponentially). Use `select(frame, {name: expr})` to run.
    """

    def __init__(
        self, library: Library, on: date, widths: Mapping[str, int] | None = None,
        categorical: Mapping[str, Any] | None = None,
    ) -> None:
        """What is known of the table (see `table_layout`) makes some nodes cheaper; the result is the same.
        `widths`: the most ranges any row has, per date-ranges fact; up to MAX_WIDTH, windows over those
        ranges are computed on one column per range position instead of list arithmetic. `categorical`: the
        text facts read by prefix that the table holds as Categorical or Enum columns, with their types; the
        others are encoded as `codes_dtype` first (see `_starts_with`)."""
        self.library = library
        self.on = on
        self.widths = {name: width for name, width in (widths or {}).items() if width <= MAX_WIDTH}
        self.categorical = dict(categorical or {})
        self._equalities: dict[tuple[str, str], _Compiled] = {}  # (text fact, constant) -> their equality
        self._list_tests: dict[tuple[str, str, str], _Compiled] = {}  # (node type, list fact, item) -> column
        self._codes: dict[str, _Compiled] = {}  # text fact read by prefix -> its Categorical column
        self._code_tests: dict[str, dict[tuple[str, ...], int]] = {}  # that fact -> prefix set -> its bit
        self._rules: dict[str, _Compiled] = {}
        self._ranges: dict[str, tuple[_Compiled, _Compiled]] = {}
        self._range_columns: dict[tuple[str, str, bool], list[_Compiled]] = {}
        self._range_items: dict[str, list[_Compiled]] = {}  # fact -> its i-th range (a struct) per position
        self._stages: list[list[pl.Expr]] = []
        # Subtrees that depend only on the date and parameters are folded to literals by the scalar
        # evaluator, so both evaluators agree on them by construction and no row recomputes them.
        self._scalar = _scalar_compiler(library)
        self._empty = Context({}, on)
        # Texts an `If` chooses between constants (statuses, schedule lines, tariff treatments) are computed
        # as one Enum of every text constant of the library: a choice of labels is then integer work, where
        # building a String column costs ten times more.
        texts = _library_facts(library).texts
        self.labels = pl.Enum(texts)
        self._texts = frozenset(texts)
        self._label_literals: dict[str | None, pl.Expr] = {}
        self._literals: dict[tuple[type, str], pl.Expr] = {}

    def status(self, option: Option, scope: str) -> pl.Expr:
        compiled = self._compile(option.status, scope)
        label = self._label(compiled)  # a label, or a text constant typed as one
        if label is not None:
            expr = label.expr.fill_null(self._label_literal(option.unknown_status))
        else:
            expr = compiled.expr.fill_null(pl.lit(option.unknown_status))
        if compiled.constant:  # the same for every row: one value per row all the same
            expr = pl.repeat(expr, pl.len())
        return expr.alias(option.id)

    def compile(self, node: Expr, scope: str) -> pl.Expr:
        """The expression of `node`, valid on a frame prepared by `prepare` (as `select` does). A text chosen
        among constants is of the Enum type `labels` (its values read as `str`)."""
        return self._compile(node, scope).expr

    def prepare(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """`frame` with every materialized column added, stage by stage."""
        for stage in self.stages():
            frame = frame.with_columns(stage)
        return frame

    def stages(self) -> tuple[tuple[pl.Expr, ...], ...]:
        """The materialized columns of the expressions compiled so far, by stage (see `prepare`), with the
        masks of the prefix tests (see `_starts_with`), known only once every test is compiled."""
        stages = [list(stage) for stage in self._stages]
        for name, tests in self._code_tests.items():
            codes = self._codes[name]
            while len(stages) <= codes.level:
                stages.append([])
            dtype = self.categorical.get(name, codes_dtype(name))
            prefix_sets = list(tests)  # in the order of their bits
            for word in range(0, len(prefix_sets), WORD):
                mask = _prefix_mask(codes.expr, dtype, prefix_sets[word:word + WORD])
                stages[codes.level].append(mask.alias(_mask_name(name, word // WORD)))
        return tuple(tuple(stage) for stage in stages if stage)

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
        return _Compiled(pl.col(name), compiled.level + 1, leaf=True, label=compiled.label, step=compiled.step)

    def _label(self, compiled: _Compiled) -> _Compiled | None:
        """`compiled` as a label (Enum) expression if it is one, a text constant or a constant unknown."""
        if compiled.label:
            return compiled
        if compiled.constant and (compiled.value is None or compiled.value in self._texts):
            expr = self._label_literal(compiled.value)
            return _Compiled(expr, compiled.level, leaf=True, constant=True, value=compiled.value, label=True)
        return None

    def _label_literal(self, value: str | None) -> pl.Expr:
        # Made once per text: an Enum literal is a Series cast to the (large) Enum, a tenth of a ms each.
        if value not in self._label_literals:
            self._label_literals[value] = pl.lit(value, dtype=self.labels)
        return self._label_literals[value]

    def _fact(self, name: str) -> pl.Expr:
        """A fact's column for any use but an equality test with a text (`_text_test`, which reads the column
        as it is) or a prefix test (`_starts_with`): an enum or country fact held as an Enum, or a code held as
        a Categorical (see `facts_schema`), is read as text, so that it orders, slices and combines as text
        does in the scalar evaluator (an Enum orders by category and does not mix with other Enums). The cast
        costs nothing on a column held as text."""
        if name in _library_facts(self.library).categorical_facts:
            return pl.col(name).cast(pl.String)
        return pl.col(name)

    @staticmethod
    def _text(compiled: _Compiled) -> pl.Expr:
        """The expression of `compiled` for any use but a choice of labels: labels become String again."""
        return compiled.expr.cast(pl.String) if compiled.label else compiled.expr

    def _compile(self, node: Expr, scope: str) -> _Compiled:
        if isinstance(node, Const | On | Param | LawUnknown):
            return self._fold(node, scope)
        if isinstance(node, Fact):
            return _Compiled(self._fact(node.name), 0, leaf=True)
        if isinstance(node, Present):
            return _Compiled(pl.col(node.name + PRESENT_SUFFIX), 0, leaf=True)
        if isinstance(node, DaysCovered | RangeBound) and isinstance(node.ranges, Fact) and (
                node.ranges.name in self.widths):
            return self._by_position(node, node.ranges.name, scope)
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
        choice = self._text_test(node, scope)
        if choice is not None:
            return choice
        if isinstance(node, Contains | Size) and isinstance(node.collection, Fact):
            # A list test written in several rules (citizenships contains "BY"): computed once. Polars does not
            # share these between columns of a stage by itself.
            key = (type(node).__name__, node.collection.name, node.value if isinstance(node, Contains) else "")
            if key not in self._list_tests:
                column = pl.col(node.collection.name)
                self._list_tests[key] = self._materialize(_Compiled(self._combine(node, [column], []), 0))
            return self._list_tests[key]
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
        if isinstance(node, Arith) and node.op in ("min", "max"):
            children = [self._materialize(child) for child in children]  # each is read twice (see _arith)
        level = max((child.level for child in children), default=0)
        if isinstance(node, Arith) and node.op in ("min", "max"):
            fixed = [child.constant and child.value is not None for child in children]
            if fixed.count(True) == 1:
                # Against a constant (never unknown), one choice instead of _arith's two: the constant where the
                # row's value is past it, else the value; an unknown value fails the test and stays unknown.
                value, bound = (self._text(child) for child in (children[::-1] if fixed[0] else children))
                past = value >= bound if node.op == "min" else value <= bound
                return _Compiled(pl.when(past).then(bound).otherwise(value), level)
        if isinstance(node, And | Or):
            return self._logic(node, children, scope)
        if isinstance(node, If):
            return self._if(node, children, scope)
        if isinstance(node, Compare):
            compared = self._compare_step(node.op, children)
            if compared is not None:
                return compared
        step = self._step(node, children)
        amounts = [children[1].value] if isinstance(node, DateAdd) and children[1].constant else []
        args = [self._text(child) for child in children]
        if isinstance(node, Compare) or (isinstance(node, Arith) and node.op in ("add", "sub", "mul")):
            # A whole-number Decimal constant (a rate of 50.00 %) is an integer to add, subtract, multiply or
            # compare with: exact, and Int64 arithmetic is many times faster than Decimal(38, n). Not for
            # floordiv: Decimal // rounds toward zero, int // toward minus infinity.
            wholes = [_whole(child.value) if child.constant else None for child in children]
            args = [arg if whole is None else whole for whole, arg in zip(wholes, args, strict=True)]
        if isinstance(node, DaysBetween):
            args = [_epoch_days(child) for child in children]
        return _Compiled(self._combine(node, args, amounts), level, step=step)

    def _logic(self, node: And | Or, children: list[_Compiled], scope: str) -> _Compiled:
        """And/Or with Kleene folding of constant operands: a constant false in an And (true in an Or) settles
        it for every row, as in the scalar evaluator; a constant true (false) changes nothing and is left out."""
        decisive = isinstance(node, Or)
        if any(child.constant and child.value is decisive for child in children):
            return self._fold(node, scope)
        kept = [child for child in children if not (child.constant and child.value is (not decisive))]
        if not kept:
            return self._fold(node, scope)
        operands = [self._text(child).cast(pl.Boolean) for child in kept]
        expr = reduce((lambda a, b: a | b) if decisive else (lambda a, b: a & b), operands)
        return _Compiled(expr, max(child.level for child in kept))

    def _if(self, node: If, children: list[_Compiled], scope: str) -> _Compiled:
        cond, then, otherwise = children
        if cond.constant and isinstance(cond.value, bool):
            return then if cond.value else otherwise
        if then.constant and otherwise.constant and then.value is not None and (
                type(then.value) is type(otherwise.value) and then.value == otherwise.value):
            return self._fold(node, scope)  # the same value whatever the condition
        cond, then, otherwise = (self._materialize(child) for child in children)
        level = max(cond.level, then.level, otherwise.level)
        labels = (self._label(then), self._label(otherwise))
        label = labels[0] is not None and labels[1] is not None and (then.label or otherwise.label or any(
            isinstance(branch.value, str) for branch in (then, otherwise)))
        if label:
            then, otherwise = labels  # type: ignore[assignment]
        then_expr = then.expr if label else self._text(then)
        otherwise_expr = otherwise.expr if label else self._text(otherwise)
        test = self._text(cond).cast(pl.Boolean)  # a folded unknown is an untyped null
        if then.constant and otherwise.constant:  # two different constants are never equal
            expr = pl.when(test).then(then_expr).when(~test).then(otherwise_expr)
        else:
            # On an unknown test, the branches' common value: `test | same` holds where the test does, and
            # where the branches are equal (either value then); an unknown `same` (an unknown branch) leaves
            # the test to decide. One choice fewer than a third `when(same)`.
            same = then_expr == otherwise_expr
            expr = pl.when(test | same).then(then_expr).when(~test).then(otherwise_expr)
        return _Compiled(expr.otherwise(None), level, label=label)

    def _step(self, node: Expr, children: list[_Compiled]) -> steps.Step | None:
        """The step (see vector_steps) of a date function of one column, else None."""
        if isinstance(node, DateAdd):
            day, amount = children
            base = self._base_step(node.date, day)
            if base is not None and amount.constant and type(amount.value) is int:
                return steps.date_add(base, amount.value, node.unit)
        elif isinstance(node, DaysBetween | YearsBetween):
            start, end = children
            between = steps.days_between if isinstance(node, DaysBetween) else steps.years_between
            for child, other, step_is_start in ((node.start, end, True), (node.end, start, False)):
                base = self._base_step(child, start if step_is_start else end)
                if base is not None and other.constant and isinstance(other.value, date):
                    return between(base, other.value, step_is_start)
        elif isinstance(node, Arith) and node.op in ("add", "sub"):
            left, right = children
            if left.step is not None and right.constant and type(right.value) is int:
                return steps.plus(left.step, right.value if node.op == "add" else -right.value, negate=False)
            if right.step is not None and left.constant and type(left.value) is int:
                return steps.plus(right.step, left.value, negate=node.op == "sub")
        return None

    @staticmethod
    def _base_step(node: Expr, compiled: _Compiled) -> steps.Step | None:
        """The step a date operand carries: its own, or the identity of a date fact."""
        if compiled.step is not None:
            return compiled.step
        if isinstance(node, Fact):
            return steps.identity(compiled.expr, compiled.level)
        return None

    def _compare_step(self, op: str, children: list[_Compiled]) -> _Compiled | None:
        """A step compared with a constant: the step's date column compared with threshold dates."""
        left, right = children
        if left.step is not None and right.constant and right.value is not None:
            step, constant, op = left.step, right.value, op
        elif right.step is not None and left.constant and left.value is not None:
            step, constant, op = right.step, left.value, steps.MIRRORED[op]
        else:
            return None
        expr = steps.compare(step, op, constant)
        return None if expr is None else _Compiled(expr, step.level)

    def _starts_with(self, fact_name: str, prefixes: tuple[str, ...]) -> _Compiled:
        """A prefix test on a text fact, computed once per distinct value rather than once per row: the column as
        a Categorical (as the table holds it, see `facts_schema`, or encoded here first), every prefix test of
        the fact evaluated on its dictionary (the categories, a few thousand HS codes however many rows) into
        one bit each of a mask per category, and the masks gathered to the rows by category (see
        `_prefix_mask`, built by `stages` once every test is known). A row's test is then one bit of its mask:
        null for an unknown value, as a null category gathers a null mask."""
        if fact_name not in self._codes:
            column = pl.col(fact_name)
            if fact_name in self.categorical:
                self._codes[fact_name] = _Compiled(column, 0, leaf=True)
            else:  # text (or a type not known: no layout): encoded once, a hash of each value
                self._codes[fact_name] = self._materialize(_Compiled(column.cast(codes_dtype(fact_name)), 0))
        tests = self._code_tests.setdefault(fact_name, {})
        index = tests.setdefault(tuple(sorted(set(prefixes))), len(tests))
        word, bit = divmod(index, WORD)
        test = (pl.col(_mask_name(fact_name, word)) & (1 << bit)) != 0
        return _Compiled(test, self._codes[fact_name].level + 1)

    def _text_test(self, node: Expr, scope: str) -> _Compiled | None:
        """`fact == "x"`, `fact != "x"` or `fact in (...)` (a few texts) on a text fact, as equality columns
        computed once per (fact, text) and shared by every test, or'ed together; else None. Comparing a
        text column with one constant costs a few ms per million rows, where `is_in` costs several times
        that and a cast to Enum ten times (the Enum is then read by every test: one slow step before all)."""
        if isinstance(node, IsIn) and isinstance(node.item, Fact) and len(node.values) <= EQUALITIES:
            name, values = node.item.name, node.values
        elif isinstance(node, Compare) and node.op in ("eq", "ne") and isinstance(node.left, Fact) and isinstance(
                node.right, Const):
            name, values = node.left.name, (node.right.value,)
        else:
            return None
        if name not in _library_facts(self.library).text_facts or not all(isinstance(v, str) for v in values):
            return None
        tests = []
        for value in values:
            key = (name, str(value))
            if key not in self._equalities:
                self._equalities[key] = self._materialize(_Compiled(pl.col(name) == pl.lit(value), 0))
            tests.append(self._equalities[key])
        expr = reduce(lambda a, b: a | b, (test.expr for test in tests))
        negated = isinstance(node, Compare) and node.op == "ne"
        level = max(test.level for test in tests)
        return _Compiled(~expr if negated else expr, level, leaf=len(tests) == 1 and not negated)

    def _position_days(self, fact_name: str, field: str, empty: bool = False) -> list[_Compiled]:
        """One bound ("from" or "to") of the i-th range of every row, as Int32 day numbers, for each position i
        up to the fact's width (null where a row has fewer ranges), extracted once per fact. The i-th range
        is taken out of the list once for both bounds (a struct's field is then free): picking from the
        list is what costs. With `empty`, a missing range (or every range of a row whose list is unknown) is the
        empty range instead: its first day EMPTY_FIRST, its last EMPTY_LAST, so that windows need no null test
        for it (see `_by_position`)."""
        key = (fact_name, field, empty)
        if key not in self._range_columns:
            if fact_name not in self._range_items:
                column = pl.col(fact_name)
                self._range_items[fact_name] = [
                    self._materialize(_Compiled(column.list.get(i, null_on_oob=True), 0))
                    for i in range(self.widths[fact_name])
                ]
            filler = pl.lit(EMPTY_FIRST if field == "from" else EMPTY_LAST, pl.Int32)
            self._range_columns[key] = [
                self._materialize(_Compiled(
                    day.fill_null(filler) if empty else day, item.level
                ))
                for item in self._range_items[fact_name]
                for day in [item.expr.struct.field(field).cast(pl.Int32)]
            ]
        return self._range_columns[key]

    def _by_position(self, node: DaysCovered | RangeBound, fact_name: str, scope: str) -> _Compiled:
        """days_covered and range_bound over one column per range position (see `widths`), on day numbers."""
        ranges = pl.col(fact_name)
        if isinstance(node, DaysCovered):
            firsts = self._position_days(fact_name, "from", empty=True)
            lasts = self._position_days(fact_name, "to", empty=True)
            start, end = self._compile(node.start, scope), self._compile(node.end, scope)
            level = max([start.level, end.level, *(c.level for c in firsts + lasts)])
            if not firsts:  # no row has a range
                unknown = self._text(start).is_null() | self._text(end).is_null() | ranges.is_null()
                return _Compiled(pl.when(unknown).then(None).otherwise(pl.lit(0, pl.Int64)), level)
            # A range counts [first + first_offset, last + last_offset) (see scalar._covered); the window is
            # shifted by the offsets instead of every range, and their difference added back.
            first_offset, last_offset = (1, 0) if node.endpoints == "exclusive" else (0, 1)
            lo = _shifted(_epoch_days(start), -first_offset)
            hi = _shifted(_epoch_days(end), -last_offset)
            parts = []
            for first, last in zip(firsts, lasts, strict=True):
                # min(last, hi) - max(first, lo), where a missing range is the empty range (EMPTY_FIRST,
                # EMPTY_LAST), never counted. Each condition is on the window bound, so that an unknown bound
                # (null) fails it and the bound itself, null, is taken: an unknown window stays unknown with
                # no test of its own. when/then is cheaper than clip here.
                days = (pl.when(last.expr < hi).then(last.expr).otherwise(hi)
                        - pl.when(first.expr > lo).then(first.expr).otherwise(lo))
                days = _shifted(days, last_offset - first_offset)
                parts.append(pl.when(days < 0).then(0).otherwise(days))  # null stays null
            total = reduce(lambda a, b: a + b, parts)
            return _Compiled(pl.when(ranges.is_null()).then(None).otherwise(total).cast(pl.Int64), level)
        days_of = self._position_days(fact_name, "from" if node.bound == "start" else "to")
        after, default = self._compile(node.after, scope), self._compile(node.default, scope)
        level = max([after.level, default.level, *(c.level for c in days_of)])
        limit = _epoch_days(after)
        later = [pl.when(day.expr > limit).then(day.expr) for day in days_of]  # null: none, or not after
        if len(later) > 1:
            picked = pl.min_horizontal(later) if node.pick == "min" else pl.max_horizontal(later)  # skip nulls
        else:
            picked = later[0] if later else pl.lit(None, dtype=pl.Int32)
        as_date = picked.cast(pl.Date)
        unknown = ranges.is_null() | self._text(after).is_null()
        expr = pl.when(unknown).then(None).when(picked.is_null()).then(self._text(default)).otherwise(as_date)
        return _Compiled(expr, level)

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
        key = (type(value), repr(value))  # repr: Decimal("1.0") and Decimal("1.00") have different scales
        if key not in self._literals:
            self._literals[key] = _literal(value)
        return _Compiled(self._literals[key], 0, leaf=True, constant=True, value=value)

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
        if isinstance(node, DaysBetween):  # on day numbers (see _epoch_days)
            return (args[1] - args[0]).cast(pl.Int64)
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
            # Counting the equal items: a third faster than list.contains (null list: null; [] : false).
            return args[0].list.eval(pl.element() == pl.lit(node.value)).list.sum() > 0
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
    rulebooks = None if rulebooks is None else frozenset(rulebooks)
    plan = _plan(library, subject, on, rulebooks, table_layout(library, subject, frame, rulebooks=rulebooks))
    lazy = frame.lazy()
    for stage in plan.stages:
        lazy = lazy.with_columns(stage)
    return lazy.select(plan.columns).collect()


@dataclass(frozen=True)
class _Plan:
    """What `evaluate_frame` runs: the staged columns, then the status columns."""

    stages: tuple[tuple[pl.Expr, ...], ...]
    columns: tuple[pl.Expr, ...]


PLANS_KEPT = 32  # plans kept per library (see `_plan`)
_PLANS: weakref.WeakKeyDictionary[Library, dict[tuple[Any, ...], _Plan]] = weakref.WeakKeyDictionary()
_PLANS_LOCK = threading.Lock()


def _plan(
    library: Library, subject: str, on: date, rulebooks: Iterable[str] | None, layout: Mapping[str, Any]
) -> _Plan:
    """The statuses' plan, compiled once per (subject, rulebooks, date, layout) and kept: a plan is a pure
    function of those and of the (immutable) library, and compiling one costs 2 to 10 ms of Python, run
    before Polars starts, where a simulation over 10^6 rows has 50 ms in all. A simulation is mostly
    several tables, or the same table again, evaluated on one date. A plan reads no value of a table: what
    depends on the values (the dictionary of a Categorical column) is computed by the query itself."""
    wanted = None if rulebooks is None else frozenset(rulebooks)
    key = (subject, on, wanted, *(tuple(sorted(layout[name].items())) for name in ("widths", "categorical")))
    with _PLANS_LOCK:
        kept = _PLANS.setdefault(library, {})
        plan = kept.pop(key, None)
    if plan is None:
        compiler = VectorCompiler(library, on, **layout)
        columns = tuple(
            compiler.status(option, rulebook.name)
            for rulebook in library.for_subject(subject)
            if wanted is None or rulebook.name in wanted
            for option in rulebook.options
        )
        plan = _Plan(compiler.stages(), columns)
    with _PLANS_LOCK:
        kept[key] = plan  # the most recently used last
        while len(kept) > PLANS_KEPT:
            del kept[next(iter(kept))]  # the least recently used
    return plan


def table_layout(
    library: Library, subject: str, frame: pl.DataFrame, *, rulebooks: Iterable[str] | None = None,
) -> dict[str, Any]:
    """What VectorCompiler can use of a table, as its keyword arguments: the most ranges a row has, per
    date-ranges fact (`widths`: one pass over those list columns); the text facts read by prefix that the
    table holds as Categorical or Enum columns, with their types (`categorical`: from the schema alone).
    With `rulebooks`, only the date-ranges facts whose windows their statuses compute are measured (a pass
    over a list column is a few ms: not worth it for rulebooks that never read one by position)."""
    catalog = library.facts.get(subject, {})
    ranged = [name for name, spec in catalog.items() if spec.type == "date_ranges" and name in frame.columns]
    if rulebooks is not None:
        read = _position_facts(library, subject, frozenset(rulebooks))
        ranged = [name for name in ranged if name in read]
    categorical = {name: frame.schema[name] for name in _library_facts(library).prefixed.get(subject, ())
                   if name in frame.columns and isinstance(frame.schema[name], pl.Categorical | pl.Enum)}
    checks = [pl.col(name).list.len().max().alias(name) for name in ranged]
    found = frame.select(checks).row(0, named=True) if checks else {}
    return {"widths": {name: found[name] or 0 for name in ranged}, "categorical": categorical}


_POSITION_FACTS: weakref.WeakKeyDictionary[Library, dict[tuple[str, frozenset[str]], frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def _position_facts(library: Library, subject: str, rulebooks: frozenset[str]) -> frozenset[str]:
    """The date-ranges facts that days_covered or range_bound read in the statuses of these rulebooks (of
    `subject`), following named rules into whatever rulebook holds them."""
    kept = _POSITION_FACTS.setdefault(library, {})
    key = (subject, rulebooks)
    if key not in kept:
        found: set[str] = set()
        seen: set[str] = set()
        stack = [(option.status, rulebook.name) for rulebook in library.for_subject(subject)
                 if rulebook.name in rulebooks for option in rulebook.options]
        while stack:
            root, scope = stack.pop()
            for node in root.walk():
                if isinstance(node, DaysCovered | RangeBound) and isinstance(node.ranges, Fact):
                    found.add(node.ranges.name)
                elif isinstance(node, Ref):
                    qualified = library.qualify_rule(scope, node.name)
                    if qualified not in seen:
                        seen.add(qualified)
                        book, rule = library.rule(qualified)
                        stack.append((rule.expr, book.name))
        kept[key] = frozenset(found)
    return kept[key]


def _day_number(day: pl.Expr) -> pl.Expr:
    return day.cast(pl.Int32).cast(pl.Int64)


def _shifted(days: pl.Expr, offset: int) -> pl.Expr:
    return days + pl.lit(offset, dtype=pl.Int32) if offset else days


def _epoch_days(compiled: _Compiled) -> pl.Expr:
    """A date as its Int32 day number (days since 1970-01-01: the Date column's own storage, so the cast costs
    nothing), for arithmetic many times cheaper than on Date and Duration values. Dates are those of the
    calendar (years 1 to 9999, as the scalar evaluator's), so day numbers and their differences fit Int32."""
    if compiled.constant:
        value = compiled.value
        days = (value - EPOCH).days if isinstance(value, date) else None
        return pl.lit(days, dtype=pl.Int32)
    return compiled.expr.cast(pl.Int32)


@dataclass(frozen=True)
class _LibraryFacts:
    texts: list[str]  # every text constant of the rules and options, and every status an option declares
    prefixed: dict[str, tuple[str, ...]]  # subject -> the text facts tested by prefix
    text_facts: frozenset[str]  # the facts of a text type (enum, country, text) in every catalog that has them
    # The facts a table may hold as Enum or Categorical columns (facts_schema): enum and country facts of some
    # catalog, and text facts read by prefix.
    categorical_facts: frozenset[str]


_LIBRARY_FACTS: weakref.WeakKeyDictionary[Library, _LibraryFacts] = weakref.WeakKeyDictionary()
_SCALAR: weakref.WeakKeyDictionary[Library, Compiler] = weakref.WeakKeyDictionary()


def _scalar_compiler(library: Library) -> Compiler:
    """One scalar compiler per library: its functions do not depend on the date, only their contexts do."""
    compiler = _SCALAR.get(library)
    if compiler is None:
        compiler = _SCALAR[library] = Compiler(library)
    return compiler


def _library_facts(library: Library) -> _LibraryFacts:
    """What the vectorized evaluator needs to know of a library's trees, found once per library."""
    found = _LIBRARY_FACTS.get(library)
    if found is None:
        texts: set[str] = set()
        prefixed: dict[str, set[str]] = {}
        for rulebook in library.rulebooks.values():
            roots = [rule.expr for rule in rulebook.rules.values()]
            for option in rulebook.options:
                texts.update(option.statuses)
                texts.add(option.unknown_status)
                roots += [option.status, *option.values.values()]
            for root in roots:
                for node in root.walk():
                    if isinstance(node, Const) and isinstance(node.value, str):
                        texts.add(node.value)
                    elif isinstance(node, StartsWith) and isinstance(node.item, Fact):
                        prefixed.setdefault(rulebook.subject, set()).add(node.item.name)
        specs = [(name, spec.type in TEXT_TYPES) for catalog in library.facts.values()
                 for name, spec in catalog.items()]
        text_facts = {name for name, text in specs if text} - {name for name, text in specs if not text}
        categorical = {name for catalog in library.facts.values() for name, spec in catalog.items()
                       if spec.type in ("enum", "country")}
        categorical.update(*prefixed.values())
        found = _LibraryFacts(
            sorted(texts), {subject: tuple(sorted(names)) for subject, names in prefixed.items()},
            frozenset(text_facts), frozenset(categorical),
        )
        _LIBRARY_FACTS[library] = found
    return found


def _whole(value: object) -> pl.Expr | None:
    """An Int64 literal for a whole-number Decimal well inside the Int64 range, else None."""
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value() and abs(value) < 2**53:
        return pl.lit(int(value), dtype=pl.Int64)
    return None


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


def _set_literal(values: Sequence[object], dtype: Any = None) -> pl.Expr:
    """A literal set for `is_in`, imploded so Polars reads it as one collection (not element-wise)."""
    return pl.lit(pl.Series(values, dtype=dtype)).implode()


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
    # Null (unknown) if either is: neither comparison holds then. Several times faster than min/max_horizontal.
    first = left <= right if op == "min" else left >= right
    second = left > right if op == "min" else left < right
    return pl.when(first).then(left).when(second).then(right).otherwise(None)


def _date_add(day: pl.Expr, constant_amount: object, amount: pl.Expr, unit: str) -> pl.Expr:
    if unit == "days" and type(constant_amount) is int and abs(constant_amount) < 2**30:
        # On day numbers: a fifth of the cost of adding a Duration (see _epoch_days).
        return (day.cast(pl.Int32) + pl.lit(constant_amount, dtype=pl.Int32)).cast(pl.Date)
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

    # min(last, hi) - max(first, lo) = (hi + min(last - hi, 0)) - (lo + max(first - lo, 0)): one list minus
    # list (the costly list operation) and per-row numbers, instead of three.
    below = (lasts - hi).list.eval(pl.element().clip(upper_bound=0))
    above = (firsts - lo).list.eval(pl.element().clip(lower_bound=0))
    width = hi - lo + (last_offset - first_offset)
    total = (below - above + width).list.eval(pl.element().clip(lower_bound=0)).list.sum()
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


def _mask_name(fact_name: str, word: int) -> str:
    return f"__mask:{fact_name}:{word}"


def _prefix_mask(codes: pl.Expr, dtype: Any, prefix_sets: Sequence[tuple[str, ...]]) -> pl.Expr:
    """Per row, one bit per prefix set (up to WORD), set where the row's value starts with one of the set, null
    where the value is: the tests evaluated on the dictionary of `codes` (a Categorical or Enum column of
    type `dtype`), then gathered by category. The dictionary is every category up to the largest the column
    holds (its codes index categories shared with other columns: some never occur here, and a category
    reserved by a concurrent query but not yet named reads as null; neither is gathered), decoded in the
    query itself, so a plan holds no value of a table. It is evaluated inside one `list.eval` so that it is
    decoded once for all the tests (Polars does not share it between them otherwise)."""
    physical = codes.to_physical()
    count = physical.max().cast(pl.Int64).fill_null(-1) + 1  # an empty or all-unknown column: none
    dictionary = pl.int_range(0, count, dtype=_physical_dtype(dtype)).cat.to(dtype, strict=False).cast(pl.String)
    word_dtype = next(t for t, size in ((pl.UInt8, 8), (pl.UInt16, 16), (pl.UInt32, 32), (pl.UInt64, 64))
                      if len(prefix_sets) <= size)
    zero = pl.lit(0, word_dtype)
    bits = [pl.when(_starts_with(pl.element(), prefixes)).then(pl.lit(1 << bit, word_dtype)).otherwise(zero)
            for bit, prefixes in enumerate(prefix_sets)]
    masks = dictionary.implode().list.eval(reduce(lambda a, b: a | b, bits)).explode()
    return masks.gather(physical)


def _physical_dtype(dtype: Any) -> Any:
    """The integer type of a Categorical's or Enum's codes (an Enum's is the narrowest its categories fit)."""
    return pl.Series([], dtype=dtype).to_physical().dtype


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
