"""SECURITY-TESTS item 13 through the Django layer: canaries in every encrypted column of every model and in an
attachment file; 0 of them in the raw bytes of the SQLite file, its -wal and -shm (or in any PostgreSQL row),
or in the upload store; a ciphertext moved to another row or column, or one flipped bit, fails authentication;
a wrong master key fails closed when the vault opens."""

from __future__ import annotations

from passage.crypto import MasterKey
from tests.ops.conftest import Instance


class TestAtRest:
    def test_no_canary_at_rest_and_aad_binds_row_and_column(self, instance: Instance) -> None:
        result = instance.child("at-rest")
        assert len(result["columns"]) >= 15  # every *_enc column of every model was seeded
        assert result["hits"]
        assert all(count == 0 for count in result["hits"].values()), result["hits"]
        assert result["control"] > 0  # the same scan sees a canary stored in clear
        if instance.engine == "sqlite":
            assert {"passage.sqlite3", "passage.sqlite3-wal", "passage.sqlite3-shm"} <= set(result["scanned"])
        assert result["moved"] == {
            "another row": "DecryptionFailed",
            "another column": "DecryptionFailed",
            "one flipped bit": "DecryptionFailed",
        }

    def test_wrong_master_key_fails_closed(self, instance: Instance) -> None:
        instance.child("seed")
        wrong = MasterKey.new_base64()
        opened = instance.child("wrong-key", env={"PASSAGE_MASTER_KEY": wrong})
        assert opened["opened"] is False
        assert opened["error"] == "MasterKeyError"
        assert MasterKey.from_base64(wrong).key_id in opened["message"]
        assert wrong not in opened["message"]
        result = instance.passage("audit", "checkpoint", env={"PASSAGE_MASTER_KEY": wrong})
        assert result.returncode == 2
        assert result.stderr.startswith("error: key ")
        assert "Traceback" not in result.stderr
        assert instance.child("wrong-key")["opened"] is True  # the right key still opens it
