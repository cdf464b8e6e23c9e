"""Normalisation of names into comparable keys."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from passage.screening import normalize_name


def canons(name: str) -> set[str]:
    return {c for t in normalize_name(name) for c in t.canons}


class TestTransliterationFamilies:
    def test_spellings_of_lukashenka_share_a_key(self) -> None:
        """Belarusian and Russian Cyrillic, English, Belarusian Latin, Łacinka and French spellings meet."""
        family = [
            "Лукашэнка",
            "Лукашенко",
            "Lukashenka",
            "Lukashenko",
            "Loukachenko",
            "Łukašenka",
            "LUKASHENKO",
        ]
        common = set.intersection(*(canons(n) for n in family))
        assert common

    def test_belarusian_and_russian_given_names_meet(self) -> None:
        """Uladzimir ~ Vladimir, Dzmitry ~ Dmitry, Halina ~ Galina, Novikau ~ Novikov."""
        for a, b in [
            ("Uladzimir", "Vladimir"),
            ("Dzmitry", "Dmitry"),
            ("Halina", "Galina"),
            ("Novikau", "Novikov"),
        ]:
            assert canons(a) & canons(b), (a, b)

    def test_case_hyphens_and_diacritics_do_not_matter(self) -> None:
        """Case, hyphens and accents give the same keys."""
        assert canons("Belinvest-Engineering") == canons("BELINVEST ENGINEERING")
        assert canons("Alexandre Loukachenko") == canons("alexandre loukachénko")


class TestTokens:
    def test_initials_are_marked(self) -> None:
        """'A.G. Lukashenko' has two initials and one full word."""
        tokens = normalize_name("A.G. Lukashenko")
        assert [t.initial for t in tokens] == [True, True, False]

    def test_patronymics_are_recognised(self) -> None:
        """Latin and Cyrillic patronymics are flagged; surnames are not."""
        assert [t.patronymic for t in normalize_name("Ivan Stanislavovich Tertel")] == [False, True, False]
        assert normalize_name("Рыгоравіч")[0].patronymic

    def test_a_name_without_letters_has_no_tokens(self) -> None:
        """Punctuation alone normalises to nothing."""
        assert normalize_name(" .,-() ") == ()


class TestNormalisationNeverFails:
    @settings(max_examples=300, deadline=None)
    @given(st.text())
    def test_any_unicode_text_normalises(self, name: str) -> None:
        """Any string normalises without raising, to at most 16 tokens with non-empty forms."""
        tokens = normalize_name(name)
        assert len(tokens) <= 16
        for t in tokens:
            assert t.forms
            assert all(c for _, c in t.forms)
