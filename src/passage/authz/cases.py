"""Object rules for cases (docs/workspace.md, "Who sees what").

| action         | admin       | caseworker, lawyer            | volunteer | analyst | shared user (other org)* |
|----------------|-------------|-------------------------------|-----------|---------|--------------------------|
| read           | org's cases | assigned; unassigned in org   | assigned  | -       | the shared case          |
| read_sensitive | org's cases | assigned                      | -         | -       | the shared case          |
| write          | org's cases | assigned                      | -         | -       | -                        |
| claim          | -           | unassigned in org             | -         | -       | -                        |
| assign         | org's cases | -                             | -         | -       | -                        |
| share, export  | org's cases | assigned                      | -         | -       | -                        |
| erase          | org's cases | -                             | -         | -       | -                        |

"Sensitive" is every personal field but names and relationship: passport number, address, contacts, facts,
determinations, notes, attachments (passage.cases.models.SENSITIVE_PERSON_FIELDS and the related tables).
A share counts only while not revoked; an inactive user is denied everything.
* Only an admin, caseworker or lawyer can be shared with (`SHARE_ROLES`): a volunteer never reads sensitive
fields and an analyst never a person, so a share does not open a case to them, even one granted before their
role changed.
"""

from __future__ import annotations

from typing import Literal

from django.db.models import Q, QuerySet

from passage.auth.models import Role, User
from passage.cases.models import Case

Action = Literal["read", "read_sensitive", "write", "claim", "assign", "share", "export", "erase"]
ACTIONS: tuple[Action, ...] = ("read", "read_sensitive", "write", "claim", "assign", "share", "export", "erase")
CASE_ROLES = (Role.ADMIN, Role.CASEWORKER, Role.LAWYER, Role.VOLUNTEER)
WORKERS = (Role.CASEWORKER, Role.LAWYER)
SHARE_ROLES = (Role.ADMIN, *WORKERS)


def _shared_with(user: User) -> Q:
    return Q(shares__user=user, shares__revoked_at__isnull=True)


def visible_cases(user: object) -> QuerySet[Case]:
    """Every case `user` may open (the `read` action), for lists and searches."""
    if not isinstance(user, User) or not user.is_active:
        return Case.objects.none()
    own_org = Q(organization_id=user.organization_id)
    if user.role == Role.ADMIN:
        scope = own_org
    elif user.role in WORKERS:
        scope = own_org & (Q(assigned_to=user) | Q(assigned_to__isnull=True))
    elif user.role == Role.VOLUNTEER:
        scope = own_org & Q(assigned_to=user)
    else:
        scope = Q(pk__in=[])
    if user.role in SHARE_ROLES:
        scope |= _shared_with(user)
    return Case.objects.filter(scope).distinct()


def _is_shared(user: User, case: Case) -> bool:
    return case.shares.filter(user=user, revoked_at__isnull=True).exists()


def can(user: object, action: Action, case: Case) -> bool:
    if not isinstance(user, User) or not user.is_active:
        return False
    if case.organization_id != user.organization_id:
        return user.role in SHARE_ROLES and action in ("read", "read_sensitive") and _is_shared(user, case)
    role, assigned, unassigned = user.role, case.assigned_to_id == user.pk, case.assigned_to_id is None
    if role == Role.ADMIN:
        return action != "claim"
    if role in WORKERS:
        if action == "read":
            return assigned or unassigned
        if action == "claim":
            return unassigned
        return assigned and action in ("read_sensitive", "write", "share", "export")
    if role == Role.VOLUNTEER:
        return assigned and action == "read"
    return False


def can_see_aggregates(user: object) -> bool:
    return isinstance(user, User) and user.is_active and user.role in (Role.ADMIN, Role.ANALYST)


def case_for(user: object, case_id: object, action: Action) -> Case:
    """The case `case_id` if `user` may do `action` to it; otherwise Http404, exactly as for a missing case."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    try:
        case = Case.objects.select_related("organization", "assigned_to").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    if not can(user, action, case):
        raise Http404
    return case
