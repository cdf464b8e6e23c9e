"""SECURITY-TESTS item 24: simulated power loss, with a crash VFS (APSW).

The database runs with the pragmas production uses (`passage.web.config.SQLITE_INIT_COMMAND`: WAL,
synchronous=FULL) on a file layer that remembers, per file, what was last synced to the disk and the writes
since. At a random moment the power goes: each file becomes its synced image plus a random subset of the later
writes, applied in a random order and some of them torn (only their first 512-byte sectors written) — what a
disk with a volatile cache may leave. That image is opened with Python's own sqlite3, as the next start would.

Pass: the database always opens, `integrity_check` is ok, and every transaction whose COMMIT returned before the
power went is there, whole. Control: with synchronous=NORMAL (a WAL commit is not synced) some acknowledged
transactions vanish in the same trials, which shows the test can fail.

SQLite's WAL index lives in shared memory, which a Python VFS cannot provide, so the connection also runs in
exclusive locking mode (the index in the process's heap; one process, as here). Durability does not depend on
the index: after a crash SQLite rebuilds it from the WAL file.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
from pathlib import Path
from typing import Any

import apsw
import pytest

from passage.web.config import SQLITE_INIT_COMMAND

TRIALS = int(os.environ.get("PASSAGE_POWER_LOSS_TRIALS") or 40)
SEED = int(os.environ.get("PASSAGE_POWER_LOSS_SEED") or random.SystemRandom().randrange(1 << 30))  # printed
SECTOR = 512
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, reference TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS people (id INTEGER PRIMARY KEY,"
    " case_id INTEGER NOT NULL REFERENCES cases(id), sealed BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id));"
)


class CrashVFS(apsw.VFS):
    """The default VFS, with every file's synced image and later writes kept, and the power cut at the n-th
    write or sync."""

    def __init__(self, name: str, cut_at: int) -> None:
        self.name = name
        self.files: dict[str, CrashFile] = {}
        self.calls = 0
        self.cut_at = cut_at
        self.armed = False  # counting starts once the schema is in place
        super().__init__(name, "")

    def xOpen(self, name: Any, flags: list[int]) -> CrashFile:
        crash_file = CrashFile(self, name, flags)
        if crash_file.path:
            self.files[crash_file.path] = crash_file
        return crash_file

    def xDelete(self, name: str, syncdir: bool) -> None:
        super().xDelete(name, syncdir)
        self.files.pop(name, None)  # a deleted journal is gone (it must not come back as a hot journal)

    def tick(self) -> None:
        """Count a write or sync; from the chosen one on, nothing reaches any file (SQLite sees an I/O error)."""
        if not self.armed:
            return
        self.calls += 1
        if self.calls >= self.cut_at:
            raise apsw.IOError("power loss")

    def image(self, rng: random.Random, into: Path) -> None:
        """Write what each file holds after the power loss into the folder `into` (the shared-memory index is
        volatile: it is not kept)."""
        for path, crash_file in self.files.items():
            if path.endswith("-shm"):
                continue
            (into / Path(path).name).write_bytes(crash_file.after_power_loss(rng))


class CrashFile(apsw.VFSFile):
    def __init__(self, vfs: CrashVFS, name: Any, flags: list[int]) -> None:
        super().__init__("", name, flags)
        self.vfs = vfs
        self.path = name.filename() if hasattr(name, "filename") else (name or "")
        self.synced = Path(self.path).read_bytes() if self.path and Path(self.path).exists() else b""
        self.pending: list[tuple[int, bytes] | int] = []  # (offset, data) writes; an int is a truncation

    def xWrite(self, data: bytes, offset: int) -> None:
        self.vfs.tick()
        super().xWrite(data, offset)
        self.pending.append((offset, bytes(data)))

    def xTruncate(self, size: int) -> None:
        self.vfs.tick()
        super().xTruncate(size)
        self.pending.append(size)

    def xSync(self, flags: int) -> None:
        self.vfs.tick()
        super().xSync(flags)
        self.synced = _apply(self.synced, self.pending)
        self.pending = []

    def after_power_loss(self, rng: random.Random) -> bytes:
        """The synced image plus some of the later writes, in any order, some torn to their first sectors."""
        survivors = [op for op in self.pending if rng.random() < 0.5]
        rng.shuffle(survivors)
        torn: list[tuple[int, bytes] | int] = []
        for op in survivors:
            if isinstance(op, tuple) and len(op[1]) > SECTOR and rng.random() < 0.3:
                offset, data = op
                torn.append((offset, data[: SECTOR * rng.randrange(1, len(data) // SECTOR + 1)]))
            else:
                torn.append(op)
        return _apply(self.synced, torn)


def _apply(image: bytes, ops: list[tuple[int, bytes] | int]) -> bytes:
    content = bytearray(image)
    for op in ops:
        if isinstance(op, int):
            del content[op:]
        else:
            offset, data = op
            if len(content) < offset:
                content.extend(b"\0" * (offset - len(content)))
            content[offset : offset + len(data)] = data
    return bytes(content)


def _workload(folder: Path, vfs: CrashVFS, init_command: str, rng: random.Random) -> list[int]:
    """Commit units (a case, its person, its audit row) until the power goes; the ids whose COMMIT returned."""
    acknowledged: list[int] = []
    connection = apsw.Connection(str(folder / "passage.sqlite3"), vfs=vfs.name)
    # APSW runs a script's statements as its rows are read: read them all, or a pragma after one returning a
    # row would never run.
    connection.execute("PRAGMA locking_mode=EXCLUSIVE;").fetchall()
    connection.execute(init_command).fetchall()
    connection.execute("PRAGMA wal_autocheckpoint=64;").fetchall()  # checkpoints happen within a trial, too
    connection.execute(SCHEMA).fetchall()
    wanted = 2 if "synchronous=FULL" in init_command else 1
    assert connection.execute("PRAGMA synchronous").fetchall() == [(wanted,)]
    assert connection.execute("PRAGMA journal_mode").fetchall() == [("wal",)]
    vfs.armed = True
    try:
        for case_id in range(1, 100_000):
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO cases VALUES (?, ?)", (case_id, f"K-{case_id}"))
            connection.execute("INSERT INTO people VALUES (?, ?, ?)", (case_id, case_id, rng.randbytes(600)))
            connection.execute("INSERT INTO audit VALUES (?, ?)", (case_id, case_id))
            connection.execute("COMMIT")
            acknowledged.append(case_id)
    except apsw.Error:
        if vfs.calls < vfs.cut_at:  # a failure of its own, not the power cut
            raise
    finally:
        with contextlib.suppress(apsw.Error):  # the power is gone: closing cannot write either
            connection.close(True)
    return acknowledged


def _after_restart(folder: Path) -> dict[str, Any]:
    """What the next start finds: does it open, is it intact, which units are there and are they whole."""
    connection = sqlite3.connect(folder / "passage.sqlite3")
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

        def ids(query: str, table: str) -> set[int]:  # a table whose creation was lost holds nothing
            return {row[0] for row in connection.execute(query)} if table in tables else set()

        cases = ids("SELECT id FROM cases", "cases")
        people = ids("SELECT case_id FROM people", "people")
        audit = ids("SELECT case_id FROM audit", "audit")
    finally:
        connection.close()
    return {"integrity": integrity, "foreign": foreign, "cases": cases, "whole": cases == people == audit}


def _trial(tmp_path: Path, index: int, init_command: str) -> tuple[dict[str, Any], list[int]]:
    rng = random.Random(SEED * 1000 + index)  # noqa: S311 - test schedule only
    live, crashed = tmp_path / f"live-{index}", tmp_path / f"crashed-{index}"
    live.mkdir()
    crashed.mkdir()
    vfs = CrashVFS(f"crash-{index}-{'full' if 'FULL' in init_command else 'normal'}", rng.randrange(20, 400))
    try:
        acknowledged = _workload(live, vfs, init_command, rng)
        vfs.image(rng, crashed)
    finally:
        vfs.unregister()
    return _after_restart(crashed), acknowledged


def test_with_synchronous_full_every_acknowledged_transaction_survives_power_loss(tmp_path: Path) -> None:
    print(f"power loss: {TRIALS} trials, PASSAGE_POWER_LOSS_SEED={SEED}")
    assert "synchronous=FULL" in SQLITE_INIT_COMMAND  # the setting under test is production's
    committed = 0
    for index in range(TRIALS):
        found, acknowledged = _trial(tmp_path, index, SQLITE_INIT_COMMAND)
        assert found["integrity"] == [("ok",)], (index, found["integrity"])
        assert found["foreign"] == [], index
        assert found["whole"], index  # no unit half there
        missing = set(acknowledged) - found["cases"]
        assert not missing, (index, sorted(missing)[:5])
        committed += len(acknowledged)
    assert committed > TRIALS  # the trials really committed between power cuts
    print(f"synchronous=FULL: {committed} acknowledged transactions over {TRIALS} power losses, none lost")


def test_control_with_synchronous_normal_acknowledged_transactions_can_vanish(tmp_path: Path) -> None:
    """WAL with synchronous=NORMAL does not sync a commit: the same power losses lose acknowledged work."""
    weaker = SQLITE_INIT_COMMAND.replace("synchronous=FULL", "synchronous=NORMAL")
    lost = 0
    for index in range(TRIALS):
        found, acknowledged = _trial(tmp_path, index, weaker)
        assert found["integrity"] == [("ok",)], (index, found["integrity"])  # still intact, just older
        lost += len(set(acknowledged) - found["cases"])
    print(f"synchronous=NORMAL (control): {lost} acknowledged transactions lost over {TRIALS} power losses")
    assert lost > 0


@pytest.fixture(autouse=True)
def _no_leftover_vfs() -> Any:
    yield
    assert not [name for name in apsw.vfs_names() if name.startswith("crash-")]
