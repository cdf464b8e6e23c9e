"""What the ops tests run in child processes (`python -m tests.ops.child COMMAND ...`), each with its own
database from the environment (DATABASE_URL or PASSAGE_DATA_DIR) and master key. Prints one JSON line.

Django's settings are fixed per process, so every scenario gets a fresh interpreter: the parent test never
configures Django itself.
"""

from __future__ import annotations

import json
import os
import random
import select
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

CANARY = "CANARY-PASSPORT-7f3a9c"
CYRILLIC = "Канарэйка-Пятроў-7f3a9c"
ATTACHMENT_CANARY = b"%PDF-1.4 CANARY-ATTACHMENT-7f3a9c"
PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a test account's password


def setup() -> None:
    from passage.storage.django_setup import setup_django

    setup_django()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def canary_for(label: str) -> str:
    """The canary stored in one column: recognisable, and Cyrillic in the name columns."""
    return f"{CYRILLIC} {CANARY} {label}" if "cyrillic" in label else f"{CANARY} {label}"


def seed() -> dict[str, Any]:
    """One of everything, every encrypted column holding a canary, an attachment file, some audit entries."""
    from passage.auth.models import Organization, User
    from passage.cases.models import Attachment, Case, Determination, Note, Person, Share, Task
    from passage.crypto import FieldContext
    from passage.ops.fields import attachment_dir, encrypted_columns
    from passage.storage.audit import SYSTEM, audit
    from passage.storage.keys import vault

    org = Organization.objects.create(name="Clinic A")
    other = Organization.objects.create(name="Clinic B")
    user = User.objects.create_user("caseworker-1", org, "caseworker", PASSWORD)
    partner = User.objects.create_user("lawyer-2", other, "lawyer", PASSWORD)

    def fill(instance: Any) -> Any:
        for column in encrypted_columns():
            if isinstance(instance, column.model):
                name = column.column.removesuffix("_enc")
                value: Any = canary_for(column.label)
                if name in ("facts", "result", "receipt"):
                    value = {"canary": value, "names": [CYRILLIC]}
                setattr(instance, name, value)
        instance.save()
        return instance

    case = fill(Case(organization=org, assigned_to=user))
    people = [fill(Person(case=case, relationship=r)) for r in ("principal", "spouse")]
    fill(Note(case=case, person=people[0], author=user))
    attachment = Attachment(case=case, person=people[0], content_type="application/pdf", size=len(ATTACHMENT_CANARY),
                            stored_name=uuid.uuid4().hex)
    fill(attachment)
    folder = attachment_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    context = FieldContext("cases_attachment", "content", str(attachment.id))
    (folder / attachment.stored_name).write_bytes(vault().encrypt_field(ATTACHMENT_CANARY, context))
    determination = fill(Determination(person=people[0], assessed_on=date(2026, 11, 1), created_by=user))
    fill(Task(case=case, person=people[0], kind="manual", due_on=date(2026, 12, 1), source="manual",
              determination=determination))
    fill(Share(case=case, user=partner, granted_by=user, consent_on=date(2026, 11, 1)))
    for action in ("case.create", "person.create", "note.create", "case.read"):
        audit(SYSTEM, action, "case", case.id)
    unfilled = [c.label for c in encrypted_columns() if not c.model._base_manager.filter(
        **{f"{c.column}__isnull": False}).exists()]
    assert not unfilled, f"seed() does not fill {unfilled}: add the new model to it"
    return {"columns": [c.label for c in encrypted_columns()], "person": str(people[0].id), "case": str(case.id)}


