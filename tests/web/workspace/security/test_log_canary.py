"""SECURITY-TESTS item 12, log canary: with a canary in every encrypted field of the seeded world, every
workspace route is driven (every page, every form posted with canary values, the same forms with invalid
dates/numbers/choices so validation errors answer, and again with a forced failure so the views' 500 path runs,
every unsafe route no form leads to posted directly). Pass: 0 canary hits in

- every log record (root logger at DEBUG, formatted with its traceback: what an exception report would hold),
- stdout and stderr of the process,
- every URL requested, every redirect's Location, and every href/action/src on every page,
- every audit line written (read inside each request's savepoint, before it is rolled back),
- every file under the data directory (the SQLite database and its -wal/-shm, the attachment store, any
  temporary file): this test's canaries in plain bytes.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from pathlib import Path
from typing import Any

import pytest

from passage.storage.models import AuditRecord
from tests.web.workspace.security._drive import Variant, drive
from tests.web.workspace.security._http import Field
from tests.web.workspace.security.conftest import World
from tests.web.workspace.security.test_headers import forced_failure

CANARY = re.compile(r"CANARY-|Канарэйка|KANARY")
URL_ATTRS = re.compile(r"""(?:href|action|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


POSTED: list[str] = []


def _post_canary(field: Field) -> str:
    hex_ = secrets.token_hex(4)
    value = (
        f"Канарэйка{hex_}"
        if "cyrillic" in field.name or "surname" in field.name
        else f"CANARY-POST-{field.name}-{hex_}"
    )
    POSTED.append(value)
    return value


def _files_with(canaries: list[str]) -> list[str]:
    """Files under the data directory (this process's SQLite database and its -wal/-shm, the attachment store,
    any temporary file) holding one of `canaries` in plain bytes."""
    wanted = {c.encode() for c in canaries}
    prefixes = {b"CANARY-", "Канарэйка".encode()}
    found = []
    for path in Path(os.environ["PASSAGE_DATA_DIR"]).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for prefix in prefixes:
            start = data.find(prefix)
            while start != -1:
                window = data[start : start + 80]
                if any(window.startswith(c) for c in wanted):
                    found.append(f"{path}: {window[:40]!r}")
                    break
                start = data.find(prefix, start + 1)
    plain_dates = [c.encode() for c in canaries if not c.startswith(("CANARY", "Канар"))]
    for path in Path(os.environ["PASSAGE_DATA_DIR"]).rglob("*"):
        if path.is_file() and any(d in path.read_bytes() for d in plain_dates):
            found.append(f"{path}: a facts canary")
    return found


VARIANTS = [
    Variant("valid", _post_canary),
    Variant("invalid", _post_canary, dates="CANARY-DATE-31-02", number="CANARY-NUMBER"),
    Variant("forced 500", _post_canary, forced=forced_failure),
]


def _hits(text: str, canaries: list[str]) -> list[str]:
    found = CANARY.findall(text)
    found += [c for c in canaries if c in text]  # the facts' canaries are dates, not prefixed
    return found


def test_no_canary_reaches_logs_output_urls_or_the_audit_log(
    world: World, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    seeded = world.all_canaries()
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    hits: list[str] = []
    statuses: dict[int, int] = {}
    shown = 0  # responses that did show a seeded canary (decrypted for a user allowed to see it)
    covered: set[str] = set()
    start_seq = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for visit in drive(world, VARIANTS):
        if visit.label == "coverage":
            covered = visit.response
            break
        response: Any = visit.response
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        where = f"{visit.label} -> {response.status_code}"
        if _hits(visit.path, seeded):
            hits.append(f"URL {visit.path} ({where})")
        shown += any(c in response.content.decode("utf-8", errors="replace") for c in seeded[:40])
        location = response.get("Location", "")
        if _hits(location, seeded):
            hits.append(f"Location {location} ({where})")
        if response.get("Content-Type", "").startswith("text/html"):
            for url in URL_ATTRS.findall(response.content.decode("utf-8", errors="replace")):
                if _hits(url, seeded):
                    hits.append(f"link {url} on {visit.path} ({where})")
        for line in AuditRecord.objects.filter(seq__gte=start_seq).values_list("line", flat=True):
            if _hits(line, seeded):
                hits.append(f"audit line {line} ({where})")
    for record in caplog.records:
        text = formatter.format(record)
        if _hits(text, seeded):
            hits.append(f"log record {record.name}: {text[:300]}")
    hits += [f"file {f}" for f in _files_with([*seeded, *POSTED])]
    out, err = capfd.readouterr()
    if _hits(out, seeded):
        hits.append("stdout")
    if _hits(err, seeded):
        hits.append("stderr")
    assert covered, "no workspace route was driven"
    assert shown > 0, "no page showed a canary: the drive never handled the values it must not leak"
    assert hits == [], "\n".join(hits)
    # The drive reached validation errors and forced failures, so the logs had something to leak.
    assert statuses.get(500, 0) > 0, statuses
    assert any(s in statuses for s in (200, 400)), statuses


def test_every_workspace_route_is_driven(world: World) -> None:
    """The canary drive reaches every route (pages, forms, or a direct post), so item 12 covers them all."""
    from tests.web.workspace.security._routes import workspace_routes

    covered: set[str] = set()
    for visit in drive(world, VARIANTS[:1]):
        if visit.label == "coverage":
            covered = visit.response
    routes = {r.pattern for r in workspace_routes()}
    assert routes, "no workspace route is registered yet"
    assert routes - covered == set(), sorted(routes - covered)
