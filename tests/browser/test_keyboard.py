"""Someone who cannot use a mouse completes the interview with the keyboard alone and gets the same plan.

The walk presses Tab through each page, operating every control as focus reaches it: Space for a
checkbox, the arrow keys inside a radio group (its standard keyboard interaction: Tab enters the group,
arrows choose), typing for dates, numbers and country lists, Enter for a button or a link; then Shift+Tab
back to "Continue". There is no click anywhere, and every control of every page must take focus.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from playwright.sync_api import Page

from passage.assess import assess
from passage.engine.receipt import facts_hash
from tests.browser._interview import read_plan, read_receipt, refused, text
from tests.browser._personas import personas
from tests.browser.conftest import BROWSER_GROUP, App

pytestmark = BROWSER_GROUP

MAX_TABS = 400
# A control's identity: one per radio group (Tab stops once in a group), else its id, else what it is.
KEY = """(e) => e.type === 'radio' ? 'radio:' + e.name
    : e.id || [e.tagName, e.getAttribute('name'), e.getAttribute('value'), e.getAttribute('href')].join(':')"""
ACTIVE = f"""() => {{
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    return {{key: ({KEY})(e), tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
            id: e.id, value: e.value || '', checked: !!e.checked, text: (e.innerText || '').trim()}};
}}"""
# Every control a person may need: links, buttons, inputs and selects.
CONTROLS = f"""() => [...new Set([...document.querySelectorAll('a[href], button, input:not([type=hidden]), select')]
    .map({KEY}))]"""
RADIO_VALUES = "(name) => [...document.getElementsByName(name)].map(e => e.value)"


def _us_date(iso: str) -> str:
    """What a person types into Chromium's en-US date field: month, day, year."""
    year, month, day = iso.split("-")
    return f"{month}{day}{year}"


