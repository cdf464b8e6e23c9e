"""Five people complete the interview in a real Chromium, two languages each, and the plan they are shown
says what `passage.assess.assess()` says for the same answers on the same day."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from passage.assess import assess, ui
from passage.engine.receipt import facts_hash
from tests.browser._interview import complete_interview, read_plan, read_receipt, text
from tests.browser._personas import personas
from tests.browser.conftest import BROWSER_GROUP, App

pytestmark = BROWSER_GROUP

# The plan's sections, as docs/web.md promises them: available / possibly / not / cannot tell yet.
GROUP_OF_STATUS = {
    "eligible": "available",
    "likely_eligible": "possible",
    "not_eligible": "not_available",
    "needs_info": "unknown",
}
RUNS = [
    ("permanent_resident_expired_passport", "be"),
    ("permanent_resident_expired_passport", "en"),
    ("protected_person", "ru"),
    ("protected_person", "fr"),
    ("worker_entered_2022", "en"),
    ("worker_entered_2022", "be"),
    ("new_arrival", "fr"),
    ("new_arrival", "ru"),
    ("citizen", "ru"),
    ("citizen", "fr"),
]


class TestPlanMatchesTheRules:
    @pytest.mark.parametrize(("persona", "lang"), RUNS)
    def test_plan_shows_what_the_rules_decide(self, page: Page, app: App, persona: str, lang: str) -> None:
        """Whoever answers, in whichever language, the plan files each option under the status the rules give."""
        today = app.today()
        given = complete_interview(page, app.library, lang, personas(today)[persona])
        shown = read_plan(page)
        expected = assess(given, today, app.library)

        receipt = read_receipt(page)
        books = {name: info["hash"] for name, info in expected.receipt.rulebooks.items()}
        assert {name: receipt.get(name) for name in books} == books, "the server ran other rulebooks than the test"
        assert receipt["answers"] == facts_hash(given), "the server holds other answers than those typed"
        assert page.locator("p.on").inner_text() == ui("label.assessed_on", lang, on=today)

        assert set(shown) == {option.id for option in expected.options}
        for option in expected.options:
            assert shown[option.id].status == option.status, option.id
            group = GROUP_OF_STATUS[option.status]
            assert shown[option.id].group == group, option.id
            assert shown[option.id].group_title == text(f"plan.group.{group}", lang)
            assert shown[option.id].status_text == ui(f"status.{option.status}", lang)
