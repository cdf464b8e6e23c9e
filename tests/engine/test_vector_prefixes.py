"""Prefix tests on a text fact, computed once per distinct value (the dictionary of a Categorical column) and
gathered to the rows: as the scalar evaluator, whether the table holds the codes as text, as their own
Categorical, as a Categorical of the global categories or as an Enum; for codes that are not digits, empty,
or shorter than a prefix; for frames whose categories differ or hold codes of other frames; for more prefix
sets than one mask holds."""

from __future__ import annotations

import tempfile
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from passage.engine import fact
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import (
    VectorCompiler,
    codes_dtype,
    evaluate_frame,
    facts_frame,
    facts_schema,
    table_layout,
)
from passage.rulebooks import default_library

ON = date(2025, 1, 10)
CODES: list[str | None] = [
    None, "8", "84", "840", "8400", "84000", "8401", "8471", "847", "84710", "0", "00", "08", "084", "0840",
    "1", "10", "100", "1000", "9999999999", "1234567890123456789", "12345678901234567890", "2710", "27101",
    "", " 8471", "8471 ", "+8471", "８４７１", "1-3.A.1", "5400", "5401.b", "é84",
]
PREFIX_SETS: list[tuple[str, ...]] = [
    ("8400",), ("8471",), ("84",), ("8",), ("840", "8471"), ("0840",), ("00",), ("10", "100", "1000"),
    ("1234567890123456789",), ("2710", "84", "8", "0840", "27101"), (), ("",), (" 84",), ("８",),
    ("51", "52", "54", "55"), ("5400",), ("é",),
]
HOLDINGS = ["text", "codes", "global", "enum"]


def _column(holding: str, codes: list[str | None]) -> pl.Series:
    """The codes as a table may hold them."""
    dtype = {"text": pl.String, "codes": codes_dtype("hs_code"), "global": pl.Categorical,
             # An Enum of the codes in an order of its own (reversed), so that its codes are not sorted ones.
             "enum": pl.Enum(sorted({c for c in codes if c is not None}, reverse=True))}[holding]
    return pl.Series("hs_code", codes, dtype=dtype)


def _expected(case: Any, scope: str, codes: list[str | None]) -> list[object]:
    fn = Compiler(default_library()).fn(case, scope)
    values = [fn(Context({} if code is None else {"hs_code": code}, ON)) for code in codes]
    return [None if isinstance(value, Unknown) else value for value in values]


@pytest.mark.parametrize("holding", HOLDINGS)
@pytest.mark.parametrize("layout", [True, False], ids=["layout", "no-layout"])
def test_prefix_tests_agree_with_scalar(holding: str, layout: bool) -> None:
    """With the table's layout (a Categorical or Enum column read as it is, text encoded first) and without it
    (every column encoded as the fact's own Categorical)."""
    library = default_library()
    scope = library.for_subject("shipment")[0].name
    frame = pl.DataFrame([_column(holding, CODES)])
    known = table_layout(library, "shipment", frame) if layout else {}
    assert ("hs_code" in known.get("categorical", {})) == (layout and holding != "text")
    cases = {str(n): fact("hs_code").starts_with(prefixes) for n, prefixes in enumerate(PREFIX_SETS)}
    table = VectorCompiler(library, ON, **known).select(frame, cases, scope)
    for name, case in cases.items():
        assert table[name].to_list() == _expected(case, scope, CODES), PREFIX_SETS[int(name)]


def test_more_prefix_sets_than_one_mask_holds() -> None:
    """150 prefix sets on one fact take three mask columns (64 bits each); a set compiled twice, or with its
    prefixes in another order, shares one bit."""
    library = default_library()
    scope = library.for_subject("shipment")[0].name
    frame = pl.DataFrame([_column("codes", CODES)])
    sets = [(f"{n:03d}"[:2], f"{n}") for n in range(150)]
    cases = {f"c{n}": fact("hs_code").starts_with(prefixes) for n, prefixes in enumerate(sets)}
    cases["again"] = fact("hs_code").starts_with(tuple(reversed(sets[7])))
    vector = VectorCompiler(library, ON, categorical={"hs_code": frame.schema["hs_code"]})
    table = vector.select(frame, cases, scope)
    masks = [expr for stage in vector.stages() for expr in stage if expr.meta.output_name().startswith("__mask")]
    assert len(masks) == 3
    for name, case in cases.items():
        assert table[name].to_list() == _expected(case, scope, CODES), name
    assert table["again"].to_list() == table["c7"].to_list()


