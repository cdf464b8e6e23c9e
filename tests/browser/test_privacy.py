"""No page a person visits makes the browser contact anyone but Passage itself.

Every test's pages are recorded and checked (see conftest); this one walks the whole path once on purpose
(landing, interview, summary, plan, PDF, forget) and looks at the record itself.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page

from tests.browser._interview import complete_interview, text
from tests.browser._personas import personas
from tests.browser.conftest import BROWSER_GROUP, App, Traffic

pytestmark = BROWSER_GROUP


class TestNetworkPrivacy:
    def test_whole_visit_only_ever_talks_to_passage(self, page: Page, app: App, traffic: Traffic) -> None:
        """From the landing page to "Forget my answers", every request goes to the app's own origin."""
        complete_interview(page, app.library, "ru", personas(app.today())["new_arrival"])
        with page.expect_download() as download:
            page.get_by_role("link", name=text("plan.pdf", "ru")).click()
        assert download.value.suggested_filename == "passage-plan.pdf"
        with page.expect_navigation():
            page.get_by_role("button", name=text("plan.forget", "ru")).click()
        assert page.locator("p.notice[role=status]").inner_text() == text("landing.forgotten", "ru")

        paths = {urlsplit(url).path for url in traffic.requests}
        assert {"/ru/", "/static/passage.css", "/ru/summary/", "/ru/plan/", "/ru/plan.pdf", "/ru/forget/"} <= paths
        assert {urlsplit(url).scheme for url in traffic.requests} == {"http"}
        assert {urlsplit(url).netloc for url in traffic.requests} == {app.origin}
