"""A caseworker's day in a real Chromium (Debian's), against a real server process with its own database.

The server is started here (not the package's `app`, which runs without a master key): a fresh migrated SQLite
file, a test master key, the fictional fixture rulebook, and a seeded clinic (an organization, a caseworker and
an admin with TOTP devices, one case assigned to the caseworker). The caseworker signs in with password and a
TOTP code computed from the device's key, as an authenticator app would; then works the case; the admin erases.

Every request any page makes is recorded: none may leave the server's origin. axe-core (WCAG 2.2 A/AA) runs on
every workspace page reached, and must report nothing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from passage.engine import LANGUAGES
from tests.browser import _axe
from tests.browser.conftest import (
    BROWSER_GROUP,
    FIXTURE_RULEBOOK,
    App,
    Traffic,
    _check_traffic,
    _server_env,
    open_context,
    serve,
)

pytestmark = BROWSER_GROUP

MASTER_KEY = "cGFzc2FnZS10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXM="  # the tests' key (tests/web/conftest.py)
PASSWORD = "a long passphrase for the browser test 2026"  # noqa: S105 - a test account's password
SEED = """
import json
import re
from django_otp.plugins.otp_totp.models import TOTPDevice
from passage.auth.models import Organization, User
from passage.cases.models import Case, Person

