"""SECURITY-TESTS item 3, field level:

- every page and every form answer rendered for a volunteer, an analyst, another organization's staff, and a
  caseworker or lawyer on cases not theirs, holds no canary of a field beyond what the documented matrix lets
  that user read (`_routes.ALLOWED`: "read" shows names, stage and tasks; "read_sensitive" adds passport,
  address, contacts, facts, notes, determinations, attachments, consent notes);
- posting extra fields a form does not have (`organization`, `assigned_to`, `version`, `role`, `case`, ...)
  leaves the database exactly as the same post without them does (new rows' ids, timestamps and ciphertexts
  aside, which differ between any two runs).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.db import connection

from tests.web.workspace.security._drive import Variant, drive
from tests.web.workspace.security._http import (
    READ_WRITES,
    allowed_requests,
    as_post,
    fill,
    forms_of,
    html_of,
    rolled_back,
    send,
)
from tests.web.workspace.security._routes import ALLOWED, Route, route_id, workspace_routes
from tests.web.workspace.security.conftest import Actor, CaseRecords, World, actors, signed_in

LIMITED = ("a_volunteer", "a_analyst", "b_admin", "b_caseworker", "a_caseworker", "a_lawyer")
UNSAFE_ROUTES = [r for r in workspace_routes() if r.unsafe_methods and not r.policy.public]


def relation(actor: Actor, name: str, records: CaseRecords) -> str:
    """What the case is to the actor, in the matrix's words, as the database says now (a claim changes it)."""
    from passage.cases.models import Case

    case, user = Case.objects.filter(pk=records.case.pk).first(), actor.user
    if case is None:
        return "erased"
    if case.organization_id != user.organization_id:
        return "shared" if case.shares.filter(user=user, revoked_at__isnull=True).exists() else "other_org"
    if case.assigned_to_id == user.pk:
        return "own"
    if case.assigned_to_id is None:
        return "unassigned"
    return "own" if actor.role in ("admin", "analyst") else "someone_elses"


def forbidden_canaries(actor: Actor, world: World) -> dict[str, str]:
    """canary -> which case and why it must not appear for this actor."""
    out = {}
    for name, records in world.cases.items():
        rel = relation(actor, name, records)
        if rel == "erased":
            continue
        if rel not in ALLOWED["read"][actor.role]:
            out.update(dict.fromkeys(records.all_canaries(), f"{name} ({rel}: no read)"))
        elif rel not in ALLOWED["read_sensitive"][actor.role]:
            out.update(dict.fromkeys(records.sensitive_canaries(), f"{name} ({rel}: no sensitive read)"))
    return out


def _search_text(world: World) -> Any:
    """Fill search boxes with a real name of A's caseworker's case, other boxes with plain text (a name typed
    into a record's own form would be shown back, rightly)."""
    surname = world.cases["cw"].people[0].surname_latin

    def text(field: Any) -> str:
        return surname if re.search(r"query|^q$|search|term", field.name) else "plain text"

    return text


@pytest.mark.parametrize("who", LIMITED)
def test_pages_and_answers_hold_no_field_beyond_the_role(who: str, world: World) -> None:
    actor = next(a for a in actors(world) if a.name == who)
    forbidden = forbidden_canaries(actor, world)
    assert forbidden, "the seeded world gives every limited actor something to not see"
    client = signed_in(actor.user)
    leaks: list[str] = []
    pages = 0
    routes = [r for r in workspace_routes() if "GET" in r.methods and not r.policy.public]
    assert routes, "no workspace page is registered yet"
    for route in routes:
        for records in world.cases.values():
            values = {"lang": "en", **records.kwargs(), "user_id": str(actor.same_org_user.pk)}
            path = route.path({k: values[k] for k in route.kwargs})
            with rolled_back():
                body = send(client, "GET", path).content.decode(errors="replace")
            pages += 1
            leaks += [f"GET {path}: {c} of {why}" for c, why in forbidden.items() if c in body]
            if not route.is_case:
                break
    variant = Variant("search", _search_text(world))
    for visit in drive(world, [variant], drivers=(who,)):
        if visit.label == "coverage":
            break
        forbidden = forbidden_canaries(actor, world)  # inside the visit's savepoint: after its post
        body = visit.response.content.decode(errors="replace") if hasattr(visit.response, "content") else ""
        leaks += [f"{visit.label} {visit.path}: {c} of {why}" for c, why in forbidden.items() if c in body]
    assert pages > 0
    assert leaks == [], "\n".join(sorted(set(leaks)))


# --- Extra fields ------------------------------------------------------------------------------------------

VOLATILE = re.compile(r"^[0-9a-f]{16,}$|^[0-9a-f-]{36}$|^[A-Za-z0-9_\-]{20,}$")


def _normal(value: Any, known: set[str]) -> Any:
    if isinstance(value, memoryview | bytes):
        return "<bytes>"  # ciphertexts: fresh nonce per encryption
    if isinstance(value, dt.datetime | dt.date):
        return "<time>" if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, uuid.UUID):
        value = value.hex
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d.*", value):
        return "<time>"
    if isinstance(value, str) and re.match(r"^(argon2|pbkdf2|bcrypt|scrypt)", value):
        return "<password hash>"  # salted: differs between two identical posts
    if isinstance(value, str) and VOLATILE.match(value):
        return value.replace("-", "") if value.replace("-", "") in known else "<new id>"
    return value


