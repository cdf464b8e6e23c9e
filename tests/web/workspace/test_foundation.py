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
