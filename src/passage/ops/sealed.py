"""An encrypted, authenticated byte stream for backups: unreadable and unalterable without the master key.

File layout:
```
"PASSAGE-BACKUP\\n"   15 bytes of magic
header length        4 bytes, big-endian
header               canonical JSON: {"v":1,"kek_id":…,"wrapped":<base64>,"chunk":…,"meta":{…}}
chunks               each: 4-byte big-endian length, then AES-256-GCM(nonce = counter, 12 bytes) of ≤ chunk bytes
```
Each backup has its own fresh 32-byte key, wrapped by the master key (AAD: the header without the wrapped
key). Every chunk's associated data is SHA-256(header) || counter || final flag, so a chunk cannot be moved,
dropped, duplicated or taken from another backup, a changed header fails every chunk, and a cut stream is
detected because its last chunk is not marked final. Nonces are a counter under a key used once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from passage.crypto import KeyringError, MasterKey, MasterKeyError
from passage.engine import PassageError

MAGIC = b"PASSAGE-BACKUP\n"
CHUNK = 1 << 20
_MAX_HEADER = 64 * 1024
_MAX_SEALED = CHUNK + 16


class BackupError(PassageError):
    """A backup that cannot be read: not a backup, damaged, altered or cut short."""


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _wrap_aad(header: dict[str, Any]) -> bytes:
    return b"passage-backup-v1|" + _canonical({k: v for k, v in header.items() if k != "wrapped"})


def _chunk_aad(header_hash: bytes, counter: int, final: bool) -> bytes:
    return header_hash + struct.pack(">QB", counter, 1 if final else 0)


def _nonce(counter: int) -> bytes:
    return counter.to_bytes(12, "big")


class SealedWriter:
    """A write-only file object: bytes written are sealed chunk by chunk into `out`; `close()` seals the end."""

    def __init__(self, out: IO[bytes], master: MasterKey, meta: dict[str, Any]) -> None:
        key = os.urandom(32)
        header: dict[str, Any] = {"v": 1, "kek_id": master.key_id, "chunk": CHUNK, "meta": meta}
        header["wrapped"] = base64.b64encode(master.wrap(key, _wrap_aad(header))).decode("ascii")
        encoded = _canonical(header)
        out.write(MAGIC + struct.pack(">I", len(encoded)) + encoded)
        self._out, self._aead, self._hash = out, AESGCM(key), hashlib.sha256(encoded).digest()
        self._buffer = bytearray()
        self._counter = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is sealed as final
            self._seal(bytes(self._buffer[:CHUNK]), final=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, data: bytes, final: bool) -> None:
        sealed = self._aead.encrypt(_nonce(self._counter), data, _chunk_aad(self._hash, self._counter, final))
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), final=True)
            self._buffer.clear()
            self.closed = True


def read_header(source: IO[bytes]) -> dict[str, Any]:
    if source.read(len(MAGIC)) != MAGIC:
        raise BackupError("not a Passage backup (the file does not start with the backup header)")
    raw = source.read(4)
    if len(raw) != 4:
        raise BackupError("the backup is cut short in its header")
    (length,) = struct.unpack(">I", raw)
    encoded = source.read(length) if length <= _MAX_HEADER else b""
    try:
        header = json.loads(encoded)
    except ValueError:
        raise BackupError("the backup header is damaged") from None
    if not isinstance(header, dict) or header.get("v") != 1 or _canonical(header) != encoded:
        raise BackupError("the backup header is damaged or of an unknown version")
    header["_hash"] = hashlib.sha256(encoded).digest()
    return header


class SealedReader:
    """A read-only file object over a sealed stream; fails closed on any damage, and at the end if cut short."""

    def __init__(self, source: IO[bytes], master: MasterKey) -> None:
        header = read_header(source)
        self.meta: dict[str, Any] = header.get("meta", {})
        if header.get("kek_id") != master.key_id:
            raise MasterKeyError(
                f"the backup was sealed under master key {header.get('kek_id')}, not the key given "
                f"({master.key_id}): restore with the master key in use when the backup was made"
            )
        hash_ = header.pop("_hash")
        try:
            wrapped = base64.b64decode(header["wrapped"], validate=True)
            key = master.unwrap(wrapped, _wrap_aad(header))
        except (KeyError, ValueError, TypeError, KeyringError):
            raise BackupError("the backup's key does not open with this master key: the header was altered") from None
        self._source, self._aead, self._hash = source, AESGCM(key), hash_
        self._buffer = b""
        self._counter = 0
        self._final = False

    def _next(self) -> bytes:
        raw = self._source.read(4)
        if len(raw) != 4:
            raise BackupError("the backup is cut short: its last part is missing")
        (length,) = struct.unpack(">I", raw)
        sealed = self._source.read(length) if length <= _MAX_SEALED else b""
        if len(sealed) != length or length < 16:
            raise BackupError("the backup is cut short or damaged")
        for final in (False, True):
            try:
                data = self._aead.decrypt(
                    _nonce(self._counter), sealed, _chunk_aad(self._hash, self._counter, final)
                )
            except InvalidTag:
                continue
            self._counter += 1
            self._final = final
            return data
        raise BackupError(f"part {self._counter} of the backup fails authentication: it was altered or damaged")

    def read(self, size: int = -1) -> bytes:
        while not self._final and (size < 0 or len(self._buffer) < size):
            self._buffer += self._next()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def finish(self) -> None:
        """Read to the end and check that nothing follows the final part."""
        while not self._final:
            self._next()
        self._buffer = b""
        if self._source.read(1):
            raise BackupError("the backup has bytes after its last part: it was altered")