def decrypt_everything() -> dict[str, Any]:
    """Decrypt every encrypted value and attachment file; return counts and the canaries read back."""
    from passage.crypto import FieldContext
    from passage.ops.fields import attachment_files, encrypted_columns
    from passage.storage.keys import vault

    count, wrong = 0, []
    for column in encrypted_columns():
        rows = column.model._base_manager.exclude(**{f"{column.column}__isnull": True})
        for pk, token in rows.values_list("pk", column.column):
            text = vault().decrypt_text(bytes(token), FieldContext(column.table, column.column, str(pk)))
            count += 1
            if canary_for(column.label) not in text and not text.startswith(("K-", CANARY, "Канарэйка")):
                wrong.append(column.label)
    files = 0
    for row_id, path in attachment_files():
        plain = vault().decrypt_field(path.read_bytes(), FieldContext("cases_attachment", "content", row_id))
        files += 1
        if plain != ATTACHMENT_CANARY:
            wrong.append("attachment file")
    return {"values": count, "files": files, "wrong": wrong}


# --- writer: the concurrent-write and kill -9 workloads ---------------------------------------------------------


def expected(case_id: uuid.UUID) -> tuple[str, str, str]:
    return f"K-{case_id.hex}", f"{CANARY}-{case_id.hex}", f"Канарэйка-{case_id.hex[:12]}"


def write_one(org_id: Any) -> uuid.UUID:
    """One acknowledged unit: a case, its principal with encrypted canaries, and its audit entry, atomically."""
    from django.db import transaction

    from passage.cases.models import Case, Person
    from passage.storage.audit import SYSTEM, audit

    with transaction.atomic():
        case = Case(organization_id=org_id)
        reference, passport, surname = expected(case.id)
        case.reference = reference
        case.save()
        person = Person(case=case, relationship="principal")
        person.passport_number = passport
        person.surname_cyrillic = surname
        person.save()
        audit(SYSTEM, "case.create", "case", case.id)
    return uuid.UUID(str(case.id))


def the_org() -> Any:
    from passage.auth.models import Organization

    org = Organization.objects.order_by("id").first()
    return org.id if org else Organization.objects.create(name="Writers").id


def writer(limit: int) -> None:
    """Write units forever (or `limit` of them), printing each id once its transaction has committed."""
    org_id = the_org()
    print("ready", flush=True)
    written = 0
    while limit <= 0 or written < limit:
        case_id = write_one(org_id)
        sys.stdout.write(case_id.hex + "\n")
        sys.stdout.flush()
        written += 1


def check_units(acknowledged: list[str]) -> dict[str, Any]:
    """Every acknowledged unit present and decrypting byte-equal; every unit in the database whole (all or
    nothing); SQLite integrity and foreign keys; the audit chain verifies."""
    from django.db import connection

    from passage.cases.models import Case, Person
    from passage.storage.audit import verify_log
    from passage.storage.models import AuditRecord

    problems: list[str] = []
    cases = {c.id.hex: c for c in Case.objects.filter(reference_enc__isnull=False) if c.reference.startswith("K-")}
    people: dict[str, list[Any]] = {}
    for person in Person.objects.filter(relationship="principal"):
        people.setdefault(person.case_id.hex, []).append(person)
    audited: dict[str, int] = {}
    for line in AuditRecord.objects.values_list("line", flat=True):
        record = json.loads(line)
        if record["action"] == "case.create" and record["record_id"]:
            key = uuid.UUID(record["record_id"]).hex
            audited[key] = audited.get(key, 0) + 1
    for hex_id in acknowledged:
        if hex_id not in cases:
            problems.append(f"acknowledged case {hex_id} is missing")
    for hex_id, case in cases.items():
        reference, passport, surname = expected(case.id)
        found = people.get(hex_id, [])
        if case.reference != reference or len(found) != 1 or audited.get(hex_id) != 1:
            problems.append(f"case {hex_id} is partial: {len(found)} people, {audited.get(hex_id)} audit entries")
            continue
        if (found[0].passport_number, found[0].surname_cyrillic) != (passport, surname):
            problems.append(f"case {hex_id} does not decrypt to what was written")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            integrity = cursor.fetchall()
            cursor.execute("PRAGMA foreign_key_check")
            violations = cursor.fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity[:3]}")
        if violations:
            problems.append(f"{len(violations)} foreign key violations")
    chain = verify_log()
    if not chain.ok:
        problems.append(f"audit chain broken at {chain.broken_at}: {chain.reason}")
    return {"problems": problems, "units": len(cases), "audit": chain.count}


