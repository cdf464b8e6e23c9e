"""The canonical export: a deterministic JSON document of every table, encrypted fields decrypted.

Used to prove a restore (the digest of the restored database equals the source's at the snapshot point) and
by the at-rest tests. The document holds plaintext, so only its SHA-256 digest leaves the process
(`passage digest`); nothing here writes it anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from passage.crypto import FieldContext


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    return str(value)


def canonical_export() -> dict[str, Any]:
    """{table: [row, ...]} for every model's table (rows in primary-key order) and the migration history."""
    from django.apps import apps
    from django.db import connection

    from passage.ops.fields import encrypted_columns
    from passage.storage.keys import vault

    secret_columns = {(c.table, c.column) for c in encrypted_columns()}
    document: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        table = meta.db_table
        fields = meta.concrete_fields
        rows = []
        for values in model._base_manager.order_by().values_list(*(f.attname for f in fields)).iterator():
            row: dict[str, Any] = {}
            record = dict(zip((f.attname for f in fields), values, strict=True))
            for field in fields:
                value = record[field.attname]
                if (table, field.attname) in secret_columns and value is not None:
                    context = FieldContext(table, field.attname, str(record[meta.pk.attname]))
                    value = {"plaintext": vault().decrypt_text(bytes(value), context)}
                row[field.column] = _plain(value)
            rows.append(row)
        rows.sort(key=lambda row: json.dumps(row[meta.pk.column], sort_keys=True))
        document[table] = rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        document["django_migrations"] = [list(row) for row in cursor.fetchall()]
    return document


def digest(document: dict[str, Any] | None = None) -> str:
    """SHA-256 of the canonical JSON of `canonical_export()`."""
    exported = canonical_export() if document is None else document
    encoded = json.dumps(exported, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()
