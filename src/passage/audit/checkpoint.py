"""Signed checkpoints: the head hash and length of a log at a moment, with an HMAC-SHA256 over them.

A checkpoint is exported and kept somewhere the server cannot rewrite (another organisation, an offline
copy). A log later found shorter than a checkpoint, or differing from it at the checkpoint's last entry,
has been truncated or rewritten, even if its own chain is consistent. The HMAC key is at least 32 bytes
and is not the key of any data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from passage.audit.entry import HASH, TIME_FORMAT
from passage.audit.errors import AuditError

MIN_KEY_BYTES = 32
_FIELDS = {"v", "head", "count", "at", "mac"}


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise AuditError(f"a checkpoint key is at least {MIN_KEY_BYTES} bytes")


@dataclass(frozen=True)
class Checkpoint:
    head: str
    count: int
    at: datetime
    mac: str

    def payload(self) -> bytes:
        document = {"v": 1, "head": self.head, "count": self.count, "at": self.at.strftime(TIME_FORMAT)}
        return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("ascii")

    def is_signed_by(self, key: bytes) -> bool:
        _check_key(key)
        expected = hmac.new(key, self.payload(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def to_json(self) -> str:
        return json.dumps({**json.loads(self.payload()), "mac": self.mac}, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        try:
            raw: Any = json.loads(text)
        except ValueError:
            raise AuditError("a checkpoint is JSON") from None
        if not isinstance(raw, dict) or set(raw) != _FIELDS or raw["v"] != 1:
            raise AuditError(f"a checkpoint is an object with exactly the keys {sorted(_FIELDS)} and v = 1")
        head, count, mac = raw["head"], raw["count"], raw["mac"]
        if not all(isinstance(value, str) and HASH.match(value) for value in (head, mac)):
            raise AuditError("a checkpoint's head and mac are 64 lowercase hex digits")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise AuditError("a checkpoint's count is a non-negative integer")
        try:
            at = datetime.strptime(raw["at"], TIME_FORMAT).replace(tzinfo=UTC)
        except (TypeError, ValueError):
            raise AuditError(f"a checkpoint's at is a UTC time as {TIME_FORMAT}") from None
        return cls(head, count, at, mac)


def sign_checkpoint(head: str, count: int, key: bytes, at: datetime | None = None) -> Checkpoint:
    """A checkpoint of a log whose last record has hash `head` and which holds `count` records."""
    _check_key(key)
    unsigned = Checkpoint(head, count, (at or datetime.now(UTC)).astimezone(UTC), "")
    return Checkpoint(head, count, unsigned.at, hmac.new(key, unsigned.payload(), hashlib.sha256).hexdigest())
