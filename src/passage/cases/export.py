"""A person's whole record, for the person who asks for it (a subject access request) or for a move to
another clinic: identity, facts, determinations, notes about them, tasks and the list of attachments.

Built on the fly and never stored (no file, no cache): the views send it with `Cache-Control: no-store`.
Needs the `export` action (admins; a caseworker or lawyer on an assigned case); every export is audited
(`person.export`, ids only).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from passage.cases.models import Attachment, Determination, Note, Person, Task
from passage.cases.services import require
from passage.storage.audit import actor_of, audit

FORMAT = "passage-person-export-v1"
IDENTITY = (
    "given_names_latin",
    "surname_latin",
    "given_names_cyrillic",
    "surname_cyrillic",
    "passport_number",
    "address",
    "contacts",
)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def person_record(user: object, person: Person, fmt: str) -> dict[str, Any]:
    """The record as a JSON-ready dict (audited as `person.export` with `fmt` "json" or "pdf")."""
    case = person.case
    require(user, "export", case)
    record: dict[str, Any] = {
        "format": FORMAT,
        "person_id": str(person.pk),
        "case_id": str(case.pk),
        "relationship": person.relationship,
        "created_at": _iso(person.created_at),
        "updated_at": _iso(person.updated_at),
        "identity": {name: getattr(person, name) for name in IDENTITY},
        "facts": person.facts or {},
        "determinations": [
            {
                "id": str(d.pk),
                "assessed_on": _iso(d.assessed_on),
                "created_at": _iso(d.created_at),
                "result": d.result,
                "receipt": d.receipt,
            }
            for d in Determination.objects.filter(person=person).order_by("created_at", "id")
        ],
        "notes": [
            {
                "id": str(n.pk),
                "created_at": _iso(n.created_at),
                "author": str(n.author) if n.author else None,
                "body": n.body,
            }
            for n in Note.objects.filter(person=person).select_related("author").order_by("created_at", "id")
        ],
        "tasks": [
            {
                "id": str(t.pk),
                "kind": t.kind,
                "due_on": _iso(t.due_on),
                "source": t.source,
                "done_at": _iso(t.done_at),
                "detail": t.detail,
            }
            for t in Task.objects.filter(person=person).order_by("due_on", "id")
        ],
        "attachments": [
            {
                "id": str(a.pk),
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "created_at": _iso(a.created_at),
            }
            for a in Attachment.objects.filter(person=person).order_by("created_at", "id")
        ],
    }
    with transaction.atomic():
        audit(actor_of(user), f"person.export.{fmt}", "person", person.pk)
    return record
