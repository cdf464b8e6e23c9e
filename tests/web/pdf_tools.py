"""PDFs in tests: reading one back as a person would (poppler-utils' pdftotext and pdffonts, installed by
`make browser-deps`) for the golden-file tests of SECURITY-TESTS item 30, and a small real one to upload."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"


def run_tool(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=60).stdout  # noqa: S603


def pdf_text(pdf: Path) -> str:
    return run_tool("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-")


def pdffonts(pdf: Path) -> list[dict[str, str]]:
    """`pdffonts`' table as rows by column name (the columns are as wide as the dashes under the header)."""
    header, dashes, *rows = run_tool("pdffonts", str(pdf)).splitlines()
    spans, start = [], 0
    for dash in dashes.split(" "):
        spans.append((start, start + len(dash)))
        start += len(dash) + 1
    names = [header[a:b].strip() for a, b in spans]
    return [{name: row[a:b].strip() for name, (a, b) in zip(names, spans, strict=True)} for row in rows]


def matches_golden(text: str, name: str) -> bool:
    """Whether `text` equals the reviewed golden file `name`; PASSAGE_UPDATE_GOLDEN=1 rewrites it first (after a
    deliberate change: review its diff)."""
    golden = GOLDEN / name
    if os.environ.get("PASSAGE_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    return text == golden.read_text(encoding="utf-8")


def one_page_pdf() -> bytes:
    """A real one-page PDF: uploads are rebuilt by pypdf, so a PDF header alone is refused as damaged."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