def _pk_index(cursor: Any, table: str) -> int | None:
    """Where the primary key is in the last SELECT's rows (read the description before introspecting)."""
    names = [column[0] for column in cursor.description]
    pk = connection.introspection.get_primary_key_column(cursor, table)
    return names.index(pk) if pk in names else None


def snapshot(known: set[str] | None = None) -> dict[str, list[str]]:
    """Every table but the audit log and sessions, rows normalised: ids that did not exist in `known`,
    timestamps and ciphertexts replaced by placeholders (they differ between two identical posts; so do the
    integer keys of new rows on PostgreSQL, whose sequences a rollback does not rewind)."""
    known = known if known is not None else set()
    tables: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in READ_WRITES or table in ("cases_idempotency_token", "accounts_login_failure"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected
            rows = cursor.fetchall()
            pk = _pk_index(cursor, table)
            normal = []
            for row in rows:
                values = [_normal(v, known) for v in row]
                if pk is not None and isinstance(row[pk], int) and f"{table}:{row[pk]}" not in known:
                    values[pk] = "<new row>"
                normal.append(repr(tuple(values)))
            tables[table] = sorted(normal)
    return tables


def known_ids() -> set[str]:
    ids: set[str] = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected
            rows = cursor.fetchall()
            pk = _pk_index(cursor, table)
            for row in rows:
                if pk is not None and isinstance(row[pk], int):
                    ids.add(f"{table}:{row[pk]}")
                for v in row:
                    if isinstance(v, uuid.UUID):
                        ids.add(v.hex)
                    elif isinstance(v, str) and VOLATILE.match(v):
                        ids.add(v.replace("-", ""))
    return ids


def _extras(world: World) -> dict[str, str]:
    other_case = world.cases["b_unassigned"]
    stranger = world.users["b_admin"]
    return {
        "organization": str(world.org_b.pk),
        "organization_id": str(world.org_b.pk),
        "assigned_to": str(stranger.pk),
        "assigned_to_id": str(stranger.pk),
        "version": "999",
        "role": "admin",
        "is_active": "false",
        "case": str(other_case.case.pk),
        "case_id": str(other_case.case.pk),
        "person": str(other_case.people[0].pk),
        "person_id": str(other_case.people[0].pk),
        "author": str(stranger.pk),
        "created_by": str(stranger.pk),
        "granted_by": str(stranger.pk),
        "user": str(stranger.pk),
        "user_id": str(stranger.pk),
        "id": str(uuid.uuid4()),
        "pk": str(uuid.uuid4()),
        "retain_until": "2099-01-01",
        "stored_name": "../../etc/passwd",
        "content_type": "text/html",
        "source": "law",
    }


def _legit_data(user: Any, path: str) -> tuple[list[tuple[str, Any]], set[str]] | None:
    """The form that posts to `path`, from the page at `path` or the nearest page above it, filled plainly."""
    segments = path.strip("/").split("/")
    for end in range(len(segments), 1, -1):
        page_path = "/" + "/".join(segments[:end]) + "/"
        with rolled_back():
            page = send(signed_in(user), "GET", page_path)
            html = html_of(page) if page.status_code == 200 else ""
        for form in forms_of(html, page_path):
            if form.method == "POST" and form.action.rstrip("/") == path.rstrip("/"):
                return fill(form, lambda f: f"plain {f.name}"), form.names()
    return None


@pytest.mark.parametrize("route", UNSAFE_ROUTES or [None], ids=route_id)
def test_extra_posted_fields_change_nothing_the_form_does_not(route: Route | None, world: World) -> None:
    assert route is not None, "no unsafe-method workspace route is registered yet"
    failures = []
    for method in route.unsafe_methods:
        allowed = allowed_requests(route, method, world)
        assert allowed, f"{method} {route}: nobody in the seeded world may use it"
        for actor, obj, path in allowed[:2]:
            found = _legit_data(actor.user, path)
            names = found[1] if found else set()
            known = known_ids()
            with rolled_back():
                signed_in(actor.user)  # (signing in alone sets last_login)
                untouched = snapshot(known)
            with rolled_back():
                plain = send(signed_in(actor.user), method, path, as_post(found[0] if found else []))
                expected = snapshot(known)
            extras = {k: v for k, v in _extras(world).items() if k not in names}
            again = _legit_data(actor.user, path)  # a fresh fill: an uploaded file is read once
            with rolled_back():
                data = [*(again[0] if again else []), *extras.items()]
                tampered = send(signed_in(actor.user), method, path, as_post(data))
                got = snapshot(known)
            diff = sorted(t for t in expected if expected[t] != got.get(t))
            refused = tampered.status_code >= 400 and got == untouched  # refusing the whole post is safe too
            if diff and not refused:
                failures.append(
                    f"{method} {path} as {actor.name} on {obj} (statuses {plain.status_code}/{tampered.status_code})"
                    f": extra fields {sorted(extras)} changed {diff}"
                )
    assert failures == [], "\n".join(failures)
