"""axe-core finds no WCAG 2.2 A/AA violation on any page a person sees, in any of the four languages:
the landing page, every interview page (empty, refused with errors, filled in), the summary and the plan."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from passage.engine import LANGUAGES
from tests.browser import _axe
from tests.browser._interview import complete_interview, submit
from tests.browser._personas import personas
from tests.browser.conftest import BROWSER_GROUP, App

pytestmark = BROWSER_GROUP

# A persona per language whose plan has options in several groups, with reasons, fees and deadlines.
PERSONA_OF_LANGUAGE = {
    "en": "permanent_resident_expired_passport",
    "fr": "new_arrival",
    "be": "protected_person",
    "ru": "worker_entered_2022",
}


def _audit(found: list[dict[str, Any]]) -> Any:
    def check(page: Page) -> None:
        found.extend(_axe.violations(page))

    return check


class TestAccessibility:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_every_question_page_and_its_errors_pass_axe(self, axe_page: Page, app: App, lang: str) -> None:
        """Someone who answers nothing, then "I don't know" to everything, meets no WCAG 2.2 AA barrier."""
        found: list[dict[str, Any]] = []
        check = _audit(found)
        with axe_page.expect_navigation():
            axe_page.goto(f"/{lang}/interview/")
        submit(axe_page, 'form button[type="submit"]:not([name])')  # nothing answered: refused with errors
        assert axe_page.locator(".error-summary").count() == 1
        check(axe_page)  # the page refused with an error summary and a message at each question
        complete_interview(axe_page, app.library, lang, {}, check)
        assert found == []

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_a_filled_interview_and_its_plan_pass_axe(self, axe_page: Page, app: App, lang: str) -> None:
        """Answered pages, the summary and a plan with reasons, fees and deadlines meet WCAG 2.2 AA."""
        found: list[dict[str, Any]] = []
        facts = personas(app.today())[PERSONA_OF_LANGUAGE[lang]]
        complete_interview(axe_page, app.library, lang, facts, _audit(found))
        assert found == []

    def test_the_audit_reports_a_known_barrier(self, axe_page: Page) -> None:
        """A field without a label is reported, so "no violations" above is a finding, not a silent audit."""
        axe_page.set_content('<!doctype html><html lang="en"><title>t</title><main><input type="text"></main></html>')
        assert [v["id"] for v in _axe.violations(axe_page)] == ["label"]

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_the_shipment_page_and_its_answer_pass_axe(self, axe_page: Page, lang: str) -> None:
        """The shipment form, its answer with reasons, and the form refused with an error meet WCAG 2.2 AA."""
        axe_page.goto(f"/{lang}/trade/")
        found = list(_axe.violations(axe_page))
        axe_page.select_option("#f-direction", "export")
        axe_page.select_option("#f-country", "BY")
        axe_page.fill("#f-hs_code", "847130")
        axe_page.fill("#f-end_user", "Лукашенко Александр")
        submit(axe_page, 'form button[type="submit"]')
        assert axe_page.locator("#o-listed_party").count() == 1
        found += _axe.violations(axe_page)
        axe_page.fill("#f-hs_code", "8471.30")
        submit(axe_page, 'form button[type="submit"]')
        assert axe_page.locator("#e-hs_code").count() == 1
        found += _axe.violations(axe_page)
        assert found == []
