"""Screening names against Schedule 1: statuses, explanations, batches and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passage.screening import (
    MATCH_THRESHOLD,
    POSSIBLE_THRESHOLD,
    NameInputError,
    Screener,
    ScreeningError,
    load_listed_persons,
    screen_batch,
)

AGL = "Aleksandr Grigoryevich Lukashenko"


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(load_listed_persons())


def top(screener: Screener, name: str) -> tuple[str, str | None, float]:
    r = screener.screen(name)[0]
    return r.status, r.entry.name if r.entry else None, r.score


class TestTransliteratedNamesMatch:
    @pytest.mark.parametrize(
        "query",
        [
            "Лукашэнка Аляксандр Рыгоравіч",
            "Лукашенко Александр Григорьевич",
            "Alexander Lukashenko",
            "Aliaksandr Lukashenka",
            "Alaksandr Łukašenka",
            "Alexandre Loukachenko",
            "LUKASHENKO, Aleksandr",
        ],
    )
    def test_spellings_of_the_same_person_match(self, screener: Screener, query: str) -> None:
        """Cyrillic (be, ru), English, Belarusian Latin, Łacinka, French and surname-first forms match."""
        status, name, _ = top(screener, query)
        assert (status, name) == ("match", AGL)

    def test_an_initial_matches_the_given_name(self, screener: Screener) -> None:
        """'A. Lukashenko' matches Aleksandr, and the explanation says an initial was used."""
        result = screener.screen("A. Lukashenko")[0]
        assert result.entry is not None
        assert result.entry.name == AGL
        assert result.explanation is not None
        assert any(t.how == "initial" and t.role == "given" for t in result.explanation.tokens)

    def test_an_alias_given_in_the_law_matches(self, screener: Screener) -> None:
        """'Kolya Lukashenko' matches Nikolai Lukashenko through the alias the law gives."""
        result = screener.screen("Kolya Lukashenko")[0]
        assert result.status == "match"
        assert result.entry is not None
        assert result.entry.name == "Nikolai Aleksandrovich LUKASHENKO"
        assert result.explanation is not None
        assert result.explanation.name_source == "alias"


class TestDifferentPeopleDoNotMatch:
    def test_same_surname_other_given_name_is_not_a_match(self, screener: Screener) -> None:
        """'Pavel Lukashenko' and 'Ivan Sheiman' are nobody: no listed person has that given name."""
        assert screener.screen("Pavel Lukashenko")[0].status == "no_match"
        result = screener.screen("Ivan Sheiman")[0]
        assert result.status == "no_match"
        assert result.explanation is not None
        assert "given_differs" in result.explanation.caps

    def test_a_surname_alone_is_only_a_possible_match(self, screener: Screener) -> None:
        """'Lukashenko' alone flags each listed Lukashenko for review, none as a match."""
        results = screener.screen("Lukashenko")
        assert {r.status for r in results} == {"possible_match"}
        assert len(results) == 5

    @pytest.mark.parametrize("query", ["John Smith", "Ivan Ivanov", "Minsk Bakery", ""])
    def test_unrelated_names_are_no_match(self, screener: Screener, query: str) -> None:
        """Unrelated or common names give a single no_match."""
        results = screener.screen(query)
        assert len(results) == 1
        assert results[0].status == "no_match"


class TestResults:
    def test_results_are_best_first_and_statuses_follow_thresholds(self, screener: Screener) -> None:
        """Scores never increase down the list, and each status agrees with the documented thresholds."""
        results = screener.screen("Sheiman")
        scores = [r.score for r in results]
        assert scores == sorted(scores, reverse=True)
        for r in results:
            expected = "match" if r.score >= MATCH_THRESHOLD else "possible_match"
            assert r.score >= POSSIBLE_THRESHOLD
            assert r.status == expected

    def test_explanation_reports_order(self, screener: Screener) -> None:
        """Surname-first queries are reported as reversed order."""
        explanation = screener.screen("Tertel Ivan")[0].explanation
        assert explanation is not None
        assert explanation.order == "reversed"

    def test_entities_match_without_legal_form(self, screener: Screener) -> None:
        """'OJSC Belaruskali' matches 'Belaruskali OAO'."""
        assert top(screener, "OJSC Belaruskali")[:2] == ("match", "Belaruskali OAO")


class TestBatch:
    def test_batch_screens_each_name_and_reports_progress(self, screener: Screener) -> None:
        """screen_batch yields one result list per name and calls progress with 1..n."""
        seen: list[int] = []
        out = list(screen_batch(screener, ["Viktor Lukashenko", "John Smith", "Belaruskali"], seen.append))
        assert [r[0].status for r in out] == ["match", "no_match", "match"]
        assert seen == [1, 2, 3]


class TestRobustness:
    @pytest.mark.parametrize("value", [None, 42, b"Lukashenko", ["Lukashenko"]])
    def test_non_text_raises_own_error(self, screener: Screener, value: object) -> None:
        """A value that is not text raises NameInputError naming its type."""
        with pytest.raises(NameInputError, match=type(value).__name__):
            screener.screen(value)  # type: ignore[arg-type]

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=200))
    def test_any_unicode_string_screens(self, screener: Screener, name: str) -> None:
        """Any string screens to a non-empty list of well-formed results, or raises only ScreeningError."""
        try:
            results = screener.screen(name)
        except ScreeningError:
            return
        assert results
        for r in results:
            assert r.status in ("match", "possible_match", "no_match")
            assert 0.0 <= r.score <= 100.0
