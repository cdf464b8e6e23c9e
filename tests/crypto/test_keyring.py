"""Keyrings: the in-memory and JSON-file stores of wrapped keys."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from passage.crypto import FieldContext, JsonFileKeyring, KeyringError, MasterKey, MemoryKeyring, Vault, WrappedKey


def opened(path: Path, master: MasterKey) -> Vault:
    vault = Vault(JsonFileKeyring(path), master)
    vault.ensure_keys()
    return vault


class TestJsonFileKeyring:
    def test_a_second_vault_reads_what_the_first_wrote(self, tmp_path: Path, master: MasterKey) -> None:
        """Keys written to the file are read back by a new vault, which decrypts the first one's tokens."""
        path = tmp_path / "keyring.json"
        ctx = FieldContext("t", "c", "1")
        token = opened(path, master).encrypt_field("Наталля", ctx)
        assert Vault(JsonFileKeyring(path), master).decrypt_text(token, ctx) == "Наталля"

    def test_the_file_is_owner_only_and_holds_no_key(self, tmp_path: Path, master: MasterKey) -> None:
        """The file has mode 600 and holds only wrapped keys (no key bytes in the clear)."""
        path = tmp_path / "keyring.json"
        vault = opened(path, master)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        document = json.loads(path.read_text())
        assert document["format"] == "passage-keyring"
        secret = vault._keys[vault.active_data_key_id()]
        assert secret.hex() not in path.read_text()
        assert secret not in path.read_bytes()

    def test_a_missing_file_is_an_empty_keyring(self, tmp_path: Path) -> None:
        """Before the first key is made, there is no file and no key."""
        assert JsonFileKeyring(tmp_path / "none.json").records() == []

    def test_remove_deletes_one_record(self, tmp_path: Path, master: MasterKey) -> None:
        """remove takes one key out of the file; removing it again is an error."""
        path = tmp_path / "keyring.json"
        vault = opened(path, master)
        old = vault.active_data_key_id()
        vault.new_data_key()
        vault.remove_key(old)
        ring = JsonFileKeyring(path)
        assert ring.get(old) is None
        assert len(ring.records()) == 2
        with pytest.raises(KeyringError, match="no key"):
            ring.remove(old)

    @pytest.mark.parametrize(
        "content",
        [
            "not json",
            "[]",
            '{"format": "other", "version": 1, "keys": []}',
            '{"format": "passage-keyring", "version": 2, "keys": []}',
            '{"format": "passage-keyring", "version": 1, "keys": {}}',
            '{"format": "passage-keyring", "version": 1, "keys": [1]}',
        ],
    )
    def test_a_malformed_file_is_refused(self, tmp_path: Path, content: str) -> None:
        """A file that is not a version-1 keyring is an error naming the file, never an empty keyring."""
        path = tmp_path / "keyring.json"
        path.write_text(content)
        with pytest.raises(KeyringError, match=r"keyring\.json"):
            JsonFileKeyring(path).records()

    def test_an_unreadable_file_is_refused(self, tmp_path: Path) -> None:
        """A path that cannot be read as text (here a directory) is an error."""
        with pytest.raises(KeyringError, match="cannot read"):
            JsonFileKeyring(tmp_path).records()

    def test_a_failed_write_leaves_the_old_file_and_no_temporary(
        self, tmp_path: Path, master: MasterKey, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the rename fails, the keyring file is unchanged and the temporary file is gone."""
        path = tmp_path / "keyring.json"
        opened(path, master)
        before = path.read_bytes()

        def fail(*_: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", fail)
        with pytest.raises(OSError, match="disk full"):
            Vault(JsonFileKeyring(path), master).new_data_key()
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.json"]

    def test_the_new_file_is_written_beside_the_old_one(
        self, tmp_path: Path, master: MasterKey, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The replacement is written in the keyring's own directory, never in the system temporary directory:
        a rename is atomic only within one filesystem, and /tmp is often another one (tmpfs). Here the system
        temporary directory does not exist, and saving still works."""
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "no-such-tmp"))
        path = tmp_path / "keyring.json"
        vault = opened(path, master)
        vault.new_data_key()
        assert len(JsonFileKeyring(path).records()) == 3
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    def test_a_save_replaces_the_file_rather_than_rewriting_it(self, tmp_path: Path, master: MasterKey) -> None:
        """Each save renames a complete new file over the old one (a new inode), so a reader sees the whole old
        keyring or the whole new one, never a half-written file."""
        path = tmp_path / "keyring.json"
        vault = opened(path, master)
        before = path.stat().st_ino
        vault.new_data_key()
        assert path.stat().st_ino != before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.json"]


class TestWrappedKeyRecords:
    def record(self) -> dict[str, object]:
        ring = MemoryKeyring()
        Vault(ring, MasterKey.generate()).ensure_keys()
        return ring.records()[0].to_json()

    def test_creation_times_are_utc(self) -> None:
        """A key's creation time is recorded as an aware UTC time, so records written on hosts in different
        time zones (or across a daylight-saving change) order and compare correctly."""
        created = datetime.fromisoformat(str(self.record()["created"]))
        assert created.utcoffset() == timedelta(0)
        assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)

    def test_round_trips_through_json(self) -> None:
        """to_json then from_json gives the same record."""
        raw = self.record()
        assert WrappedKey.from_json(raw).to_json() == raw

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            ({"extra": 1}, "exactly the keys"),
            ({"active": "yes"}, "^a key record's key_id and kek_id are strings and active is a boolean$"),
            ({"key_id": 7}, "^a key record's key_id and kek_id are strings and active is a boolean$"),
            ({"kind": "other"}, r"kind must be one of \('data', 'index'\)"),
            ({"wrapped": "***"}, "wrapped must be base64 and created an ISO date-time"),
            ({"created": "yesterday"}, "wrapped must be base64 and created an ISO date-time"),
            ({"created": 5}, "wrapped must be base64 and created an ISO date-time"),
        ],
    )
    def test_malformed_records_are_refused(self, change: dict[str, object], problem: str) -> None:
        """A record with an extra key, a wrong type, an unknown kind or bad encodings is refused, and the
        message (which reaches the operator, prefixed with the file's path) says what is wrong with it."""
        with pytest.raises(KeyringError, match=problem):
            WrappedKey.from_json({**self.record(), **change})

    def test_a_malformed_record_in_a_file_is_named(self, tmp_path: Path) -> None:
        """The operator learns which file and what is wrong in it."""
        path = tmp_path / "keyring.json"
        path.write_text('{"format": "passage-keyring", "version": 1, "keys": [{"key_id": 1}]}')
        with pytest.raises(KeyringError, match=r"keyring\.json: a key record is an object with exactly the keys"):
            JsonFileKeyring(path).records()


class TestMemoryKeyring:
    def test_remove_of_an_absent_key_is_an_error(self) -> None:
        """Removing a key the keyring does not hold is reported, not ignored."""
        with pytest.raises(KeyringError, match="no key"):
            MemoryKeyring().remove("0" * 32)
