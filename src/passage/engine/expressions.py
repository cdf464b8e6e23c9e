"""Expression trees: the only way a rule is written.

A rule is data the engine can walk — to evaluate it for one person, to explain it, to ask about what it
is missing, and to compile it for a million rows. Nodes are immutable and compared by identity, so one
node may be shared by many rules. Build them with the helpers at the bottom (`fact`, `param`, `all_of`,
`if_`…) and the operators `&`, `|`, `~`, `<`, `<=`, `>`, `>=`, `+`, `-`, `*`; equality is the method
`.eq()` because `==` keeps its Python meaning (identity) for nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

CompareOp = Literal["eq", "ne", "lt", "le", "gt", "ge"]
ArithOp = Literal["add", "sub", "mul", "floordiv", "min", "max"]
DateUnit = Literal["days", "months", "years"]
Endpoints = Literal["inclusive", "exclusive"]


class Expr:
    """Base of every node. Subclasses are frozen dataclasses with identity equality."""

    __slots__ = ()

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, depth first."""
        stack: list[Expr] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))

    # Logic ------------------------------------------------------------------------------------
    def __and__(self, other: object) -> And:
        return And((self, lift(other)))

    def __or__(self, other: object) -> Or:
        return Or((self, lift(other)))

    def __invert__(self) -> Not:
        return Not(self)

    # Comparison -------------------------------------------------------------------------------
    def eq(self, other: object) -> Compare:
        return Compare("eq", self, lift(other))

    def ne(self, other: object) -> Compare:
        return Compare("ne", self, lift(other))

    def __lt__(self, other: object) -> Compare:
        return Compare("lt", self, lift(other))

    def __le__(self, other: object) -> Compare:
        return Compare("le", self, lift(other))

    def __gt__(self, other: object) -> Compare:
        return Compare("gt", self, lift(other))

    def __ge__(self, other: object) -> Compare:
        return Compare("ge", self, lift(other))

    def is_in(self, values: tuple[object, ...] | list[object]) -> IsIn:
        return IsIn(self, tuple(values))

    def contains(self, value: str) -> Contains:
        return Contains(self, value)

    def starts_with(self, prefixes: tuple[str, ...] | list[str]) -> StartsWith:
        return StartsWith(self, tuple(prefixes))

    def size(self) -> Size:
        """The number of items of a list (citizenships, absences)."""
        return Size(self)

    # Arithmetic -------------------------------------------------------------------------------
    def __add__(self, other: object) -> Arith:
        return Arith("add", self, lift(other))

    def __sub__(self, other: object) -> Arith:
        return Arith("sub", self, lift(other))

    def __mul__(self, other: object) -> Arith:
        return Arith("mul", self, lift(other))

    def __floordiv__(self, other: object) -> Arith:
        return Arith("floordiv", self, lift(other))

    # Dates ------------------------------------------------------------------------------------
    def plus_days(self, amount: object) -> DateAdd:
        return DateAdd(self, lift(amount), "days")

    def plus_months(self, amount: object) -> DateAdd:
        return DateAdd(self, lift(amount), "months")

    def plus_years(self, amount: object) -> DateAdd:
        return DateAdd(self, lift(amount), "years")

    __hash__ = object.__hash__


@dataclass(frozen=True, eq=False, slots=True)
class Const(Expr):
    value: bool | int | Decimal | date | str


@dataclass(frozen=True, eq=False, slots=True)
class Fact(Expr):
    """A fact given about the subject; absent means unknown."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class Present(Expr):
    """For a nullable fact: true if a value was given, false if the answer was "none"."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class Param(Expr):
    """An effective-dated parameter, looked up as of the evaluation date."""

    id: str


@dataclass(frozen=True, eq=False, slots=True)
class On(Expr):
    """The date the assessment is made as of."""


@dataclass(frozen=True, eq=False, slots=True)
class LawUnknown(Expr):
    """A part of the law that is not encoded (or not known): always unknown, with `key` — a text key of
    the rulebook that says what is not known — in the unknown's gaps. Never approximated."""

    key: str


@dataclass(frozen=True, eq=False, slots=True)
class Ref(Expr):
    """A named rule (`name` in this rulebook, or `rulebook.name` in another)."""

    name: str


@dataclass(frozen=True, eq=False, slots=True)
class Compare(Expr):
    op: CompareOp
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False, slots=True)
class And(Expr):
    items: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.items


@dataclass(frozen=True, eq=False, slots=True)
class Or(Expr):
    items: tuple[Expr, ...]

    def children(self) -> tuple[Expr, ...]:
        return self.items


@dataclass(frozen=True, eq=False, slots=True)
class Not(Expr):
    item: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.item,)


@dataclass(frozen=True, eq=False, slots=True)
class If(Expr):
    """`then` if `cond` holds, `otherwise` if it fails; when `cond` is unknown, the common value of both
    branches if they agree, else unknown."""

    cond: Expr
    then: Expr
    otherwise: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.cond, self.then, self.otherwise)


@dataclass(frozen=True, eq=False, slots=True)
class Arith(Expr):
    op: ArithOp
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, eq=False, slots=True)
class DateAdd(Expr):
    date: Expr
    amount: Expr
    unit: DateUnit

    def children(self) -> tuple[Expr, ...]:
        return (self.date, self.amount)


@dataclass(frozen=True, eq=False, slots=True)
class DaysBetween(Expr):
    """Whole days from `start` to `end` (negative if `end` is earlier)."""

    start: Expr
    end: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.start, self.end)


