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
    data = upload.data if content_type == "application/pdf" else strip_image(upload.data, content_type)
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
