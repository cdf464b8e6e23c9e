"""Key rotation (SECURITY-TESTS item 14): after rotating the master key and re-encrypting under a new data
key, every record decrypts, the old keys can be removed, and nothing then decrypts with an old key alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from passage.crypto import (
    EncryptedField,
    FieldContext,
    JsonFileKeyring,
    MasterKey,
    MasterKeyError,
    MemoryKeyring,
    UnknownKey,
    Vault,
    reencrypt,
    rotate_kek,
    token_key_id,
)
from passage.crypto.errors import DecryptionFailed
from tests.crypto.conftest import CANARY


def people(vault: Vault, n: int = 50) -> list[EncryptedField]:
    rows = []
    for i in range(n):
        for column in ("surname", "passport_number"):
            ctx = FieldContext("cases_person", column, f"row-{i}")
            rows.append(EncryptedField(ctx, vault.encrypt_field(f"{CANARY}-{column}-{i}", ctx)))
    return rows


class TestRotation:
    def test_full_rotation(self, tmp_path: Path) -> None:
        """Rotate the KEK, re-encrypt under a new DEK, remove the old DEK: all decrypts; old keys open nothing."""
        path = tmp_path / "keyring.json"
        old_master, new_master = MasterKey.generate(), MasterKey.generate()
        vault = Vault(JsonFileKeyring(path), old_master)
        vault.ensure_keys()
        rows = people(vault)
        old_dek = vault.active_data_key_id()
        old_keyring_file = path.read_bytes()  # what a stolen backup from before the rotation would hold
        index_before = vault.blind_index("Petrov", "person.surname")

        assert rotate_kek(JsonFileKeyring(path), old_master, new_master) == 2
        vault = Vault(JsonFileKeyring(path), new_master)
        new_dek = vault.new_data_key()
        updated = {(r.context.column, r.context.row_id): r for r in reencrypt(iter(rows), vault)}
        assert len(updated) == len(rows)
        rows = [updated[(r.context.column, r.context.row_id)] for r in rows]
        vault.remove_key(old_dek)

        # every record decrypts, under the new data key, with the new master key
        fresh = Vault(JsonFileKeyring(path), new_master)
        for i, row in enumerate(rows):
            assert token_key_id(row.token) == new_dek
            assert fresh.decrypt_text(row.token, row.context) == f"{CANARY}-{row.context.column}-{i // 2}"
        assert fresh.blind_index("Petrov", "person.surname") == index_before  # search survives rotation

        # the old master key alone opens nothing: not the current keyring ...
        with pytest.raises(MasterKeyError):
            Vault(JsonFileKeyring(path), old_master)
        # ... and with the old keyring backup it finds only the old data key, which no current token uses
        stale_path = tmp_path / "stale.json"
        stale_path.write_bytes(old_keyring_file)
        stale = Vault(JsonFileKeyring(stale_path), old_master)
        for row in rows:
            with pytest.raises(UnknownKey):
                stale.decrypt_field(row.token, row.context)
        # ... even when the old data key is forced onto a current token
        row = rows[0]
        relabelled = row.token[:1] + bytes.fromhex(old_dek) + row.token[17:]
        with pytest.raises(DecryptionFailed):
            stale.decrypt_field(relabelled, row.context)

    def test_reencrypt_is_a_lazy_resumable_stream(self, vault: Vault) -> None:
        """reencrypt consumes records one at a time and yields only those not yet under the active key."""
        rows = people(vault, 3)
        vault.new_data_key()
        stream = reencrypt(iter(rows), vault)
        first = next(stream)
        assert token_key_id(first.token) == vault.active_data_key_id()
        rest = list(reencrypt([first, *rows[1:]], vault))  # a resumed run skips what is done
        assert len(rest) == len(rows) - 1
        assert list(reencrypt([first, *rest], vault)) == []

    def test_an_interrupted_kek_rotation_is_finished_by_running_it_again(
        self, keyring: MemoryKeyring, master: MasterKey, vault: Vault
    ) -> None:
        """Records already re-wrapped are checked and skipped; the rest are re-wrapped."""
        new_master = MasterKey.generate()
        first = keyring.records()[0]
        single = MemoryKeyring()
        single.put(first)
        rotate_kek(single, master, new_master)  # as if the run stopped after one record
        keyring.put(single.records()[0])
        with pytest.raises(MasterKeyError):  # a half-rotated keyring does not open with either key
            Vault(keyring, new_master)
        assert rotate_kek(keyring, master, new_master) == 1
        Vault(keyring, new_master)

    def test_rotating_with_the_wrong_old_key_changes_nothing_it_cannot_open(
        self, keyring: MemoryKeyring, vault: Vault
    ) -> None:
        """A wrong old master key fails closed before any record is re-wrapped."""
        before = keyring.records()
        with pytest.raises(MasterKeyError, match="wrapped by master key"):
            rotate_kek(keyring, MasterKey.generate(), MasterKey.generate())
        assert keyring.records() == before

    def test_rotating_to_the_same_key_is_refused(self, master: MasterKey, keyring: MemoryKeyring) -> None:
        """Rotating a master key to itself is a mistake, reported as one."""
        with pytest.raises(MasterKeyError, match=r"^the new master key is the old one; generate a new key to rotate$"):
            rotate_kek(keyring, master, master)
