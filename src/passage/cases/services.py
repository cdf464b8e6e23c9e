"""The case services: every change to a case goes through here, never through a view's own query.

Each function takes the acting user, checks `passage.authz.cases.can` itself (the views check too: two
locks, one key), writes an audit entry inside the same transaction, and raises:

- `NotAllowed` when the user may not do it (views answer 404, exactly as for a missing case);
- `Conflict` when the version the form read is no longer the stored one (optimistic locking: the UPDATE is
  conditional, `... WHERE id = ? AND version = ?`, so of two concurrent editors exactly one wins);
- `Invalid` for bad input, naming the field and what was expected.

People and their facts: `passage.cases.people`; assessments and law-derived tasks:
`passage.cases.assessments`; the deadline dashboard: `passage.cases.deadlines`; re-running open cases after
a rulebook change: `passage.cases.rerun`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from passage.auth.models import Role, User
from passage.authz.cases import Action, can, visible_cases
from passage.cases.models import NAME_FIELDS, Case, IdempotencyToken, Person, Relationship, Stage, Task
from passage.storage.audit import actor_of, audit

# intake -> assessment -> gathering -> submitted -> decided -> closed
STAGE_ORDER: tuple[str, ...] = tuple(Stage.values)
# How long a closed case is kept before the retention job erases it (docs/workspace-cases.md, "Retention"):
# seven years after closing, the longest period Canadian law societies ask lawyers to keep a client file.
RETENTION_YEARS = 7
PAGE_SIZE = 50
MAX_REFERENCE = 64
TOKEN_LIFETIME = timedelta(days=1)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CaseError(Exception):
    """Base of the service errors."""


class NotAllowed(CaseError):
    """The acting user may not do this (a view answers 404)."""


class Conflict(CaseError):
    """The record changed since the form was read: nothing was saved."""


@dataclass
class Invalid(CaseError):
    """Bad input: `problems` maps a field name to what was expected."""

    problems: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(f"{name}: {what}" for name, what in self.problems.items())


def today() -> date:
    """The day assessments and deadlines are computed for: settings.PASSAGE_TODAY when set (tests, demos)."""
    fixed: str = getattr(settings, "PASSAGE_TODAY", "") or ""
    return date.fromisoformat(fixed) if fixed else timezone.localdate()


def require(user: object, action: Action, case: Case) -> User:
    if not can(user, action, case):
        raise NotAllowed(action)
    assert isinstance(user, User)  # noqa: S101 - can() is False for anything else
    return user


def clean_text(name: str, value: object, limit: int, *, multiline: bool = False) -> str:
    """A text input as stored: stripped; refused (Invalid naming the field) when too long or with control
    characters (a newline only where `multiline`)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid({name: f"text of at most {limit} characters"})
    text = value.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise Invalid({name: f"text of at most {limit} characters"})
    if _CONTROL.search(text) or (not multiline and "\n" in text):
        raise Invalid({name: "text without control characters" + ("" if multiline else " or line breaks")})
    return text


