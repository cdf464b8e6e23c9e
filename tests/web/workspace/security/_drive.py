"""Drive every workspace route the way a person would: open every page a privileged user may open, then submit
every form on it (each submission in its own rolled-back savepoint, after a fresh load of the page by a fresh
session, so a logout, an erasure or a rotated session never disturbs the next one), follow the redirect, and
post directly to any unsafe route no form led to. Used by the log-canary (item 12) and XSS (item 17) tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.urls import Resolver404, resolve

from tests.web.workspace.security._http import (
    Field,
    allowed_requests,
    as_post,
    fill,
    forms_of,
    html_of,
    rolled_back,
    send,
)
from tests.web.workspace.security._routes import WORKSPACE_PREFIX, Route, workspace_routes
from tests.web.workspace.security.conftest import World, signed_in

DRIVERS = ("a_admin", "a_caseworker", "a_volunteer")
# Field names a direct post uses when no page has a form for the route.
GENERIC_FIELDS = (
    "body",
    "text",
    "note",
    "detail",
    "reference",
    "query",
    "q",
    "name",
    "given_names_latin",
    "surname_latin",
    "given_names_cyrillic",
    "surname_cyrillic",
    "passport_number",
    "address",
    "contacts",
    "filename",
    "consent_note",
    "username",
    "password",
    "display_name",
    "kind",
    "due_on",
    "stage",
    "relationship",
)


@dataclass
class Variant:
    name: str
    text: Callable[[Field], str]
    dates: str = "2026-12-01"
    number: str = "1"
    forced: Callable[[], AbstractContextManager[None]] | None = None


@dataclass
class Visit:
    label: str
    method: str
    path: str
    response: Any
    route: str | None


def route_of(path: str) -> str | None:
    try:
        return str(resolve(path.split("?", 1)[0]).route)
    except Resolver404:
        return None


@contextmanager
def _maybe(variant: Variant) -> Iterator[None]:
    with variant.forced() if variant.forced else nullcontext():
        yield


def _client(user: Any | None, variant: Variant) -> Any:
    if user is None:
        return Client(raise_request_exception=variant.forced is None)
    return signed_in(user, raise_exceptions=variant.forced is None)


def _follow(client: Any, response: Any, route: str | None) -> Iterator[Visit]:
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    if location.startswith("/"):
        yield Visit("redirect", "GET", location, client.get(location), route_of(location))


def drive(world: World, variants: list[Variant], drivers: tuple[str, ...] = DRIVERS) -> Iterator[Visit]:
    """Yield every response (inside its savepoint, so the caller may look at the database before rollback).
    At the end, yield a Visit with label "coverage" whose `response` is the set of route patterns driven."""
    routes = workspace_routes()
    covered: set[str] = set()
    for route in routes:
        if "GET" not in route.methods:
            continue
        yield from _drive_page(route, world, variants, drivers, covered)
    for route in routes:
        for method in route.unsafe_methods:
            if route.pattern in covered and method == "POST":
                continue
            yield from _post_directly(route, method, world, variants, drivers, covered)
    yield Visit("coverage", "", "", covered, None)


def _pairs(route: Route, method: str, world: World, drivers: tuple[str, ...]) -> list[tuple[Any, str, str]]:
    if route.policy.public:
        return [(None, "anonymous", route.path({"lang": lang})) for lang in ("en", "ru")]
    return [
        (a.user, f"{a.name} on {obj}", path)
        for a, obj, path in allowed_requests(route, method, world)
        if a.name in drivers
    ]


def _drive_page(
    route: Route, world: World, variants: list[Variant], drivers: tuple[str, ...], covered: set[str]
) -> Iterator[Visit]:
    for user, who, path in _pairs(route, "GET", world, drivers):
        with rolled_back():
            client = _client(user, variants[0])
            page = client.get(path)
            covered.add(route.pattern)
            yield Visit(f"GET as {who}", "GET", path, page, route.pattern)
            html = html_of(page) if page.status_code == 200 else ""
        count = len([f for f in forms_of(html, path) if f.method == "POST"])
        for index in range(count):
            for variant in variants:
                yield from _submit(user, who, path, index, variant, covered)


def _submit(user: Any, who: str, path: str, index: int, variant: Variant, covered: set[str]) -> Iterator[Visit]:
    with rolled_back():
        client = _client(user, variant)
        page = client.get(path)
        forms = [f for f in forms_of(html_of(page), path) if f.method == "POST"]
        if index >= len(forms):
            return
        form = forms[index]
        target = route_of(form.action)
        if form.action.rstrip("/").endswith("/logout"):
            return  # the logout route is driven directly (a form-wide sign-out would end nothing else here)
        buttons = form.buttons or [("", "")]
        for name, value in buttons:
            data = fill(form, variant.text, dates=variant.dates, number=variant.number)
            if name:
                data.append((name, value))
            with rolled_back(), _maybe(variant):
                response = send(client, "POST", form.action, as_post(data))
                if target:
                    covered.add(target)
                yield Visit(
                    f"POST {variant.name} form {index} of {path} as {who}", "POST", form.action, response, target
                )
                yield from _follow(client, response, target)


def _post_directly(
    route: Route, method: str, world: World, variants: list[Variant], drivers: tuple[str, ...], covered: set[str]
) -> Iterator[Visit]:
    for user, who, path in _pairs(route, method, world, drivers)[:2]:
        for variant in variants:
            with rolled_back(), _maybe(variant):
                client = _client(user, variant)
                data = {name: variant.text(Field("input", name)) for name in GENERIC_FIELDS}
                data["due_on"] = variant.dates
                response = send(client, method, path, data)
                covered.add(route.pattern)
                yield Visit(f"{method} {variant.name} direct as {who}", method, path, response, route.pattern)
                yield from _follow(client, response, route.pattern)


def is_workspace(pattern: str) -> bool:
    return pattern.startswith(WORKSPACE_PREFIX)
