"""SECURITY-TESTS item 17, XSS corpus: payloads stored in every text field the case models hold (directly, and
posted through every form) and every page rendered; the parsed HTML holds no injected element, attribute,
script or `javascript:` URL, and no template expression was evaluated. Plus the lint: `|safe`, `mark_safe(`
and `{% autoescape off %}` appear in src/ only on allow-listed lines.
"""

from __future__ import annotations

import re
import secrets
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path
from typing import Any

from tests.web.workspace.security._drive import Variant, drive
from tests.web.workspace.security.conftest import World

SRC = Path(__file__).resolve().parents[4] / "src"
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}XSS{% now 'Y' %}",
    "</textarea><script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
)
# Lines of src/ allowed to bypass autoescaping (path relative to src/, the stripped line). Empty: none may.
SAFE_ALLOWED: set[tuple[str, str]] = set()
UNSAFE_MARKUP = re.compile(r"\|\s*safe\b|mark_safe\(|\{%\s*autoescape\s+off\s*%\}|\|\s*safeseq\b")


class _Injected(HTMLParser):
    """Collects what only an injection could have put in a workspace page (the app has no script at all)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}>")
        if tag == "img" and any(k == "src" and v == "x" for k, v in attrs):
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data: str) -> None:
        if "49XSS" in data or re.search(r"XSS20\d\d", data):
            self.found.append("an evaluated template expression")


def injected(html: str) -> list[str]:
    parser = _Injected()
    parser.feed(html)
    if "49XSS" in html:
        parser.found.append("an evaluated template expression")
    return parser.found


def _store_payloads(world: World) -> int:
    """Overwrite every text field of every seeded record with a payload (models directly)."""
    payloads = cycle(PAYLOADS)
    count = 0
    for records in world.cases.values():
        case = records.case
        case.reference = next(payloads)
        case.save()
        for person in records.people:
            for name in (
                "given_names_latin",
                "surname_latin",
                "given_names_cyrillic",
                "surname_cyrillic",
                "passport_number",
                "address",
                "contacts",
            ):
                setattr(person, name, next(payloads))
                count += 1
            person.facts = {**(person.facts or {}), "citizenships": [next(payloads)]}
            person.save()
        records.note.body = next(payloads)
        records.note.save()
        records.task.detail = next(payloads)
        records.task.kind = next(payloads)[:64]
        records.task.save()
        records.attachment.filename = next(payloads)
        records.attachment.save()
        records.share.consent_note = next(payloads)
        records.share.save()
        result: dict[str, Any] = records.determination.result
        for option in result.get("options", []):
            for reason in option.get("reasons", []):
                reason["text"] = next(payloads)
            option["warnings"] = [next(payloads)]
            option["documents"] = [next(payloads)]
        records.determination.result = result
        records.determination.save()
        count += 8
    for user in world.users.values():
        user.display_name = next(payloads)
        user.save()
    for org in (world.org_a, world.org_b):
        org.name = f"{next(payloads)} {secrets.token_hex(3)}"
        org.save()
    return count


def test_stored_and_posted_payloads_never_become_markup(world: World) -> None:
    assert _store_payloads(world) > 0
    variant = Variant("xss", lambda field: PAYLOADS[sum(map(ord, field.name)) % len(PAYLOADS)])
    problems: list[str] = []
    pages = rendered = 0
    for visit in drive(world, [variant]):
        if visit.label == "coverage":
            assert visit.response, "no workspace route was driven"
            break
        response = visit.response
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        html = response.content.decode("utf-8", errors="replace")
        rendered += "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        found = injected(html)
        if found:
            problems.append(f"{visit.label} {visit.path} -> {response.status_code}: {sorted(set(found))}")
    assert pages > 0
    assert rendered > 0, "no page showed a payload (escaped): the corpus never reached a template"
    assert problems == [], "\n".join(problems)


def test_the_detector_finds_an_injection() -> None:
    """So that "nothing found" above is a finding: unescaped payloads are reported, escaped ones are not."""
    from django.utils.html import escape

    for payload in PAYLOADS:
        assert injected(f"<p>{escape(payload)}</p>") == [], payload
    assert injected("<p>" + PAYLOADS[0] + "</p>")
    assert injected("<p>" + PAYLOADS[1] + "</p>")
    assert injected('<a href="javascript:alert(1)">x</a>')
    assert injected("<p>49XSS</p>")


def test_autoescaping_is_on_and_bypassed_nowhere_but_allow_listed_lines() -> None:
    from django.conf import settings

    assert all(t["OPTIONS"].get("autoescape", True) for t in settings.TEMPLATES)
    found = set()
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in (".py", ".html", ".txt", ".xml", ".svg", ".j2") or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if UNSAFE_MARKUP.search(line):
                found.add((str(path.relative_to(SRC)), line.strip()))
    assert found - SAFE_ALLOWED == set(), sorted(found - SAFE_ALLOWED)
