"""SECURITY-TESTS item 14 at the database level: master-key rotation, data-key rotation with re-encryption of
every encrypted column and attachment file, retiring the old key; and a wrong or missing key fails closed."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from passage.crypto import MasterKey
from tests.ops.conftest import Instance


def data_keys(instance: Instance) -> dict[str, tuple[str, int]]:
    """key id -> (active/retired, values using it), from `passage keys list`."""
    result = instance.passage("keys", "list")
    assert result.returncode == 0, result.stderr
    keys = {}
    for line in result.stdout.splitlines():
        match = re.match(r"([0-9a-f]{32})\s+data\s+(active|retired)\s+master=\S+\s+values=(\d+)", line)
        if match:
            keys[match[1]] = (match[2], int(match[3]))
    return keys


def key_file(folder: Path, key: str, mode: int = 0o600) -> Path:
    path = folder / f"key-{MasterKey.from_base64(key).key_id}"
    path.write_text(key + "\n")
    path.chmod(mode)
    return path


def assert_fails_closed(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    stderr = result.stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.startswith("error: "), stderr
    for needle in needles:
        assert needle in stderr, stderr


class TestRotation:
    def test_rotate_master_then_data_key_then_retire(self, instance: Instance, tmp_path: Path) -> None:
        """After rotating the master key and re-encrypting under a new data key, every record (columns and the
        attachment file) decrypts, the old key is removed, and the old master key opens nothing: not the
        current keyring, and with an old copy of the keyring no current value, even with its key id forced."""
        seeded = instance.child("seed")
        before = instance.child("decrypt")
        assert before["wrong"] == []
        assert before["values"] >= len(seeded["columns"])
        assert before["files"] == 1
        (old_id,) = data_keys(instance)
        old_keyring = tmp_path / "old-keyring.json"
        old_keyring.write_text(json.dumps(instance.child("dump-keyring")))
        old_key, new_key = instance.master_key, MasterKey.new_base64()

        rotated = instance.passage("keys", "rotate", "--new-master-key-file", str(key_file(tmp_path, new_key)))
        assert rotated.returncode == 0, rotated.stderr
        assert "re-wrapped 2 keys" in rotated.stdout
        assert_fails_closed(instance.passage("keys", "list"), "wrapped by master key")  # old key: refused
        instance.master_key = new_key
        assert data_keys(instance) == {old_id: ("active", before["values"] + before["files"])}

        rotated = instance.passage("keys", "rotate-data-key", "--batch", "3")
        assert rotated.returncode == 0, rotated.stderr
        keys = data_keys(instance)
        (new_id,) = set(keys) - {old_id}
        assert keys == {old_id: ("retired", 0), new_id: ("active", before["values"] + before["files"])}
        retired = instance.passage("keys", "retire", old_id)
        assert retired.returncode == 0, retired.stderr
        assert data_keys(instance) == {new_id: ("active", before["values"] + before["files"])}

        after = instance.child("decrypt")
        assert after == before  # every value and the file decrypt to what was written

        attack = instance.child("old-key-attack", str(old_keyring), old_key)
        assert attack["current_keyring_opens"] is False
        assert attack["decrypted"] == 0
        assert attack["refused"] == 2 * attack["values"]
        assert attack["values"] == after["values"] + after["files"]
        assert set(attack["errors"]) == {"MasterKeyError", "UnknownKey", "DecryptionFailed"}

    def test_interrupted_rotation_resumes_and_retire_waits(self, instance: Instance) -> None:
        """A new data key without re-encryption (an interrupted run): retiring the old key is refused while
        values still use it; `passage keys reencrypt` finishes the job (and is a no-op when run again)."""
        instance.child("seed")
        (old_id,) = data_keys(instance)
        new_id = instance.child("new-data-key")["key"]
        instance.child("write", "3")  # written meanwhile: already under the new key
        keys = data_keys(instance)
        assert keys[old_id][0] == "retired"
        assert keys[old_id][1] > 0
        assert keys[new_id] == ("active", 9)
        assert_fails_closed(instance.passage("keys", "retire", old_id), f"key {old_id} still encrypts")
        assert_fails_closed(instance.passage("keys", "retire", new_id), "active")
        resumed = instance.passage("keys", "reencrypt", "--batch", "1")
        assert resumed.returncode == 0, resumed.stderr
        assert f"{keys[old_id][1]} values re-encrypted" in resumed.stdout
        again = instance.passage("keys", "reencrypt")
        assert again.returncode == 0
        assert "0 values re-encrypted" in again.stdout
        assert instance.passage("keys", "retire", old_id).returncode == 0
        assert instance.child("decrypt")["wrong"] == []

    def test_wrong_or_missing_master_key_fails_closed(self, instance: Instance, tmp_path: Path) -> None:
        """No key, a wrong key, a malformed key or a readable key file: exit 2, one clear line, no traceback;
        a rotation without a usable new key changes nothing."""
        instance.child("migrate")
        assert instance.passage("keys", "list").returncode == 0  # creates the first keys
        assert_fails_closed(instance.passage("keys", "list", env={"PASSAGE_MASTER_KEY": ""}), "no master key")
        assert_fails_closed(
            instance.passage("audit", "checkpoint", env={"PASSAGE_MASTER_KEY": MasterKey.new_base64()}),
            "wrapped by master key",
        )
        assert_fails_closed(instance.passage("backup", str(tmp_path / "b"), env={"PASSAGE_MASTER_KEY": "bm90IGEga2V5"}),
                            "decodes to 9")
        assert_fails_closed(instance.passage("keys", "rotate"), "no new master key")
        loose = key_file(tmp_path, MasterKey.new_base64(), mode=0o644)
        assert_fails_closed(instance.passage("keys", "rotate", "--new-master-key-file", str(loose)), "chmod 600")
        assert_fails_closed(
            instance.passage("keys", "rotate", env={"PASSAGE_NEW_MASTER_KEY": instance.master_key}), "the old one"
        )
        assert_fails_closed(
            instance.passage("keys", "rotate", env={"PASSAGE_MASTER_KEY": MasterKey.new_base64(),
                                                    "PASSAGE_NEW_MASTER_KEY": MasterKey.new_base64()}),
            "wrapped by master key",
        )
        assert instance.passage("keys", "list").returncode == 0  # the original key still opens everything
