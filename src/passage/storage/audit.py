"""The audit writer: one chained record per read or write of a case and per authentication event.

`audit(actor, action, record_type, record_id)` appends inside the caller's transaction, so the entry and the
change it records commit or roll back together; `audit_each` appends one entry per record of a batch (one
lock, one insert). Appends are serialised by locking the single AuditHead row (SELECT ... FOR UPDATE on
PostgreSQL; SQLite's IMMEDIATE transactions already serialise writers).
Entries carry identifiers only (passage.audit.AuditEntry refuses free text): never a field value.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db import transaction

from passage.audit import GENESIS, AuditEntry, Chain, Checkpoint, Verification, verify
from passage.storage.models import AuditHead, AuditRecord

_request = threading.local()
SYSTEM = "system:passage"


def set_request_id(request_id: str | None) -> None:
    """Called by the request middleware: every entry of the request carries its id."""
    _request.id = request_id


def current_request_id() -> str:
    return getattr(_request, "id", None) or "no-request"


def actor_of(user: object) -> str:
    """`user:<uuid>` for a staff account, `anonymous` otherwise: never a user name."""
    pk = getattr(user, "pk", None)
    return f"user:{pk}" if pk is not None and getattr(user, "is_authenticated", False) else "anonymous"


def audit(actor: str, action: str, record_type: str | None = None, record_id: object = None) -> None:
    _append([_entry(actor, action, record_type, record_id)])


def audit_each(actor: str, action: str, record_type: str, record_ids: Iterable[object]) -> None:
    """One entry per record (e.g. each determination a re-run stores), in the order given, appended under a
    single lock of the head with one insert: the same chain as calling `audit` for each, at a batch's cost."""
    _append([_entry(actor, action, record_type, record_id) for record_id in record_ids])


def _entry(actor: str, action: str, record_type: str | None, record_id: object) -> AuditEntry:
    return AuditEntry(
        actor=actor,
        action=action,
        record_type=record_type,
        record_id=None if record_id is None else str(record_id),
        at=datetime.now(UTC),
        request_id=current_request_id(),
    )


def _append(entries: list[AuditEntry]) -> None:
    if not entries:
        return
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            head = AuditHead.objects.create(id=1, seq=0, hash=GENESIS)
        chain = Chain(head.hash, head.seq)
        records = [chain.append(entry) for entry in entries]
        AuditRecord.objects.bulk_create([AuditRecord(seq=record.seq, line=record.to_line()) for record in records])
        head.seq, head.hash = chain.count, chain.head
        head.save(update_fields=["seq", "hash"])


def lines() -> Iterator[str]:
    yield from AuditRecord.objects.order_by("seq").values_list("line", flat=True).iterator(chunk_size=2000)


def verify_log(checkpoint: Checkpoint | None = None, key: bytes | None = None) -> Verification:
    return verify(lines(), checkpoint, key)