org = Organization.objects.create(name="Clinic Browser")
out = {}
for name, role in [("caseworker", "caseworker"), ("admin", "admin")] + [(f"admin_{l}", "admin") for l in LANGS]:
    user = User.objects.create_user(f"browser-{name}", org, role, PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    out[name] = {"username": user.username, "key": device.key, "id": str(user.pk)}
case = Case(organization=org, assigned_to=User.objects.get(username="browser-caseworker"), stage="intake")
case.reference = "K-2026-001"
case.save()
person = Person(case=case, relationship="principal")
person.given_names_latin = "Alena"
person.surname_latin = "Kavalenka"
person.given_names_cyrillic = "Алена"
person.surname_cyrillic = "Каваленка"
person.passport_number = "MP1234567"
person.facts = {"citizenships": ["BY"], "in_canada": True, "national_passport_expiry": "2026-12-15"}
person.save()
kept = Case(organization=org, assigned_to=None, stage="gathering")
kept.reference = "K-2026-002"
kept.save()
other = Person(case=kept, relationship="principal")
other.given_names_latin = "Ivan"
other.surname_latin = "Sidarenka"
other.facts = {"citizenships": ["BY"], "in_canada": True}
other.save()
out["case"] = str(case.pk)
out["person"] = str(person.pk)
print("SEEDED " + json.dumps(out))
"""


@dataclass(frozen=True)
class Workspace:
    url: str
    seeded: dict[str, Any]

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    data_dir = tmp_path_factory.mktemp("passage-workspace-browser")
    env = _server_env(
        data_dir,
        {"PASSAGE_MASTER_KEY": MASTER_KEY, "PASSAGE_RULEBOOKS": str(FIXTURE_RULEBOOK), "PASSAGE_TODAY": "2026-11-01"},
    )
    manage = [sys.executable, "-m", "passage.web"]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, timeout=120)  # noqa: S603
    seeded = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*manage, "shell", "-c", SEED.replace("PASSWORD", repr(PASSWORD)).replace("LANGS", repr(LANGUAGES))],
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    )
    line = next(x for x in seeded.stdout.splitlines() if x.startswith("SEEDED "))
    with serve(env, data_dir) as url:
        yield Workspace(url, json.loads(line.removeprefix("SEEDED ")))


_LAST_STEP: dict[str, int] = {}


def totp_code(hex_key: str) -> str:
    """What the person's authenticator app shows now (RFC 6238, django-otp's own implementation). A code is
    accepted once (SECURITY-TESTS item 9): a second sign-in in the same 30-second step waits for the next."""
    from django_otp.oath import totp  # type: ignore[import-untyped]

    if _LAST_STEP.get(hex_key) == int(time.time() // 30):
        time.sleep(30 - time.time() % 30 + 0.5)
    _LAST_STEP[hex_key] = int(time.time() // 30)
    return f"{totp(bytes.fromhex(hex_key)):06d}"


@dataclass
class Session:
    page: Page
    traffic: Traffic
    found: list[dict[str, Any]]
    app: App
    context: BrowserContext

    def check(self) -> None:
        """axe on the page as it is now."""
        self.found.extend(_axe.violations(self.page))

    def close(self) -> None:
        self.context.close()
        _check_traffic(self.app, self.traffic)


def _new_session(browser: Browser, workspace: Workspace) -> Session:
    """A fresh context (its own cookies) on the workspace server. axe is injected into the page, so the CSP is
    bypassed for that script only; the CSP itself is tested in tests/web/workspace/security/test_headers.py."""
    traffic = Traffic()
    app = App(workspace.url, None, "fixture")  # type: ignore[arg-type]  # the library is not used here
    context = open_context(browser, app, traffic, bypass_csp=True)
    return Session(context.new_page(), traffic, [], app, context)


@pytest.fixture
def session(browser: Browser, workspace: Workspace) -> Iterator[Session]:
    opened = _new_session(browser, workspace)
    yield opened
    opened.close()


def sign_in(s: Session, workspace: Workspace, role: str, lang: str = "en") -> None:
    """Password, then the code the authenticator app shows (computed from the device's key)."""
    who = workspace.seeded[role]
    page = s.page
    page.goto(f"/{lang}/work/")
    assert urlsplit(page.url).path == f"/{lang}/work/login/", page.url
    s.check()
    page.locator("#username").fill(who["username"])
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator('main form[action$="/work/login/"] button[type="submit"]').click()
    assert urlsplit(page.url).path == f"/{lang}/work/login/verify/", page.url
    s.check()
    page.locator("#code").fill(totp_code(who["key"]))
    with page.expect_navigation():
        page.locator('main form[action$="/work/login/verify/"] button[type="submit"]').click()
    assert "/login/" not in urlsplit(page.url).path, page.locator("main").inner_text()
    s.check()


def submit(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def visit_every_workspace_page(s: Session, lang: str, limit: int = 40) -> list[str]:
    """Follow every link inside /<lang>/work/ from the current page (breadth first, GET only): each page
    must answer 200 and pass axe."""
    page = s.page
    seen: set[str] = set()
    queue = [urlsplit(page.url).path]
    visited: list[str] = []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        visited.append(path)
        s.check()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(href)
            if target.netloc or not target.path.startswith(f"/{lang}/work/"):
                continue
            last = target.path.rstrip("/").rsplit("/", 1)[-1]
            download = "." in last or re.search(r"/attachments/[^/]+/$", target.path)
            if download or target.path in seen:
                continue
            queue.append(target.path)
    return visited


class TestCaseworkersDay:
    def test_a_caseworkers_day_then_the_admin_erases(
        self, session: Session, workspace: Workspace, browser: Browser
    ) -> None:
        """Sign in (password + TOTP), open the case, add a family member, assess, see the deadline on the
        dashboard, export; then the organization's admin erases the case. axe on every page on the way."""
        page, case_id = session.page, workspace.seeded["case"]
        case_url = f"/en/work/cases/{case_id}/"
        sign_in(session, workspace, "caseworker")

        # The case list, then the case.
        page.goto("/en/work/cases/")
        session.check()
        with page.expect_navigation():
            page.locator(f'main a[href="{case_url}"]').first.click()
        assert urlsplit(page.url).path == case_url
        assert "K-2026-001" in page.locator("h1").inner_text()
        session.check()

        # A family member.
        with page.expect_navigation():
            page.locator(f'main a[href="{case_url}people/new/"]').click()
        session.check()
        page.locator("#f-relationship").select_option("child")
        page.locator("#f-given_names_latin").fill("Maksim")
        page.locator("#f-surname_latin").fill("Kavalenka")
        submit(page, f'main form[action="{case_url}people/new/"] button[type="submit"]')
        session.check()
        page.goto(case_url)
        assert "Maksim" in page.locator("main table").first.inner_text()
        session.check()

        # An assessment of the principal.
        person_url = f"{case_url}people/{workspace.seeded['person']}/"
        page.goto(person_url)
        session.check()
        submit(page, f'main form[action="{person_url}assess/"] button[type="submit"]')
        session.check()
        page.goto(person_url)
        assert page.locator(f'main a[href^="{case_url}determinations/"]').count() >= 1
        with page.expect_navigation():
            page.locator(f'main a[href^="{case_url}determinations/"]').first.click()
        session.check()

        # The deadline on the dashboard.
        page.goto("/en/work/dashboard/")
        session.check()
        assert page.locator(f'main a[href="{case_url}"]').count() >= 1, "the case's deadline is on the dashboard"

        # Notes, attachments and sharing pages of the case pass axe too.
        for tail in ("notes/", "attachments/", "shares/"):
            response = page.goto(f"{case_url}{tail}")
            assert response is not None
            assert response.status == 200, tail
            session.check()

        # Export (JSON and PDF) of the principal.
        for suffix, kind in (("export.json", "application/json"), ("export.pdf", "application/pdf")):
            exported = page.request.get(f"{workspace.url}{person_url}{suffix}")
            assert exported.status == 200, suffix
            assert exported.headers["content-type"].startswith(kind), exported.headers["content-type"]
            if kind == "application/json":
                assert "Kavalenka" in exported.text()

        # Every page reachable by links from the dashboard.
        visited = visit_every_workspace_page(session, "en")
        assert len(visited) >= 3, visited
        assert session.found == [], session.found

        # The admin erases the case.
        admin = _new_session(browser, workspace)
        try:
            sign_in(admin, workspace, "admin")
            admin.page.goto(f"{case_url}erase/")
            admin.check()
            form = f'main form[action="{case_url}erase/"]'
            for box in admin.page.locator(f"{form} input[type=checkbox]").all():
                box.check()
            for text in admin.page.locator(f"{form} input[type=text]").all():
                text.fill("K-2026-001")  # a confirmation typed by hand, if the form asks for one
            submit(admin.page, f'{form} button[type="submit"]')
            admin.check()
            gone = admin.page.goto(case_url)
            assert gone is not None
            assert gone.status == 404
            assert admin.found == [], admin.found
        finally:
            admin.close()
        assert {urlsplit(u).netloc for u in session.traffic.requests} == {workspace.origin}

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_sign_in_with_password_and_totp_then_every_page_passes_axe(
        self, session: Session, workspace: Workspace, lang: str
    ) -> None:
        """Every page an admin reaches by links (cases, people, dashboard, users, aggregates, search, account...)
        meets WCAG 2.2 AA, in each of the four languages, from the sign-in pages on."""
        sign_in(session, workspace, f"admin_{lang}", lang)
        visited = visit_every_workspace_page(session, lang)
        assert len(visited) >= 3, visited
        assert session.found == [], session.found
        assert {urlsplit(u).netloc for u in session.traffic.requests} == {workspace.origin}
