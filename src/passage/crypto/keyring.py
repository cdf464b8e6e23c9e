"""Where wrapped keys live: a `Keyring` interface with an in-memory and a JSON-file implementation.

A keyring holds only wrapped keys (useless without the master key) with their id, kind (`data` or
`index`), whether they are active, the id of the master key that wraps them and when they were made. The
Django app will back the same interface with a table. `put` stores several records atomically, so the
switch of the active data key is never half done.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from passage.crypto.errors import KeyringError

KeyKind = Literal["data", "index"]
_KINDS = ("data", "index")
_FORMAT = "passage-keyring"
_FORMAT_VERSION = 1
_FIELDS = {"key_id", "kind", "active", "kek_id", "wrapped", "created"}


@dataclass(frozen=True)
class WrappedKey:
    """One key as stored: never the key itself, only its wrapping under the master key `kek_id`."""

    key_id: str
    kind: KeyKind
    active: bool
    kek_id: str
    wrapped: bytes
    created: datetime

    def wrap_context(self) -> bytes:
        """Associated data for the wrapping: a wrapped key moved to another id or kind fails to unwrap."""
        return f"passage-wrap-v1|{self.kind}|{self.key_id}|{self.kek_id}".encode("ascii")

    def to_json(self) -> dict[str, object]:
        return {
            "key_id": self.key_id,
            "kind": self.kind,
            "active": self.active,
            "kek_id": self.kek_id,
            "wrapped": base64.b64encode(self.wrapped).decode("ascii"),
            "created": self.created.isoformat(),
        }

    @classmethod
    def from_json(cls, raw: object) -> WrappedKey:
        if not isinstance(raw, dict) or set(raw) != _FIELDS:
            raise KeyringError(f"a key record is an object with exactly the keys {sorted(_FIELDS)}")
        key_id, kind, active, kek_id = raw["key_id"], raw["kind"], raw["active"], raw["kek_id"]
        if not (isinstance(key_id, str) and isinstance(kek_id, str) and isinstance(active, bool)):
            raise KeyringError("a key record's key_id and kek_id are strings and active is a boolean")
        if kind not in _KINDS:
            raise KeyringError(f"key {key_id}: kind must be one of {_KINDS}")
        try:
            wrapped = base64.b64decode(raw["wrapped"], validate=True)
            created = datetime.fromisoformat(raw["created"])
        except (binascii.Error, ValueError, TypeError):
            raise KeyringError(f"key {key_id}: wrapped must be base64 and created an ISO date-time") from None
        return cls(key_id, kind, active, kek_id, wrapped, created)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Keyring(ABC):
    """Storage for wrapped keys. Implementations only store; `Vault` does the cryptography."""

    @abstractmethod
    def records(self) -> list[WrappedKey]:
        """Every key record, in creation order."""

    @abstractmethod
    def put(self, *records: WrappedKey) -> None:
        """Insert or replace (by `key_id`) all of `records` at once, or none of them."""

    @abstractmethod
    def remove(self, key_id: str) -> None:
        """Delete a key record; a key id the keyring does not hold is an error."""

    def get(self, key_id: str) -> WrappedKey | None:
        return next((k for k in self.records() if k.key_id == key_id), None)


class MemoryKeyring(Keyring):
    """A keyring in a dict: for tests and for a process that holds its keys only while it runs."""

    def __init__(self) -> None:
        self._records: dict[str, WrappedKey] = {}

    def records(self) -> list[WrappedKey]:
        return list(self._records.values())

    def put(self, *records: WrappedKey) -> None:
        for record in records:
            self._records[record.key_id] = record

    def remove(self, key_id: str) -> None:
        if self._records.pop(key_id, None) is None:
            raise KeyringError(f"no key {key_id} to remove")


class JsonFileKeyring(Keyring):
    """A keyring in one JSON file (for the CLI), rewritten atomically (temporary file, fsync, rename), mode 600.

    Read on every call, so a second process sees a rotation at once. One writer at a time is assumed.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, WrappedKey]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError) as error:
            raise KeyringError(f"{self.path}: cannot read the keyring: {error}") from None
        try:
            raw: Any = json.loads(text)
        except ValueError:
            raise KeyringError(f"{self.path}: the keyring is not JSON") from None
        if not isinstance(raw, dict) or raw.get("format") != _FORMAT or raw.get("version") != _FORMAT_VERSION:
            raise KeyringError(f"{self.path}: not a {_FORMAT} file of version {_FORMAT_VERSION}")
        if not isinstance(raw.get("keys"), list):
            raise KeyringError(f"{self.path}: 'keys' must be a list")
        try:
            records = [WrappedKey.from_json(item) for item in raw["keys"]]
        except KeyringError as error:
            raise KeyringError(f"{self.path}: {error}") from None
        return {record.key_id: record for record in records}

    def _save(self, records: dict[str, WrappedKey]) -> None:
        document = {
            "format": _FORMAT,
            "version": _FORMAT_VERSION,
            "keys": [record.to_json() for record in records.values()],
        }
        directory = self.path.parent
        fd, temporary = tempfile.mkstemp(prefix=".keyring-", dir=directory)  # created with mode 600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(document, handle, indent=1)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            os.unlink(temporary)
            raise
        # the rename is durable only once the directory entry is on disk
        directory_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_fd)
        finally:
            os.close(directory_fd)

    def records(self) -> list[WrappedKey]:
        return list(self._load().values())

    def put(self, *records: WrappedKey) -> None:
        current = self._load()
        for record in records:
            current[record.key_id] = record
        self._save(current)

    def remove(self, key_id: str) -> None:
        current = self._load()
        if current.pop(key_id, None) is None:
            raise KeyringError(f"{self.path}: no key {key_id} to remove")
        self._save(current)
