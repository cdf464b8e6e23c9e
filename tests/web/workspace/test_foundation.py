"""The workspace foundation: encrypted fields and the audit writer on the configured database."""

from __future__ import annotations

from typing import Any

import pytest


def test_a_secret_is_stored_encrypted_and_bound_to_its_row(org: Any) -> None:
    from django.db import connection

    from passage.cases.models import Case, Person
    from passage.crypto import DecryptionFailed

    case = Case.objects.create(organization=org)
    person = Person(case=case, relationship="principal")
    person.passport_number = "CANARY-PASSPORT-0001"
    person.facts = {"citizenships": ["BY"]}
    person.save()
    with connection.cursor() as cursor:
        row_id = person.pk.hex if connection.vendor == "sqlite" else person.pk  # SQLite stores UUIDs as hex text
        cursor.execute("select passport_number_enc from cases_person where id = %s", [row_id])
        raw = bytes(cursor.fetchone()[0])
    assert b"CANARY" not in raw
    again = Person.objects.get(pk=person.pk)
    assert again.passport_number == "CANARY-PASSPORT-0001"
    assert again.facts == {"citizenships": ["BY"]}
    other = Person.objects.create(case=case, relationship="child")
    other.passport_number_enc = again.passport_number_enc  # a token moved to another row
    with pytest.raises(DecryptionFailed):
        _ = other.passport_number


def test_audit_entries_chain_and_verify(org: Any) -> None:
    from passage.storage.audit import audit, verify_log

    audit("user:test", "case.read", "case", "c1")
    audit("user:test", "case.update", "case", "c1")
    result = verify_log()
    assert result.ok
    assert result.count >= 2


def test_a_batch_of_audit_entries_is_one_entry_per_record_in_order_on_the_same_chain(org: Any) -> None:
    """audit_each appends exactly what one audit() per record would: one entry each, in order, chained after
    the entries before it and before the ones after it; an empty batch appends nothing."""
    import json

    from passage.storage.audit import audit, audit_each, verify_log
    from passage.storage.models import AuditHead, AuditRecord

    audit("user:test", "case.read", "case", "c0")
    start = AuditHead.objects.get(id=1).seq
    audit_each("system:passage", "determination.create", "determination", ["d1", "d2", "d3"])
    audit_each("system:passage", "determination.create", "determination", [])
    audit("user:test", "case.read", "case", "c4")
    lines = [json.loads(line) for line in AuditRecord.objects.filter(seq__gte=start).order_by("seq")
             .values_list("line", flat=True)]
    assert [(line["seq"], line["action"], line["record_id"]) for line in lines] == [
        (start, "determination.create", "d1"),
        (start + 1, "determination.create", "d2"),
        (start + 2, "determination.create", "d3"),
        (start + 3, "case.read", "c4"),
    ]
    assert all(line["actor"] == "system:passage" and line["record_type"] == "determination" for line in lines[:3])
    assert AuditHead.objects.get(id=1).seq == start + 4
    assert verify_log().ok
