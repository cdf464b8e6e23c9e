"""The keyring (wrapped keys only) and the audit log, as database tables so a backup carries both."""

from __future__ import annotations

from django.db import models


class DataKey(models.Model):
    """One wrapped key of passage.crypto's keyring: never the key itself (see passage.crypto.keyring)."""

    key_id = models.CharField(primary_key=True, max_length=32)
    kind = models.CharField(max_length=8)  # "data" or "index"
    active = models.BooleanField()
    kek_id = models.CharField(max_length=32)  # which master key wraps it
    wrapped = models.BinaryField()
    created = models.DateTimeField()

    class Meta:
        db_table = "storage_data_key"


class AuditRecord(models.Model):
    """One line of the hash-chained audit log, stored as its canonical JSON (passage.audit.Record)."""

    seq = models.BigIntegerField(primary_key=True)
    line = models.TextField()

    class Meta:
        db_table = "storage_audit_record"


class AuditHead(models.Model):
    """A single row (id 1) locked while appending, so concurrent writers extend the chain one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    seq = models.BigIntegerField()  # the next record's seq
    hash = models.CharField(max_length=64)  # the last record's hash (or the genesis hash)

    class Meta:
        db_table = "storage_audit_head"