def _trade_rows(suffix: str = "") -> list[dict[str, object]]:
    base = {"direction": "export", "country": "BY", "exported_from": "BY", "personal_effects": False,
            "contract_date": date(2024, 1, 1), "end_user": "", "end_user_screening": "no_match"}
    codes = [code + suffix for code in
             ("2710120000", "3104200000", "8471300000", "9306210000", "2844430000", "0101210000", "271019")]
    rows: list[dict[str, object]] = []
    for index, code in enumerate(codes):
        rows.append({**base, "hs_code": code, "ecl_item": "5400" if index % 2 else "2-2.a"})
        rows.append({**base, "direction": "import", "hs_code": code, "ecl_item": None})
    rows.append({**base})  # no code: unknown
    return rows


def _scalar_statuses(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    library = default_library()
    compiler = Compiler(library)
    expected = []
    for row in rows:
        statuses: dict[str, object] = {}
        for option in library.rulebooks["ca_trade_belarus"].options:
            value = compiler.fn(option.status, "ca_trade_belarus")(Context(row, ON))
            statuses[option.id] = option.unknown_status if isinstance(value, Unknown) else value
        expected.append(statuses)
    return expected


def _statuses(frame: pl.DataFrame) -> list[dict[str, object]]:
    return evaluate_frame(default_library(), "shipment", frame, ON, ["ca_trade_belarus"]).rows(named=True)


def test_frames_whose_categories_differ_share_a_plan() -> None:
    """A plan is kept per layout, not per dictionary: frames of one Categorical type whose codes are other
    categories, in another order, or far past categories they do not hold (taken by a frame built before),
    each get their own statuses."""
    library = default_library()
    catalog = library.facts["shipment"]
    # Texts no earlier test made categories of (the categories of a fact are shared in the process), so that
    # their codes come after those of `other`: categories only another frame holds, kept alive meanwhile.
    tag = uuid.uuid4().hex
    other = pl.Series([f"{n:06d}.{tag}" for n in range(500)], dtype=codes_dtype("hs_code"))
    rows = _trade_rows(f".{tag}")
    first = facts_frame(rows, catalog, library)
    assert first["hs_code"].to_physical().min() > other.to_physical().max()  # type: ignore[operator]
    second = facts_frame(list(reversed(rows)), catalog, library)
    only_some = facts_frame(rows[:3], catalog, library)
    plain = _trade_rows()  # other categories again (and maybe codes lower than `other`'s)
    for frame, expected_rows in ((first, rows), (second, list(reversed(rows))), (only_some, rows[:3]),
                                 (facts_frame(plain, catalog, library), plain)):
        assert isinstance(frame.schema["hs_code"], pl.Categorical)
        assert _statuses(frame) == _scalar_statuses(expected_rows)


def test_unknown_codes_and_empty_tables() -> None:
    library = default_library()
    catalog = library.facts["shipment"]
    unknown = [{"direction": "export", "country": "BY"}, {"direction": "import", "country": "BY"}]
    for holding in (library, None):  # codes as Categorical, as text
        frame = facts_frame(unknown, catalog, holding)
        assert _statuses(frame) == _scalar_statuses(unknown)
        assert _statuses(frame.head(0)) == []


def test_a_table_read_from_parquet_keeps_its_codes_categorical() -> None:
    """A table written with facts_schema's types and read back holds the codes as the same Categorical, so
    that reading it encodes them and the evaluation only gathers; the statuses are the scalar evaluator's."""
    library = default_library()
    rows = _trade_rows()
    frame = facts_frame(rows, library.facts["shipment"], library)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shipments.parquet"
        frame.write_parquet(path)
        read = pl.read_parquet(path)
    schema = facts_schema(library.facts["shipment"], library)
    assert read.schema["hs_code"] == schema["hs_code"] == codes_dtype("hs_code")
    assert read.schema["ecl_item"] == codes_dtype("ecl_item")
    assert table_layout(library, "shipment", read)["categorical"] == {
        "ecl_item": codes_dtype("ecl_item"), "hs_code": codes_dtype("hs_code"),
    }
    assert _statuses(read) == _scalar_statuses(rows)
