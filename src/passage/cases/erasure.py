"""Erasure of a person, or of a whole case (SECURITY-TESTS item 15, GDPR art. 17 / PIPEDA principle 4.5).

`erase_person` deletes, in one transaction: the person's name terms (the search index), the notes about
them, their tasks, determinations and attachments (rows), and the person; then overwrites each attachment
file with zeros and unlinks it. `erase_case` does that for every person of a case, then deletes the case with
its remaining notes, attachments, tasks and shares. The audit log keeps `person.erased` / `case.erased` with
ids only: it records that an erasure happened, never what was erased.

On SQLite the erasure runs with `PRAGMA secure_delete=ON` (freed cells and pages are overwritten with zeros,
not merely unlinked) and, when no outer transaction is open, ends with `PRAGMA wal_checkpoint(TRUNCATE)` so
the old page images leave the write-ahead log too. A later `VACUUM` (passage backup does one) rebuilds the
file. On PostgreSQL deleted tuples stay in the heap until VACUUM reclaims them and may stay in WAL archives
and backups until those expire: the operator's retention of backups bounds how long (docs/workspace-records.md).
Every value was encrypted in any case; erasure removes the ciphertext as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction

from passage.cases.attachments import attachment_dir, remove_file
from passage.cases.models import Attachment, Case, Determination, NameTerm, Note, Person, Share, Task
from passage.cases.services import require
from passage.storage.audit import actor_of, audit


@contextmanager
def _secure_delete() -> Iterator[None]:
    """SQLite: overwrite deleted content while erasing; checkpoint and truncate the WAL afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete=ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete=OFF")
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _erase_person_rows(person: Person) -> list[Path]:
    root = attachment_dir()
    files = [root / name for name in Attachment.objects.filter(person=person).values_list("stored_name", flat=True)]
    NameTerm.objects.filter(person=person).delete()
    Note.objects.filter(person=person).delete()
    Task.objects.filter(person=person).delete()
    Determination.objects.filter(person=person).delete()
    Attachment.objects.filter(person=person).delete()
    Person.objects.filter(pk=person.pk).delete()
    return files


def _remove(files: list[Path]) -> None:
    for path in files:
        remove_file(path)


def erase_person_as(actor: str, person: Person) -> bool:
    """Erase `person` for `actor` (an audit actor); True when their case has nobody left."""
    case_id = person.case_id
    with _secure_delete():
        with transaction.atomic():
            files = _erase_person_rows(person)
            audit(actor, "person.erased", "person", person.pk)
            empty = not Person.objects.filter(case_id=case_id).exists()
        _remove(files)
    return empty


def erase_person(user: object, person: Person) -> bool:
    """Erase one person (the `erase` action: organization admins). True when the case is now empty."""
    require(user, "erase", person.case)
    return erase_person_as(actor_of(user), person)


def erase_case_as(actor: str, case: Case) -> None:
    with _secure_delete():
        with transaction.atomic():
            files: list[Path] = []
            for person in Person.objects.filter(case=case):
                files += _erase_person_rows(person)
                audit(actor, "person.erased", "person", person.pk)
            root = attachment_dir()
            files += [root / n for n in Attachment.objects.filter(case=case).values_list("stored_name", flat=True)]
            Attachment.objects.filter(case=case).delete()
            Note.objects.filter(case=case).delete()
            Task.objects.filter(case=case).delete()
            Share.objects.filter(case=case).delete()
            Case.objects.filter(pk=case.pk).delete()
            audit(actor, "case.erased", "case", case.pk)
        _remove(files)


def erase_case(user: object, case: Case) -> None:
    """Erase a case and everyone in it (the `erase` action)."""
    require(user, "erase", case)
    erase_case_as(actor_of(user), case)
