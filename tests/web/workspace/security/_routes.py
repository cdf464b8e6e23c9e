"""Workspace routes discovered at test time, and the expected answer of each to each actor.

Routes come from Django's URL resolver and each view's `route_policy` (passage.authz.routes), so a route added
tomorrow is tested tomorrow without editing this file, unless it needs an action the table below cannot infer
(then `case_action` fails loudly and names it).

The object rules are written out here as a table (docs/workspace.md, "Who sees what") and deliberately NOT
computed with passage.authz.cases.can: the test compares the code with the documented matrix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from passage.authz.routes import RoutePolicy, policy_of

WORKSPACE_PREFIX = "<str:lang>/work/"
CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
KNOWN_KWARGS = frozenset(
    {"lang", "case_id", "person_id", "note_id", "attachment_id", "task_id", "user_id", "share_id", "determination_id"}
)
CASE_CHILD_KWARGS = ("person_id", "note_id", "attachment_id", "task_id", "share_id", "determination_id")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# --- The documented object matrix (passage/authz/cases.py docstring and docs/workspace.md) ------------------
# action -> role -> the objects (as seen from the actor) on which the action is allowed. "own": a case assigned
# to the actor (for admins and analysts: a case of their organization assigned to a caseworker); "unassigned":
# an unassigned case of the actor's organization; "other_org": a case of another organization, not shared;
# "shared": another organization's case shared with the actor (only A's caseworker has one).
ALLOWED: dict[str, dict[str, frozenset[str]]] = {
    "read": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset({"own", "unassigned", "shared"}),
        "lawyer": frozenset({"own", "unassigned"}),
        "volunteer": frozenset({"own"}),
        "analyst": frozenset(),
    },
    "read_sensitive": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset({"own", "shared"}),
        "lawyer": frozenset({"own"}),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "write": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset({"own"}),
        "lawyer": frozenset({"own"}),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "claim": {
        "admin": frozenset(),
        "caseworker": frozenset({"unassigned"}),
        "lawyer": frozenset({"unassigned"}),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "assign": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset(),
        "lawyer": frozenset(),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "share": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset({"own"}),
        "lawyer": frozenset({"own"}),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "export": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset({"own"}),
        "lawyer": frozenset({"own"}),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
    "erase": {
        "admin": frozenset({"own", "unassigned"}),
        "caseworker": frozenset(),
        "lawyer": frozenset(),
        "volunteer": frozenset(),
        "analyst": frozenset(),
    },
}
# Roles that may never reach a route of a kind, whatever the route declares (the declared policy is checked
# against these, so a route cannot widen the documented matrix by naming a role).
NEVER = {
    "case": frozenset({"analyst"}),  # an analyst never sees a person
    "aggregate": frozenset({"caseworker", "lawyer", "volunteer"}),
    "user": frozenset({"caseworker", "lawyer", "volunteer", "analyst"}),  # users of the organization: admin
}

# Explicit actions of case routes, by (path under /<lang>/work/, method), where the path's words do not say it.
CASE_ACTIONS: dict[tuple[str, str], str] = {}
# The last literal word of a case route's path -> its action (both methods unless the value is a pair).
WORD_ACTIONS: dict[str, tuple[str, str]] = {
    "claim": ("claim", "claim"),
    "assign": ("assign", "assign"),
    "share": ("share", "share"),
    "shares": ("share", "share"),
    "revoke": ("share", "share"),
    "export": ("export", "export"),
    "export.json": ("export", "export"),
    "export.pdf": ("export", "export"),
    "erase": ("erase", "erase"),
    "notes": ("read_sensitive", "write"),
    "note": ("read_sensitive", "write"),
    "attachments": ("read_sensitive", "write"),
    "attachment": ("read_sensitive", "write"),
    "download": ("read_sensitive", "read_sensitive"),
    "determinations": ("read_sensitive", "write"),
    "determination": ("read_sensitive", "write"),
    "assess": ("read_sensitive", "write"),
    "assessment": ("read_sensitive", "write"),
    "assessments": ("read_sensitive", "write"),
    "facts": ("read_sensitive", "write"),
    "edit": ("read_sensitive", "write"),
}


@dataclass(frozen=True)
class Route:
    pattern: str  # the full pattern, e.g. "<str:lang>/work/cases/<uuid:case_id>/"
    policy: RoutePolicy
    callback: Any

    @property
    def rel(self) -> str:
        return self.pattern[len(WORKSPACE_PREFIX) :]

    @property
    def kwargs(self) -> tuple[str, ...]:
        return tuple(m.group("name") for m in CONVERTER.finditer(self.pattern))

    @property
    def is_case(self) -> bool:
        return "case_id" in self.kwargs

    @property
    def is_user(self) -> bool:
        return "user_id" in self.kwargs

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(m for m in ALL_METHODS if m in self.policy.methods)

    @property
    def unsafe_methods(self) -> tuple[str, ...]:
        return tuple(m for m in self.methods if m in UNSAFE)

    def path(self, values: dict[str, str]) -> str:
        def fill(match: re.Match[str]) -> str:
            return values[match.group("name")]

        return "/" + CONVERTER.sub(fill, self.pattern)

    def words(self) -> list[str]:
        return [w for w in self.rel.split("/") if w and not CONVERTER.fullmatch(w)]

    def __str__(self) -> str:
        return "/" + self.pattern


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def workspace_routes() -> list[Route]:
    """Every route under /<lang>/work/, with its declared policy."""
    found = []
    for pattern, entry in _walk(get_resolver()):
        if not pattern.startswith(WORKSPACE_PREFIX):
            continue
        policy = policy_of(entry.callback)
        assert policy is not None, f"/{pattern} has no route policy (SECURITY-TESTS item 1)"
        found.append(Route(pattern, policy, entry.callback))
    return found


def staff_routes() -> list[Route]:
    return [r for r in workspace_routes() if not r.policy.public]


def route_id(route: Route | None) -> str:
    return "no-routes" if route is None else route.rel or "(root)"


def case_action(route: Route, method: str) -> str:
    """The action of passage.authz.cases a case route needs for `method`."""
    if (route.rel, method) in CASE_ACTIONS:
        return CASE_ACTIONS[(route.rel, method)]
    words = route.words()
    for word in reversed(words):
        if word in WORD_ACTIONS:
            read, write = WORD_ACTIONS[word]
            return read if method == "GET" else write
    if any(name in route.kwargs for name in ("note_id", "attachment_id", "determination_id")):
        return "read_sensitive" if method == "GET" else "write"
    return "read" if method == "GET" else "write"


def expected_allowed(route: Route, method: str, role: str, obj: str) -> bool:
    """Whether `role` acting on object `obj` ("own", "unassigned", "other_org", "shared", "none", "same_org_user",
    "other_org_user", "missing") may use `route` with `method`, by the documented matrix."""
    if role not in route.policy.roles or obj == "missing":
        return False
    if route.is_case:
        return obj in ALLOWED[case_action(route, method)][role]
    if route.is_user:
        return obj == "same_org_user"
    return True


def fill_values(
    route: Route, case_kwargs: dict[str, str], user_id: str | None = None, lang: str = "en"
) -> dict[str, str]:
    values = {"lang": lang, **case_kwargs}
    if user_id is not None:
        values["user_id"] = user_id
    unknown = set(route.kwargs) - KNOWN_KWARGS
    assert not unknown, f"{route}: URL kwargs {sorted(unknown)} are not in the naming convention {sorted(KNOWN_KWARGS)}"
    return {k: values[k] for k in route.kwargs}
