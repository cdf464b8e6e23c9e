"""Appending to the hash chain and verifying it, over any storage: records in, a `Verification` out.

`verify` walks the records once and stops at the first broken link, naming its index and why: a record
that is unreadable or not canonical, out of sequence (a deletion, insertion or reordering), linked to the
wrong predecessor, or whose hash does not match its content (an edit). Against a signed checkpoint it also
catches truncation (fewer records than the checkpoint counts) and a rewrite (a different head there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from passage.audit.checkpoint import Checkpoint
from passage.audit.entry import GENESIS, AuditEntry, Record, link_hash
from passage.audit.errors import AuditError


class Chain:
    """The head of a log: appending an entry gives the next record. Start at `Chain()` or `Chain.after(last)`."""

    def __init__(self, head: str = GENESIS, count: int = 0) -> None:
        self.head, self.count = head, count

    @classmethod
    def after(cls, last: Record) -> Chain:
        return cls(last.hash, last.seq + 1)

    def append(self, entry: AuditEntry) -> Record:
        record = Record(self.count, entry, self.head, link_hash(self.head, self.count, entry))
        self.head, self.count = record.hash, self.count + 1
        return record


@dataclass(frozen=True)
class Verification:
    """The outcome: `ok`, how many records verified, the last good hash, and the first break if any."""

    ok: bool
    count: int
    head: str
    broken_at: int | None = None
    reason: str = ""


def verify(
    records: Iterable[Record | str], checkpoint: Checkpoint | None = None, key: bytes | None = None
) -> Verification:
    """Verify a whole log from its first record; each item is a `Record` or its stored JSON line."""
    if checkpoint is not None:
        if key is None:
            raise AuditError("a checkpoint is verified with the key that signed it")
        if not checkpoint.is_signed_by(key):
            return Verification(False, 0, GENESIS, None, "the checkpoint's signature does not verify")
    head, count = GENESIS, 0

    def broken(reason: str) -> Verification:
        return Verification(False, count, head, count, reason)

    for item in records:
        try:
            record = item if isinstance(item, Record) else Record.from_line(item)
        except AuditError as error:
            return broken(f"unreadable record: {error}")
        if record.seq != count:
            return broken(f"sequence number {record.seq} where {count} belongs: a record was deleted, added or moved")
        if record.prev != head:
            return broken("does not link to the record before it: a record was deleted, added or moved")
        if link_hash(head, count, record.entry) != record.hash:
            return broken("its hash does not match its content: the record was altered")
        if checkpoint is not None and count + 1 == checkpoint.count and record.hash != checkpoint.head:
            return broken("differs from the signed checkpoint's head: the log was rewritten up to here")
        head, count = record.hash, count + 1
    if checkpoint is not None and count < checkpoint.count:
        return broken(f"truncated: the signed checkpoint counts {checkpoint.count} records, the log has {count}")
    return Verification(True, count, head)
