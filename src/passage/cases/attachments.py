"""Attachments: checked, cleaned, encrypted files kept outside the web root (SECURITY-TESTS item 19).

On upload:
- size: at most MAX_BYTES (10 MB); an empty file is refused too;
- name: kept only encrypted, for the download; refused when it holds a path (`../`, `/`, `\\`, a drive letter),
  a NUL or another control character, or is longer than 200 characters;
- type: from the first bytes only (PDF `%PDF-`, PNG, JPEG); the name's extension and the browser's
  Content-Type are ignored; anything else is refused;
- images are decoded and re-encoded from their pixels alone (Pillow), so EXIF (GPS position, camera serial),
  XMP, ICC profiles and text chunks are dropped (ASVS 14.2.8); the EXIF orientation is applied first so the
  picture still stands the right way up. A picture over MAX_PIXELS, or one Pillow cannot decode, is refused;
- PDFs are rebuilt from their pages alone (pypdf, `strip_pdf`): a new catalog and no document Info, so the
  old catalog's XMP, outlines, name trees (document JavaScript, embedded files), open action, forms and structure
  tree are not copied; on everything the pages reach, XMP (/Metadata), /PieceInfo, /LastModified, additional
  (/AA) actions, embedded and associated files go, every action but a go-to inside the document (URI, Launch,
  SubmitForm, JavaScript...) is removed, file attachment and media annotations are removed whole and notes lose
  their author and dates; JPEG pictures lose their EXIF, XMP, ICC, IPTC and comment segments and whatever follows
  their end marker (the coded picture is copied byte for byte). Pages, text, fonts and pictures are kept. An
  encrypted PDF is refused (ENCRYPTED); one pypdf cannot read, with no page, or past the bounds (a stream over
  MAX_PDF_STREAM decoded, object streams over MAX_PDF_EXPANDED together, more than MAX_PDF_OBJECTS objects or
  MAX_PDF_PAGES pages) is refused as DAMAGED. Not cleaned: JPEG 2000 and other picture formats keep any metadata
  inside their coded data; a page's own text is what the page shows;
- the bytes are sealed with the vault (AES-256-GCM, FieldContext table="cases_attachment",
  column="content", row_id=<attachment id>) and written to PASSAGE_DATA_DIR/attachments/<32 random hex>
  (folder 0700, file 0600, created exclusively, fsynced).

Download decrypts (the AAD binds the attachment id: a file swapped for another's does not decrypt).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from passage.cases.models import Attachment, Case
from passage.cases.notes import person_in
from passage.cases.services import Invalid, require
from passage.crypto import FieldContext
from passage.storage.audit import actor_of, audit
from passage.storage.keys import vault

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_NAME = 200
TABLE, COLUMN = "cases_attachment", "content"
TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What a refused upload is told (the web page shows each in the reader's language, keyed by these texts).
MISSING = "a PDF, PNG or JPEG file to upload"
TOO_BIG = f"a file of at most {MAX_BYTES // (1024 * 1024)} MB"
EMPTY = "a file that is not empty"
BAD_NAME = f"a plain file name (at most {MAX_NAME} characters, no folder, no '..', no control character)"
BAD_TYPE = "a PDF, PNG or JPEG file (judged from its content, not its name)"
DAMAGED = "a PDF, PNG or JPEG file that opens (this one is damaged)"
TOO_MANY_PIXELS = f"a picture of at most {MAX_PIXELS // 1_000_000} megapixels"
ENCRYPTED = "a PDF without a password (this one is encrypted)"


def attachment_dir() -> Path:
    """PASSAGE_DATA_DIR/attachments, created 0700 (the same place passage.ops.fields reads)."""
    root = Path(os.environ.get("PASSAGE_DATA_DIR", "").strip() or "var") / "attachments"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    return root


def sniff(data: bytes) -> str | None:
    """The content type from the magic bytes, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid({"file": BAD_NAME})
    if (
        len(name) > MAX_NAME
        or _CONTROL.search(name)
        or "/" in name
        or "\\" in name
        or ".." in name
        or _DRIVE.match(name)
    ):
        raise Invalid({"file": BAD_NAME})
    return name.strip()