def parse_version(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and re.fullmatch(r"[1-9][0-9]{0,9}", value.strip()):
        return int(value.strip())
    raise Invalid({"version": "the record's version number, as given by the form"})


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February (month-end clamped, as the engine counts)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- Listing ----------------------------------------------------------------------------------------
@dataclass
class CaseRow:
    case: Case
    principal: Person | None
    next_task_kind: str | None
    next_task_due: date | None


@dataclass
class CasePage:
    rows: list[CaseRow]
    page: int
    pages: int
    total: int


def list_cases(user: object, *, stage: str | None = None, assignee: str | None = None, page: int = 1) -> CasePage:
    """The cases `user` may open, newest first, 50 a page; `stage` one of Stage, `assignee` "me", "none" or a
    user id of the organization. Audited as one `case.list` entry (the list shows names, not sensitive fields)."""
    cases: QuerySet[Case] = visible_cases(user)
    if stage:
        if stage not in STAGE_ORDER:
            raise Invalid({"stage": "one of " + ", ".join(STAGE_ORDER)})
        cases = cases.filter(stage=stage)
    if assignee:
        if assignee == "me":
            cases = cases.filter(assigned_to=user)
        elif assignee == "none":
            cases = cases.filter(assigned_to__isnull=True)
        elif _is_uuid(assignee):
            cases = cases.filter(assigned_to_id=assignee)
        else:
            raise Invalid({"assignee": "me, none or a user id"})
    total = cases.values("pk").count()  # DISTINCT over the id only, not every column (blobs included)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # The page's ids first (one sorted scan, nothing computed per row), then only those 50 rows in full.
    ids = list(cases.order_by("-created_at", "-id").values_list("pk", flat=True)[(page - 1) * PAGE_SIZE :][:PAGE_SIZE])
    open_tasks = Task.objects.filter(case=OuterRef("pk"), done_at__isnull=True).order_by("due_on", "kind")
    chosen = list(
        Case.objects.filter(pk__in=ids)
        .annotate(next_due=Subquery(open_tasks.values("due_on")[:1]), next_kind=Subquery(open_tasks.values("kind")[:1]))
        .select_related("assigned_to")
        .order_by("-created_at", "-id")
    )
    principals: dict[Any, Person] = {}
    names = ("id", "case_id", "relationship", "created_at", *(f"{n}_enc" for n in NAME_FIELDS))
    for person in Person.objects.filter(case__in=[c.pk for c in chosen]).only(*names).order_by("created_at"):
        if person.case_id not in principals or (
            person.relationship == Relationship.PRINCIPAL
            and principals[person.case_id].relationship != Relationship.PRINCIPAL
        ):
            principals[person.case_id] = person
    with transaction.atomic():
        audit(actor_of(user), "case.list")
    rows = [
        CaseRow(c, principals.get(c.pk), getattr(c, "next_kind", None), getattr(c, "next_due", None)) for c in chosen
    ]
    return CasePage(rows, page, pages, total)


def read_case(user: object, case: Case) -> Case:
    """Record that `user` opened the case (its people, stage and tasks)."""
    require(user, "read", case)
    with transaction.atomic():
        audit(actor_of(user), "case.read", "case", case.pk)
    return case


# --- Creating, with a one-time form token --------------------------------------------------------------
def new_token() -> str:
    return secrets.token_urlsafe(32)


def create_case(
    user: object,
    token: str,
    reference: str = "",
    principal_names: dict[str, str] | None = None,
) -> tuple[Case, bool]:
    """A new case of the user's organization (assigned to its creator when a caseworker or lawyer), with its
    principal when names are given. `token` is the form's one-time token: submitting the same form twice
    creates one case; the second call returns (that case, False)."""
    if not (isinstance(user, User) and user.is_active and user.role in (Role.ADMIN, Role.CASEWORKER, Role.LAWYER)):
        raise NotAllowed("create")
    if not isinstance(token, str) or not TOKEN.match(token):
        raise Invalid({"token": "the form's one-time token (open the form again)"})
    reference = clean_text("reference", reference, MAX_REFERENCE)
    from passage.cases.people import NAME_LIMIT

    names = {k: clean_text(k, v, NAME_LIMIT) for k, v in (principal_names or {}).items()}
    with transaction.atomic():
        # tokens are one-time and only guard against double submission: a day's worth is kept
        IdempotencyToken.objects.filter(created_at__lt=timezone.now() - TOKEN_LIFETIME).delete()
        try:
            with transaction.atomic():
                marker = IdempotencyToken.objects.create(token=token, user=user)
        except IntegrityError:
            existing = IdempotencyToken.objects.filter(token=token, user=user).first()
            found = Case.objects.filter(pk=existing.result).first() if existing and existing.result else None
            if found is None:
                raise Invalid({"token": "the form's one-time token (open the form again)"}) from None
            return found, False
        case = Case(organization_id=user.organization_id, stage=Stage.INTAKE)
        if user.role in (Role.CASEWORKER, Role.LAWYER):
            case.assigned_to = user
        case.reference = reference or None
        case.save()
        audit(actor_of(user), "case.create", "case", case.pk)
        if any(names.values()):
            from passage.cases.people import create_person

            create_person(user, case, Relationship.PRINCIPAL, names, None)
        marker.result = str(case.pk)
        marker.save(update_fields=["result"])
    return case, True


# --- Workflow ------------------------------------------------------------------------------------------
def _conditional_update(case: Case, version: int, **changes: Any) -> None:
    """UPDATE the case WHERE version = the version read; Conflict when another save came first."""
    changed = Case.objects.filter(pk=case.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if changed != 1:
        raise Conflict("case")
    case.refresh_from_db()


def set_stage(user: object, case: Case, version: int, stage: str) -> Case:
    return update_case(user, case, version, stage)


def claim(user: object, case: Case, version: int) -> Case:
    """A caseworker or lawyer takes an unassigned case of their organization."""
    actor = require(user, "claim", case)
    with transaction.atomic():
        changed = Case.objects.filter(pk=case.pk, version=version, assigned_to__isnull=True).update(
            assigned_to=actor, version=F("version") + 1, updated_at=timezone.now()
        )
        if changed != 1:
            raise Conflict("case")
        case.refresh_from_db()
        audit(actor_of(user), "case.claim", "case", case.pk)
    return case


def assignable_users(user: object) -> QuerySet[User]:
    """Who an admin may assign a case to: active caseworkers, lawyers and volunteers of the organization."""
    if not isinstance(user, User):
        return User.objects.none()
    return User.objects.filter(
        organization_id=user.organization_id,
        is_active=True,
        role__in=(Role.CASEWORKER, Role.LAWYER, Role.VOLUNTEER),
    ).order_by("username")


def assign(user: object, case: Case, version: int, assignee_id: object) -> Case:
    """An admin assigns the case to a staff member of the organization (or to nobody: `assignee_id` "")."""
    require(user, "assign", case)
    assignee: User | None = None
    if assignee_id not in (None, ""):
        text = str(assignee_id)
        found = assignable_users(user).filter(pk=text).first() if _is_uuid(text) else None
        if found is None:
            raise Invalid({"assignee": "an active caseworker, lawyer or volunteer of the organization"})
        assignee = found
    with transaction.atomic():
        _conditional_update(case, version, assigned_to=assignee)
        audit(actor_of(user), "case.assign" if assignee else "case.unassign", "case", case.pk)
    return case


def update_case(user: object, case: Case, version: int, stage: str, reference: str | None = None) -> Case:
    """Save the case's stage (any step forward or back, each recorded) and, when given, its reference, if
    nobody saved since `version` was read. Closing sets closed_at and retain_until (RETENTION_YEARS after
    closing); reopening clears both."""
    require(user, "write", case)
    if stage not in STAGE_ORDER:
        raise Invalid({"stage": "one of " + ", ".join(STAGE_ORDER)})
    changes: dict[str, Any] = {"stage": stage}
    if stage == Stage.CLOSED:
        if case.stage != Stage.CLOSED or case.closed_at is None:
            closed: datetime = timezone.now()
            changes.update(closed_at=closed, retain_until=add_years(timezone.localdate(closed), RETENTION_YEARS))
    else:
        changes.update(closed_at=None, retain_until=None)
    if reference is not None:
        probe = Case(pk=case.pk)
        probe.reference = clean_text("reference", reference, MAX_REFERENCE) or None
        changes["reference_enc"] = probe.reference_enc
    previous = case.stage
    with transaction.atomic():
        _conditional_update(case, version, **changes)
        if stage != previous:
            audit(actor_of(user), f"case.stage.{stage}", "case", case.pk)
        if reference is not None or stage == previous:  # a save that moves nothing still makes a new version
            audit(actor_of(user), "case.update", "case", case.pk)
    return case


def people_of(case: Case) -> list[Person]:
    """The people of a case, the principal first."""
    order = {value: index for index, value in enumerate(Relationship.values)}
    return sorted(case.people.all(), key=lambda p: (order.get(p.relationship, 99), p.created_at))


def open_tasks(case: Case) -> Iterable[Task]:
    return case.tasks.filter(done_at__isnull=True).order_by("due_on", "kind")
