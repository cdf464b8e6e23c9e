"""SECURITY-TESTS item 2, the authorization matrix: every workspace route x method x actor (anonymous, a
password-only session, A's admin, caseworker, lawyer, volunteer and analyst, B's admin and caseworker) x
object (own case, unassigned case of the same organization, the other organization's case, a case shared
with the actor, a nonexistent id). The expected answer comes from the table in `_routes.py` (the documented
matrix), never from the code under test. A forbidden object answers exactly as a missing one: the same 404
and a body of the same size.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

import pytest

from tests.web.workspace.security._http import allowed_requests, as_user, rolled_back, send
from tests.web.workspace.security._routes import (
    NEVER,
    Route,
    expected_allowed,
    fill_values,
    route_id,
    staff_routes,
    workspace_routes,
)
from tests.web.workspace.security.conftest import Actor, World, actors, missing_kwargs, signed_in

ROUTES = staff_routes()
SIZE_TOLERANCE = 16  # bytes: a forbidden object's 404 page against a missing one's
OK_GET = (200,)
OK_POST = (200, 302, 303, 400, 409)


def _objects(route: Route, actor: Actor) -> dict[str, dict[str, str]]:
    """The objects the actor is tried on for this route: name -> URL values."""
    missing = missing_kwargs()
    if route.is_case:
        found = {
            name: fill_values(route, records.kwargs(), str(actor.same_org_user.pk))
            for name, records in actor.objects.items()
        }
    elif route.is_user:
        found = {
            "same_org_user": fill_values(route, {}, str(actor.same_org_user.pk)),
            "other_org_user": fill_values(route, {}, str(actor.other_org_user.pk)),
        }
    else:
        return {"none": fill_values(route, {})}
    found["missing"] = fill_values(route, missing, missing["user_id"])
    return found


def _verdict(route: Route, method: str, response: Any, allowed: bool) -> str | None:
    status = response.status_code
    if not allowed:
        return None if status == 404 else f"expected 404 (denied), got {status}"
    location = response.get("Location", "")
    if status == 302 and (location.startswith("/en/work/login/?next=") or location == "/en/work/login/verify/"):
        return f"allowed, but sent to {response['Location']}"
    ok = (*OK_GET, 302) if method == "GET" else OK_POST
    return None if status in ok else f"expected one of {ok} (allowed), got {status}"


@pytest.mark.parametrize("route", ROUTES or [None], ids=route_id)
def test_route_answers_every_actor_and_object_as_the_matrix_says(route: Route | None, world: World) -> None:
    assert route is not None, "no signed-in workspace route is registered yet"
    failures: list[str] = []
    some = fill_values(route, world.cases["cw"].kwargs(), str(world.users["a_volunteer"].pk))
    for method in route.methods:
        path = route.path(some)
        anonymous = as_user(None, method, path)
        if anonymous.status_code != 302 or not anonymous["Location"].startswith("/en/work/login/"):
            failures.append(f"{method} anonymous: expected 302 to /en/work/login/, got {anonymous.status_code}")
        half = as_user(world.users["a_admin"], method, path, verified=False)
        if half.status_code != 302 or half["Location"] != "/en/work/login/verify/":
            failures.append(f"{method} password only: expected 302 to the second factor, got {half.status_code}")
        for actor in actors(world):
            objects = _objects(route, actor)
            baseline: Any = None
            if "missing" in objects:
                baseline = as_user(actor.user, method, route.path(objects["missing"]))
            for obj, values in objects.items():
                allowed = expected_allowed(route, method, actor.role, obj)
                response = baseline if obj == "missing" else as_user(actor.user, method, route.path(values))
                problem = _verdict(route, method, response, allowed)
                what = f"{method} {route.path(values)} as {actor.name} ({actor.role}) on {obj}"
                if problem:
                    failures.append(f"{what}: {problem}")
                elif not allowed and baseline is not None and obj != "missing":
                    size, missing_size = len(response.content), len(baseline.content)
                    if abs(size - missing_size) > SIZE_TOLERANCE:
                        failures.append(f"{what}: forbidden body {size} bytes, missing body {missing_size} bytes")
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("route", ROUTES or [None], ids=route_id)
def test_undeclared_methods_answer_405_to_everyone(route: Route | None, world: World) -> None:
    """Deny by default: a method the route does not declare is refused before anything else."""
    assert route is not None, "no signed-in workspace route is registered yet"
    path = route.path(fill_values(route, world.cases["cw"].kwargs(), str(world.users["a_volunteer"].pk)))
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        if method in route.policy.methods:
            continue
        for user in (None, world.users["a_admin"], world.users["a_caseworker"]):
            assert as_user(user, method, path).status_code == 405, (method, path, user)


def test_declared_policies_stay_inside_the_documented_matrix() -> None:
    """A route cannot widen the matrix by naming a role: case routes never admit analysts, user management only
    admins, aggregates only admins and analysts; a route with a case id declares the case object rule."""
    routes = workspace_routes()
    assert routes, "no workspace route is registered yet"
    problems = []
    for route in routes:
        if route.policy.public:
            if not route.rel.startswith("login/"):
                problems.append(f"{route}: public, but only the login steps may be")
            continue
        kind = "case" if route.is_case else "user" if route.is_user else route.policy.object_rule
        if route.is_case and route.policy.object_rule != "case":
            problems.append(f"{route}: has case_id but declares object rule {route.policy.object_rule!r}")
        if route.is_user and route.policy.object_rule != "user":
            problems.append(f"{route}: has user_id but declares object rule {route.policy.object_rule!r}")
        wide = route.policy.roles & NEVER.get(kind, frozenset())
        if wide:
            problems.append(f"{route}: admits {sorted(wide)}, never allowed on {kind} routes")
    assert problems == [], "\n".join(problems)


CHILD_ROUTES = [r for r in ROUTES if r.is_case and set(r.kwargs) - {"lang", "case_id", "user_id"}]


@pytest.mark.parametrize("route", CHILD_ROUTES or [None], ids=route_id)
def test_ids_of_another_case_do_not_open_records_through_an_allowed_case(route: Route | None, world: World) -> None:
    """Insecure direct object reference: a case id the actor may use, with a person/note/task/... id of another
    case (same organization, or the other organization), is a 404, never the other record."""
    assert route is not None, "no case route with a record id is registered yet"
    for method in route.methods:
        allowed = [(a, obj) for a, obj, _ in allowed_requests(route, method, world) if obj in ("own", "unassigned")]
        assert allowed, f"{method} {route}: nobody in the seeded world may use it"
        actor, obj = allowed[0]
        mine = actor.objects[obj]
        for foreign in ("unassigned", "b_unassigned", "lawyer"):
            if world.cases[foreign] is mine:
                continue
            values = {**world.cases[foreign].kwargs(), "case_id": str(mine.case.pk)}
            response = as_user(actor.user, method, route.path(fill_values(route, values)))
            assert response.status_code == 404, f"{method} {route} as {actor.name}: records of case {foreign!r}"


@pytest.mark.parametrize("route", [r for r in ROUTES if r.is_case and "GET" in r.methods][:3] or [None], ids=route_id)
def test_forbidden_and_missing_cases_take_the_same_time(route: Route | None, world: World) -> None:
    """The 404 of another organization's case takes as long as a nonexistent one (median of 25 alternating
    requests each, within 15 ms on a shared machine), so ids cannot be probed by timing either."""
    assert route is not None, "no case route with GET is registered yet"
    client = signed_in(world.users["a_caseworker"])
    forbidden = route.path(fill_values(route, world.cases["b_unassigned"].kwargs(), str(uuid.uuid4())))
    missing_values = missing_kwargs()
    missing = route.path(fill_values(route, missing_values, missing_values["user_id"]))
    timings: dict[str, list[float]] = {"forbidden": [], "missing": []}
    for _ in range(25):
        for name, path in (("forbidden", forbidden), ("missing", missing)):
            with rolled_back():
                start = time.perf_counter()
                status = send(client, "GET", path).status_code
                timings[name].append(time.perf_counter() - start)
            assert status == 404
    gap = abs(statistics.median(timings["forbidden"]) - statistics.median(timings["missing"]))
    assert gap < 0.015, f"{route}: median gap {gap * 1000:.1f} ms"
