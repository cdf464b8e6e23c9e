"""Encrypted backups and restores of a whole workspace: the database and the attachment files.

Backup: a consistent snapshot taken while the application keeps writing (SQLite's online backup API in one
step, under a read transaction of the WAL; `pg_dump --format=custom`, which reads one MVCC snapshot), checked
(`PRAGMA integrity_check` for SQLite), put in a tar stream with the attachment files and sealed
(passage.ops.sealed) under a fresh key wrapped by the master key. The output is written under a temporary
name, fsynced, then renamed: a failed backup leaves no file that looks complete.

Restore: the whole file is decrypted and authenticated into a private temporary folder before anything is
installed, so a wrong key, a damaged or a cut backup changes nothing. It goes only into a fresh instance (no
tables yet), of the same engine. Afterwards the keyring must open with the master key and the audit chain
must verify, or the command fails.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from passage.crypto import MasterKey
from passage.ops.sealed import BackupError, SealedReader, SealedWriter

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def _data_dir() -> Path:
    from passage.web import config

    return Path(config.value("PASSAGE_DATA_DIR"))


def _vendor() -> str:
    from django.db import connection

    return str(connection.vendor)


def _sqlite_path() -> Path:
    from django.conf import settings

    return Path(settings.DATABASES["default"]["NAME"])


def _pg_env() -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore: the password never appears on a command line."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGDATABASE", "NAME")):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool
    if result.returncode != 0:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        raise BackupError(f"{command[0]} failed ({result.returncode}): {lines[-1] if lines else 'no message'}")


def _sqlite_snapshot(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}: nothing to back up")
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: one step, so the copy is one consistent snapshot of the WAL database
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        check = dst.execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            raise BackupError(f"the snapshot fails integrity_check: {check[:3]}")
    finally:
        dst.close()
        src.close()


def _sqlite_attachment_names(snapshot: Path) -> list[str]:
    connection = sqlite3.connect(snapshot)
    try:
        return [row[0] for row in connection.execute("SELECT stored_name FROM cases_attachment ORDER BY 1")]
    finally:
        connection.close()


def _postgres_snapshot(target: Path) -> list[str]:
    """pg_dump of an exported snapshot, and the attachment names read in that same snapshot."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot_id,) = cursor.fetchone()
        cursor.execute("SELECT stored_name FROM cases_attachment ORDER BY 1")
        names = [row[0] for row in cursor.fetchall()]
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
             f"--file={target}"],
            _pg_env(),
        )
    return names


def _master_opens_keyring(master: MasterKey) -> None:
    from passage.crypto import Vault
    from passage.storage.keys import DatabaseKeyring

    Vault(DatabaseKeyring(), master)  # a wrong key fails closed here, naming both key ids


