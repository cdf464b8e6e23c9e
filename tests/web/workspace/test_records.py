"""Records around a case through the test client: search, notes, attachments, export, erasure, sharing,
aggregates, retention, and who may use each route."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.web.pdf_tools import one_page_pdf

CANARY_NAME = "Лукашэнка"


def make_case(org: Any, assigned_to: Any = None, stage: str = "intake") -> Any:
    from passage.cases.models import Case

    return Case.objects.create(organization=org, assigned_to=assigned_to, stage=stage)


def make_person(
    case: Any,
    surname_latin: str = "",
    given_latin: str = "",
    surname_cyr: str = "",
    given_cyr: str = "",
    facts: dict[str, Any] | None = None,
    **extra: str,
) -> Any:
    from passage.cases.models import Person
    from passage.cases.search import index_person_names

    person = Person(case=case, relationship="principal")
    person.surname_latin = surname_latin or None
    person.given_names_latin = given_latin or None
    person.surname_cyrillic = surname_cyr or None
    person.given_names_cyrillic = given_cyr or None
    for name, value in extra.items():
        setattr(person, name, value)
    person.facts = facts or {}
    person.save()
    index_person_names(person)
    return person


def audited(action: str, record_id: object = None) -> bool:
    from passage.storage.models import AuditRecord

    lines = AuditRecord.objects.values_list("line", flat=True)
    return any(f'"action":"{action}"' in line and (record_id is None or str(record_id) in line) for line in lines)


# --- search ------------------------------------------------------------------------------------------------

MUST_MATCH = [
    ("Lukashenka", "Лукашэнка"),
    ("Lukashenko", "LUKASHENKA"),
    ("Лукашенко", "Lukashenka"),
    ("Łukašenka", "Лукашенко"),
    ("Siarhei", "Сергей"),
    ("Piatrou", "Петров"),
    ("Novikau", "Новиков"),
    ("Uladzimir", "Владимир"),
    ("Aliaksandr", "Александр"),
    ("Dzmitry", "Дмитрий"),
    ("Hanna", "Ганна"),
    ("Yuri", "Юрый"),
]
MUST_NOT_MATCH = [
    ("Ivanov", "Ivanenko"),
    ("Petrov", "Petrenko"),
    ("Lukashenko", "Lukashuk"),
    ("Anna", "Ян"),
    ("Mikhail", "Maksim"),
    ("Olga", "Alla"),
    ("Sergei", "Stepan"),
    ("Kovalenko", "Kovalchuk"),
]


@pytest.mark.parametrize(("a", "b"), MUST_MATCH)
def test_spellings_of_one_name_share_a_key(a: str, b: str) -> None:
    from passage.cases.search import name_keys

    assert name_keys(a) & name_keys(b)


@pytest.mark.parametrize(("a", "b"), MUST_NOT_MATCH)
def test_different_names_share_no_key(a: str, b: str) -> None:
    from passage.cases.search import name_keys

    assert not name_keys(a) & name_keys(b)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_name_keys_never_fail_and_are_deterministic(name: str) -> None:
    from passage.cases.search import name_keys, query_terms

    assert name_keys(name) == name_keys(name)
    assert all(k.startswith(("s:", "c:")) for k in name_keys(name))
    assert len(query_terms(name)) <= 8


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["Лукашэнка", "Пятроў", "Аляксандр", "Сяргей", "Ганна", "Дзмітрый"]), st.booleans())
def test_a_cyrillic_name_and_its_passport_spelling_match(name: str, upper: bool) -> None:
    from passage.cases.search import name_keys
    from passage.screening._translit import ICAO_9303, transliterate

    latin = transliterate(name.lower(), ICAO_9303)
    assert name_keys(name) & name_keys(latin.upper() if upper else latin.capitalize())


def test_name_terms_are_keyed_hashes_not_names(org: Any) -> None:
    from passage.cases.models import NameTerm

    person = make_person(make_case(org), "Lukashenka", "Aliaksandr", CANARY_NAME, "Аляксандр")
    terms = list(NameTerm.objects.filter(person=person).values_list("term", flat=True))
    assert terms
    assert all(len(t) == 64 and set(t) <= set("0123456789abcdef") for t in terms)
    assert not any("lk" in t.lower() and "snk" in t for t in terms)


def test_search_finds_every_spelling_within_visible_cases_only(
    org: Any, other_org: Any, make_user: Any, staff: Any
) -> None:
    worker = make_user("caseworker")
    mine = make_person(make_case(org, worker), "Lukashenka", "Aliaksandr")
    other_case = make_person(make_case(org, make_user("caseworker")), surname_cyr="Лукашенко")
    make_person(make_case(other_org), "Lukashenko")
    make_person(make_case(org, worker), "Lukashuk")
    client = staff(worker)
    for query in ("Lukashenko", "Лукашэнка", "LUKASHENKA", "lukashenka aliaksandr", "Александр Лукашенко"):
        response = client.post("/en/work/search/", {"query": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"/people/{mine.pk}/" in html, query
        assert f"/people/{other_case.pk}/" not in html  # assigned to another caseworker: not visible
        assert "Lukashuk" not in html
    admin = staff(make_user("admin"))
    html = admin.post("/en/work/search/", {"query": "Lukashenka"}).content.decode()
    assert f"/people/{mine.pk}/" in html
    assert f"/people/{other_case.pk}/" in html
    assert html.count("/people/") == 2  # never the other organization's person
    assert audited("person.search")


def test_search_page_never_puts_a_name_in_the_url(org: Any, make_user: Any, staff: Any) -> None:
    client = staff(make_user("caseworker"))
    page = client.get("/en/work/search/").content.decode()
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" in page
    response = client.get("/en/work/search/?query=Piatrou")
    assert "Piatrou" not in response.content.decode()  # a GET never searches
    empty = client.post("/fr/work/search/", {"query": "  "})
    assert empty.status_code == 400
    assert "un nom de 1 à 200 caractères" in empty.content.decode()


def test_search_is_refused_to_analysts(make_user: Any, staff: Any) -> None:
    assert staff(make_user("analyst")).post("/en/work/search/", {"query": "x"}).status_code == 404


def test_search_volunteer_sees_only_assigned_cases(org: Any, make_user: Any, staff: Any) -> None:
    volunteer = make_user("volunteer")
    assigned = make_person(make_case(org, volunteer), "Piatrou")
    unassigned = make_person(make_case(org), "Petrov")
    html = staff(volunteer).post("/en/work/search/", {"query": "Петров"}).content.decode()
    assert f"/people/{assigned.pk}/" in html
    assert f"/people/{unassigned.pk}/" not in html


# --- notes -------------------------------------------------------------------------------------------------


def test_notes_are_encrypted_listed_newest_first_and_escaped(org: Any, make_user: Any, staff: Any) -> None:
    from django.db import connection

    from passage.cases.models import Note

    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case, "Novikau")
    client = staff(worker)
    url = f"/en/work/cases/{case.pk}/notes/"
    first = {"body": "first CANARY-NOTE-1", "token": note_token(client, url)}
    assert client.post(url, first).status_code == 303
    second = {"body": "<script>alert(1)</script> second", "person": str(person.pk), "token": note_token(client, url)}
    assert client.post(url, second).status_code == 303
    html = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; second" in html
    assert html.index("second") < html.index("CANARY-NOTE-1")
    note = Note.objects.get(person=person)
    assert note.author == worker
    with connection.cursor() as cursor:
        cursor.execute("select body_enc from cases_note")
        assert all(b"CANARY" not in bytes(row[0]) for row in cursor.fetchall())
    assert audited("note.create", note.pk)
    assert audited("note.list", case.pk)


def note_token(client: Any, url: str) -> str:
    page = client.get(url).content.decode()
    return str(page.split('name="token" value="', 1)[1].split('"', 1)[0])


def test_a_double_submitted_note_form_adds_one_note(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.models import Note

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    url = f"/en/work/cases/{case.pk}/notes/"
    token = note_token(client, url)
    for _ in range(2):
        assert client.post(url, {"body": "once", "token": token}).status_code == 303
    assert Note.objects.filter(case=case).count() == 1
    missing = client.post(url, {"body": "no token"})
    assert missing.status_code == 400
    assert "open the page again" in missing.content.decode()
    assert Note.objects.filter(case=case).count() == 1


def test_note_errors_name_the_field(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.models import Note

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    url = f"/ru/work/cases/{case.pk}/notes/"
    empty = client.post(url, {"body": ""})
    assert empty.status_code == 400
    assert "текст заметки" in empty.content.decode()
    stranger = make_person(make_case(org, worker), "Other")
    wrong = client.post(url, {"body": "x", "person": str(stranger.pk)})
    assert wrong.status_code == 400
    assert "один из людей этого дела" in wrong.content.decode()
    assert client.post(url, {"body": "x" * 10_001}).status_code == 400
    assert not Note.objects.filter(case=case).exists()


@pytest.mark.parametrize("role", ["volunteer", "analyst"])
def test_volunteers_and_analysts_never_read_or_add_notes(org: Any, make_user: Any, staff: Any, role: str) -> None:
    user = make_user(role)
    case = make_case(org, user)
    client = staff(user)
    assert client.get(f"/en/work/cases/{case.pk}/notes/").status_code == 404
    assert client.post(f"/en/work/cases/{case.pk}/notes/", {"body": "x"}).status_code == 404
    assert client.get(f"/en/work/cases/{case.pk}/attachments/").status_code == 404


def test_another_organization_gets_404_like_a_missing_case(
    org: Any, other_org: Any, make_user: Any, staff: Any
) -> None:
    import uuid

    from passage.cases.attachments import Upload, add_attachment
    from passage.cases.models import Share

    admin = make_user("admin")
    case = make_case(org)
    person = make_person(case, "Hanna")
    attachment = add_attachment(admin, case, Upload(name="a.pdf", data=one_page_pdf(), size=len(one_page_pdf())))
    share = Share(case=case, user=make_user("caseworker", organization=other_org), consent_on=date(2026, 10, 1))
    share.save()
    outsider = staff(make_user("admin", organization=other_org))
    assert outsider.post(f"/en/work/cases/{case.pk}/shares/{share.pk}/revoke/").status_code == 404
    for path in (
        f"/en/work/cases/{case.pk}/attachments/{attachment.pk}/",
        f"/en/work/cases/{case.pk}/notes/",
        f"/en/work/cases/{case.pk}/attachments/",
        f"/en/work/cases/{case.pk}/shares/",
        f"/en/work/cases/{case.pk}/people/{person.pk}/export.json",
        f"/en/work/cases/{case.pk}/people/{person.pk}/export.pdf",
        f"/en/work/cases/{case.pk}/people/{person.pk}/erase/",
        f"/en/work/cases/{case.pk}/erase/",
        f"/en/work/cases/{uuid.uuid4()}/notes/",
    ):
        assert outsider.get(path).status_code == 404, path
    assert outsider.post(f"/en/work/cases/{case.pk}/people/{person.pk}/erase/", {"confirm": "yes"}).status_code == 404
    from passage.cases.models import Person

    assert Person.objects.filter(pk=person.pk).exists()


# --- attachments -------------------------------------------------------------------------------------------


def png_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 6), (200, 10, 10))
    exif = Image.Exif()
    exif[0x010F] = "CANARY-CAMERA-MAKER"  # Make
    exif[0x0131] = "CANARY-SOFTWARE"
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif.tobytes())
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 6), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "CANARY-CAMERA-MAKER"
    exif[0x0112] = 6  # orientation: rotate 90° when shown
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def upload(client: Any, case: Any, name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/en/work/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile(name, data, content_type)})


def test_an_image_is_stripped_encrypted_stored_privately_and_downloaded(org: Any, make_user: Any, staff: Any) -> None:
    from PIL import Image

    from passage.cases.attachments import attachment_dir
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    for name, data, kind in (("scan.png", png_with_exif(), "image/png"), ("фото.jpg", jpeg_with_exif(), "image/jpeg")):
        assert b"CANARY-CAMERA-MAKER" in data
        assert upload(client, case, name, data, "text/html").status_code == 303
        attachment = Attachment.objects.get(case=case, content_type=kind)
        path = attachment_dir() / attachment.stored_name
        assert len(attachment.stored_name) == 32
        assert int(attachment.stored_name, 16) >= 0
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(attachment_dir().stat().st_mode) == 0o700
        raw = path.read_bytes()
        assert b"CANARY" not in raw
        assert not raw.startswith(data[:4])
        response = client.get(f"/en/work/cases/{case.pk}/attachments/{attachment.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == kind
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"
        body = response.content
        assert b"CANARY" not in body
        with Image.open(io.BytesIO(body)) as image:
            assert not image.getexif()
            if kind == "image/jpeg":
                assert image.size == (6, 8)  # the orientation was applied before the EXIF went
        assert audited("attachment.read", attachment.pk)
    html = client.get(f"/en/work/cases/{case.pk}/attachments/").content.decode()
    assert "scan.png" in html
    assert "фото.jpg" in html


def test_a_pdf_is_rebuilt_and_typed_by_its_content(org: Any, make_user: Any, staff: Any) -> None:
    from pypdf import PdfReader

    from passage.cases.models import Attachment

    worker = make_user("lawyer")
    case = make_case(org, worker)
    client = staff(worker)
    pdf = one_page_pdf()
    assert b"/Producer" in pdf
    assert upload(client, case, "letter.txt", pdf, "text/plain").status_code == 303
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "application/pdf"
    download = client.get(f"/en/work/cases/{case.pk}/attachments/{attachment.pk}/")
    assert download.content != pdf  # rebuilt: test_attachments_pdf.py checks what goes
    assert b"/Producer" not in download.content
    assert len(PdfReader(io.BytesIO(download.content)).pages) == 1
    assert attachment.size == len(download.content)
    assert 'filename="letter.pdf"' in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("evil.pdf", b"<html><script>alert(1)</script></html>", "judged from its content"),
        ("evil.png", b"GIF89a" + b"\0" * 20, "judged from its content"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "damaged"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 40, "damaged"),
        ("empty.pdf", b"", "not empty"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error(
    org: Any, make_user: Any, staff: Any, name: str, data: bytes, message: str
) -> None:
    from passage.cases.attachments import attachment_dir
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    before = set(os.listdir(attachment_dir()))
    response = upload(staff(worker), case, name, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "File" in html
    assert message in html
    assert not Attachment.objects.filter(case=case).exists()
    assert set(os.listdir(attachment_dir())) == before


@pytest.mark.parametrize(
    "name",
    ["../../etc/passwd.pdf", "/etc/passwd.pdf", "C:\\Windows\\a.pdf", "a\x00b.pdf", "..", "x" * 201 + ".pdf", ""],
)
def test_file_names_with_a_path_or_control_characters_are_refused(org: Any, make_user: Any, name: str) -> None:
    from passage.cases.attachments import BAD_NAME, Upload, add_attachment
    from passage.cases.models import Attachment
    from passage.cases.services import Invalid

    worker = make_user("caseworker")
    case = make_case(org, worker)
    with pytest.raises(Invalid) as error:
        add_attachment(worker, case, Upload(name=name, data=b"%PDF-1.4\n", size=9))
    assert error.value.problems == {"file": BAD_NAME}
    assert not Attachment.objects.filter(case=case).exists()


def test_a_posted_path_keeps_only_its_last_part(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    assert upload(staff(worker), case, "../../etc/passwd.pdf", one_page_pdf()).status_code == 303
    assert Attachment.objects.get(case=case).filename == "passwd.pdf"


def test_an_upload_over_the_cap_is_refused_before_it_is_stored(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.attachments import MAX_BYTES
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    response = upload(staff(worker), case, "big.pdf", b"%PDF-1.4\n" + b"0" * MAX_BYTES)
    assert response.status_code == 400
    assert "at most 10 MB" in response.content.decode()
    assert not Attachment.objects.filter(case=case).exists()


def test_a_declared_body_over_the_cap_is_refused_unread(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.attachments import MAX_BYTES

    worker = make_user("caseworker")
    case = make_case(org, worker)
    response = staff(worker).generic(
        "POST",
        f"/fr/work/cases/{case.pk}/attachments/",
        b"--x--\r\n",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(MAX_BYTES * 3),
    )
    assert response.status_code == 413
    assert "10 Mo au plus" in response.content.decode()
    assert not audited("attachment.list", case.pk)  # no CSRF check ran: nothing at all is written


def test_uploads_need_a_csrf_token(org: Any, make_user: Any, staff: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]

    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = worker.totpdevice_set.get().persistent_id
    session.save()
    response = client.post(
        f"/en/work/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")}
    )
    assert response.status_code == 403
    assert not Attachment.objects.filter(case=case).exists()


def test_a_file_moved_to_another_attachment_does_not_decrypt(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.attachments import attachment_dir
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    assert upload(client, case, "a.pdf", one_page_pdf()).status_code == 303
    assert upload(client, case, "b.pdf", one_page_pdf()).status_code == 303
    first, second = Attachment.objects.filter(case=case).order_by("created_at")
    root = attachment_dir()
    (root / second.stored_name).write_bytes((root / first.stored_name).read_bytes())
    from passage.crypto import DecryptionFailed

    with pytest.raises(DecryptionFailed):
        client.get(f"/en/work/cases/{case.pk}/attachments/{second.pk}/")


# --- export ------------------------------------------------------------------------------------------------


def full_person(case: Any, author: Any) -> Any:
    from passage.cases.models import Attachment, Determination, Note, Task

    person = make_person(
        case,
        "Lukashenka",
        "CANARY-GIVEN",
        CANARY_NAME,
        "Аляксандр",
        facts={"canadian_status": "worker", "national_passport_expiry": "2026-12-01"},
        passport_number="CANARY-PASSPORT-7f3a",
        address="CANARY-ADDRESS",
        contacts="CANARY-CONTACT",
    )
    determination = Determination(person=person, assessed_on=date(2026, 11, 1), created_by=author)
    determination.result = {"options": [{"id": "certificate_of_identity", "status": "likely_eligible"}]}
    determination.receipt = {"engine": "test"}
    determination.save()
    note = Note(case=case, person=person, author=author)
    note.body = "CANARY-NOTE-BODY"
    note.save()
    task = Task(case=case, person=person, kind="passport_expiry", due_on=date(2026, 12, 1), source="manual")
    task.detail = "CANARY-TASK"
    task.save()
    attachment = Attachment(case=case, person=person, content_type="application/pdf", size=10, stored_name="0" * 32)
    attachment.filename = "CANARY-FILE.pdf"
    attachment.save()
    return person


def test_export_json_holds_the_whole_record_and_is_not_cached(org: Any, make_user: Any, staff: Any) -> None:
    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = full_person(case, worker)
    response = staff(worker).get(f"/en/work/cases/{case.pk}/people/{person.pk}/export.json")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    record = json.loads(response.content)
    assert record["identity"]["passport_number"] == "CANARY-PASSPORT-7f3a"
    assert record["identity"]["surname_cyrillic"] == CANARY_NAME
    assert record["facts"]["canadian_status"] == "worker"
    assert record["determinations"][0]["result"]["options"][0]["status"] == "likely_eligible"
    assert record["notes"][0]["body"] == "CANARY-NOTE-BODY"
    assert record["tasks"][0]["detail"] == "CANARY-TASK"
    assert record["attachments"][0]["filename"] == "CANARY-FILE.pdf"
    assert audited("person.export.json", person.pk)


def test_export_pdf_renders_cyrillic_and_is_not_cached(org: Any, make_user: Any, staff: Any) -> None:
    admin = make_user("admin")
    case = make_case(org)
    person = full_person(case, admin)
    response = staff(admin).get(f"/be/work/cases/{case.pk}/people/{person.pk}/export.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "no-store"
    assert audited("person.export.pdf", person.pk)


@pytest.mark.parametrize("role", ["volunteer", "analyst"])
def test_export_is_refused_without_the_export_action(org: Any, make_user: Any, staff: Any, role: str) -> None:
    user = make_user(role)
    case = make_case(org, user)
    person = make_person(case, "Hanna")
    client = staff(user)
    assert client.get(f"/en/work/cases/{case.pk}/people/{person.pk}/export.json").status_code == 404
    assert client.get(f"/en/work/cases/{case.pk}/people/{person.pk}/export.pdf").status_code == 404


def test_unassigned_caseworker_cannot_export(org: Any, make_user: Any, staff: Any) -> None:
    case = make_case(org)
    person = make_person(case, "Hanna")
    assert (
        staff(make_user("caseworker")).get(f"/en/work/cases/{case.pk}/people/{person.pk}/export.json").status_code
        == 404
    )


def test_the_pdf_renderer_fetches_nothing_from_the_network() -> None:
    import socket
    import threading

    from passage.web.workspace.records import render_record_pdf

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    hits: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            hits.append(listener.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    evil = f'<img src="http://127.0.0.1:{port}/x.png"><link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">'
    record = {
        "format": "v1",
        "person_id": "p",
        "case_id": "c",
        "relationship": "principal",
        "identity": {"surname_latin": evil},
        "facts": {},
        "determinations": [],
        "notes": [{"created_at": "2026-11-01", "author": None, "body": evil}],
        "tasks": [],
        "attachments": [],
    }
    pdf = render_record_pdf("en", record)
    thread.join()
    listener.close()
    assert pdf.startswith(b"%PDF-")
    assert hits == []


# --- erasure -----------------------------------------------------------------------------------------------


def test_admin_erases_a_person_and_everything_about_them(org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.attachments import attachment_dir
    from passage.cases.models import Attachment, Determination, NameTerm, Note, Person, Task

    admin = make_user("admin")
    case = make_case(org)
    client = staff(admin)
    person = make_person(case, "Lukashenka")
    other = make_person(case, "Novikau")
    assert upload(client, case, "a.pdf", one_page_pdf()).status_code == 303
    attachment = Attachment.objects.get(case=case)
    Attachment.objects.filter(pk=attachment.pk).update(person=person)
    path = attachment_dir() / attachment.stored_name
    full_person(case, admin)  # another person with every record, to be erased below too
    url = f"/en/work/cases/{case.pk}/people/{person.pk}/erase/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Lukashenka" in page.content.decode()
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 400
    assert Person.objects.filter(pk=person.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 303
    assert response["Location"] == f"/en/work/cases/{case.pk}/"
    assert not Person.objects.filter(pk=person.pk).exists()
    assert not NameTerm.objects.filter(person_id=person.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not path.exists()
    assert Person.objects.filter(pk=other.pk).exists()
    assert audited("person.erased", person.pk)
    # the search index no longer finds them
    html = client.post("/en/work/search/", {"query": "Lukashenka"}).content.decode()
    assert f"/people/{person.pk}/" not in html
    # erase the rest; the last one offers to erase the case
    for remaining in Person.objects.filter(case=case):
        client.post(f"/en/work/cases/{case.pk}/people/{remaining.pk}/erase/", {"confirm": "yes"})
    assert not (Note.objects.filter(case=case).exists())
    assert not (Task.objects.filter(case=case).exists())
    assert not Determination.objects.filter(person__case=case).exists()
    offer = client.get(f"/en/work/cases/{case.pk}/erase/")
    assert offer.status_code == 200
    assert "Nobody is left in this case" in offer.content.decode()
    assert client.post(f"/en/work/cases/{case.pk}/erase/", {"confirm": "yes"}).status_code == 303
    from passage.cases.models import Case

    assert not Case.objects.filter(pk=case.pk).exists()
    assert audited("case.erased", case.pk)


def test_the_last_person_erased_leads_to_the_case_erasure_offer(org: Any, make_user: Any, staff: Any) -> None:
    admin = make_user("admin")
    case = make_case(org)
    person = make_person(case, "Hanna")
    response = staff(admin).post(f"/en/work/cases/{case.pk}/people/{person.pk}/erase/", {"confirm": "yes"})
    assert response["Location"] == f"/en/work/cases/{case.pk}/erase/"


@pytest.mark.parametrize("role", ["caseworker", "lawyer", "volunteer", "analyst"])
def test_only_admins_erase(org: Any, make_user: Any, staff: Any, role: str) -> None:
    from passage.cases.models import Person

    user = make_user(role)
    case = make_case(org, user)
    person = make_person(case, "Hanna")
    client = staff(user)
    assert client.get(f"/en/work/cases/{case.pk}/people/{person.pk}/erase/").status_code == 404
    assert client.post(f"/en/work/cases/{case.pk}/people/{person.pk}/erase/", {"confirm": "yes"}).status_code == 404
    assert client.post(f"/en/work/cases/{case.pk}/erase/", {"confirm": "yes"}).status_code == 404
    assert Person.objects.filter(pk=person.pk).exists()


# --- sharing -----------------------------------------------------------------------------------------------


def test_share_grant_read_only_access_and_revoke(org: Any, other_org: Any, make_user: Any, staff: Any) -> None:
    from passage.cases.models import Share

    worker = make_user("caseworker")
    case = make_case(org, worker)
    person = make_person(case, "Hanna")
    partner = make_user("caseworker", organization=other_org, username="partner-lawyer")
    partner_client = staff(partner)
    notes = f"/en/work/cases/{case.pk}/notes/"
    assert partner_client.get(notes).status_code == 404
    client = staff(worker)
    response = client.post(
        f"/en/work/cases/{case.pk}/shares/",
        {"username": "partner-lawyer", "consent_on": "2026-10-30", "consent_note": "Signed form CANARY-CONSENT"},
    )
    assert response.status_code == 303
    share = Share.objects.get(case=case)
    assert share.consent_note == "Signed form CANARY-CONSENT"
    assert share.granted_by == worker
    assert b"CANARY" not in bytes(share.consent_note_enc)
    assert audited("share.grant", share.pk)
    # the partner reads, read only
    shared_page = partner_client.get(notes)
    assert shared_page.status_code == 200
    assert 'name="body"' not in shared_page.content.decode()  # read only: no form to add a note
    assert 'name="body"' in client.get(notes).content.decode()
    assert partner_client.get(f"/en/work/cases/{case.pk}/attachments/").status_code == 200
    assert upload(client, case, "a.pdf", one_page_pdf()).status_code == 303
    from passage.cases.models import Attachment

    shared_file = Attachment.objects.get(case=case)
    assert partner_client.get(f"/en/work/cases/{case.pk}/attachments/{shared_file.pk}/").status_code == 200
    assert partner_client.post(notes, {"body": "x"}).status_code == 404
    assert partner_client.get(f"/en/work/cases/{case.pk}/people/{person.pk}/export.json").status_code == 404
    assert partner_client.get(f"/en/work/cases/{case.pk}/shares/").status_code == 404
    found = partner_client.post("/en/work/search/", {"query": "Ганна"}).content.decode()
    assert f"/people/{person.pk}/" in found
    listing = client.get(f"/en/work/cases/{case.pk}/shares/").content.decode()
    assert "partner-lawyer" in listing
    assert "Signed form CANARY-CONSENT" in listing
    # revoke: denied at the very next request
    assert client.post(f"/en/work/cases/{case.pk}/shares/{share.pk}/revoke/").status_code == 303
    assert partner_client.get(notes).status_code == 404
    assert audited("share.revoke", share.pk)
    assert client.get(f"/en/work/cases/{case.pk}/shares/{share.pk}/revoke/").status_code == 405


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"username": "same-org", "consent_on": "2026-10-30", "consent_note": "form"}, "another organization"),
        ({"username": "nobody-at-all", "consent_on": "2026-10-30", "consent_note": "form"}, "another organization"),
        ({"username": "partner", "consent_on": "30/10/2026", "consent_note": "form"}, "YYYY-MM-DD"),
        ({"username": "partner", "consent_on": "2026-02-30", "consent_note": "form"}, "YYYY-MM-DD"),
        ({"username": "partner", "consent_on": "2099-01-01", "consent_note": "form"}, "not after today"),
        ({"username": "partner", "consent_on": "2026-10-30", "consent_note": ""}, "how the person gave consent"),
    ],
)
def test_share_errors_name_the_field(
    org: Any, other_org: Any, make_user: Any, staff: Any, data: dict[str, str], field_text: str
) -> None:
    from passage.cases.models import Share

    worker = make_user("caseworker")
    make_user("caseworker", username="same-org")
    make_user("caseworker", organization=other_org, username="partner")
    case = make_case(org, worker)
    response = staff(worker).post(f"/en/work/cases/{case.pk}/shares/", data)
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not Share.objects.exists()


@pytest.mark.parametrize("role", ["volunteer", "analyst"])
def test_volunteers_and_analysts_cannot_share(org: Any, make_user: Any, staff: Any, role: str) -> None:
    user = make_user(role)
    case = make_case(org, user)
    assert staff(user).get(f"/en/work/cases/{case.pk}/shares/").status_code == 404


# --- aggregates --------------------------------------------------------------------------------------------


def test_suppression_rules() -> None:
    from passage.cases.aggregates import suppress

    assert suppress([0, 3, 12, 7]) == ("0", "<5", "12", "x")  # a lone small cell takes the smallest other
    assert suppress([2, 3, 12]) == ("<5", "<5", "12")
    assert suppress([5, 0, 9]) == ("5", "0", "9")


def test_aggregates_for_admins_and_analysts_never_show_small_cells(
    org: Any, other_org: Any, make_user: Any, staff: Any
) -> None:
    from passage.cases.models import Determination

    today = date(2026, 11, 1)
    for index in range(12):
        case = make_case(org)
        expiry = (today - timedelta(days=10)) if index < 7 else (today + timedelta(days=30))
        status = "worker" if index < 7 else "visitor" if index < 10 else "student"
        facts = {"canadian_status": status, "national_passport_expiry": expiry.isoformat()}
        person = make_person(case, f"Person{index}", facts=facts)
        d = Determination(person=person, assessed_on=today)
        option = "eligible" if index < 8 else "needs_info" if index < 10 else "not_eligible"
        d.result = {"options": [{"id": "certificate_of_identity", "status": option}]}
        d.save()
    lone = make_person(make_case(org), "Lone", facts={"canadian_status": "refugee_claimant"})
    Determination.objects.create(person=lone, assessed_on=today)  # no result: counted nowhere in options
    make_person(make_case(org), "Lone", facts={"canadian_status": "refugee_claimant", "national_passport_expiry": None})
    make_person(make_case(org, stage="closed"), "Closed", facts={"canadian_status": "citizen"})
    make_person(make_case(other_org), "Elsewhere", facts={"canadian_status": "student"})
    analyst = staff(make_user("analyst"))
    html = analyst.get("/en/work/aggregates/").content.decode()
    assert "Expired" in html
    assert "<td>7</td>" in html
    assert "<td>5</td>" in html
    assert "&lt;5" in html  # 3 visitors
    assert "Person" not in html
    csv_text = analyst.get("/en/work/aggregates.csv").content.decode()
    assert "horizon,expired,people,7" in csv_text
    assert "horizon,under_6_months,people,5" in csv_text
    assert "status,worker,people,7" in csv_text
    assert "status,visitor,people,<5" in csv_text
    assert "status,student,people,<5" in csv_text
    assert "status,citizen,people,0" in csv_text
    assert "status,refugee_claimant,people,<5" in csv_text
    assert "horizon,unknown,people,<5" in csv_text
    assert "horizon,none_held,people,<5" in csv_text
    assert "options,certificate_of_identity,eligible,8" in csv_text
    assert "options,certificate_of_identity,needs_info,<5" in csv_text
    svg = analyst.get("/en/work/aggregates.svg")
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"<script" not in svg.content
    assert b"<title" in svg.content
    assert b"http://" not in svg.content.replace(b"http://www.w3.org/2000/svg", b"")
    assert staff(make_user("admin")).get("/en/work/aggregates/").status_code == 200
    assert audited("aggregates.read")


@pytest.mark.parametrize("role", ["caseworker", "lawyer", "volunteer"])
def test_aggregates_are_refused_to_case_roles(make_user: Any, staff: Any, role: str) -> None:
    client = staff(make_user(role))
    for path in ("/en/work/aggregates/", "/en/work/aggregates.csv", "/en/work/aggregates.svg"):
        assert client.get(path).status_code == 404


# --- retention ---------------------------------------------------------------------------------------------


def test_retention_erases_closed_cases_past_their_date_only(org: Any) -> None:
    from passage.cases.models import Case, NameTerm, Person
    from passage.cases.retention import run_retention

    past = make_case(org, stage="closed")
    Case.objects.filter(pk=past.pk).update(retain_until=date(2026, 10, 31))
    kept_closed = make_case(org, stage="closed")
    Case.objects.filter(pk=kept_closed.pk).update(retain_until=date(2026, 11, 1))
    open_case = make_case(org, stage="submitted")
    Case.objects.filter(pk=open_case.pk).update(retain_until=date(2020, 1, 1))
    gone = make_person(past, "Lukashenka")
    for case in (kept_closed, open_case):
        make_person(case, "Hanna")
    assert run_retention(date(2026, 11, 1)) == 1
    assert not Case.objects.filter(pk=past.pk).exists()
    assert not Person.objects.filter(pk=gone.pk).exists()
    assert not NameTerm.objects.filter(person_id=gone.pk).exists()
    assert Case.objects.filter(pk__in=[kept_closed.pk, open_case.pk]).count() == 2
    assert audited("case.erased", past.pk)


def test_retention_command_reports_and_refuses_a_bad_date() -> None:
    import typer
    from typer.testing import CliRunner

    from passage.cases.retention import retention_command

    app = typer.Typer()
    app.command()(retention_command)
    result = CliRunner().invoke(app, ["--on", "2026-13-01"])
    assert result.exit_code != 0
    ok = CliRunner().invoke(app, ["--on", "2026-11-01", "--dry-run"])
    assert ok.exit_code == 0
    assert "due for erasure" in ok.output


def test_data_dir_is_outside_static() -> None:
    from passage.cases.attachments import attachment_dir

    static = Path(__file__).resolve().parents[3] / "src" / "passage" / "web" / "static"
    assert static.resolve() not in attachment_dir().resolve().parents
