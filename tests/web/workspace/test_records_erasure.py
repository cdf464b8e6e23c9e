"""SECURITY-TESTS item 15 at the level of file bytes: after erasing a person (secure_delete on, WAL checkpointed)
and a VACUUM, nothing of theirs is left in the SQLite database file or its -wal/-shm: not the canaries, not
the ciphertexts of any of their fields, not their search terms; and their attachment file is gone.

The workspace tests run inside a rolled-back transaction on a shared database, where nothing is ever committed,
so this test runs the whole scenario in a child process on a fresh SQLite file of its own (whichever database
the other tests use). A control check before the erasure finds every ciphertext in the file bytes, so the
test can fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CANARY = "CANARY-ERASE-5e1d"
CYRILLIC = "Канарэйка"


def scenario(data_dir: str) -> dict[str, Any]:
    """Run in the child process: seed, check the control, erase, VACUUM, look at the bytes."""
    import io
    from datetime import date

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from PIL import Image

    call_command("migrate", verbosity=0)
    from passage.auth.models import Organization, User
    from passage.cases.attachments import Upload, add_attachment, attachment_dir
    from passage.cases.erasure import erase_person
    from passage.cases.models import Attachment, Case, Determination, NameTerm, Note, Person, Task
    from passage.cases.search import index_person_names

    org = Organization.objects.create(name="Clinic")
    admin = User.objects.create(username="admin-1", organization=org, role="admin")
    case = Case.objects.create(organization=org)
    person = Person(case=case, relationship="principal")
    for field in ("given_names_latin", "surname_latin", "passport_number", "address", "contacts"):
        setattr(person, field, f"{CANARY}-{field}")
    person.given_names_cyrillic = f"{CYRILLIC}-імя"
    person.surname_cyrillic = f"{CYRILLIC}-прозвішча"
    person.facts = {"canadian_status": "worker", "national_passport_expiry": "2027-01-01", "note": CANARY}
    person.save()
    index_person_names(person)
    keep = Person(case=case, relationship="spouse")
    keep.surname_latin = "Keeper"
    keep.save()
    index_person_names(keep)
    determination = Determination(person=person, assessed_on=date(2026, 11, 1), created_by=admin)
    determination.result = {"options": [], "canary": CANARY}
    determination.receipt = {"canary": CANARY}
    determination.save()
    note = Note(case=case, person=person, author=admin)
    note.body = f"{CANARY}-note {CYRILLIC}"
    note.save()
    task = Task(case=case, person=person, kind="manual", due_on=date(2026, 12, 1), source="manual")
    task.detail = f"{CANARY}-task"
    task.save()
    picture = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(picture, format="PNG")
    attachment = add_attachment(
        admin,
        case,
        Upload(name=f"{CANARY}-file.png", data=picture.getvalue(), size=len(picture.getvalue())),
        person_id=str(person.pk),
    )
    Attachment.objects.filter(pk=attachment.pk).update(person=person)
    stored = attachment_dir() / attachment.stored_name

    secrets: list[bytes] = []
    for model, owner in (
        (Person, "pk"),
        (Note, "person"),
        (Task, "person"),
        (Determination, "person"),
        (Attachment, "person"),
    ):
        columns = [f.attname for f in model._meta.concrete_fields if f.attname.endswith("_enc")]
        for row in model.objects.filter(**{owner: person.pk}).values(*columns):
            secrets += [bytes(v) for v in row.values() if v is not None]
    secrets += [t.encode() for t in NameTerm.objects.filter(person=person).values_list("term", flat=True)]
    plain = [CANARY.encode(), CYRILLIC.encode("utf-8")]

    db = Path(connection.settings_dict["NAME"])

    def file_bytes() -> bytes:
        parts = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        return b"".join(p.read_bytes() for p in parts if p.exists())

    before = file_bytes()
    control = {
        "secrets": len(secrets),
        "found_before": sum(s in before for s in secrets),
        "file_before": stored.exists(),
    }

    erase_person(admin, Person.objects.get(pk=person.pk))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    after = file_bytes()
    return {
        **control,
        "found_after": [i for i, s in enumerate(secrets) if s in after],
        "plain_after": [p.decode() for p in plain if p in after],
        "file_after": stored.exists(),
        "kept": Person.objects.filter(pk=keep.pk).exists(),
        "terms_left": NameTerm.objects.filter(person_id=person.pk).count(),
        "attachment_files": sorted(os.listdir(attachment_dir())),
    }


def test_an_erased_person_leaves_no_bytes_in_the_sqlite_files(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PASSAGE_DATA_DIR"] = str(tmp_path)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "src"), env.get("PYTHONPATH", "")])
    code = (
        "import json, sys; from tests.web.workspace.test_records_erasure import scenario; "
        "print(json.dumps(scenario(sys.argv[1])))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", code, str(tmp_path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["secrets"] >= 15
    assert result["found_before"] == result["secrets"]  # control: the test sees them while they exist
    assert result["file_before"]
    assert result["found_after"] == []
    assert result["plain_after"] == []
    assert not result["file_after"]
    assert result["attachment_files"] == []
    assert result["terms_left"] == 0
    assert result["kept"]
    for leftover in (tmp_path / "attachments").iterdir():
        raise AssertionError(f"attachment file left: {leftover.name}")