def backup(out: Path) -> dict[str, Any]:
    """Write an encrypted backup to `out` (which must not exist); returns what it holds."""
    from passage.ops.fields import attachment_dir

    master = MasterKey.from_environment()
    if out.exists():
        raise BackupError(f"{out} exists; a backup never overwrites a file")
    vendor = _vendor()
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {vendor}")
    _master_opens_keyring(master)
    data = _data_dir()
    data.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=data))
    partial = out.with_name(f".{out.name}.partial")
    try:
        if vendor == "sqlite":
            snapshot = work / SQLITE_MEMBER
            _sqlite_snapshot(_sqlite_path(), snapshot)
            names = _sqlite_attachment_names(snapshot)
        else:
            snapshot = work / POSTGRES_MEMBER
            names = _postgres_snapshot(snapshot)
        meta = {"engine": vendor, "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        attachments = 0
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            writer = SealedWriter(handle, master, meta)
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
                tar.add(snapshot, arcname=snapshot.name, filter=_anonymous)
                root = attachment_dir()
                for name in names:  # the files of the attachment rows in the snapshot
                    path = root / name
                    if _SAFE_NAME.match(name) and path.is_file():
                        tar.add(path, arcname=f"attachments/{name}", filter=_anonymous)
                        attachments += 1
            writer.close()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {**meta, "attachments": attachments, "bytes": out.stat().st_size, "master_key": master.key_id}


def _anonymous(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = 0o600
    return info


def _sqlite_is_fresh(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] == 0
    finally:
        connection.close()


def _postgres_is_fresh() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        return bool(cursor.fetchone()[0] == 0)


def restore(source: Path) -> dict[str, Any]:
    """Restore the backup `source` into this fresh instance; returns what was restored, verified."""
    from django.db import connections

    from passage.ops.fields import attachment_dir

    master = MasterKey.from_environment()
    try:
        handle = source.open("rb")
    except OSError as error:
        raise BackupError(f"{source}: cannot read the backup: {error.strerror}") from None
    data = _data_dir()
    data.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=data))
    try:
        with handle:
            reader = SealedReader(handle, master)  # a wrong master key fails here, before anything is touched
            vendor = _vendor()
            if reader.meta.get("engine") != vendor:
                raise BackupError(
                    f"the backup is of a {reader.meta.get('engine')} database; this instance uses {vendor}"
                )
            fresh = _sqlite_is_fresh(_sqlite_path()) if vendor == "sqlite" else _postgres_is_fresh()
            if not fresh:
                raise BackupError("restore goes into a fresh instance: this database already has tables")
            files = _unpack(reader, work)
            reader.finish()  # every part authenticated, the end included, before anything is installed
        target_files = attachment_dir()
        clashes = [name for name in files if (target_files / name).exists()]
        if clashes:
            raise BackupError(
                f"{len(clashes)} attachment files already exist in {target_files}; restore needs a fresh instance"
            )
        if vendor == "sqlite":
            snapshot = work / SQLITE_MEMBER
            if not snapshot.is_file():
                raise BackupError("the backup holds no SQLite database")
            _check_sqlite(snapshot)
            connections.close_all()
            target = _sqlite_path()
            for suffix in ("-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            os.replace(snapshot, target)
            connection = sqlite3.connect(target)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.close()
        else:
            snapshot = work / POSTGRES_MEMBER
            if not snapshot.is_file():
                raise BackupError("the backup holds no PostgreSQL dump")
            connections.close_all()
            _run(["pg_restore", "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
                  f"--dbname={_pg_env().get('PGDATABASE', '')}", str(snapshot)], _pg_env())
        if files:
            target_files.mkdir(mode=0o700, parents=True, exist_ok=True)
            for name in files:
                os.replace(work / "attachments" / name, target_files / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {**reader.meta, "attachments": len(files), **_verify_restored(master)}


def _unpack(reader: SealedReader, work: Path) -> list[str]:
    """Extract the database and attachment files into `work`, refusing anything else (no path tricks)."""
    files: list[str] = []
    (work / "attachments").mkdir(mode=0o700)
    with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
        for member in tar:
            name = member.name
            if not member.isfile():
                raise BackupError(f"unexpected entry in the backup: {name!r}")
            if name in (SQLITE_MEMBER, POSTGRES_MEMBER):
                target = work / name
            elif name.startswith("attachments/") and _SAFE_NAME.match(name.removeprefix("attachments/")):
                files.append(name.removeprefix("attachments/"))
                target = work / "attachments" / files[-1]
            else:
                raise BackupError(f"unexpected entry in the backup: {name!r}")
            extracted = tar.extractfile(member)
            if extracted is None:  # pragma: no cover - isfile() members always have content
                raise BackupError(f"unreadable entry in the backup: {name!r}")
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(extracted, out)
                out.flush()
                os.fsync(out.fileno())
    return files


def _check_sqlite(path: Path) -> None:
    connection = sqlite3.connect(path)
    try:
        check = connection.execute("PRAGMA integrity_check").fetchall()
        violations = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    if check != [("ok",)] or violations:
        raise BackupError(f"the restored database fails its checks: {check[:3]}, {len(violations)} FK violations")


def _verify_restored(master: MasterKey) -> dict[str, Any]:
    from passage.ops.auditlog import verify_database
    from passage.storage.keys import reset_vault

    reset_vault()
    _master_opens_keyring(master)
    result = verify_database()
    if not result.ok:
        raise BackupError(f"the restored audit log is broken at record {result.broken_at}: {result.reason}")
    return {"audit_records": result.count, "audit_head": result.head}
