"""Rotation: re-wrap every key under a new master key, and re-encrypt data under a new data key.

Master key rotation touches only the keyring (a few records), never the data. Each record names the master
key that wraps it, so an interrupted `rotate_kek` is simply run again: records already under the new key
are checked and skipped. Data key rotation is `Vault.new_data_key()` then `reencrypt` over every encrypted
value (a generator, so a job can stream rows and commit in batches), then `Vault.remove_key(old)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from passage.crypto.errors import MasterKeyError
from passage.crypto.keyring import Keyring
from passage.crypto.master import MasterKey
from passage.crypto.token import FieldContext, token_key_id
from passage.crypto.vault import Vault, unwrap


@dataclass(frozen=True)
class EncryptedField:
    """One stored token and where it lives."""

    context: FieldContext
    token: bytes


def rotate_kek(keyring: Keyring, old: MasterKey, new: MasterKey) -> int:
    """Re-wrap every key of `keyring` from `old` to `new`; returns how many records were re-wrapped."""
    if old.key_id == new.key_id:
        raise MasterKeyError("the new master key is the old one; generate a new key to rotate")
    rewrapped = 0
    for record in keyring.records():
        if record.kek_id == new.key_id:
            unwrap(record, new)  # done by an earlier, interrupted run: prove it opens, then leave it
            continue
        secret = unwrap(record, old)
        fresh = replace(record, kek_id=new.key_id)
        keyring.put(replace(fresh, wrapped=new.wrap(secret, fresh.wrap_context())))
        rewrapped += 1
    return rewrapped


def reencrypt(records: Iterable[EncryptedField], vault: Vault) -> Iterator[EncryptedField]:
    """Yield, for each record not already under the active data key, the same value re-encrypted under it.

    Records already under the active key are not yielded, so the job can be run again after an interruption.
    The caller writes each yielded token back to `context.row_id`; once a full pass yields nothing, the
    retired data keys can be removed.
    """
    active = vault.active_data_key_id()
    for record in records:
        if token_key_id(record.token) != active:
            plaintext = vault.decrypt_field(record.token, record.context)
            # under the key read once above, so one run moves every record to the same key
            yield EncryptedField(record.context, vault._encrypt(plaintext, record.context, active))