def strip_image(data: bytes, content_type: str) -> bytes:
    """The picture re-encoded from its pixels only (no EXIF, XMP, ICC or text chunks)."""
    from PIL import Image, ImageOps

    fmt = "PNG" if content_type == "image/png" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise Invalid({"file": TOO_MANY_PIXELS})
                probe.load()
                upright = ImageOps.exif_transpose(probe)
                if upright.mode not in ("RGB", "RGBA", "L", "LA") or (fmt == "JPEG" and upright.mode != "RGB"):
                    upright = upright.convert("RGB" if fmt == "JPEG" or "transparency" not in upright.info else "RGBA")
                clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except Invalid:
        raise
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Invalid({"file": DAMAGED}) from None
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, format="JPEG", quality=92)
    else:
        clean.save(out, format="PNG", optimize=False)
    return out.getvalue()


# --- PDF --------------------------------------------------------------------------------------------------
# A PDF is rebuilt from its pages alone (pypdf): the new file has a fresh catalog and no /Info, so everything
# that hangs off the old catalog (XMP, outlines, name trees with JavaScript and embedded files, the document's
# open action, forms' XFA, the structure tree) is simply not copied. Before the pages are copied, every object
# they reach has its metadata and active content removed, since a page, an image or a font can carry XMP too.
# Keys removed from every dictionary the pages reach:
_DROP = frozenset(
    {
        "/Metadata",  # XMP: author, tool, device, dates
        "/PieceInfo",  # application private data
        "/LastModified",
        "/AA",  # actions run on open, close, page view, mouse-over...
        "/OpenAction",
        "/JS",
        "/JavaScript",
        "/Next",  # a chain of further actions
        "/PA",  # a link's original URI action
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded file streams
        "/RF",
        "/AF",  # PDF 2.0 associated files
        "/XFA",
        "/SpiderInfo",  # web capture: the URLs the file was made from
    }
)
# And from page dictionaries: article beads (their threads carry an info dictionary) and web capture ids.
_DROP_PAGE = frozenset({"/B", "/ID", "/PZ", "/SeparationInfo", "/TemplateInstantiated"})
# From annotations: who wrote a note and when (markup annotations name their author in /T).
_DROP_ANNOT = frozenset({"/T", "/M", "/CreationDate", "/NM", "/Popup", "/IRT", "/RT"})
# Annotations removed whole: they hold a file, a sound, a film or active media.
_DROP_SUBTYPES = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})
# The only action kept: going to a place in the same document. URI, Launch, SubmitForm, JavaScript, GoToR,
# ImportData and the rest are removed, so opening the file or clicking in it calls nothing outside.
_KEEP_ACTIONS = frozenset({"/GoTo"})
# JPEG markers kept in an embedded picture: APP0 (JFIF) and APP14 (Adobe, needed to decode the colours).
# APP1 (EXIF, XMP), APP2 (ICC, FlashPix), APP13 (IPTC) and the other APPn, and comments, go.
_JPEG_KEEP_APP = frozenset({0xE0, 0xEE})
# Bounds for a hostile file (at most MAX_BYTES): pypdf's own limits lowered to what a 10 MB file needs, no
# external decoder run, and budgets on what the whole file may expand to and how many objects it may have.
MAX_PDF_STREAM = 8 * 1024 * 1024
MAX_PDF_EXPANDED = 16 * 1024 * 1024
MAX_PDF_OBJECTS = 50_000
MAX_PDF_NODES = 1_000_000
MAX_PDF_PAGES = 2_000


class _Refused(Exception):
    """The PDF cannot be cleaned within the bounds: refused as damaged."""


def _pdf_limits() -> Any:
    import pypdf

    return pypdf.Configuration(
        maximum_declared_stream_length=MAX_BYTES,
        array_based_stream_maximum_output_length=MAX_PDF_STREAM,
        jbig2_maximum_output_length=MAX_PDF_STREAM,
        lzw_maximum_output_length=MAX_PDF_STREAM,
        run_length_maximum_output_length=MAX_PDF_STREAM,
        zlib_maximum_output_length=MAX_PDF_STREAM,
        brotli_maximum_output_length=MAX_PDF_STREAM,
        image_maximum_buffer_size=MAX_PDF_STREAM,
        stream_decoding_work_maximum_length=4 * MAX_PDF_STREAM,
        jbig2dec_binary=None,  # never run an external decoder on an upload
        disable_legacy_handling=True,
    )


