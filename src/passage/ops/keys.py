"""Key operations on the database keyring: master-key rotation, data-key rotation with re-encryption of every
encrypted column and attachment file, and retiring an old data key once nothing uses it.

Every step can be interrupted and run again. Master-key rotation runs in one transaction (a handful of
keyring rows). Re-encryption goes column by column in batches, one transaction per batch; each row is
written back only if it still holds the token that was read (a concurrent edit is never overwritten, and
is already under the new key anyway). Attachment files are replaced atomically (write, fsync, rename).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from passage.crypto import (
    ENV_KEY,
    EncryptedField,
    FieldContext,
    KeyringError,
    MalformedToken,
    MasterKey,
    MasterKeyError,
    UnknownKey,
    Vault,
    reencrypt,
    rotate_kek,
    token_key_id,
)
from passage.ops.fields import ATTACHMENT_COLUMN, ATTACHMENT_TABLE, attachment_files, encrypted_columns

ENV_NEW_KEY = "PASSAGE_NEW_MASTER_KEY"
DEFAULT_BATCH = 500
_HEADER = 45  # the shortest token: enough of a file to name its key


def new_master_key(path: str | None) -> MasterKey:
    """The key to rotate to: from `--new-master-key-file` (mode 600/400) or PASSAGE_NEW_MASTER_KEY."""
    inline = os.environ.get(ENV_NEW_KEY, "").strip()
    if path and inline:
        raise MasterKeyError(f"give --new-master-key-file or {ENV_NEW_KEY}, not both")
    if path:
        try:
            return MasterKey.from_file(path)
        except MasterKeyError as error:
            raise MasterKeyError(f"--new-master-key-file: {error}") from None
    if inline:
        return MasterKey.from_base64(inline, source=ENV_NEW_KEY)
    raise MasterKeyError(
        f"no new master key: give --new-master-key-file FILE (mode 600) or set {ENV_NEW_KEY}; "
        f"the current key stays in {ENV_KEY} (or its _FILE) until the rotation is done"
    )


def rotate_master(new: MasterKey) -> int:
    """Re-wrap every keyring record from the current master key (environment) to `new`, in one transaction."""
    from django.db import transaction

    from passage.storage.keys import DatabaseKeyring, reset_vault

    old = MasterKey.from_environment()
    keyring = DatabaseKeyring()
    with transaction.atomic():
        count = rotate_kek(keyring, old, new)
        Vault(keyring, new)  # proves every record opens with the new key before committing
    reset_vault()
    return count


@dataclass
class Progress:
    rewritten: Counter[str] = field(default_factory=Counter)  # column label -> values re-encrypted
    skipped: int = 0  # rows changed by someone else meanwhile (their new value is under the new key)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def reencrypt_all(batch: int = DEFAULT_BATCH, report: Callable[[str], None] | None = None) -> Progress:
    """Move every encrypted value and attachment file to the active data key; safe to run again."""
    from django.apps import apps
    from django.db import transaction

    from passage.storage.keys import vault

    opened = vault()
    progress = Progress()
    for column in encrypted_columns():
        manager = column.model._base_manager
        last = None
        while True:
            with transaction.atomic():
                rows = manager.exclude(**{f"{column.column}__isnull": True}).order_by("pk")
                if last is not None:
                    rows = rows.filter(pk__gt=last)
                chunk = list(rows.select_for_update().values_list("pk", column.column)[:batch])
                if not chunk:
                    break
                last = chunk[-1][0]
                records = [
                    EncryptedField(FieldContext(column.table, column.column, str(pk)), bytes(token))
                    for pk, token in chunk
                ]
                originals = {record.context.row_id: record.token for record in records}
                by_id = {str(pk): pk for pk, _ in chunk}
                for fresh in reencrypt(records, opened):
                    row_id = fresh.context.row_id
                    changed = manager.filter(
                        pk=by_id[row_id], **{column.column: originals[row_id]}
                    ).update(**{column.column: fresh.token})
                    if changed:
                        progress.rewritten[column.label] += 1
                    else:
                        progress.skipped += 1
        if report and progress.rewritten[column.label]:
            report(f"{column.label}: {progress.rewritten[column.label]} re-encrypted")
    label = f"{ATTACHMENT_TABLE}.{ATTACHMENT_COLUMN}"
    attachments = apps.get_model("cases", "Attachment")._base_manager
    for row_id, path in attachment_files():
        with transaction.atomic():
            # the row locked (PostgreSQL) or writers serialised (SQLite): an erasure cannot run in between, so
            # a file erased meanwhile is never written back
            if not attachments.select_for_update().filter(pk=row_id).exists() or not path.is_file():
                continue
            record = EncryptedField(FieldContext(ATTACHMENT_TABLE, ATTACHMENT_COLUMN, row_id), path.read_bytes())
            for fresh in reencrypt([record], opened):
                replace_file(path, fresh.token)
                progress.rewritten[label] += 1
    if report and progress.rewritten[label]:
        report(f"{label} (files): {progress.rewritten[label]} re-encrypted")
    return progress


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: a crash leaves the old file or the new one, never half of either."""
    temporary = path.with_name(f".{path.name}.rotating")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def key_usage() -> Counter[str]:
    """How many stored values (columns and attachment files) name each data key id."""
    usage: Counter[str] = Counter()
    for column in encrypted_columns():
        tokens = column.model._base_manager.exclude(**{f"{column.column}__isnull": True}).values_list(
            column.column, flat=True
        )
        for token in tokens.iterator(chunk_size=2000):
            usage[_key_of(bytes(token))] += 1
    for _row_id, path in attachment_files():
        with path.open("rb") as handle:
            usage[_key_of(handle.read(_HEADER))] += 1
    return usage


def _key_of(token: bytes) -> str:
    try:
        return token_key_id(token)
    except MalformedToken:
        return "malformed"


def retire(key_id: str) -> None:
    """Delete a retired data key for good, refusing while any stored value still names it."""
    from passage.storage.keys import DatabaseKeyring, vault

    opened = vault()
    record = DatabaseKeyring().get(key_id)
    if record is None:
        raise UnknownKey(f"no key {key_id} in the keyring (see `passage keys list`)")
    if record.active or record.kind != "data":
        raise KeyringError(f"key {key_id} is an active or index key; only a retired data key can be removed")
    used = key_usage().get(key_id, 0)
    if used:
        raise KeyringError(
            f"key {key_id} still encrypts {used} stored values; run `passage keys reencrypt` to completion first"
        )
    opened.remove_key(key_id)


def rotate_data_key(batch: int = DEFAULT_BATCH, report: Callable[[str], None] | None = None) -> tuple[str, Progress]:
    from passage.storage.keys import vault

    new_id = vault().new_data_key()
    return new_id, reencrypt_all(batch, report)
