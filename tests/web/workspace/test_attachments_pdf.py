"""PDF attachments are rebuilt without their metadata, embedded files and actions (SECURITY-TESTS item 19,
ASVS 14.2.8): uploaded through the web form, decrypted from disk, and searched, streams decompressed."""

from __future__ import annotations

import base64
import contextlib
import io
import os
import subprocess
import time
import zlib
from typing import Any

import pytest

from tests.web.workspace.test_records import make_case, upload

# Every one of these is put somewhere in the PDF the tests upload; none may be in what is stored.
CANARIES = {
    "info": b"CANARY-AUTHOR",
    "producer": b"CANARY-PRODUCER",
    "catalog xmp": b"CANARY-CATALOG-XMP",
    "page xmp": b"CANARY-PAGE-XMP",
    "image xmp": b"CANARY-IMAGE-XMP",
    "font xmp": b"CANARY-FONT-XMP",
    "piece info": b"CANARY-PIECE",
    "embedded file": b"CANARY-EMBEDDED-DATA",
    "embedded file name": b"CANARY-EMBEDDED-NAME",
    "document javascript": b"CANARY-JS",
    "open action": b"CANARY-OPEN-ACTION",
    "page action": b"CANARY-LAUNCH",
    "file annotation": b"CANARY-ANNOT-FILE",
    "uri link": b"canary-uri.example",
    "submit form": b"CANARY-SUBMIT",
    "note author": b"CANARY-NOTE-AUTHOR",
    "exif in jpeg": b"CANARY-CAMERA",
    "jpeg comment": b"CANARY-COMMENT",
    "after jpeg end": b"CANARY-TRAILER",
}
# Names that must not be left in the stored file at all.
NAMES = (
    b"/Metadata",
    b"/PieceInfo",
    b"/EmbeddedFiles",
    b"/JavaScript",
    b"/JS",
    b"/OpenAction",
    b"/AA",
    b"/URI",
    b"/Launch",
    b"/SubmitForm",
    b"/FileAttachment",
    b"/EF",
    b"/Info",
    b"/Author",
    b"/Producer",
)
PAGE_ONE = "Passport page one: Sample Holder"
PAGE_TWO = "Page two visa stamp"


def jpeg_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (40, 30), (10, 200, 10))
    exif = Image.Exif()
    exif[0x010F] = "CANARY-CAMERA"  # Make
    exif[0x0110] = "CANARY-CAMERA-MODEL"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), comment=b"CANARY-COMMENT")
    return out.getvalue() + b"CANARY-TRAILER"  # some phones append their own data after the end marker


def plain_pdf() -> bytes:
    """Two pages of text, a JPEG picture and a web link, as WeasyPrint draws them."""
    import weasyprint  # type: ignore[import-untyped]

    picture = base64.b64encode(jpeg_with_exif()).decode()
    html = f'<p>{PAGE_ONE}</p><img src="data:image/jpeg;base64,{picture}"><p style="break-before: page">{PAGE_TWO}</p>'
    return bytes(weasyprint.HTML(string=html).write_pdf())


def _stream(writer: Any, data: bytes, compressed: bool = True, **entries: Any) -> Any:
    from pypdf.generic import DecodedStreamObject, NameObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return writer._add_object(stream.flate_encode() if compressed else stream)


