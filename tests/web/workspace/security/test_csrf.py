"""SECURITY-TESTS item 5, CSRF: every unsafe-method workspace route, posted by a signed-in user whom the matrix
allows, is refused with 403 and changes no row of any table when the token is missing, wrong, another
session's, or the request comes from another site (`Origin`, or `Sec-Fetch-Site: cross-site`). The same post
with a valid token is not refused (so the 403s are CSRF's doing). Replaying every GET route changes no row,
except the audit log (storage_audit_record, storage_audit_head: every read of a case is audited by design)
and the session tables (django_session, accounts_staff_session: the session middleware touches them).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

import pytest
from django.conf import settings

from tests.web.workspace.security._http import (
    READ_WRITES,
    allowed_requests,
    changed_tables,
    rolled_back,
    send,
    table_rows,
)
from tests.web.workspace.security._routes import Route, route_id, staff_routes, workspace_routes
from tests.web.workspace.security.conftest import World, signed_in

UNSAFE_ROUTES = [r for r in workspace_routes() if r.unsafe_methods]
GET_ROUTES = [r for r in staff_routes() if "GET" in r.methods]
ALPHABET = string.ascii_letters + string.digits


def _secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(32))


def _client(user: Any | None) -> tuple[Any, str]:
    """A CSRF-enforcing client (signed in unless user is None) holding a CSRF cookie; returns it and its secret
    (an unmasked secret is itself a valid token for its own cookie)."""
    from django.test import Client

    client = signed_in(user, csrf=True) if user is not None else Client(enforce_csrf_checks=True)
    secret = _secret()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return client, secret


def _attempts(secret: str, other_token: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """name -> (extra form fields, extra headers)."""
    return {
        "no token": ({}, {}),
        "a wrong token": ({"csrfmiddlewaretoken": _secret()}, {}),
        "another session's token": ({"csrfmiddlewaretoken": other_token}, {}),
        "a cross-site Origin": ({"csrfmiddlewaretoken": secret}, {"HTTP_ORIGIN": "https://evil.example"}),
    }


def _fetch_metadata_attempts(secret: str, other_token: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """A valid token, but the browser says the request comes from another site (and sends no Origin)."""
    return {"Sec-Fetch-Site: cross-site": ({"csrfmiddlewaretoken": secret}, {"HTTP_SEC_FETCH_SITE": "cross-site"})}


def _other_sessions_token(world: World) -> str:
    """The token a different signed-in user's page carries (B's admin: a real session of its own)."""
    client, _ = _client(world.users["b_admin"])
    for route in GET_ROUTES:
        if route.kwargs == ("lang",) and "admin" in route.policy.roles:
            page = client.get(route.path({"lang": "en"})).content.decode("utf-8", errors="replace")
            marker = 'name="csrfmiddlewaretoken" value="'
            if marker in page:
                return str(page.split(marker, 1)[1].split('"', 1)[0])
    return str(client.cookies[settings.CSRF_COOKIE_NAME].value)


@pytest.mark.parametrize("attempts", [_attempts, _fetch_metadata_attempts], ids=["token-and-origin", "fetch-metadata"])
@pytest.mark.parametrize("route", UNSAFE_ROUTES or [None], ids=route_id)
def test_unsafe_methods_without_a_valid_same_site_token_are_refused_and_change_nothing(
    route: Route | None, attempts: Any, world: World
) -> None:
    assert route is not None, "no unsafe-method workspace route is registered yet"
    other_token = _other_sessions_token(world)
    failures = []
    for method in route.unsafe_methods:
        if route.policy.public:
            who, path = None, route.path({"lang": "en"})
        else:
            allowed = allowed_requests(route, method, world)
            assert allowed, f"{method} {route}: nobody in the seeded world may use it"
            actor, _, path = allowed[0]
            who = actor.user
        client, secret = _client(who)
        with rolled_back():
            accepted = send(client, method, path, {"csrfmiddlewaretoken": secret})
        if accepted.status_code == 403:
            failures.append(f"{method} {path}: refused (403) even with a valid token")
        for name, (fields, headers) in attempts(secret, other_token).items():
            before = table_rows()
            response = send(client, method, path, fields, **headers)
            after = table_rows()
            if response.status_code != 403:
                failures.append(f"{method} {path} with {name}: expected 403, got {response.status_code}")
            if changed_tables(before, after):
                failures.append(f"{method} {path} with {name}: changed {changed_tables(before, after)}")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("route", GET_ROUTES or [None], ids=route_id)
def test_replaying_a_get_changes_no_row_but_the_audit_log_and_sessions(route: Route | None, world: World) -> None:
    assert route is not None, "no GET workspace route is registered yet"
    allowed = allowed_requests(route, "GET", world)
    assert allowed, f"GET {route}: nobody in the seeded world may use it"
    for actor, obj, path in allowed:
        client = signed_in(actor.user)
        before = table_rows(exclude=READ_WRITES)
        statuses = [send(client, "GET", path).status_code for _ in range(2)]
        after = table_rows(exclude=READ_WRITES)
        assert statuses[0] in (200, 302), f"GET {path} as {actor.name} on {obj}: {statuses}"
        assert changed_tables(before, after) == [], f"GET {path} as {actor.name} on {obj} wrote rows"
