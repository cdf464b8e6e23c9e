"""Audit entries and the chained records they are stored as.

An entry says who (`actor`) did what (`action`) to which record (`record_type`, `record_id`), when (UTC)
and in which request. It has no field for a value, and every field is an identifier matched against a
narrow pattern (no spaces, no `@`), so a name, an address or a note cannot be written into the log by
accident (ASVS 16.2.5). A record adds the sequence number, the previous record's hash and its own:
`hash = SHA-256(bytes(prev) || canonical JSON of {seq, entry fields})`. Records are read back only from
their canonical line, so any byte changed in a stored line is detected.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from passage.audit.errors import AuditError

# An identifier: a user id ("user:42"), a role or job ("system:retention"), a UUID, a table name.
IDENTIFIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\Z")
ACTION = re.compile(r"[a-z][a-z0-9_.]{0,63}\Z")  # "case.read", "auth.login_failed"
HASH = re.compile(r"[0-9a-f]{64}\Z")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
GENESIS = hashlib.sha256(b"passage-audit-log-v1").hexdigest()  # the `prev` of the first record


def _identifier(name: str, value: object, pattern: re.Pattern[str] = IDENTIFIER) -> None:
    if not isinstance(value, str) or not pattern.match(value):
        raise AuditError(f"{name}: expected an identifier matching {pattern.pattern!r}, not free text")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited event. No field values, by construction: there is no field to put one in."""

    actor: str
    action: str
    record_type: str | None
    record_id: str | None
    at: datetime
    request_id: str

    def __post_init__(self) -> None:
        _identifier("actor", self.actor)
        _identifier("action", self.action, ACTION)
        _identifier("request_id", self.request_id)
        if (self.record_type is None) != (self.record_id is None):
            raise AuditError("record_type and record_id are given together or not at all")
        if self.record_type is not None:
            _identifier("record_type", self.record_type)
            _identifier("record_id", self.record_id)
        if not isinstance(self.at, datetime) or self.at.utcoffset() != timedelta(0):
            raise AuditError("at: expected a timezone-aware UTC date-time")

    def to_dict(self) -> dict[str, object]:
        return {
            "actor": self.actor,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id,
            "at": self.at.strftime(TIME_FORMAT),
            "request_id": self.request_id,
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AuditEntry:
        """Read an entry; a missing or an extra key (a `value`, a `note`) is an error."""
        expected = {f.name for f in fields(cls)}
        if set(raw) != expected:
            extra, missing = sorted(set(raw) - expected), sorted(expected - set(raw))
            raise AuditError(
                f"an audit entry has exactly the keys {sorted(expected)}; extra {extra}, missing {missing}"
            )
        at = raw["at"]
        try:
            moment = datetime.strptime(at, TIME_FORMAT).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            raise AuditError(f"at: expected a UTC time as {TIME_FORMAT}") from None
        return cls(raw["actor"], raw["action"], raw["record_type"], raw["record_id"], moment, raw["request_id"])


def canonical(seq: int, entry: AuditEntry) -> bytes:
    """The bytes hashed for a record: sorted keys, no spaces, ASCII only."""
    return json.dumps({"seq": seq, **entry.to_dict()}, sort_keys=True, separators=(",", ":")).encode("ascii")


def link_hash(prev: str, seq: int, entry: AuditEntry) -> str:
    return hashlib.sha256(bytes.fromhex(prev) + canonical(seq, entry)).hexdigest()


@dataclass(frozen=True, slots=True)
class Record:
    """An entry as stored: its position, the previous record's hash and its own hash."""

    seq: int
    entry: AuditEntry
    prev: str
    hash: str

    def to_line(self) -> str:
        """The canonical JSON line (without the newline)."""
        document = {"seq": self.seq, **self.entry.to_dict(), "prev": self.prev, "hash": self.hash}
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Record:
        """Read a stored line; anything but a record's canonical line is an error."""
        try:
            raw = json.loads(line)
        except ValueError:
            raise AuditError("not JSON") from None
        if not isinstance(raw, dict):
            raise AuditError("not a JSON object")
        seq, prev, digest = raw.pop("seq", None), raw.pop("prev", None), raw.pop("hash", None)
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise AuditError("seq: expected a non-negative integer")
        if not all(isinstance(value, str) and HASH.match(value) for value in (prev, digest)):
            raise AuditError("prev and hash: expected 64 lowercase hex digits")
        record = cls(seq, AuditEntry.from_dict(raw), str(prev), str(digest))
        if record.to_line() != line:
            raise AuditError("not in canonical form: the line was edited")
        return record
