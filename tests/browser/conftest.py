"""A real Passage server and a real Chromium for the browser tests.

Package fixtures start the web app as its own process (`python -m passage.web runserver`, a fresh migrated
SQLite file, the shipped rulebooks) and one headless Debian Chromium; every test gets a fresh browser
context, so a fresh anonymous session. Every request any page makes is recorded, and a test fails if one
went anywhere but the app's own origin.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    sync_playwright,
)

from passage.engine import Library, load_library
from passage.rulebooks import default_library, fact_catalogs

CHROMIUM = "/usr/bin/chromium"  # Debian's package (make test installs it); never a downloaded browser
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIXTURE_RULEBOOK = Path(__file__).resolve().parents[1] / "web" / "fixture_person"
# The server's TIME_ZONE: without PASSAGE_TODAY the plan is "as of today" in this zone.
APP_ZONE = ZoneInfo("America/Toronto")
STARTED = re.compile(r"Starting development server at (http://127\.0\.0\.1:(\d+))/")
# Every module here shares one server and one browser: under `pytest -n 2 --dist loadgroup` they run on one
# worker instead of two Chromiums and two servers fighting over two cores.
BROWSER_GROUP = pytest.mark.xdist_group("browser")


@dataclass(frozen=True)
class App:
    """The server under test: where it listens and the library it runs."""

    url: str  # http://127.0.0.1:<port>
    library: Library
    rulebooks: str  # "shipped" or "fixture"

    @property
    def origin(self) -> str:
        return urlsplit(self.url).netloc

    def today(self) -> date:
        """The day the app assesses as of (it runs without PASSAGE_TODAY: today where it runs)."""
        return datetime.now(APP_ZONE).date()


@dataclass
class Traffic:
    """Every request made by every page of one test, and every browser-side error."""

    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self, origin: str) -> list[str]:
        return [url for url in self.requests if urlsplit(url).netloc != origin]


def _library() -> tuple[Library, dict[str, str], str]:
    """The shipped rulebooks if they load (colleagues may be mid-edit), else the fixture rulebook."""
    try:
        return default_library(), {}, "shipped"
    except Exception:  # any load failure means "not runnable right now": the fixture keeps the suite honest
        fixture = load_library([FIXTURE_RULEBOOK], fact_catalogs())
        return fixture, {"PASSAGE_RULEBOOKS": str(FIXTURE_RULEBOOK)}, "fixture"


def _server_env(data_dir: Path, extra: dict[str, str]) -> dict[str, str]:
    # tests/web's conftest sets PASSAGE_* for its own process; the server gets a clean, explicit environment.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSAGE_") and k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            "PASSAGE_DATA_DIR": str(data_dir),
            "PASSAGE_ALLOWED_HOSTS": "127.0.0.1",
            "PASSAGE_API_RATE": "1000",
            "PYTHONUNBUFFERED": "1",
            "DJANGO_RUNSERVER_HIDE_WARNING": "true",
            **extra,
        }
    )
    return env


def _drain(stream: IO[str], log: IO[str]) -> None:
    for line in stream:
        log.write(line)


def pytest_report_header() -> str:
    return f"browser: {CHROMIUM}; rulebooks: {_library()[2]}"


@contextmanager
def serve(env: dict[str, str], data_dir: Path) -> Iterator[str]:
    """`python -m passage.web runserver` with `env` as its own process; yields its URL, stops it afterwards.
    Port 0: the OS picks a free port, and runserver prints it once the socket is bound (no race)."""
    manage = [sys.executable, "-m", "passage.web"]
    log_path = data_dir / "server.log"
    with log_path.open("w", encoding="utf-8") as log:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module, no shell
            [*manage, "runserver", "127.0.0.1:0", "--noreload", "--skip-checks"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        drain = threading.Thread()
        try:
            assert server.stdout is not None
            url = ""
            for line in server.stdout:
                log.write(line)
                if match := STARTED.search(line):
                    url = match.group(1)
                    break
            if not url:
                log.flush()
                raise RuntimeError(f"the server did not start:\n{log_path.read_text(encoding='utf-8')}")
            drain = threading.Thread(target=_drain, args=(server.stdout, log), daemon=True)
            drain.start()
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            if server.stdout:
                if drain.ident is not None:
                    drain.join(timeout=10)
                server.stdout.close()


@pytest.fixture(scope="package")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The web app as a separate process on a free 127.0.0.1 port, with a fresh, migrated SQLite database."""
    library, extra, which = _library()
    data_dir = tmp_path_factory.mktemp("passage-browser")
    env = _server_env(data_dir, extra)
    subprocess.run([sys.executable, "-m", "passage.web", "migrate", "--verbosity", "0"], env=env, check=True,
                   timeout=120)
    with serve(env, data_dir) as url:
        yield App(url, library, which)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Package scope, not session: the sync API keeps an event loop running in this thread while it is
    # open, and Django's ORM refuses to run under one (tests/web may follow in the same process).
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Debian Chromium for every browser test."""
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium"
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()


def open_context(browser: Browser, app: App, traffic: Traffic, *, bypass_csp: bool = False) -> BrowserContext:
    """A fresh context (fresh cookies, so a fresh anonymous session) that records every request and error."""
    context = browser.new_context(base_url=app.url, locale="en-US", bypass_csp=bypass_csp)
    # Generous: on a shared 2-core machine under load, rendering the PDF plan alone has taken over 15 s.
    # A timeout only bounds how long a real failure takes to report; it never makes a test pass.
    context.set_default_timeout(60_000)

    def on_request(request: Request) -> None:
        traffic.requests.append(request.url)

    def on_response(response: Response) -> None:
        # A page's own status (400 for a refused form, 404...) is the app speaking; a stylesheet or any other
        # resource that fails to load is a broken page.
        if response.status >= 400 and not response.request.is_navigation_request():
            traffic.errors.append(f"{response.status} {response.url}")

    def on_console(message: ConsoleMessage) -> None:
        # Resource failures are counted above from the responses (Chromium also logs its own /favicon.ico
        # probe, which is no page's doing); anything else logged as an error, a CSP refusal first, counts.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            traffic.errors.append(message.text)

    context.on("request", on_request)
    context.on("response", on_response)
    context.on("console", on_console)
    context.on("weberror", lambda error: traffic.errors.append(str(error.error)))
    return context


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


def _page(browser: Browser, app: App, traffic: Traffic, *, bypass_csp: bool) -> Iterator[Page]:
    context = open_context(browser, app, traffic, bypass_csp=bypass_csp)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(browser: Browser, app: App, traffic: Traffic) -> Iterator[Page]:
    """A page in a fresh context with the app's real Content-Security-Policy enforced."""
    yield from _page(browser, app, traffic, bypass_csp=False)
    _check_traffic(app, traffic)


@pytest.fixture
def axe_page(browser: Browser, app: App, traffic: Traffic) -> Iterator[Page]:
    """A page that lets the test inject axe-core: the CSP rightly refuses any script, so it is bypassed here
    (only here: every other test runs under the app's real CSP)."""
    yield from _page(browser, app, traffic, bypass_csp=True)
    _check_traffic(app, traffic)


def _check_traffic(app: App, traffic: Traffic) -> None:
    # Network privacy holds for every page of every test, not only the test that says so.
    assert traffic.foreign(app.origin) == [], "a page loaded something from another origin"
    assert traffic.errors == [], "the browser reported errors (a CSP violation, a failed load...)"
