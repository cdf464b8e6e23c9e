"""SECURITY-TESTS item 1: every URL pattern names its policy (methods, roles, object rule), so a new route
without one fails here instead of shipping open. Workspace routes need staff roles; public ones say so."""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver

from passage.authz.routes import policy_of


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_route_has_a_policy() -> None:
    routes = list(_patterns(get_resolver()))
    assert len(routes) >= 13  # the self-assessment alone has 13
    missing = [route for route, pattern in routes if policy_of(pattern.callback) is None]
    assert missing == [], f"routes without a policy (use passage.authz.routes.route or public_route): {missing}"


def test_workspace_routes_need_a_signed_in_staff_role_and_others_are_public() -> None:
    for route, pattern in _patterns(get_resolver()):
        policy = policy_of(pattern.callback)
        assert policy is not None
        assert policy.methods, route
        login_steps = route.endswith(("work/login/", "work/login/verify/"))
        if "work/" in route and not login_steps:
            assert not policy.public, f"{route} is a workspace route but declared public"
            assert policy.roles, f"{route} is a workspace route but names no staff role"
        elif not login_steps:
            assert policy.public, f"{route} is outside the workspace and must be declared public_route"
