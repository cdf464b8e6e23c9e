"""The facade: UI texts in every language, rendering, receipts."""

from __future__ import annotations

from datetime import date

from passage.assess import assess, ui_texts
from passage.engine import LANGUAGES, load_library
from tests.conftest import EXAMPLE


class TestUiTexts:
    def test_every_language(self) -> None:
        """Every interface text exists in English, French, Belarusian and Russian."""
        catalog = ui_texts()
        assert len(catalog) > 10
        for key in catalog:
            assert set(catalog[key]) == set(LANGUAGES), key


class TestRendering:
    def test_example_in_every_language(self) -> None:
        """An assessment renders every reason, fee and deadline in each language, naming unverified values."""
        library = load_library([EXAMPLE])
        facts = {"subject": "example_person", "birth_date": "1990-05-01", "status": "resident",
                 "passport_expiry": None, "citizenships": ["BY"], "arrival_date": "2020-01-01", "absences": [],
                 "income": 50000}
        result = assess(facts, date(2026, 4, 1), library)
        for lang in LANGUAGES:
            data = result.to_dict(lang)
            travel = next(o for o in data["options"] if o["id"] == "travel_pass")
            assert travel["status"] == "likely_eligible"
            assert all(r["text"] for r in travel["reasons"])
            assert travel["fees"][0] == {**travel["fees"][0], "amount": 122.5, "verified": False}
            assert travel["deadlines"][0]["date"] == "2021-07-01"
            assert "{" not in result.to_text(lang)
        assert "1er juillet 2021" in result.to_dict("fr")["options"][0]["deadlines"][0]["what"]
        assert "ліпеня 2021" in result.to_dict("be")["options"][0]["deadlines"][0]["what"]

    def test_receipt_reproducible(self) -> None:
        """The same facts and date give the same receipt; different facts a different facts hash."""
        library = load_library([EXAMPLE])
        one = assess({"subject": "example_person", "status": "resident"}, date(2025, 1, 1), library).receipt
        two = assess({"subject": "example_person", "status": "resident"}, date(2025, 1, 1), library).receipt
        other = assess({"subject": "example_person", "status": "visitor"}, date(2025, 1, 1), library).receipt
        assert one == two
        assert one.facts_hash != other.facts_hash
        assert one.rulebooks["example_rulebook"]["version"] == "2026.1"
