"""Reading what a user gives: strict, every problem named, nothing defaulted."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passage.engine import DateRange, InputError, Library, parse_facts


def _catalog(library: Library) -> dict[str, object]:
    return library.facts["example_person"]  # type: ignore[return-value]


class TestValidInput:
    def test_types(self, example_library: Library) -> None:
        """Each type is read into its engine value; country codes are upper-cased."""
        facts = parse_facts(
            {"birth_date": "1990-05-01", "status": "resident", "citizenships": ["by", "CA"], "income": "12.5",
             "absences": [{"from": "2020-01-01", "to": "2020-01-10"}], "passport_expiry": None},
            _catalog(example_library),  # type: ignore[arg-type]
        )
        assert facts == {
            "birth_date": date(1990, 5, 1), "status": "resident", "citizenships": ("BY", "CA"),
            "income": Decimal("12.50"), "absences": (DateRange(date(2020, 1, 1), date(2020, 1, 10)),),
            "passport_expiry": None,
        }

    def test_absent_stays_absent(self, example_library: Library) -> None:
        """A fact not given is not in the result: unknown, never a default."""
        assert parse_facts({}, _catalog(example_library)) == {}  # type: ignore[arg-type]


class TestBadInput:
    @pytest.mark.parametrize(
        ("raw", "message"),
        [
            ({"birth_dat": "1990-01-01"}, "birth_dat: expected a known fact (did you mean birth_date?)"),
            ({"birth_date": "2023-02-30"}, "birth_date: expected a date YYYY-MM-DD; got 2023-02-30, which is not"),
            ({"birth_date": "30/01/1990"}, "birth_date: expected a date YYYY-MM-DD; got '30/01/1990'"),
            ({"birth_date": "1850-01-01"}, "between 1900 and 2100"),
            ({"status": "tourist"}, "status: expected one of citizen, resident, visitor; got 'tourist'"),
            ({"status": None}, "status: expected one of citizen, resident, visitor; got null"),
            ({"citizenships": "BY"}, "citizenships: expected a list of ISO 3166-1 alpha-2"),
            ({"citizenships": ["XX"]}, "citizenships: expected a list of ISO 3166-1"),
            ({"citizenships": ["BY", "by"]}, "a country listed twice"),
            ({"income": True}, "income: expected a number; got True (a boolean)"),
            ({"income": "NaN"}, "not a finite amount"),
            ({"absences": [{"from": "2020-02-01", "to": "2020-01-01"}]}, "absences[0]: expected a period whose end"),
            ({"absences": [{"from": "2020-01-01", "to": "2020-03-01"}, {"from": "2020-02-01", "to": "2020-04-01"}]},
             "overlap; merge them"),
            ({"absences": [{"from": "2020-01-01"}]}, "absences[0]: expected an object"),
        ],
    )
    def test_named_problem(self, example_library: Library, raw: dict[str, object], message: str) -> None:
        """Each kind of bad value is rejected with the fact named and what was expected."""
        with pytest.raises(InputError) as caught:
            parse_facts(raw, _catalog(example_library))  # type: ignore[arg-type]
        assert message in str(caught.value)

    def test_every_problem_reported(self, example_library: Library) -> None:
        """Two bad facts give two problems in one error, so a user fixes them at once."""
        with pytest.raises(InputError) as caught:
            parse_facts({"status": 1, "income": []}, _catalog(example_library))  # type: ignore[arg-type]
        assert [p.field for p in caught.value.problems] == ["status", "income"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


class TestFuzz:
    @settings(max_examples=300, deadline=None)
    @given(raw=st.dictionaries(
        st.sampled_from(["birth_date", "status", "passport_expiry", "citizenships", "absences", "income",
                         "arrival_date", "nope"]), JSON, max_size=6))
    def test_only_input_errors(self, example_library: Library, raw: dict[str, object]) -> None:
        """No JSON value makes the fact reader raise anything but its own InputError."""
        with contextlib.suppress(InputError):  # any other exception fails the test
            parse_facts(raw, _catalog(example_library))  # type: ignore[arg-type]


class TestPattern:
    def test_hs_code_digits(self) -> None:
        """An HS code with a dot is rejected with the expected form in words."""
        from passage.rulebooks import default_library

        catalog = default_library().facts["shipment"]
        assert parse_facts({"hs_code": "847130"}, catalog) == {"hs_code": "847130"}
        with pytest.raises(InputError, match="hs_code: expected 6 to 10 digits without dots or spaces"):
            parse_facts({"hs_code": "8471.30"}, catalog)
