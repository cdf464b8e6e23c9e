"""Prefix tests on a text fact of digits only, read as an integer padded with zeros: codes shorter than a
prefix, equal to it, longer; prefixes ending in "0" (which a shorter code padded with zeros could equal
without its length checked) and not; leading zeros; 19 digits. As the scalar evaluator."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from passage.engine import fact
from passage.engine.scalar import Compiler, Context
from passage.engine.values import Unknown
from passage.engine.vector import VectorCompiler
from passage.rulebooks import default_library

ON = date(2025, 1, 10)
CODES: list[str | None] = [
    None, "8", "84", "840", "8400", "84000", "8401", "8471", "847", "84710", "0", "00", "08", "084", "0840",
    "1", "10", "100", "1000", "9999999999", "1234567890123456789", "0000000000000000000", "2710", "27101",
]
PREFIX_SETS: list[tuple[str, ...]] = [
    ("8400",), ("8471",), ("84",), ("8",), ("840", "8471"), ("0840",), ("00",), ("10", "100", "1000"),
    ("1234567890123456789",), ("0000000000000000000",), ("2710", "84", "8", "0840", "27101"), (),
]


@pytest.mark.parametrize("digits", [{"hs_code": ()}, {"hs_code": (1, 2, 3, 4, 5, 10, 19)}, {}], ids=str)
def test_digit_prefixes_agree_with_scalar(digits: dict[str, tuple[int, ...]]) -> None:
    """Integer tests (lengths unknown: a table look-up scales; lengths known: a choice among them) and the
    texts' own slices (no layout)."""
    library = default_library()
    scope = library.for_subject("shipment")[0].name
    frame = pl.DataFrame({"hs_code": CODES}, schema={"hs_code": pl.String})
    cases = {str(n): fact("hs_code").starts_with(prefixes) for n, prefixes in enumerate(PREFIX_SETS)}
    vector, scalar = VectorCompiler(library, ON, digits=digits), Compiler(library)
    table = vector.select(frame, cases, scope)
    for name, case in cases.items():
        fn = scalar.fn(case, scope)
        for index, code in enumerate(CODES):
            expected = fn(Context({} if code is None else {"hs_code": code}, ON))
            expected = None if isinstance(expected, Unknown) else expected
            assert table[name][index] == expected, f"{PREFIX_SETS[int(name)]} for {code!r}"


def test_only_prefixes_ending_in_zero_check_the_length() -> None:
    library = default_library()
    scope = library.for_subject("shipment")[0].name
    vector = VectorCompiler(library, ON, digits={"hs_code": ()})
    assert ">=" not in str(vector.compile(fact("hs_code").starts_with(("8471", "2711")), scope))
    assert ">=" in str(vector.compile(fact("hs_code").starts_with(("8471", "2710")), scope))
