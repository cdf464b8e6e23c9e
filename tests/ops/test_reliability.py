"""SECURITY-TESTS items 22 (pragmas), 23 (kill -9 loop) and 25 (a full disk).

The kill loop runs in one supervisor child: it forks a writer (fresh database connections), SIGKILLs it at a
random moment, checks, and repeats; every tenth cycle starts a fresh interpreter instead (a cold, unattended
restart through the whole start-up path). A writer unit is one transaction: a case, its principal with
encrypted canaries, and the audit entry; its id is printed only after the commit returned (acknowledged).
After every cycle: every acknowledged unit present and decrypting byte-equal, every unit in the database whole
(all or nothing), SQLite integrity_check ok and no foreign-key violation, the audit chain verifies.
"""

from __future__ import annotations

import os
import random
import time

import pytest

from tests.ops.conftest import Instance

SQLITE_CYCLES = int(os.environ.get("PASSAGE_KILL_CYCLES", "50"))  # nightly: PASSAGE_KILL_CYCLES=1000
POSTGRES_CYCLES = max(10, SQLITE_CYCLES // 3)
SEED = int(os.environ.get("PASSAGE_KILL_SEED") or random.SystemRandom().randrange(1 << 30))  # printed, to replay


class TestPragmas:
    def test_a_worker_connection_reads_back_durable_settings(self, instance: Instance) -> None:
        values = instance.child("pragmas")
        assert values["status"] == 200
        if instance.engine == "sqlite":
            assert values["journal_mode"] == "wal"
            assert values["synchronous"] == 2  # FULL
            assert values["foreign_keys"] == 1
            assert values["busy_timeout"] >= 5000  # settings.py: timeout 10 s
        else:
            assert (values["fsync"], values["synchronous_commit"], values["full_page_writes"]) == ("on", "on", "on")


class TestKillLoop:
    def test_kill_9_loop(self, instance: Instance) -> None:
        cycles = SQLITE_CYCLES if instance.engine == "sqlite" else POSTGRES_CYCLES
        start = time.monotonic()
        result = instance.child("kill-loop", str(cycles), "10", str(SEED), timeout=600)
        elapsed = time.monotonic() - start
        assert result.get("problems") == [], result
        assert result["cycles"] == cycles
        assert result["acknowledged"] >= cycles // 2  # the writers really wrote between kills
        assert result["units"] >= result["acknowledged"]  # plus units committed but not yet acknowledged
        assert result["units"] - result["acknowledged"] <= cycles  # at most one indeterminate unit per kill
        print(f"kill -9 loop ({instance.engine}, PASSAGE_KILL_SEED={SEED}): {cycles} cycles, "
              f"{result['acknowledged']} acknowledged, {result['units']} units, {result['audit']} audit records, "
              f"{elapsed:.1f} s")


class TestDiskFull:
    """SECURITY-TESTS item 25 on SQLite (PostgreSQL's own server handles its disk; it cannot be filled from
    here): the process may not grow its files, as on a full disk (RLIMIT_FSIZE), then it may again."""

    @pytest.mark.parametrize("engine", ["sqlite"])
    def test_a_full_disk_refuses_cleanly_writes_nothing_partial_and_recovers(self, instance: Instance) -> None:
        result = instance.child("disk-full")
        assert result["written_while_full"] == 0  # the limit really held every write back...
        assert sum(result["refused"].values()) == 100  # ...and each one was refused, none silently dropped
        assert all(kind.startswith("OperationalError") for kind in result["refused"]), result["refused"]
        # A person answering the interview gets the generic error page: no detail, no traceback, no success.
        assert (result["web_before"], result["web_full"], result["web_after"]) == (302, 500, 302)
        page = result["web_full_page"]
        assert "<title>500 — Passage</title>" in page
        for leak in ("Traceback", "OperationalError", "disk I/O", "sqlite", "File too large"):
            assert leak not in page
        # An upload whose file cannot be written leaves no file and no row; once space is back, both work.
        assert result["upload_full"].startswith("OSError"), result["upload_full"]
        assert result["files_full"] == []
        assert (result["files_after"], result["attachments_after"]) == (1, 1)
        # Nothing partial, every acknowledged unit whole, integrity and the audit chain intact, writes resumed.
        assert result["problems"] == []
        assert result["written_after"] == 3
        assert result["units"] == 6