def kill_loop(cycles: int, cold_every: int, seed_value: int) -> dict[str, Any]:
    """Fork a writer, SIGKILL it at a random moment, check, repeat. Every `cold_every`-th cycle starts a fresh
    interpreter instead of a fork (a cold, unattended restart through the whole start-up path)."""
    from django.db import connections

    rng = random.Random(seed_value)  # noqa: S311 - test timing only
    migrate()
    org_id = the_org()
    acknowledged: list[str] = []
    killed_mid_run = 0
    for cycle in range(cycles):
        connections.close_all()
        fresh = _cold_cycle(rng) if cold_every and cycle % cold_every == cold_every - 1 else _fork_cycle(org_id, rng)
        killed_mid_run += 1
        acknowledged.extend(fresh)
        result = check_units(acknowledged)
        if result["problems"]:
            return {"cycle": cycle, "seed": seed_value, **result, "acknowledged": len(acknowledged)}
    return {
        "cycles": cycles, "seed": seed_value, "killed": killed_mid_run, "acknowledged": len(acknowledged),
        **check_units(acknowledged),
    }


def _read_lines(fd: int, head: bytes = b"") -> list[str]:
    chunks = [head]
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
    text = b"".join(chunks).decode("ascii")
    complete = text[: text.rfind("\n") + 1] if "\n" in text else ""
    return [line for line in complete.split("\n") if len(line) == 32]


def _kill_at_random(pid: int, fd: int, rng: random.Random) -> bytes:
    """Most often wait for a first acknowledged unit and kill somewhere in the stream of writes that follows;
    sometimes kill blind, possibly during start-up. Returns what was read from the writer meanwhile."""
    head = b""
    if rng.random() < 0.8:
        ready, _, _ = select.select([fd], [], [], 10)
        if ready:
            head = os.read(fd, 65536)
        time.sleep(rng.uniform(0, 0.05))
    else:
        time.sleep(rng.uniform(0, 0.02))
    os.kill(pid, signal.SIGKILL)
    return head


def _fork_cycle(org_id: Any, rng: random.Random) -> list[str]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the writer: fresh database connections, writes until killed
        os.close(read_end)
        try:
            while True:
                case_id = write_one(org_id)
                os.write(write_end, (case_id.hex + "\n").encode("ascii"))
        finally:
            os._exit(1)
    os.close(write_end)
    head = _kill_at_random(pid, read_end, rng)
    os.waitpid(pid, 0)
    lines = _read_lines(read_end, head)
    os.close(read_end)
    return lines


