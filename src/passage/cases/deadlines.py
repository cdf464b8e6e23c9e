"""The deadline dashboard: open tasks of the cases a user works on, by how soon they fall due.

Scopes: "mine" (cases assigned to the user: every case role) and "organization" (every case of the
organization: admins). Buckets: overdue, within 7 days, within 30 days, within 90 days (each task in the
first bucket it fits). Only a task's kind and due date are read (both plaintext by design, see
docs/workspace.md): the dashboard decrypts a manual task's text and the case reference only for the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import CharField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from passage.auth.models import Role, User
from passage.cases.models import OPEN_STAGES, Case, Task
from passage.cases.services import NotAllowed, require, today
from passage.storage.audit import actor_of, audit

HORIZONS = (7, 30, 90)
BUCKETS = ("overdue", "7", "30", "90")
LIMIT = 50  # rows shown per bucket (the count of the rest is said)
# What the page reads of a row: the task's kind, date, source and (manual tasks) text; its case's reference
# and the fields authz.cases.can() reads; the assignee's name. Nothing else is fetched (no other blob).
TASK_COLUMNS = (
    "id", "case_id", "kind", "due_on", "source", "detail_enc",
    "case__id", "case__organization_id", "case__assigned_to_id", "case__stage", "case__reference_enc",
    "case__assigned_to__id", "case__assigned_to__username",
)  # fmt: skip


@dataclass
class Bucket:
    key: str
    tasks: list[Task] = field(default_factory=list)
    more: int = 0  # tasks beyond the LIMIT shown


def scopes_for(user: object) -> tuple[str, ...]:
    if isinstance(user, User) and user.role == Role.ADMIN:
        return ("organization", "mine")
    return ("mine",)


def dashboard(user: object, scope: str = "mine", on: date | None = None) -> list[Bucket]:
    """Open tasks due before `on` + 90 days of the scope's open cases, in buckets, soonest first."""
    if scope not in scopes_for(user):
        raise NotAllowed(scope)
    day = on or today()
    if not isinstance(user, User) or not user.is_active:
        raise NotAllowed(scope)
    # A join on the case (not `case_id IN (subquery)`): the database walks the organization's open cases in
    # the index that covers them (models.Case) and each one's open tasks by (case, done_at, due_on). The same
    # cases as visible_cases(user) for the scope (own organization; for "mine" those assigned to the user),
    # open ones only.
    tasks = Task.objects.filter(
        case__organization_id=user.organization_id, case__stage__in=OPEN_STAGES, done_at__isnull=True
    )
    if scope == "mine":
        tasks = tasks.filter(case__assigned_to=user)
    edges = [day + timedelta(days=days) for days in (0, *HORIZONS)]
    # The first bucket a task fits: overdue (before `day`), then each horizon.
    bucket_of = CaseWhen(*(When(due_on__lt=edge, then=Value(key)) for key, edge in zip(BUCKETS, edges, strict=True)))
    # One pass over the window, soonest first, on the narrowest rows there are: each task's bucket and its id,
    # both as text, which Django hands over as the database gives them (no converter runs for the thousands
    # of rows only counted). The buckets are counted and their first LIMIT ids kept here: ranking by window
    # functions in the database cost more than this sort (docs/workspace-cases.md, "Speed").
    ranked = (
        tasks.filter(due_on__lt=edges[-1])
        .annotate(bucket=bucket_of, key=Cast("id", output_field=CharField()))
        .order_by("due_on", "kind", "id")
        .values_list("bucket", "key")
    )
    buckets = {key: Bucket(key) for key in BUCKETS}
    sizes = dict.fromkeys(BUCKETS, 0)
    chosen: list[tuple[str, str]] = []
    for bucket, key in ranked:
        sizes[bucket] += 1
        if sizes[bucket] <= LIMIT:
            chosen.append((key, bucket))
    for bucket, size in sizes.items():
        buckets[bucket].more = max(0, size - LIMIT)
    # ... then those rows in full, with only the columns the page reads.
    rows = Task.objects.filter(pk__in=[key for key, _ in chosen]).select_related("case", "case__assigned_to")
    by_key = {str(task.pk): task for task in rows.only(*TASK_COLUMNS)}
    for key, bucket in chosen:
        buckets[bucket].tasks.append(by_key[str(UUID(key))])
    with transaction.atomic():
        audit(actor_of(user), f"task.dashboard.{scope}")
    return list(buckets.values())


def mark_done(user: object, task: Task) -> Task:
    """Mark a task done (write access to its case); done twice is done once."""
    require(user, "write", task.case)
    with transaction.atomic():
        changed = Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now())
        task.refresh_from_db()
        if changed:
            audit(actor_of(user), "task.done", "task", task.pk)
    return task


def task_of(case: Case, task_id: object) -> Task:
    from django.core.exceptions import ValidationError

    try:
        task = Task.objects.get(pk=task_id, case=case)
    except (Task.DoesNotExist, ValidationError, ValueError):
        raise NotAllowed("task") from None
    task.case = case
    return task