def _action(**entries: Any) -> Any:
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def dressed_pdf() -> bytes:
    """plain_pdf() carrying every canary: Info, XMP on the catalog, a page, the picture and a font (compressed),
    PieceInfo, an embedded file and a file attachment annotation, document JavaScript, an open action, a
    page action, URI and SubmitForm links, a note's author, and EXIF, a comment and a trailer in the JPEG."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, StreamObject
    from pypdf.generic import TextStringObject as Text

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    name = NameObject
    writer.add_metadata({"/Author": "CANARY-AUTHOR", "/Producer": "CANARY-PRODUCER", "/Title": "CANARY-AUTHOR"})
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>%s</dc:creator></x:xmpmeta>'
    writer.root_object[name("/Metadata")] = _stream(writer, xmp % b"CANARY-CATALOG-XMP", Type=name("/Metadata"))
    page = writer.pages[0]
    page[name("/Metadata")] = _stream(writer, xmp % b"CANARY-PAGE-XMP")
    page[name("/PieceInfo")] = DictionaryObject(
        {name("/CanaryApp"): DictionaryObject({name("/Private"): Text("CANARY-PIECE")})}
    )
    page[name("/AA")] = DictionaryObject({name("/O"): _action(S=name("/Launch"), F=Text("CANARY-LAUNCH"))})
    resources = page["/Resources"]
    image = next(x.get_object() for x in resources["/XObject"].values() if x.get_object()["/Subtype"] == "/Image")
    StreamObject.set_data(image, jpeg_with_exif())  # the JPEG as a phone wrote it, EXIF and all
    image[name("/Metadata")] = _stream(writer, xmp % b"CANARY-IMAGE-XMP")
    font = next(iter(resources["/Font"].values())).get_object()
    font[name("/Metadata")] = _stream(writer, xmp % b"CANARY-FONT-XMP", compressed=False)
    writer.add_attachment("CANARY-EMBEDDED-NAME.txt", b"CANARY-EMBEDDED-DATA")
    script = writer._add_object(_action(S=name("/JavaScript"), JS=Text("app.alert('CANARY-JS');")))
    writer.root_object["/Names"][name("/JavaScript")] = _action(Names=ArrayObject([Text("canary"), script]))
    writer.root_object[name("/OpenAction")] = _action(S=name("/JavaScript"), JS=Text("app.alert('CANARY-OPEN-ACTION')"))
    box = ArrayObject([FloatObject(10), FloatObject(10), FloatObject(60), FloatObject(60)])
    attached = _stream(writer, b"CANARY-ANNOT-FILE", Type=name("/EmbeddedFile"))
    annotations = [
        _action(
            Type=name("/Annot"),
            Subtype=name("/Link"),
            Rect=box,
            A=_action(S=name("/URI"), URI=Text("http://canary-uri.example/")),
        ),
        _action(
            Type=name("/Annot"),
            Subtype=name("/Link"),
            Rect=box,
            A=_action(S=name("/SubmitForm"), F=Text("CANARY-SUBMIT")),
        ),
        _action(
            Type=name("/Annot"),
            Subtype=name("/FileAttachment"),
            Rect=box,
            FS=_action(Type=name("/Filespec"), F=Text("x.txt"), EF=_action(F=attached)),
        ),
        _action(
            Type=name("/Annot"), Subtype=name("/Text"), Rect=box, T=Text("CANARY-NOTE-AUTHOR"), Contents=Text("a note")
        ),
    ]
    page[name("/Annots")] = ArrayObject([writer._add_object(annotation) for annotation in annotations])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def everything_in(pdf: bytes) -> bytes:
    """The file's bytes followed by every object as read and every stream decompressed (object streams
    included), to search."""
    from pypdf import PdfReader
    from pypdf.generic import StreamObject

    reader = PdfReader(io.BytesIO(pdf))
    parts = [pdf]
    numbers = {number for section in reader.xref.values() for number in section} | set(reader.xref_objStm)
    for number in sorted(numbers):
        obj = reader.get_object(number)
        parts.append(str(obj).encode())  # strings as read, escapes (`\\055` for `-`) undone
        if isinstance(obj, StreamObject):
            parts.append(obj.get_data())
    # Raw zlib streams too, in case a stream is not in the cross-reference table (an orphan pypdf skips).
    for chunk in pdf.split(b"stream")[1:]:
        with_data = chunk.lstrip(b"\r\n")
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompressobj().decompress(with_data))
    return b"\n".join(parts)


def text_of(pdf: bytes, tmp_path: Any) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout  # noqa: S603, S607 - a fixed tool on a file the test wrote


def stored_plain(attachment: Any) -> bytes:
    """What is on disk for the attachment, decrypted directly (not through the download view)."""
    from passage.cases.attachments import _context, attachment_dir
    from passage.storage.keys import vault

    return vault().decrypt_field((attachment_dir() / attachment.stored_name).read_bytes(), _context(attachment.pk))


def test_the_dressed_pdf_carries_every_canary() -> None:
    """The control: each canary is really in the file uploaded, in its bytes or a decompressed stream."""
    everything = everything_in(dressed_pdf())
    for where, canary in CANARIES.items():
        assert canary in everything, where
    for name in NAMES:
        assert name in everything, name


def test_a_pdf_is_stored_without_metadata_files_or_actions(org: Any, make_user: Any, staff: Any, tmp_path: Any) -> None:
    from pypdf import PdfReader

    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    original = dressed_pdf()
    assert upload(client, case, "passport.pdf", original, "application/pdf").status_code == 303
    attachment = Attachment.objects.get(case=case)
    assert attachment.content_type == "application/pdf"
    stored = stored_plain(attachment)
    assert attachment.size == len(stored)
    everything = everything_in(stored)
    for where, canary in CANARIES.items():
        assert canary not in everything, where
    for name in NAMES:
        assert name not in everything, name
    # What the pages show is kept: the number of pages, their text, the picture.
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 2
    assert reader.metadata is None
    assert text_of(stored, tmp_path).split() == text_of(original, tmp_path).split()
    assert PAGE_ONE in text_of(stored, tmp_path)
    images = reader.pages[0].images
    assert len(images) == 1
    assert images[0].image.size == (40, 30)
    assert images[0].image.getpixel((20, 15))[1] > 150  # still green
    # Only the note remains of the annotations, without its author; the links are inert.
    kinds = sorted(annotation.get_object()["/Subtype"] for annotation in reader.pages[0].get("/Annots", []))
    assert kinds == ["/Link", "/Link", "/Text"]
    assert all("/A" not in annotation.get_object() for annotation in reader.pages[0]["/Annots"])
    assert client.get(f"/en/work/cases/{case.pk}/attachments/{attachment.pk}/").content == stored


def test_a_clean_pdf_keeps_its_pages_and_text(tmp_path: Any) -> None:
    from pypdf import PdfReader

    from passage.cases.attachments import strip_pdf

    original = plain_pdf()
    cleaned = strip_pdf(original)
    assert len(PdfReader(io.BytesIO(cleaned)).pages) == 2
    assert text_of(cleaned, tmp_path).split() == text_of(original, tmp_path).split()
    assert b"WeasyPrint" not in everything_in(cleaned)  # the producer of a clean file goes too


def test_jpeg_markers_are_stripped_but_the_picture_is_kept() -> None:
    from PIL import Image

    from passage.cases.attachments import strip_jpeg

    jpeg = jpeg_with_exif()
    clean = strip_jpeg(jpeg)
    assert b"CANARY" not in clean
    assert clean.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(clean)) as image:
        assert not image.getexif()
        assert image.size == (40, 30)
        assert image.tobytes() == Image.open(io.BytesIO(jpeg)).tobytes()
    assert strip_jpeg(clean) == clean
    for broken in (b"GIF89a", clean[:4] + b"\xff\xff" + clean[6:], clean[:3] + b"\x00" + clean[4:], clean[:5]):
        with pytest.raises(ValueError, match="JPEG"):
            strip_jpeg(broken)


def encrypted(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain_pdf())))
    writer.encrypt(user_password, "owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def object_stream_bomb(count: int, size: int) -> bytes:
    """A small PDF whose page's resources sit in `count` object streams, each expanding to `size` bytes."""
    body = [b"%PDF-1.5\n"]
    offsets: dict[int, int] = {}

    def add(number: int, data: bytes) -> None:
        offsets[number] = sum(map(len, body))
        body.append(b"%d 0 obj\n" % number + data + b"\nendobj\n")

    names = b" ".join(b"/R%d %d 0 R" % (i, 10 + i) for i in range(count))
    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    add(3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Resources << /Properties << " + names + b" >> >> >>")
    for i in range(count):
        header = b"%d 0 " % (10 + i)
        data = zlib.compress(header + b"<< >>" + b" " * size, 9)
        add(
            1000 + i,
            b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (len(header), len(data))
            + data
            + b"\nendstream",
        )
    # A cross-reference stream (type 2 entries point into the object streams).
    numbers = sorted([*offsets, *(10 + i for i in range(count))])
    xref_number = max(numbers) + 1
    offsets[xref_number] = sum(map(len, body))
    rows = b"".join(
        b"\x01" + offsets[n].to_bytes(4, "big") + b"\x00"
        if n in offsets
        else b"\x02" + (1000 + n - 10).to_bytes(4, "big") + b"\x00"
        for n in [*numbers, xref_number]
    )
    index = b" ".join(b"%d 1" % n for n in [*numbers, xref_number])
    stream = zlib.compress(rows)
    body.append(
        b"%d 0 obj\n<< /Type /XRef /Size %d /Root 1 0 R /W [1 4 1] /Index [%s] " % (xref_number, xref_number + 1, index)
        + b"/Filter /FlateDecode /Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    )
    return b"".join(body)


def many_objects(count: int) -> bytes:
    """A PDF of `count` small objects, its page reaching them through arrays of (pypdf's limit) 100,000."""
    body = [b"%PDF-1.4\n"]
    offsets: list[int] = []
    size = [len(body[0])]

    def add(data: bytes) -> None:
        offsets.append(size[0])
        body.append(b"%d 0 obj\n" % (len(offsets)) + data + b"\nendobj\n")
        size[0] += len(body[-1])

    add(b"<< /Type /Catalog /Pages 2 0 R >>")
    add(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
    arrays = b" ".join(
        b"[" + b" ".join(b"%d 0 R" % (4 + i) for i in range(start, min(count, start + 100_000))) + b"]"
        for start in range(0, count, 100_000)
    )
    add(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Resources << /Canary [" + arrays + b"] >> >>")
    for _ in range(count):
        add(b"0")
    start = size[0]
    body.append(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    body.extend(b"%010d 00000 n \n" % offset for offset in offsets)
    body.append(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, start))
    return b"".join(body)


def test_the_bomb_builders_make_pdfs_that_open() -> None:
    """The control for the refusals below: small versions of the hostile files are read and kept."""
    from pypdf import PdfReader

    from passage.cases.attachments import strip_pdf

    for pdf in (object_stream_bomb(2, 1000), many_objects(50)):
        assert len(PdfReader(io.BytesIO(strip_pdf(pdf))).pages) == 1


REFUSED = [
    ("encrypted", lambda: encrypted("secret"), "without a password"),
    ("encrypted with an empty password", lambda: encrypted(""), "without a password"),
    ("truncated", lambda: dressed_pdf()[: len(dressed_pdf()) // 2], "damaged"),
    ("header only", lambda: b"%PDF-1.4\n%canary\n", "damaged"),
    (
        "no pages",
        lambda: b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        "damaged",
    ),
    ("one object stream over the limit", lambda: object_stream_bomb(1, 10 * 1024 * 1024), "damaged"),
    ("object streams over the total", lambda: object_stream_bomb(3, 6 * 1024 * 1024), "damaged"),
    ("too many objects", lambda: many_objects(51_000), "damaged"),
]


@pytest.mark.parametrize(("what", "make", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_a_pdf_that_cannot_be_cleaned_is_refused_and_nothing_is_stored(
    org: Any, make_user: Any, staff: Any, what: str, make: Any, message: str
) -> None:
    from passage.cases.attachments import MAX_BYTES, attachment_dir
    from passage.cases.models import Attachment

    worker = make_user("caseworker")
    case = make_case(org, worker)
    data = make()
    assert data.startswith(b"%PDF-")
    assert len(data) <= MAX_BYTES
    before = set(os.listdir(attachment_dir()))
    started = time.process_time()
    response = upload(staff(worker), case, f"{what}.pdf", data, "application/pdf")
    assert time.process_time() - started < 30  # bounded even for the hostile files
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert message in html
    assert not Attachment.objects.filter(case=case).exists()
    assert set(os.listdir(attachment_dir())) == before


def test_the_refusal_for_an_encrypted_pdf_is_in_every_language(org: Any, make_user: Any, staff: Any) -> None:
    import html as html_lib

    from django.core.files.uploadedfile import SimpleUploadedFile

    from passage.cases.attachments import ENCRYPTED
    from passage.web.texts import lang_texts
    from passage.web.workspace.records import FILE_ERRORS

    key = FILE_ERRORS[ENCRYPTED]
    worker = make_user("caseworker")
    case = make_case(org, worker)
    client = staff(worker)
    pdf = encrypted("secret")
    messages = set()
    for lang in ("en", "fr", "be", "ru"):
        message = lang_texts(lang)[key]
        messages.add(message)
        response = client.post(
            f"/{lang}/work/cases/{case.pk}/attachments/", {"file": SimpleUploadedFile("x.pdf", pdf, "application/pdf")}
        )
        assert response.status_code == 400
        assert message in html_lib.unescape(response.content.decode())
    assert len(messages) == 4