def _cold_cycle(rng: random.Random) -> list[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.ops.child", "writer"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    fd = process.stdout.fileno()
    head = _kill_at_random(process.pid, fd, rng)
    process.wait()
    lines = _read_lines(fd, head)
    process.stdout.close()
    return lines


# --- at rest ------------------------------------------------------------------------------------------------


def at_rest() -> dict[str, Any]:
    """Canaries everywhere, then: raw bytes of the database files; a token moved to another row or column;
    one flipped bit. Runs with the connection still open, so the -wal and -shm files exist."""
    from django.db import connection

    from passage.cases.models import Person
    from passage.crypto import DecryptionFailed

    migrate()
    seeded = seed()
    needles = [CANARY.encode(), CYRILLIC.encode("utf-8"), b"CANARY-ATTACHMENT", "Канарэйка".encode()]
    if connection.vendor == "sqlite":
        from django.conf import settings

        base = Path(settings.DATABASES["default"]["NAME"])
        files = [base, Path(f"{base}-wal"), Path(f"{base}-shm")]
        assert files[1].stat().st_size > 0, "no WAL content to scan"
    else:
        files = []
    from passage.ops.fields import attachment_dir

    files.extend(sorted(attachment_dir().iterdir()))
    hits = _scan(files, needles)
    control = _control_scan(files, needles, hits)
    principal = Person.objects.get(id=seeded["person"])
    spouse = Person.objects.exclude(id=principal.id).get()
    moved: dict[str, str] = {}

    def attempt(label: str, attribute: str, person_id: Any, **values: Any) -> None:
        Person.objects.filter(id=person_id).update(**values)
        try:
            getattr(Person.objects.get(id=person_id), attribute)
            moved[label] = "decrypted"
        except DecryptionFailed:
            moved[label] = "DecryptionFailed"

    token = bytes(principal.passport_number_enc)
    attempt("another row", "passport_number", spouse.id, passport_number_enc=token)
    attempt("another column", "address", principal.id, address_enc=token)
    flipped = bytearray(token)
    flipped[-20] ^= 0x01
    attempt("one flipped bit", "passport_number", principal.id, passport_number_enc=bytes(flipped))
    return {"hits": hits, "moved": moved, "columns": seeded["columns"], "scanned": [p.name for p in files],
            "control": control}


def _scan(files: list[Path], needles: list[bytes]) -> dict[str, int]:
    """Occurrences of the needles in the raw bytes of each file and, on PostgreSQL, of every row of every table."""
    from django.db import connection

    hits = {path.name: sum(path.read_bytes().count(needle) for needle in needles) for path in files}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            for (table,) in cursor.fetchall():
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the catalog
                cells = [value for row in cursor.fetchall() for value in row]
                dumped = b"\0".join(
                    bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode("utf-8") for v in cells
                )
                hits[table] = sum(dumped.count(needle) for needle in needles)
    return hits


def _control_scan(files: list[Path], needles: list[bytes], before: dict[str, int]) -> int:
    """The same scan finds a canary written in clear (an organization's name is not encrypted): it can fail."""
    from passage.auth.models import Organization

    Organization.objects.create(name=f"{CYRILLIC} control")
    after = _scan(files, needles)
    return sum(after.values()) - sum(before.values())


def wrong_key() -> dict[str, Any]:
    """Open the vault with whatever master key the environment holds (the test gives a wrong one)."""
    from passage.crypto import MasterKeyError
    from passage.storage.keys import vault

    try:
        vault()
    except MasterKeyError as error:
        return {"opened": False, "error": type(error).__name__, "message": str(error)}
    return {"opened": True}


def dump_keyring() -> dict[str, Any]:
    """The keyring as it is now (wrapped keys only): what an old keyring backup would hold."""
    from passage.storage.keys import DatabaseKeyring

    return {"records": [record.to_json() for record in DatabaseKeyring().records()]}


def old_key_attack(keyring_file: str, old_key: str) -> dict[str, Any]:
    """With only the old master key (and an old copy of the keyring): try to read every stored value."""
    from passage.crypto import (
        CryptoError,
        FieldContext,
        MasterKey,
        MemoryKeyring,
        Token,
        Vault,
        WrappedKey,
        parse_token,
    )
    from passage.ops.fields import attachment_files, encrypted_columns
    from passage.storage.keys import DatabaseKeyring

    old = MasterKey.from_base64(old_key)
    outcome: dict[str, Any] = {"decrypted": 0, "refused": 0, "errors": []}
    try:
        Vault(DatabaseKeyring(), old)
        outcome["current_keyring_opens"] = True
    except CryptoError as error:
        outcome["current_keyring_opens"] = False
        outcome["errors"].append(type(error).__name__)
    keyring = MemoryKeyring()
    records = [WrappedKey.from_json(raw) for raw in json.loads(Path(keyring_file).read_text())["records"]]
    keyring.put(*records)
    stale = Vault(keyring, old)  # the old keyring does open with the old key
    old_ids = [r.key_id for r in records if r.kind == "data"]
    targets: list[tuple[bytes, FieldContext]] = []
    for column in encrypted_columns():
        rows = column.model._base_manager.exclude(**{f"{column.column}__isnull": True})
        for pk, token in rows.values_list("pk", column.column):
            targets.append((bytes(token), FieldContext(column.table, column.column, str(pk))))
    for row_id, path in attachment_files():
        targets.append((path.read_bytes(), FieldContext("cases_attachment", "content", row_id)))
    for token, context in targets:
        parsed = parse_token(token)
        forced = [token] + [
            Token(key_id=bytes.fromhex(key_id), nonce=parsed.nonce, ciphertext=parsed.ciphertext).to_bytes()
            for key_id in old_ids
        ]
        for attempt in forced:
            try:
                stale.decrypt_field(attempt, context)
                outcome["decrypted"] += 1
            except CryptoError as error:
                outcome["refused"] += 1
                if type(error).__name__ not in outcome["errors"]:
                    outcome["errors"].append(type(error).__name__)
    outcome["values"] = len(targets)
    return outcome


def truncate_to(count: int) -> dict[str, Any]:
    """Undo every writer unit whose audit entry is at or after `count`: the source as it was at a snapshot
    holding `count` audit records (units are one case, one person, one audit entry, committed together)."""
    from django.db import transaction

    from passage.audit import GENESIS, Record
    from passage.cases.models import Case
    from passage.storage.models import AuditHead, AuditRecord

    with transaction.atomic():
        later = AuditRecord.objects.filter(seq__gte=count)
        ids = [Record.from_line(line).entry.record_id for line in later.values_list("line", flat=True)]
        deleted = Case.objects.filter(id__in=ids).delete()[1].get("cases.Case", 0)
        later.delete()
        last = AuditRecord.objects.filter(seq=count - 1).first()
        AuditHead.objects.filter(id=1).update(seq=count, hash=Record.from_line(last.line).hash if last else GENESIS)
    return {"deleted": deleted, "entries": len(ids)}


def new_data_key() -> dict[str, Any]:
    """A new active data key and nothing else: a rotation interrupted before any re-encryption."""
    from passage.storage.keys import vault

    return {"key": vault().new_data_key()}


def schema() -> list[list[Any]]:
    """The database schema as rows, in a stable order: tables, columns, indexes, constraints."""
    from django.db import connection

    queries = (
        ["SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"]
        if connection.vendor == "sqlite"
        else [
            "SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length, "
            "is_identity FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 2",
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2",
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2",
        ]
    )
    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            rows.extend([str(value) for value in row] for row in cursor.fetchall())
    return rows


def migrations() -> dict[str, Any]:
    """makemigrations --check; up with data; every app of ours down to zero (dependents first); up again."""
    import io

    from django.core.management import call_command

    from passage.storage.keys import reset_vault

    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        pending = False
    except SystemExit:
        pending = True
    migrate()
    seed()
    write_one(the_org())
    before_down = decrypt_everything()
    up = schema()
    for app in ("cases", "accounts", "storage"):  # cases needs accounts (users) and both need storage (keys)
        call_command("migrate", app, "zero", verbosity=0)
    down = schema()
    ours = ("cases_", "accounts_", "storage_", "otp_")
    leftover = sorted({row[1] for row in down if str(row[1]).startswith(ours)})
    migrate()
    again = schema()
    reset_vault()  # the keyring went down with its table: a new one is made
    seed()
    return {
        "pending": pending,
        "makemigrations": out.getvalue(),
        "equal": up == again,
        "diff": [row for row in up if row not in again] + [row for row in again if row not in up],
        "up": len(up),
        "down": len(down),
        "leftover": leftover,
        "data_before": before_down,
        "data_after": decrypt_everything(),
    }


def pragmas() -> dict[str, Any]:
    """Serve one request through the WSGI application, then read back the pragmas of that same connection."""
    from django.db import connection
    from django.test import Client

    migrate()
    status = Client().get("/en/").status_code
    values: dict[str, Any] = {"status": status, "vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                cursor.execute(f"PRAGMA {name}")
                values[name] = cursor.fetchone()[0]
        else:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                cursor.execute(f"SHOW {name}")
                values[name] = cursor.fetchone()[0]
    return values


def disk_full() -> dict[str, Any]:
    """SECURITY-TESTS item 25 on SQLite: the files may not grow (RLIMIT_FSIZE, as on a full disk: each write past
    the limit fails with EFBIG, SIGXFSZ ignored) while units are written and a person answers the interview; then
    the limit is lifted and the same process writes again. Reports what failed and how, and `check_units`."""
    import resource

    from django.conf import settings
    from django.test import Client

    from passage.auth.models import Organization, User
    from passage.cases.attachments import Upload, add_attachment, attachment_dir
    from passage.cases.models import Attachment, Case

    migrate()
    org_id = the_org()
    acknowledged = [write_one(org_id).hex for _ in range(3)]
    worker = User.objects.create_user("caseworker-full", Organization.objects.get(id=org_id), "caseworker", PASSWORD)
    case = Case.objects.create(organization_id=org_id, assigned_to=worker)
    files = list(Path(settings.DATABASES["default"]["NAME"]).parent.glob("passage.sqlite3*"))
    limit = max(f.stat().st_size for f in files) + 4096
    picture = Upload("scan.png", _noise_png(limit + 100_000), 0)  # its file cannot be written either
    answer = {"canadian_status": "permanent_resident", "in_canada": "yes", "status_expiry__dk": "1"}
    person = Client(raise_request_exception=False)
    before = person.post("/en/interview/status/", answer).status_code
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    refused: dict[str, int] = {}
    try:
        for _ in range(100):
            try:
                acknowledged.append(write_one(org_id).hex)
            except Exception as error:  # what a full disk raises is what is measured
                kind = f"{type(error).__name__}: {error}"
                refused[kind] = refused.get(kind, 0) + 1
        stranger = Client(raise_request_exception=False)
        full = stranger.post("/en/interview/status/", answer)
        try:
            add_attachment(worker, case, picture)
            upload_full = "stored"
        except Exception as error:  # as above
            upload_full = f"{type(error).__name__}: {error}"
        files_full = sorted(p.name for p in attachment_dir().iterdir())
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    page = full.content.decode("utf-8", "replace")
    after = [write_one(org_id).hex for _ in range(3)]
    again = stranger.post("/en/interview/status/", answer).status_code
    add_attachment(worker, case, picture)
    return {
        "refused": refused, "written_while_full": len(acknowledged) - 3, "web_before": before,
        "web_full": full.status_code, "web_full_page": page, "web_after": again, "written_after": len(after),
        "upload_full": upload_full, "files_full": files_full, "files_after": len(list(attachment_dir().iterdir())),
        "attachments_after": Attachment.objects.count(), **check_units(acknowledged + after),
    }


def _noise_png(size: int) -> bytes:
    """A picture of random pixels of at least `size` bytes (random pixels do not compress)."""
    import io

    from PIL import Image

    side = int((size / 3) ** 0.5) + 1
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def main() -> None:
    command, *args = sys.argv[1:]
    setup()
    if command == "writer":
        writer(int(args[0]) if args else 0)
        return
    results: dict[str, Any]
    if command == "migrate":
        migrate()
        results = {"ok": True}
    elif command == "seed":
        migrate()
        results = seed()
        org_id = the_org()
        results["written"] = [write_one(org_id).hex for _ in range(int(args[0]) if args else 0)]
    elif command == "write":
        results = {"ids": [write_one(the_org()).hex for _ in range(int(args[0]))]}
    elif command == "decrypt":
        results = decrypt_everything()
    elif command == "check-units":
        results = check_units(json.loads(Path(args[0]).read_text()) if args else [])
    elif command == "kill-loop":
        results = kill_loop(int(args[0]), int(args[1]), int(args[2]))
    elif command == "at-rest":
        results = at_rest()
    elif command == "wrong-key":
        results = wrong_key()
    elif command == "dump-keyring":
        results = dump_keyring()
    elif command == "old-key-attack":
        results = old_key_attack(args[0], args[1])
    elif command == "truncate-to":
        results = truncate_to(int(args[0]))
    elif command == "new-data-key":
        results = new_data_key()
    elif command == "migrations":
        results = migrations()
    elif command == "pragmas":
        results = pragmas()
    elif command == "disk-full":
        results = disk_full()
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