@dataclass(frozen=True, eq=False, slots=True)
class YearsBetween(Expr):
    """Completed years from `start` to `end` (an age)."""

    start: Expr
    end: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.start, self.end)


@dataclass(frozen=True, eq=False, slots=True)
class DaysCovered(Expr):
    """Days in the window [`start`, `end`) covered by the date ranges of `ranges`.

    `endpoints="inclusive"` counts a range's first and last day; `"exclusive"` counts only the days
    strictly between them (IRCC's rule for absences: the days you leave and return count as present).
    Ranges never overlap: input validation guarantees it.
    """

    ranges: Expr
    start: Expr
    end: Expr
    endpoints: Endpoints = "inclusive"

    def children(self) -> tuple[Expr, ...]:
        return (self.ranges, self.start, self.end)


@dataclass(frozen=True, eq=False, slots=True)
class IsIn(Expr):
    """`item` is one of the constant `values`."""

    item: Expr
    values: tuple[object, ...]

    def children(self) -> tuple[Expr, ...]:
        return (self.item,)


@dataclass(frozen=True, eq=False, slots=True)
class Contains(Expr):
    """The list `collection` (e.g. citizenships) contains the constant `value`."""

    collection: Expr
    value: str

    def children(self) -> tuple[Expr, ...]:
        return (self.collection,)


@dataclass(frozen=True, eq=False, slots=True)
class StartsWith(Expr):
    """The text `item` begins with one of the constant `prefixes` (HS codes matched by prefix, as the
    schedules of the sanctions regulations list them)."""

    item: Expr
    prefixes: tuple[str, ...]

    def children(self) -> tuple[Expr, ...]:
        return (self.item,)


@dataclass(frozen=True, eq=False, slots=True)
class Size(Expr):
    """The number of items in a list fact (0 for an empty list)."""

    collection: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.collection,)


@dataclass(frozen=True, eq=False, slots=True)
class RangeBound(Expr):
    """The earliest (`pick="min"`) or latest (`"max"`) `bound` ("start" or "end") among the date ranges
    whose bound falls strictly after `after`, or `default` when none does. E.g. the first return to Canada
    after a given day: `range_bound(fact("absences"), "end", "min", after=..., default=...)`."""

    ranges: Expr
    bound: Literal["start", "end"]
    pick: Literal["min", "max"]
    after: Expr
    default: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.ranges, self.after, self.default)


@dataclass(frozen=True, eq=False, slots=True)
class EarliestDate(Expr):
    """The first day in [`start`, `end`] on which `condition`, evaluated as of that day, holds.

    The condition must be monotone over the window (once true, true on every later day): the search is
    a bisection. Scalar only: used for outputs such as `eligible_from`, never inside a status. `None`
    when the condition does not hold by `end`.
    """

    condition: Expr
    start: Expr
    end: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.condition, self.start, self.end)


# Builders --------------------------------------------------------------------------------------
TRUE = Const(True)
FALSE = Const(False)


def lift(value: object) -> Expr:
    """A node for `value`: nodes pass through, Python constants become `Const`."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, float):
        return Const(Decimal(str(value)))
    if isinstance(value, bool | int | Decimal | date | str):
        return Const(value)
    raise TypeError(f"cannot use {value!r} ({type(value).__name__}) in a rule expression")


def fact(name: str) -> Fact:
    return Fact(name)


def present(name: str) -> Present:
    return Present(name)


def param(param_id: str) -> Param:
    return Param(param_id)


def ref(name: str) -> Ref:
    return Ref(name)


def law_unknown(key: str) -> LawUnknown:
    return LawUnknown(key)


def on() -> On:
    return On()


def const(value: bool | int | Decimal | date | str) -> Const:
    return Const(value)


def all_of(*items: object) -> And:
    return And(tuple(lift(item) for item in items))


def any_of(*items: object) -> Or:
    return Or(tuple(lift(item) for item in items))


def not_(item: object) -> Not:
    return Not(lift(item))


def if_(cond: object, then: object, otherwise: object) -> If:
    return If(lift(cond), lift(then), lift(otherwise))


def case(*branches: tuple[object, object], default: object) -> Expr:
    """The value of the first branch whose condition holds, else `default` (nested `If`s)."""
    result = lift(default)
    for cond, value in reversed(branches):
        result = If(lift(cond), lift(value), result)
    return result


def minimum(left: object, right: object) -> Arith:
    return Arith("min", lift(left), lift(right))


def maximum(left: object, right: object) -> Arith:
    return Arith("max", lift(left), lift(right))


def days_between(start: object, end: object) -> DaysBetween:
    return DaysBetween(lift(start), lift(end))


def years_between(start: object, end: object) -> YearsBetween:
    return YearsBetween(lift(start), lift(end))


def days_covered(ranges: object, start: object, end: object, endpoints: Endpoints = "inclusive") -> DaysCovered:
    return DaysCovered(lift(ranges), lift(start), lift(end), endpoints)


def range_bound(
    ranges: object, bound: Literal["start", "end"], pick: Literal["min", "max"], after: object, default: object
) -> RangeBound:
    return RangeBound(lift(ranges), bound, pick, lift(after), lift(default))


def earliest_date(condition: object, start: object, end: object) -> EarliestDate:
    return EarliestDate(lift(condition), lift(start), lift(end))
