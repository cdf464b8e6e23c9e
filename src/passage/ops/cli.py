"""`passage keys ...`, `passage audit ...`, `passage backup`, `passage restore`, `passage digest`.

Each command configures Django when run (never at import). Errors of ours (a missing or wrong master key, a
damaged backup, a checkpoint file that does not parse) are PassageErrors: one line on stderr, exit 2.
A broken audit chain is a finding, not an error: exit 1 with the index and the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

keys_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Encryption keys."
)
audit_app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="The audit log."
)
ops_commands = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

BatchOption = Annotated[int, typer.Option("--batch", min=1, help="Rows re-encrypted per transaction")]


def _setup() -> None:
    from passage.storage.django_setup import setup_django

    setup_django()


# --- keys -----------------------------------------------------------------------------------------------------


@keys_app.command("list")
def keys_list() -> None:
    """List the keyring (ids, kind, active, wrapping master key) and how many stored values use each key."""
    _setup()
    from passage.ops.keys import key_usage
    from passage.storage.keys import DatabaseKeyring, vault

    vault()  # fails closed on a wrong or missing master key
    usage = key_usage()
    for record in DatabaseKeyring().records():
        state = "active" if record.active else "retired"
        used = f"  values={usage.get(record.key_id, 0)}" if record.kind == "data" else ""
        typer.echo(f"{record.key_id}  {record.kind:5}  {state:7}  master={record.kek_id}{used}")


@keys_app.command("rotate")
def keys_rotate(
    new_master_key_file: Annotated[
        str | None, typer.Option("--new-master-key-file", help="File holding the new master key (mode 600)")
    ] = None,
) -> None:
    """Re-wrap every key of the keyring under a new master key (or PASSAGE_NEW_MASTER_KEY). Data is not touched."""
    _setup()
    from passage.ops.keys import new_master_key, rotate_master

    new = new_master_key(new_master_key_file)
    count = rotate_master(new)
    typer.echo(
        f"re-wrapped {count} keys under master key {new.key_id}; restart every process with the new key, "
        "then destroy the old one"
    )


@keys_app.command("rotate-data-key")
def keys_rotate_data_key(batch: BatchOption = 500) -> None:
    """Make a new active data key, then re-encrypt every encrypted value and attachment file under it."""
    _setup()
    from passage.ops.keys import rotate_data_key

    new_id, progress = rotate_data_key(batch, typer.echo)
    typer.echo(f"new data key {new_id}; {progress.total} values re-encrypted, {progress.skipped} changed meanwhile")
    typer.echo("when `passage keys list` shows 0 values for a retired key: passage keys retire KEY_ID")


@keys_app.command("reencrypt")
def keys_reencrypt(batch: BatchOption = 500) -> None:
    """Resume (or repeat) re-encryption under the active data key; values already under it are skipped."""
    _setup()
    from passage.ops.keys import reencrypt_all

    progress = reencrypt_all(batch, typer.echo)
    typer.echo(f"{progress.total} values re-encrypted, {progress.skipped} changed meanwhile")


@keys_app.command("retire")
def keys_retire(key_id: Annotated[str, typer.Argument(help="The retired data key's id")]) -> None:
    """Delete a retired data key, refusing while any stored value still uses it."""
    _setup()
    from passage.ops.keys import retire

    retire(key_id)
    typer.echo(f"data key {key_id} removed: values once under it can no longer be read")


# --- audit ----------------------------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None, typer.Option("--checkpoint", help="A checkpoint exported earlier by `passage audit checkpoint`")
    ] = None,
) -> None:
    """Verify the whole hash chain (and against a signed checkpoint): exit 1 at the first broken record."""
    _setup()
    from passage.ops.auditlog import read_checkpoint, verify_database

    result = verify_database(read_checkpoint(checkpoint) if checkpoint else None)
    if result.ok:
        against = " and the checkpoint" if checkpoint else ""
        typer.echo(f"ok: {result.count} records verify{against}; head {result.head}")
        return
    where = "checkpoint" if result.broken_at is None else f"record {result.broken_at}"
    typer.echo(f"broken at {where}: {result.reason}")
    raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[Path | None, typer.Option("--out", help="Also write the checkpoint to this file")] = None,
) -> None:
    """Verify the log, then print a signed checkpoint (head, count, time, HMAC) to keep somewhere else."""
    _setup()
    from passage.ops.auditlog import checkpoint

    result, signed = checkpoint()
    if signed is None:
        typer.echo(f"not signed: the log is broken at record {result.broken_at}: {result.reason}", err=True)
        raise typer.Exit(1)
    text = signed.to_json()
    if out is not None:
        out.write_text(text + "\n", encoding="ascii")
    typer.echo(text)


@audit_app.command("head")
def audit_head() -> None:
    """Print the current head of the log (count and last hash) as JSON, without verifying."""
    _setup()
    from passage.ops.auditlog import head

    typer.echo(json.dumps(head(), sort_keys=True))


# --- backups --------------------------------------------------------------------------------------------------


@ops_commands.command("backup")
def backup_command(
    out: Annotated[Path, typer.Argument(help="The encrypted backup file to write (must not exist)")],
) -> None:
    """Back up the database and attachments, online, encrypted under the master key."""
    _setup()
    from passage.ops.backup import backup

    typer.echo(json.dumps(backup(out), sort_keys=True))


@ops_commands.command("restore")
def restore_command(source: Annotated[Path, typer.Argument(help="A backup written by `passage backup`")]) -> None:
    """Restore a backup into this fresh instance; checks the keyring opens and the audit chain verifies."""
    _setup()
    from passage.ops.backup import restore

    typer.echo(json.dumps(restore(source), sort_keys=True))


@ops_commands.command("digest")
def digest_command() -> None:
    """SHA-256 of the canonical export of every table (decrypted): compare a restore with its source."""
    _setup()
    from passage.ops.export import digest

    typer.echo(digest())
