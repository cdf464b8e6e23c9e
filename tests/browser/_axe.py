"""axe-core (from npm, pinned in tests/browser/package.json) run inside the page, WCAG 2.2 AA rules only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
    }));
}"""


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's WCAG 2.0/2.1/2.2 A and AA violations on the page as it is now, with the offending elements."""
    assert AXE.is_file(), f"{AXE} is missing: run `make test` (npm ci --prefix tests/browser)"
    page.add_script_tag(path=AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN, WCAG_TAGS)
    return [{**v, "page": page.url} for v in found]
