"""SECURITY-TESTS item 6, headers on every status, error pages included: every workspace route's 200, 302
(anonymous), 403 (CSRF), 404 (forbidden), 405 (undeclared method) and 500 (a forced failure) carries a CSP with
`default-src 'none'` and `frame-ancestors 'none'` and no `unsafe-inline`/`unsafe-eval`, `nosniff`,
`Referrer-Policy: same-origin`, COOP `same-origin` and `Cache-Control: no-store`; in production mode also HSTS
of at least a year.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.test import Client, override_settings

from tests.web.workspace.security._http import allowed_requests, rolled_back, send
from tests.web.workspace.security._routes import ALL_METHODS, Route, fill_values, route_id, workspace_routes
from tests.web.workspace.security.conftest import World, signed_in

ROUTES = workspace_routes()


class ForcedFailure(RuntimeError):
    pass


@contextmanager
def forced_failure() -> Iterator[None]:
    """Every workspace page render and every audit append raises: the views' own code path to a 500."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise ForcedFailure("forced by the test")

    with (
        mock.patch("passage.web.workspace.common.render", fail),
        mock.patch("passage.storage.audit.Chain", fail),
    ):
        yield


def header_problems(response: Any) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    if directives.get("default-src") != ["'none'"]:
        problems.append(f"CSP default-src is {directives.get('default-src')}")
    if directives.get("frame-ancestors") != ["'none'"]:
        problems.append(f"CSP frame-ancestors is {directives.get('frame-ancestors')}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("CSP allows unsafe-inline or unsafe-eval")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": "no-store",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}, expected {value!r}")
    return problems


def _responses(route: Route, world: World) -> Iterator[tuple[str, Any]]:
    """(label, response) for each status the route can be made to answer."""
    some = fill_values(route, world.cases["cw"].kwargs(), str(world.users["a_volunteer"].pk))
    path = route.path(some)
    for method in route.methods:
        if route.policy.public:
            yield f"{method} anonymous", Client().generic(method, path) if method != "GET" else Client().get(path)
            continue
        with rolled_back():
            yield f"{method} anonymous", send(Client(), method, path)
        allowed = allowed_requests(route, method, world)
        if allowed:
            actor, obj, ok_path = allowed[0]
            with rolled_back():
                yield f"{method} {actor.name} on {obj}", send(signed_in(actor.user), method, ok_path)
            with rolled_back(), forced_failure():
                client = signed_in(actor.user, raise_exceptions=False)
                yield f"{method} {actor.name} on {obj}, forced failure", send(client, method, ok_path)
        with rolled_back():
            other = world.cases["b_unassigned"].kwargs()
            denied = route.path(fill_values(route, other, str(world.users["b_admin"].pk)))
            yield f"{method} analyst (denied)", send(signed_in(world.users["a_analyst"]), method, denied)
        if method in route.unsafe_methods:
            with rolled_back():
                client = signed_in(allowed[0][0].user if allowed else world.users["a_admin"], csrf=True)
                yield f"{method} without a CSRF token", send(client, method, path)
    for method in ALL_METHODS:
        if method not in route.policy.methods:
            with rolled_back():
                yield f"{method} (undeclared)", send(signed_in(world.users["a_admin"]), method, path)


@pytest.mark.parametrize("route", ROUTES or [None], ids=route_id)
def test_every_status_of_every_route_carries_the_security_headers(route: Route | None, world: World) -> None:
    assert route is not None, "no workspace route is registered yet"
    failures = []
    for label, response in _responses(route, world):
        failures += [f"{label} -> {response.status_code}: {p}" for p in header_problems(response)]
    assert failures == [], "\n".join(failures)


def test_the_workspace_answers_each_status_with_the_headers(world: World) -> None:
    """Across the routes, each of 200, 302, 403, 404, 405 and 500 is actually produced and checked."""
    assert ROUTES, "no workspace route is registered yet"
    seen: dict[int, list[str]] = {}
    for route in ROUTES:
        for label, response in _responses(route, world):
            assert header_problems(response) == [], (route, label)
            seen.setdefault(response.status_code, []).append(f"{label} {route}")
    # A missing workspace page (no route at all) is a 404 of the workspace too.
    response = signed_in(world.users["a_admin"]).get("/en/work/no-such-page/")
    assert response.status_code == 404
    assert header_problems(response) == []
    assert {200, 302, 403, 404, 405, 500} <= set(seen), sorted(seen)


def test_hsts_of_a_year_in_production_mode(world: World) -> None:
    assert ROUTES, "no workspace route is registered yet"
    with override_settings(PRODUCTION=True):
        anonymous = Client().get(ROUTES[0].path(fill_values(ROUTES[0], world.cases["cw"].kwargs())))
        signed = signed_in(world.users["a_admin"]).get("/en/work/no-such-page/")
    for response in (anonymous, signed):
        hsts = response.get("Strict-Transport-Security", "")
        ages = [int(p.split("=", 1)[1]) for p in hsts.split(";") if p.strip().startswith("max-age=")]
        assert ages, hsts
        assert ages[0] >= 31_536_000, hsts
