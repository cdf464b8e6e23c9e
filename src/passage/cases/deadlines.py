"""The deadline dashboard: open tasks of the cases a user works on, by how soon they fall due.

Scopes: "mine" (cases assigned to the user: every case role) and "organization" (every case of the
organization: admins). Buckets: overdue, within 7 days, within 30 days, within 90 days (each task in the
first bucket it fits). Only a task's kind and due date are read (both plaintext by design, see
docs/workspace.md): the dashboard decrypts a manual task's text and the case reference only for the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from passage.auth.models import Role, User
from passage.cases.models import OPEN_STAGES, Case, Task
from passage.cases.services import NotAllowed, require, today
from passage.storage.audit import actor_of, audit

HORIZONS = (7, 30, 90)
BUCKETS = ("overdue", "7", "30", "90")
LIMIT = 50  # rows shown per bucket (the count of the rest is said)


@dataclass
class Bucket:
    key: str
    tasks: list[Task] = field(default_factory=list)
    more: int = 0  # tasks beyond the LIMIT_PER_BUCKET shown


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
    # A join on the case (not `case_id IN (subquery)`), so the database walks the due-date index over the
    # window and checks each task's case by its key: the same cases as visible_cases(user) for the scope
    # (own organization; for "mine" those assigned to the user), open ones only.
    tasks = Task.objects.filter(
        case__organization_id=user.organization_id, case__stage__in=OPEN_STAGES, done_at__isnull=True
    )
    if scope == "mine":
        tasks = tasks.filter(case__assigned_to=user)
    limits = [(key, day + timedelta(days=days)) for key, days in zip(BUCKETS, (0, *HORIZONS), strict=True)]
    # One pass over the window's (id, due date), sorted by the database; then only the rows shown, in full.
    window = tasks.filter(due_on__lt=limits[-1][1]).order_by("due_on", "kind", "id").values_list("id", "due_on")
    buckets = [Bucket(key) for key, _ in limits]
    chosen: dict[str, list[Any]] = {key: [] for key in BUCKETS}
    index = 0
    for task_id, due in window.iterator(chunk_size=2000):
        while due >= limits[index][1]:
            index += 1
        bucket = buckets[index]
        if len(chosen[bucket.key]) < LIMIT:
            chosen[bucket.key].append(task_id)
        else:
            bucket.more += 1
    rows = Task.objects.filter(pk__in=[i for ids in chosen.values() for i in ids]).select_related(
        "case", "case__assigned_to"
    )
    by_id = {task.pk: task for task in rows}
    for bucket in buckets:
        bucket.tasks = [by_id[i] for i in chosen[bucket.key] if i in by_id]
    with transaction.atomic():
        audit(actor_of(user), f"task.dashboard.{scope}")
    return buckets


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
