"""SECURITY-TESTS item 26 (and 13 for backups): the backup and restore drill, on SQLite and PostgreSQL.

Back up while another process writes; restore into a fresh instance; the restored database passes its checks
and its canonical export (every table, decrypted) hashes equal to the source's at the snapshot point; the
backup bytes hold no canary and nothing readable; a wrong key, a damaged or a cut backup restore nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from passage.crypto import MasterKey
from tests.ops.child import ATTACHMENT_CANARY, CANARY, CYRILLIC
from tests.ops.conftest import Instance


def is_fresh(instance: Instance) -> bool:
    if instance.engine == "sqlite":
        if not instance.sqlite_path.exists():
            return True
        connection = sqlite3.connect(instance.sqlite_path)
        try:
            return not connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        finally:
            connection.close()
    return not instance.sql("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")


def digest(instance: Instance) -> str:
    result = instance.passage("digest")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


class TestBackupDrill:
    def test_backup_during_writes_restores_equal(
        self, instance: Instance, make_instance: Callable[..., Instance], tmp_path: Path
    ) -> None:
        instance.child("seed")
        writer = instance.popen("writer")
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        acknowledged = [writer.stdout.readline().strip() for _ in range(5)]  # writing, for sure
        out = tmp_path / "workspace.backup"
        made = instance.passage("backup", str(out))
        after = [writer.stdout.readline().strip() for _ in range(3)]  # and still writing afterwards
        writer.terminate()
        writer.communicate(timeout=30)
        assert made.returncode == 0, made.stderr
        summary = json.loads(made.stdout)
        assert summary["engine"] == instance.engine
        assert summary["attachments"] == 1
        assert len(after) == 3

        raw = out.read_bytes()
        assert raw.startswith(b"PASSAGE-BACKUP\n")
        for needle in (CANARY.encode(), CYRILLIC.encode(), ATTACHMENT_CANARY, b"SQLite format 3", b"PGDMP",
                       b"cases_person", b"CREATE TABLE"):
            assert needle not in raw, needle

        target = make_instance(instance.master_key)
        restored = target.passage("restore", str(out))
        assert restored.returncode == 0, restored.stderr
        report = json.loads(restored.stdout)
        snapshot = report["audit_records"]
        assert 4 + len(acknowledged) <= snapshot  # seed entries and the units acknowledged before the backup
        if target.engine == "sqlite":
            connection = sqlite3.connect(target.sqlite_path)
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            connection.close()
        checked = target.child("check-units")
        assert checked["problems"] == []
        decrypted = target.child("decrypt")
        assert decrypted["wrong"] == []
        assert decrypted["files"] == 1  # the attachment file came back, and opens
        assert target.passage("audit", "verify").returncode == 0

        instance.child("truncate-to", str(snapshot))  # the source as it was at the snapshot
        assert digest(target) == digest(instance)

    def test_restore_fails_closed(
        self, instance: Instance, make_instance: Callable[..., Instance], tmp_path: Path
    ) -> None:
        """A wrong master key, a flipped byte, a cut file, a non-backup, or a target that is not fresh: exit 2
        with a clear line, and the target is left untouched."""
        instance.child("seed")
        out = tmp_path / "workspace.backup"
        assert instance.passage("backup", str(out)).returncode == 0
        again = instance.passage("backup", str(out))
        assert again.returncode == 2
        assert "never overwrites" in again.stderr
        raw = out.read_bytes()
        flipped = tmp_path / "flipped.backup"
        flipped.write_bytes(raw[:-5000] + bytes([raw[-5000] ^ 1]) + raw[-4999:])
        cut = tmp_path / "cut.backup"
        cut.write_bytes(raw[: len(raw) - 100])
        other = tmp_path / "other.bin"
        other.write_bytes(b"SQLite format 3\x00" + bytes(100))

        target = make_instance(instance.master_key)
        wrong = make_instance(MasterKey.new_base64())
        cases = [
            (wrong, out, "sealed under master key"),
            (target, flipped, "fails authentication"),
            (target, cut, "cut short"),
            (target, other, "not a Passage backup"),
        ]
        for place, source, message in cases:
            result = place.passage("restore", str(source))
            assert result.returncode == 2, (source, result.stderr)
            assert message in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
            assert is_fresh(place)
            assert not (place.data_dir / "attachments").exists()
        not_fresh = instance.passage("restore", str(out))
        assert not_fresh.returncode == 2
        assert "fresh instance" in not_fresh.stderr

    def test_restore_of_a_quiet_workspace_is_identical(
        self, instance: Instance, make_instance: Callable[..., Instance], tmp_path: Path
    ) -> None:
        """The documented drill on a quiet workspace: the restored digest equals the source's (timed for the
        docs)."""
        instance.child("seed")
        instance.child("write", "200")
        out = tmp_path / "drill.backup"
        start = time.monotonic()
        assert instance.passage("backup", str(out)).returncode == 0
        target = make_instance(instance.master_key)
        assert target.passage("restore", str(out)).returncode == 0
        elapsed = time.monotonic() - start
        assert digest(target) == digest(instance)
        print(f"drill: {out.stat().st_size} bytes, backup + restore {elapsed:.1f} s")
