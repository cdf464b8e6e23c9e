"""The object rules of passage.authz.cases, action by action, for every role and every relation to a case: the
table in that module's docstring, checked cell by cell (the route matrix in security/ checks the pages).

A case can be shared only with an admin, caseworker or lawyer of another organization: a volunteer never
reads sensitive fields and an analyst never a person, so a share does not open a case to them, not even one
granted before their role changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from passage.authz.cases import ACTIONS, SHARE_ROLES, can, visible_cases

ALL = frozenset(ACTIONS)
OWN_CASE = frozenset({"read", "read_sensitive", "write", "share", "export"})
SHARED = frozenset({"read", "read_sensitive"})
# role -> relation -> the actions allowed
EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    "admin": {"mine": ALL - {"claim"}, "colleague's": ALL - {"claim"}, "unassigned": ALL - {"claim"},
              "shared": SHARED, "other org's": frozenset()},
    "caseworker": {"mine": OWN_CASE, "colleague's": frozenset(), "unassigned": frozenset({"read", "claim"}),
                   "shared": SHARED, "other org's": frozenset()},
    "lawyer": {"mine": OWN_CASE, "colleague's": frozenset(), "unassigned": frozenset({"read", "claim"}),
               "shared": SHARED, "other org's": frozenset()},
    "volunteer": {"mine": frozenset({"read"}), "colleague's": frozenset(), "unassigned": frozenset(),
                  "shared": frozenset(), "other org's": frozenset()},
    "analyst": {"mine": frozenset(), "colleague's": frozenset(), "unassigned": frozenset(), "shared": frozenset(),
                "other org's": frozenset()},
}


def _cases(user: Any, org: Any, other_org: Any, make_user: Any) -> dict[str, Any]:
    from passage.cases.models import Case, Share

    colleague = make_user("caseworker")
    stranger = make_user("caseworker", organization=other_org)
    cases = {
        "mine": Case.objects.create(organization=org, assigned_to=user),
        "colleague's": Case.objects.create(organization=org, assigned_to=colleague),
        "unassigned": Case.objects.create(organization=org),
        "shared": Case.objects.create(organization=other_org, assigned_to=stranger),
        "other org's": Case.objects.create(organization=other_org, assigned_to=stranger),
    }
    # Written directly, as a share granted before a role change would be: the rules must hold whatever is stored.
    share = Share(case=cases["shared"], user=user, granted_by=stranger, consent_on=date(2026, 10, 1))
    share.consent_note = "signed form"
    share.save()
    return cases


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_action_on_every_kind_of_case(org: Any, other_org: Any, make_user: Any, role: str) -> None:
    user = make_user(role)
    cases = _cases(user, org, other_org, make_user)
    allowed = {relation: frozenset(a for a in ACTIONS if can(user, a, case)) for relation, case in cases.items()}
    assert allowed == EXPECTED[role]
    visible = set(visible_cases(user))
    assert visible == {case for relation, case in cases.items() if "read" in EXPECTED[role][relation]}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_a_disabled_user_may_do_nothing(org: Any, other_org: Any, make_user: Any, role: str) -> None:
    user = make_user(role)
    cases = _cases(user, org, other_org, make_user)
    user.is_active = False
    user.save()
    assert not any(can(user, action, case) for action in ACTIONS for case in cases.values())
    assert not visible_cases(user).exists()


def test_someone_who_is_not_a_staff_user_may_do_nothing(org: Any, make_user: Any) -> None:
    from django.contrib.auth.models import AnonymousUser

    from passage.cases.models import Case

    case = Case.objects.create(organization=org)
    for nobody in (None, AnonymousUser(), "admin"):
        assert not any(can(nobody, action, case) for action in ACTIONS)
        assert not visible_cases(nobody).exists()


@pytest.mark.parametrize("role", ["volunteer", "analyst"])
def test_a_case_cannot_be_shared_with_a_volunteer_or_an_analyst(
    org: Any, other_org: Any, make_user: Any, role: str
) -> None:
    from passage.cases.models import Case, Share
    from passage.cases.services import Invalid
    from passage.cases.sharing import grant_share

    worker = make_user("caseworker")
    make_user(role, organization=other_org, username="outside-helper")
    case = Case.objects.create(organization=org, assigned_to=worker)
    with pytest.raises(Invalid) as refused:
        grant_share(worker, case, "outside-helper", "2026-10-01", "signed form")
    assert set(refused.value.problems) == {"username"}
    assert not Share.objects.exists()
    assert role not in SHARE_ROLES


def test_a_route_names_only_staff_roles() -> None:
    from passage.authz.routes import route

    with pytest.raises(ValueError, match="route roles must be staff roles"):
        route(["GET"], ["superuser"])
    with pytest.raises(ValueError, match="route roles must be staff roles"):
        route(["GET"], [])