def strip_jpeg(data: bytes) -> bytes:
    """The JPEG with its APPn segments (but JFIF and Adobe) and comments removed, and nothing after its end
    marker (some phones append their own metadata there). The coded picture itself is copied byte for byte.
    Raises ValueError when the markers cannot be read."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG")
    out = [b"\xff\xd8"]
    i, n = 2, len(data)
    while i < n:
        if data[i] != 0xFF or i + 1 >= n or data[i + 1] == 0x00:
            raise ValueError("bad JPEG marker")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker == 0xD9:  # end of image: anything after it is dropped
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            out.append(data[i : i + 2])
            i += 2
            continue
        if i + 4 > n:
            raise ValueError("truncated JPEG segment")
        end = i + 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        if end < i + 4 or end > n:
            raise ValueError("bad JPEG segment length")
        if not (marker == 0xFE or (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP)):
            out.append(data[i:end])
        i = end
        if marker == 0xDA:  # start of scan: coded data up to the next marker that is not stuffing or a restart
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:  # no end marker: keep the coded data, as viewers do
                    out.append(data[i:])
                    return b"".join(out)
                follower = data[j + 1]
                if follower == 0x00 or 0xD0 <= follower <= 0xD7:
                    j += 2
                elif follower == 0xFF:
                    j += 1
                else:
                    break
            out.append(data[i:j])
            i = j
    return b"".join(out)


def _is_jpeg_image(stream: Any) -> bool:
    filters = stream.get("/Filter")
    if isinstance(filters, list) and len(filters) == 1:
        filters = filters[0]
    return bool(stream.get("/Subtype") == "/Image" and filters == "/DCTDecode")


def _clean_dict(obj: Any, fix: bool) -> int:
    """Remove from one dictionary (or stream) what identifies or acts; the count of what was found."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

    found = [key for key in obj if key in _DROP]
    if obj.get("/Type") == "/Page":
        found += [key for key in obj if key in _DROP_PAGE]
    action = obj.get("/A")
    if action is not None:
        action = action.get_object()
        if not isinstance(action, DictionaryObject) or action.get("/S") not in _KEEP_ACTIONS:
            found.append("/A")
    if fix:
        for key in found:
            del obj[key]
    annots = obj.get("/Annots")
    if obj.get("/Type") == "/Page" and annots is not None:
        annots = annots.get_object()
        kept = ArrayObject()
        if isinstance(annots, ArrayObject):
            for ref in annots:
                annot = ref.get_object()
                if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") in _DROP_SUBTYPES:
                    found.append("/Annots")
                    continue
                marks = [key for key in annot if key in _DROP_ANNOT]
                found += marks
                if fix:
                    for key in marks:
                        del annot[key]
                kept.append(ref)
        if fix:
            obj[NameObject("/Annots")] = kept
    if isinstance(obj, StreamObject) and _is_jpeg_image(obj):
        raw = obj.get_data()
        clean = strip_jpeg(raw)
        if clean != raw:
            found.append("/DCTDecode")
            if fix:
                # StreamObject.set_data sets the raw (still JPEG-coded) bytes, which are what is written (the
                # subclass's would re-encode); the decoded copy pypdf keeps is dropped so no read sees the old.
                StreamObject.set_data(obj, clean)
                obj.decoded_self = None
    return len(found)