class _Walker:
    """Tab through one page after another, operating each control from `facts` as focus reaches it."""

    def __init__(self, page: Page, facts: dict[str, object]) -> None:
        self.page = page
        self.facts = facts
        self.given: dict[str, object] = {}

    def active(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.page.evaluate(ACTIVE)
        return result

    def tab_to(self, predicate: Any, key: str = "Tab") -> None:
        for _ in range(MAX_TABS):
            self.page.keyboard.press(key)
            element = self.active()
            if element and predicate(element):
                return
        raise AssertionError(f"{key} never reached the control on {self.page.url}")

    def follow(self, key: str = "Enter") -> None:
        with self.page.expect_navigation() as navigation:
            self.page.keyboard.press(key)
        assert not refused(navigation.value), refused(navigation.value)

    def walk_topic(self) -> None:
        """Tab through the whole page operating every control, then Shift+Tab back to Continue and press Enter."""
        reached: set[str] = set()
        for _ in range(MAX_TABS):
            self.page.keyboard.press("Tab")
            element = self.active()
            if element is None:  # past the last control: focus left the document
                break
            reached.add(element["key"])
            if self.operate(element):  # "Add another row" reloaded the page: start again from its top
                reached = set()
        missing = set(self.page.evaluate(CONTROLS)) - reached
        assert not missing, f"never reached by Tab on {self.page.url}: {sorted(missing)}"
        self.tab_to(lambda e: e["tag"] == "button" and not e["name"], "Shift+Tab")
        self.follow()

    def operate(self, element: dict[str, Any]) -> bool:
        """Set the focused control to the persona's answer; True when that reloaded the page."""
        name, kind = element["name"], element["type"]
        fact = name.split("__")[0]
        value = self.facts.get(fact)
        if kind == "radio":
            want = "__dk" if fact not in self.facts else {True: "yes", False: "no"}.get(value, value)  # type: ignore[call-overload]
            self.choose_radio(name, str(want))
            self.remember(fact)
        elif kind == "checkbox":
            want_checked = (name.endswith("__dk") and fact not in self.facts) or (
                name.endswith("__none") and fact in self.facts and value is None
            )
            if element["checked"] != want_checked:
                self.page.keyboard.press("Space")
            self.remember(fact)
        elif element["tag"] == "select":
            self.choose_country(element, fact)
        elif kind in {"date", "number"}:
            self.type_field(element, fact, name)
        elif element["tag"] == "button" and name == "add_row":
            rows = self.facts.get(element["value"])
            shown = self.page.locator(f'[name="{element["value"]}"], [name="{element["value"]}__from"]').count()
            if isinstance(rows, list) and len(rows) > shown:
                self.follow()
                return True
        return False

    def remember(self, fact: str) -> None:
        if fact in self.facts:
            self.given[fact] = self.facts[fact]

    def choose_radio(self, name: str, want: str) -> None:
        values: list[str] = self.page.evaluate(RADIO_VALUES, name)
        element = self.active()
        assert element is not None
        if element["value"] == want and element["checked"]:
            return
        if element["value"] == want:
            self.page.keyboard.press("Space")
        else:
            for _ in range((values.index(want) - values.index(element["value"])) % len(values)):
                self.page.keyboard.press("ArrowDown")
        element = self.active()
        assert element is not None
        assert (element["value"], element["checked"]) == (want, True), name

    def row_index(self, element: dict[str, Any]) -> int:
        index: int = self.page.evaluate(
            "(name) => [...document.getElementsByName(name)].indexOf(document.activeElement)", element["name"]
        )
        return index

    def choose_country(self, element: dict[str, Any], fact: str) -> None:
        value = self.facts.get(fact)
        if isinstance(value, list):
            index = self.row_index(element)
            value = value[index] if index < len(value) else ""
        if not value or element["value"] == value:
            self.remember(fact)
            return
        label: str = self.page.evaluate(
            "(code) => [...document.activeElement.options].find(o => o.value === code).text", value
        )
        self.page.keyboard.type(label)  # type-ahead: the way a keyboard user picks from a long list
        assert self.page.evaluate("() => document.activeElement.value") == value, label
        self.remember(fact)

    def type_field(self, element: dict[str, Any], fact: str, name: str) -> None:
        value = self.facts.get(fact)
        if name.endswith(("__from", "__to")):
            rows = value if isinstance(value, list) else []
            index = self.row_index(element)
            value = rows[index][name.rsplit("__", 1)[1]] if index < len(rows) else None
        if value is None or element["value"] == str(value):
            self.remember(fact)
            return
        self.page.keyboard.type(_us_date(str(value)) if element["type"] == "date" else str(value))
        assert self.page.evaluate("() => document.activeElement.value") == str(value), name
        self.remember(fact)


class TestKeyboardOnly:
    def test_interview_can_be_completed_with_the_keyboard_alone(self, page: Page, app: App) -> None:
        """Tab, Shift+Tab, Space, Enter, arrows and typing reach and operate every control; the plan is right."""
        today = app.today()
        facts = dict(personas(today)["permanent_resident_expired_passport"])
        facts["temporary_resident_since"] = None  # a "none of these" box, ticked with Space
        facts["absences"] = [  # two trips: "Add another row" pressed with Enter
            {"from": date(today.year - 2, 3, 1).isoformat(), "to": date(today.year - 2, 3, 9).isoformat()},
            {"from": date(today.year - 1, 7, 2).isoformat(), "to": date(today.year - 1, 7, 20).isoformat()},
        ]
        walker = _Walker(page, facts)
        page.goto("/en/")
        page.keyboard.press("Tab")
        first = walker.active()
        assert first is not None
        assert first["text"] == text("nav.skip", "en"), "the skip link is the first stop"
        walker.tab_to(lambda e: e["text"] == text("landing.start", "en"))
        walker.follow()
        for _ in range(30):
            if page.url.endswith("/en/summary/"):
                break
            walker.walk_topic()
        else:
            raise AssertionError("the interview never reached the summary")
        walker.tab_to(lambda e: e["text"] == text("summary.see_plan", "en"))
        walker.follow()
        assert walker.given["absences"] == facts["absences"]
        assert walker.given["temporary_resident_since"] is None
        assert read_receipt(page)["answers"] == facts_hash(walker.given), "the server holds other answers"
        shown = read_plan(page)
        expected = assess(walker.given, today, app.library)
        assert {k: v.status for k, v in shown.items()} == {o.id: o.status for o in expected.options}
