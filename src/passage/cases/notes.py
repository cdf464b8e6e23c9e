"""Notes on a case (optionally about one person of it): encrypted bodies, newest first.

Reading needs `read_sensitive`, writing `write` (passage.authz.cases): volunteers and analysts never see a
note. Every read and write is audited with ids only.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from passage.cases.models import Case, IdempotencyToken, Note, Person
from passage.cases.services import TOKEN, TOKEN_LIFETIME, Invalid, clean_text, require
from passage.storage.audit import actor_of, audit

MAX_NOTE = 10_000


def list_notes(user: object, case: Case) -> list[Note]:
    require(user, "read_sensitive", case)
    notes = list(Note.objects.filter(case=case).select_related("author", "person").order_by("-created_at", "-id"))
    with transaction.atomic():
        audit(actor_of(user), "note.list", "case", case.pk)
    return notes


def person_in(case: Case, person_id: object) -> Person | None:
    """The person `person_id` of `case`; None for an empty choice; Invalid for anything else."""
    if person_id in (None, ""):
        return None
    try:
        return Person.objects.get(pk=person_id, case=case)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise Invalid({"person": "one of the people of this case, or none"}) from None


def add_note(user: object, case: Case, body: object, person_id: object = None, token: object = None) -> Note:
    """Add a note. With `token` (the form's one-time token), submitting the same form twice adds one note:
    the second call returns the first note (SECURITY-TESTS item 28)."""
    actor = require(user, "write", case)
    text = clean_text("body", body, MAX_NOTE, multiline=True)
    if not text:
        raise Invalid({"body": f"the note's text (1 to {MAX_NOTE} characters)"})
    person = person_in(case, person_id)
    if token is not None and not (isinstance(token, str) and TOKEN.match(token)):
        raise Invalid({"token": "the form's one-time token (open the form again)"})
    with transaction.atomic():
        marker = None
        if token is not None:
            IdempotencyToken.objects.filter(created_at__lt=timezone.now() - TOKEN_LIFETIME).delete()
            try:
                with transaction.atomic():
                    marker = IdempotencyToken.objects.create(token=token, user=actor)
            except IntegrityError:
                used = IdempotencyToken.objects.filter(token=token, user=actor).first()
                first = Note.objects.filter(pk=used.result, case=case).first() if used and used.result else None
                if first is None:
                    raise Invalid({"token": "the form's one-time token (open the form again)"}) from None
                return first
        note = Note(case=case, person=person, author=actor)
        note.body = text
        note.save()
        audit(actor_of(user), "note.create", "note", note.pk)
        if marker is not None:
            marker.result = str(note.pk)
            marker.save(update_fields=["result"])
    return note
