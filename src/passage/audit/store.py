"""An append-only JSON-lines file of audit records, for the CLI and for tests of the real file format.

Each append takes an exclusive lock, reads the last complete line to continue the chain, writes one line
and fsyncs before returning, so an acknowledged entry survives a crash. Bytes after the last newline can
only be a write that was never acknowledged (a crash mid-line); the next append cuts them. A last line that
does not parse stops appending (fail closed): a damaged log is for a person to look at, not to extend.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from passage.audit.chain import Chain, Verification, verify
from passage.audit.checkpoint import Checkpoint, sign_checkpoint
from passage.audit.entry import AuditEntry, Record
from passage.audit.errors import AuditError

_BLOCK = 4096


def _last_complete_line(handle: BinaryIO) -> bytes | None:
    """The last newline-terminated line, after cutting any unterminated tail; None for an empty log."""
    end = handle.seek(0, os.SEEK_END)
    position, data = end, b""
    while position > 0 and data.count(b"\n") < 2:
        step = min(_BLOCK, position)
        position -= step
        handle.seek(position)
        data = handle.read(step) + data
    cut = data.rfind(b"\n")
    if position + cut + 1 != end:  # an unacknowledged, torn write at the end
        handle.truncate(position + cut + 1)
    if cut == -1:
        return None
    return data[data.rfind(b"\n", 0, cut) + 1 : cut]


class JsonLinesStore:
    """A log file of canonical JSON lines, one record each."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def append(self, entry: AuditEntry) -> Record:
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        with os.fdopen(descriptor, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # one writer at a time across processes
            last = _last_complete_line(handle)
            try:
                chain = Chain() if last is None else Chain.after(Record.from_line(last.decode("utf-8")))
            except (AuditError, UnicodeDecodeError) as error:
                raise AuditError(f"{self.path}: the last record is damaged ({error}); not appending") from None
            record = chain.append(entry)
            handle.write(record.to_line().encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return record

    def lines(self) -> Iterator[str]:
        """Every stored line, as text (undecodable bytes become U+FFFD, which then fails verification)."""
        try:
            handle = self.path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            for raw in handle:
                yield raw.decode("utf-8", errors="replace").removesuffix("\n")

    def verify(self, checkpoint: Checkpoint | None = None, key: bytes | None = None) -> Verification:
        return verify(self.lines(), checkpoint, key)

    def checkpoint(self, key: bytes) -> Checkpoint:
        """Sign the current head, after verifying the whole log: a damaged log is never signed."""
        result = self.verify()
        if not result.ok:
            raise AuditError(f"{self.path}: record {result.broken_at}: {result.reason}; not signing a checkpoint")
        return sign_checkpoint(result.head, result.count, key)
