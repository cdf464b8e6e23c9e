"""The two evaluators agree: for every rule and option of every rulebook, on random rows with unknowns.

This is the law that lets a policy simulation over a million rows be trusted to say what the explained
assessment of one person says.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passage.engine import DateRange, Library, Unknown
from passage.engine.expressions import EarliestDate
from passage.engine.facts import COUNTRY_CODES, FactSpec
from passage.engine.scalar import Compiler, Context
from passage.engine.vector import VectorCompiler, evaluate_frame, facts_frame, table_layout
from passage.rulebooks import default_library

ABSENT = object()
DATES = st.dates(date(1940, 1, 1), date(2035, 12, 31))
COUNTRIES = st.one_of(st.sampled_from(["BY", "RU", "CA", "US", "UA", "PL", "KP", "LT"]),
                      st.sampled_from(sorted(COUNTRY_CODES)))


@st.composite
def date_ranges(draw: Any) -> tuple[DateRange, ...]:
    days = sorted(draw(st.lists(DATES, max_size=6, unique=True)))
    return tuple(DateRange(a, b) for a, b in zip(days[::2], days[1::2], strict=False))


def value_strategy(spec: FactSpec) -> st.SearchStrategy[object]:
    base: st.SearchStrategy[object] = {
        "bool": st.booleans(),
        "enum": st.sampled_from(sorted(spec.values) or ["x"]),
        "int": st.integers(spec.minimum if spec.minimum is not None else -5,
                           spec.maximum if spec.maximum is not None else 2000),
        "decimal": st.decimals(Decimal("-1000000"), Decimal("1000000"), places=2, allow_nan=False),
        "date": DATES,
        "country": COUNTRIES,
        "countries": st.lists(COUNTRIES, max_size=3, unique=True).map(lambda c: tuple(sorted(c))),
        "date_ranges": date_ranges(),
        "text": st.one_of(st.text(max_size=12), st.from_regex(r"[0-9]{2,10}", fullmatch=True)),
    }[spec.type]
    if spec.nullable:
        base = st.one_of(st.none(), base)
    return st.one_of(st.just(ABSENT), base)


def rows_strategy(catalog: Mapping[str, FactSpec]) -> st.SearchStrategy[list[dict[str, object]]]:
    row = st.fixed_dictionaries({name: value_strategy(spec) for name, spec in catalog.items()}).map(
        lambda r: {k: v for k, v in r.items() if v is not ABSENT}
    )
    return st.lists(row, min_size=1, max_size=25)


def _libraries() -> list[tuple[str, Library, str]]:
    from passage.engine import load_library
    from tests.conftest import EXAMPLE

    cases = [("example", load_library([EXAMPLE]), "example_person")]
    shipped = default_library()
    subjects = [subject for subject in shipped.subjects() if shipped.for_subject(subject)]
    cases += [(f"shipped-{subject}", shipped, subject) for subject in subjects]
    return cases


def _same(scalar: object, vector: object) -> bool:
    if isinstance(scalar, Unknown):
        return vector is None
    if isinstance(scalar, tuple):
        return list(scalar) == vector
    if isinstance(scalar, Decimal) and vector is not None:
        return Decimal(str(vector)) == scalar
    return (type(scalar) is type(vector) and scalar == vector) or (
        isinstance(scalar, int) and not isinstance(scalar, bool) and scalar == vector
    )


def _check(library: Library, subject: str, rows: list[dict[str, object]], on: date) -> None:
    frame = facts_frame(rows, library.facts[subject], library)
    # What evaluate_frame learns of a table (widest date-ranges row, codes held as Categorical) changes how
    # some nodes are computed (position by position, codes encoded or not): with and without it, both must
    # agree with the scalar evaluator.
    for vector in (VectorCompiler(library, on), VectorCompiler(library, on, **table_layout(library, subject, frame))):
        _check_one(library, subject, rows, on, frame, vector)
    _check_statuses(library, subject, rows, on, frame)
    # Enum facts are Enum columns and codes read by prefix Categorical ones (facts_schema); a table may hold
    # them as text instead (a Parquet file of strings): the same statuses.
    texts = [pl.col(name).cast(pl.String) for name, dtype in frame.schema.items()
             if isinstance(dtype, pl.Enum | pl.Categorical)]
    if texts:
        _check_statuses(library, subject, rows, on, frame.with_columns(texts))


def _check_statuses(
    library: Library, subject: str, rows: list[dict[str, object]], on: date, frame: pl.DataFrame
) -> None:
    """evaluate_frame gives every option the scalar evaluator's status."""
    table = evaluate_frame(library, subject, frame, on)
    compiler = Compiler(library)
    for index, row in enumerate(rows):
        ctx = Context(row, on)
        for rulebook in library.for_subject(subject):
            for option in rulebook.options:
                value = compiler.fn(option.status, rulebook.name)(ctx)
                expected = option.unknown_status if isinstance(value, Unknown) else value
                assert table[option.id][index] == expected, f"{option.id} on {on} for facts {row}"


def _check_one(
    library: Library, subject: str, rows: list[dict[str, object]], on: date, frame: pl.DataFrame,
    vector: VectorCompiler,
) -> None:
    compiler = Compiler(library)
    exprs: dict[str, pl.Expr] = {}
    scalar_fns = {}
    for rulebook in library.for_subject(subject):
        for rule in rulebook.rules.values():
            if any(isinstance(n, EarliestDate) for n in rule.expr.walk()):
                continue
            key = f"{rulebook.name}.{rule.name}"
            exprs[key] = vector.compile(rule.expr, rulebook.name).alias(key)
            scalar_fns[key] = compiler.rule_fn(key)
        for option in rulebook.options:
            key = f"option:{option.id}"
            exprs[key] = vector.status(option, rulebook.name).alias(key)
            status_fn = compiler.fn(option.status, rulebook.name)
            scalar_fns[key] = (lambda fn, unknown: lambda ctx: (
                lambda v: unknown if isinstance(v, Unknown) else v)(fn(ctx)))(status_fn, option.unknown_status)
    assert exprs, f"no rules for subject {subject}"
    table = vector.prepare(frame.lazy()).select(list(exprs.values())).collect()
    for index, row in enumerate(rows):
        ctx = Context(row, on)
        for key, fn in scalar_fns.items():
            scalar_value, vector_value = fn(ctx), table[key][index]
            assert _same(scalar_value, vector_value), (
                f"{key} on {on}: scalar {scalar_value!r} != vectorized {vector_value!r} for facts {row}"
            )


LIBRARIES = _libraries()


@pytest.mark.parametrize(("name", "library", "subject"), LIBRARIES, ids=[c[0] for c in LIBRARIES])
class TestEvaluatorsAgree:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data(), on=st.dates(date(2000, 1, 1), date(2030, 12, 31)))
    def test_every_rule_and_option(self, name: str, library: Library, subject: str, data: Any, on: date) -> None:
        """Scalar and vectorized evaluation give the same value for every rule and status, unknowns included."""
        rows = data.draw(rows_strategy(library.facts[subject]))
        _check(library, subject, rows, on)

    def test_boundary_dates(self, name: str, library: Library, subject: str) -> None:
        """They also agree the day before, of and after every parameter change."""
        starts = {p.start for param in library.parameters.values() for p in param.periods}
        rows: list[dict[str, object]] = [{}]
        for day in sorted(starts):
            for offset in (-1, 0, 1):
                _check(library, subject, rows, day + timedelta(days=offset))
