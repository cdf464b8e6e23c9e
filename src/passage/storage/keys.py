"""The process's Vault: the master key from the environment, the keyring in the database.

`vault()` opens it once (every wrapped key is unwrapped then: a wrong master key fails closed at the first
use, naming both key ids) and creates the first data and index keys of an empty keyring. `reset_vault()`
drops the cached one, after a rotation or in tests.
"""

from __future__ import annotations

from functools import lru_cache

from django.db import transaction

from passage.crypto import Keyring, MasterKey, Vault, WrappedKey
from passage.storage.models import DataKey


class DatabaseKeyring(Keyring):
    """passage.crypto's Keyring on the `storage_data_key` table."""

    def records(self) -> list[WrappedKey]:
        return [
            WrappedKey(row.key_id, row.kind, row.active, row.kek_id, bytes(row.wrapped), row.created)
            for row in DataKey.objects.order_by("created", "key_id")
        ]

    def put(self, *records: WrappedKey) -> None:
        with transaction.atomic():
            for record in records:
                DataKey.objects.update_or_create(
                    key_id=record.key_id,
                    defaults={
                        "kind": record.kind,
                        "active": record.active,
                        "kek_id": record.kek_id,
                        "wrapped": record.wrapped,
                        "created": record.created,
                    },
                )

    def remove(self, key_id: str) -> None:
        DataKey.objects.filter(key_id=key_id).delete()


@lru_cache(maxsize=1)
def vault() -> Vault:
    opened = Vault(DatabaseKeyring(), MasterKey.from_environment())
    opened.ensure_keys()
    return opened


def reset_vault() -> None:
    vault.cache_clear()


def derived_secret(purpose: str) -> bytes:
    """A 32-byte secret for `purpose` (e.g. signing audit checkpoints), derived from the index key, which
    master-key and data-key rotations leave unchanged. Never used to encrypt data."""
    return bytes.fromhex(vault().blind_index(purpose, "derived-secret"))
