"""Drive the interview in a real browser the way a person does: read the questions each page asks, fill
the real form fields, press the real buttons; and read the plan page back.

Only what a page asks is answered (a fact the persona lacks gets "I don't know"), so the answers returned
are exactly what the server was told, ready to hand to `passage.assess.assess()` for comparison.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, Response

from passage.engine import Library
from passage.web.texts import web_texts

MAX_PAGES = 30  # more topic pages than this means the interview is going round in circles
DONT_KNOW = object()
PageCheck = Callable[[Page], None]


def text(key: str, lang: str) -> str:
    return str(web_texts()[key][lang])


def refused(response: Response | None) -> str:
    """Why the server refused a form outright (403: Django's CSRF check, e.g. on the Origin header), or ""."""
    if response is None or response.status != 403:
        return ""
    origin = response.request.all_headers().get("origin", "(none)")
    return f"the server refused the form as forged (403 on {response.url}); the browser sent Origin: {origin}"


def submit(page: Page, button: str) -> None:
    """Press a submit button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(button).click()
    assert not refused(navigation.value), refused(navigation.value)


def _errors(page: Page) -> str:
    summary = page.locator(".error-summary")
    return summary.inner_text() if summary.count() else ""


def _fill_rows(page: Page, name: str, kind: str, rows: list[Any]) -> None:
    """Fill a list question row by row, pressing "Add another row" whenever the page has too few rows."""
    selector = f'select[name="{name}"]' if kind == "countries" else f'input[name="{name}__from"]'
    for index, row in enumerate(rows):
        if page.locator(selector).count() <= index:
            submit(page, f'button[name="add_row"][value="{name}"]')
            assert not _errors(page), _errors(page)
        if kind == "countries":
            page.locator(selector).nth(index).select_option(str(row))
        else:
            page.locator(f'input[name="{name}__from"]').nth(index).fill(row["from"])
            page.locator(f'input[name="{name}__to"]').nth(index).fill(row["to"])


def _answer(page: Page, name: str, kind: str, value: object) -> None:
    if value is DONT_KNOW:
        page.locator(f"#f-{name}-dk").check()
    elif value is None:
        page.locator(f"#f-{name}-none").check()
    elif kind == "bool":
        page.locator(f"#f-{name}" if value else f"#f-{name}-no").check()
    elif kind == "enum":
        page.locator(f'input[name="{name}"][value="{value}"]').check()
    elif kind == "country":
        page.locator(f"#f-{name}").select_option(str(value))
    elif kind in {"date", "int", "str", "decimal"}:
        page.locator(f"#f-{name}").fill(str(value))
    else:
        raise AssertionError(f"the driver cannot answer {name} ({kind})")


def complete_interview(
    page: Page, library: Library, lang: str, facts: Mapping[str, object], check: PageCheck | None = None
) -> dict[str, object]:
    """From the landing page to the plan page in `lang`; returns the answers given (facts the pages asked).

    `check` runs on every page on the way (landing, each topic, summary, plan).
    """
    catalog = library.facts["person"]
    page.goto(f"/{lang}/")
    if check:
        check(page)
    with page.expect_navigation():
        page.get_by_role("link", name=text("landing.start", lang)).click()
    given: dict[str, object] = {}
    for _ in range(MAX_PAGES):
        if page.url.endswith(f"/{lang}/summary/"):
            break
        assert f"/{lang}/interview/" in page.url, page.url
        if check:
            check(page)
        names: list[str] = page.locator("div.question").evaluate_all("els => els.map(e => e.id.slice(2))")
        assert names, f"a topic page without questions: {page.url}"
        rows = [n for n in names if catalog[n].type in {"countries", "date_ranges"} and facts.get(n)]
        for name in rows:  # first, since "Add another row" reloads the page with what was typed so far
            rows_value = facts[name]
            assert isinstance(rows_value, list)
            _fill_rows(page, name, catalog[name].type, rows_value)
            given[name] = rows_value
        for name in names:
            if name in rows:
                continue
            value = facts.get(name, DONT_KNOW)
            if value == [] and catalog[name].type in {"countries", "date_ranges"}:
                given[name] = value  # an empty list is an answer: leave every row empty
                continue
            _answer(page, name, catalog[name].type, value)
            if value is not DONT_KNOW:
                given[name] = value
        submit(page, 'form button[type="submit"]:not([name])')
        assert not _errors(page), f"the page refused the answers: {_errors(page)}"
    else:
        raise AssertionError("the interview never reached the summary")
    if check:
        check(page)
    with page.expect_navigation():
        page.get_by_role("link", name=text("summary.see_plan", lang)).click()
    assert page.url.endswith(f"/{lang}/plan/")
    if check:
        check(page)
    return given


@dataclass(frozen=True)
class PlanOption:
    """One option as the plan page shows it."""

    status: str  # data-status
    group: str  # the key of the section it sits in (available, possible, not_available, unknown)
    group_title: str
    status_text: str


def read_plan(page: Page) -> dict[str, PlanOption]:
    """Every option on the plan page, by option id."""
    rows: list[dict[str, str]] = page.locator("article.option").evaluate_all(
        """els => els.map(e => ({
            id: e.id.slice(2),
            status: e.dataset.status,
            group: [...e.closest('section').classList].find(c => c.startsWith('group-')).slice(6),
            group_title: e.closest('section').querySelector('h2').innerText,
            status_text: e.querySelector('.status').innerText,
        }))"""
    )
    return {r["id"]: PlanOption(r["status"], r["group"], r["group_title"], r["status_text"]) for r in rows}


def read_receipt(page: Page) -> dict[str, str]:
    """The plan's receipt as shown: rulebook name -> its hash, and "answers" -> the answers fingerprint."""
    pairs: list[list[str]] = page.locator("dl.receipt dt").evaluate_all(
        "els => els.map(dt => [dt.innerText, (dt.nextElementSibling.querySelector('code') || {}).innerText || ''])"
    )
    receipt = {name: code for name, code in pairs if code}
    receipt["answers"] = pairs[-1][1]
    return receipt
