"""SECURITY-TESTS item 21 at the database level, through `passage audit verify|checkpoint|head`: a modified
byte, a deleted entry, a reordering and a truncation after a signed checkpoint are each reported at the
right index, with exit status 1; a damaged log is never signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ops.conftest import Instance


@pytest.fixture
def logged(instance: Instance) -> Instance:
    """An instance whose audit log holds 4 seed entries then 8 writer units: 12 records."""
    assert len(instance.child("seed", "8")["written"]) == 8
    return instance


def verify(instance: Instance, *args: str) -> tuple[int, str]:
    result = instance.passage("audit", "verify", *args)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.strip()


def line(instance: Instance, seq: int) -> str:
    return str(instance.sql("SELECT line FROM storage_audit_record WHERE seq = ?", (seq,))[0][0])


class TestAuditCommands:
    def test_intact_log_verifies_and_head_matches(self, logged: Instance) -> None:
        assert verify(logged)[0] == 0
        assert verify(logged)[1].startswith("ok: 12 records verify")
        head = json.loads(logged.passage("audit", "head").stdout)
        assert head["count"] == 12
        assert head["head"] in verify(logged)[1]

    def test_each_tampering_is_reported_at_its_index(self, logged: Instance) -> None:
        """Edit one byte of record 5; delete record 5; swap records 3 and 4: exit 1 at the right index. Each
        is undone before the next, and the log verifies again."""
        original5 = line(logged, 5)
        edited = original5.replace('"case.create"', '"case.creatf"')
        assert edited != original5
        logged.sql("UPDATE storage_audit_record SET line = ? WHERE seq = 5", (edited,))
        assert verify(logged) == (1, "broken at record 5: its hash does not match its content: the record was altered")
        logged.sql("UPDATE storage_audit_record SET line = ? WHERE seq = 5", (original5,))
        assert verify(logged)[0] == 0

        logged.sql("DELETE FROM storage_audit_record WHERE seq = 5")
        code, out = verify(logged)
        assert code == 1
        assert out.startswith("broken at record 5: sequence number 6 where 5 belongs")
        logged.sql("INSERT INTO storage_audit_record (seq, line) VALUES (5, ?)", (original5,))
        assert verify(logged)[0] == 0

        three, four = line(logged, 3), line(logged, 4)
        logged.sql("UPDATE storage_audit_record SET line = ? WHERE seq = 3", (four,))
        logged.sql("UPDATE storage_audit_record SET line = ? WHERE seq = 4", (three,))
        code, out = verify(logged)
        assert code == 1
        assert out.startswith("broken at record 3: sequence number 4 where 3 belongs")

    def test_truncation_is_caught_against_a_signed_checkpoint(self, logged: Instance, tmp_path: Path) -> None:
        checkpoint = tmp_path / "checkpoint.json"
        signed = logged.passage("audit", "checkpoint", "--out", str(checkpoint))
        assert signed.returncode == 0, signed.stderr
        document = json.loads(signed.stdout)
        assert document["count"] == 12
        assert set(document) == {"v", "head", "count", "at", "mac"}
        logged.child("write", "2")  # the log grows after the checkpoint: still consistent with it
        assert verify(logged, "--checkpoint", str(checkpoint))[0] == 0

        logged.sql("DELETE FROM storage_audit_record WHERE seq >= 9")  # the tail cut, head row rewritten too
        last = json.loads(line(logged, 8))
        logged.sql("UPDATE storage_audit_head SET seq = 9, hash = ? WHERE id = 1", (last["hash"],))
        assert verify(logged)[0] == 0  # the chain alone cannot see it
        assert verify(logged, "--checkpoint", str(checkpoint)) == (
            1, "broken at record 9: truncated: the signed checkpoint counts 12 records, the log has 9"
        )

        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps({**document, "count": 9}))
        assert verify(logged, "--checkpoint", str(forged)) == (
            1, "broken at checkpoint: the checkpoint's signature does not verify"
        )
        garbage = tmp_path / "garbage.json"
        garbage.write_text("{not json")
        result = logged.passage("audit", "verify", "--checkpoint", str(garbage))
        assert result.returncode == 2
        assert result.stderr.startswith("error: ")
        assert "a checkpoint is JSON" in result.stderr

    def test_a_damaged_log_is_never_signed(self, logged: Instance) -> None:
        logged.sql("DELETE FROM storage_audit_record WHERE seq = 0")
        result = logged.passage("audit", "checkpoint")
        assert result.returncode == 1
        assert result.stdout == ""
        assert "not signed: the log is broken at record 0" in result.stderr