def _clean_graph(roots: list[Any], fix: bool) -> int:
    """Walk every object reachable from roots (each indirect object once, at most MAX_PDF_NODES steps) and
    clean each dictionary; the count of what was found."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    stack = list(roots)
    seen: set[tuple[int, int]] = set()
    steps = found = 0
    while stack:
        obj = stack.pop()
        steps += 1
        if steps > MAX_PDF_NODES:
            raise _Refused("too many objects")
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            found += _clean_dict(obj, fix)
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return found


def strip_pdf(data: bytes) -> bytes:
    """The PDF rebuilt from its pages, without its metadata, embedded files or actions (see _DROP above).
    An encrypted PDF is refused with ENCRYPTED; one that pypdf cannot read, or that exceeds the bounds, with
    DAMAGED."""
    import pypdf
    from pypdf.generic import StreamObject

    try:
        with pypdf.apply_configuration(_pdf_limits()):
            reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted:
                raise Invalid({"file": ENCRYPTED})
            if len(reader.xref_objStm) + sum(len(part) for part in reader.xref.values()) > MAX_PDF_OBJECTS:
                raise _Refused("too many objects")
            # Object streams are decompressed (and kept) as their objects are read: bound their total first.
            expanded = 0
            for number in {stream for stream, _ in reader.xref_objStm.values()}:
                stream = reader.get_object(number)
                expanded += len(stream.get_data()) if isinstance(stream, StreamObject) else 0
                if expanded > MAX_PDF_EXPANDED:
                    raise _Refused("expands too much")
            pages = list(reader.pages)
            if not pages or len(pages) > MAX_PDF_PAGES:
                raise _Refused("no pages or too many")
            _clean_graph(pages, fix=True)
            writer = pypdf.PdfWriter()
            writer.metadata = None
            for page in pages:
                writer.add_page(page)
            # What was copied is checked again, from the new catalog: nothing removed may have come back.
            if writer.metadata is not None or _clean_graph([writer.root_object], fix=False):
                raise _Refused("metadata left after cleaning")
            out = io.BytesIO()
            writer.write(out)
    except Invalid:
        raise
    except Exception:  # a hostile file can make a parser fail in any way: it is refused, not kept
        raise Invalid({"file": DAMAGED}) from None
    cleaned = out.getvalue()
    if len(cleaned) > MAX_BYTES:  # rebuilt bigger than the cap (many pages sharing one large object)
        raise Invalid({"file": TOO_BIG})
    return cleaned


@dataclass(frozen=True)
class Upload:
    name: object
    data: bytes
    size: int


def _context(attachment_id: object) -> FieldContext:
    return FieldContext(table=TABLE, column=COLUMN, row_id=str(attachment_id))


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def add_attachment(user: object, case: Case, upload: Upload | None, person_id: object = None) -> Attachment:
    require(user, "write", case)
    if upload is None:
        raise Invalid({"file": MISSING})
    if upload.size > MAX_BYTES or len(upload.data) > MAX_BYTES:
        raise Invalid({"file": TOO_BIG})
    if not upload.data:
        raise Invalid({"file": EMPTY})
    name = check_name(upload.name)
    content_type = sniff(upload.data)
    if content_type is None:
        raise Invalid({"file": BAD_TYPE})
    person = person_in(case, person_id)
    data = strip_pdf(upload.data) if content_type == "application/pdf" else strip_image(upload.data, content_type)
    stored = secrets.token_hex(16)
    attachment = Attachment(case=case, person=person, content_type=content_type, size=len(data), stored_name=stored)
    attachment.filename = name
    token = vault().encrypt_field(data, _context(attachment.pk))
    path = attachment_dir() / stored
    _write_new(path, token)
    try:
        with transaction.atomic():
            attachment.save()
            audit(actor_of(user), "attachment.create", "attachment", attachment.pk)
    except BaseException:
        remove_file(path)
        raise
    return attachment


def list_attachments(user: object, case: Case) -> list[Attachment]:
    require(user, "read_sensitive", case)
    rows = list(Attachment.objects.filter(case=case).select_related("person").order_by("-created_at", "-id"))
    with transaction.atomic():
        audit(actor_of(user), "attachment.list", "case", case.pk)
    return rows


def attachment_of(case: Case, attachment_id: object) -> Attachment | None:
    try:
        return Attachment.objects.get(pk=attachment_id, case=case)
    except (Attachment.DoesNotExist, ValidationError, ValueError):
        return None


def read_attachment(user: object, attachment: Attachment) -> bytes:
    """The decrypted content (audited). Raises FileNotFoundError when the file is gone."""
    require(user, "read_sensitive", attachment.case)
    token = (attachment_dir() / attachment.stored_name).read_bytes()
    data = vault().decrypt_field(token, _context(attachment.pk))
    with transaction.atomic():
        audit(actor_of(user), "attachment.read", "attachment", attachment.pk)
    return data


def download_name(attachment: Attachment) -> str:
    """An ASCII-safe file name for Content-Disposition, with the extension of the checked type."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", (attachment.filename or "file").rsplit(".", 1)[0]).strip("._")
    return (base[:80] or "file") + TYPES.get(attachment.content_type, "")


def remove_file(path: Path) -> None:
    """Overwrite the file with zeros (fsynced), then unlink it. Best effort on copy-on-write filesystems and
    SSDs (wear levelling may keep old blocks); the content was encrypted in any case."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return
    try:
        size = os.fstat(fd).st_size
        chunk = b"\0" * 65536
        written = 0
        while written < size:
            written += os.write(fd, chunk[: min(len(chunk), size - written)])
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)
