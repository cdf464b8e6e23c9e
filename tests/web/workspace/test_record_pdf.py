"""The record a person takes away (the workspace's PDF export): in their language, and the same every time.

SECURITY-TESTS item 30 for the second PDF the system makes: `pdftotext` of the rendering equals a reviewed
golden file (PASSAGE_UPDATE_GOLDEN=1 rewrites it after a deliberate change), and every font is embedded.
The record is built here as `passage.cases.export.person_record` returns it, so the text does not depend on
database ids or clocks; `test_records.py` checks the view that builds it from the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from passage.web.workspace.records import render_record_pdf
from tests.web.pdf_tools import matches_golden, pdf_text, pdffonts

RECORD: dict[str, Any] = {
    "format": "passage-person-export-v1",
    "person_id": "41",
    "case_id": "7",
    "relationship": "principal",
    "created_at": "2026-10-02T09:15:00+00:00",
    "updated_at": "2026-11-20T16:40:00+00:00",
    "identity": {
        "given_names_latin": "Hanna",
        "surname_latin": "Kavaliova",
        "given_names_cyrillic": "Ганна",
        "surname_cyrillic": "Кавалёва",
        "passport_number": "MP1234567",
        "address": None,
        "contacts": "+1 555 0100",
    },
    "facts": {
        "canadian_status": "worker",
        "in_canada": True,
        "citizenships": ["BY", "PL"],
        "national_passport_expiry": "2026-12-01",
        "absences": [{"from": "2025-07-01", "to": "2025-07-20"}],
        "a_fact_no_rulebook_declares": {"kept": "as stored"},
    },
    "determinations": [
        {
            "id": "3",
            "assessed_on": "2026-11-01",
            "created_at": "2026-11-01T10:00:00+00:00",
            "result": {"options": [{"id": "certificate_of_identity", "status": "likely_eligible"},
                                   {"id": "refugee_claim", "status": "needs_info"}]},
            "receipt": {"engine": "test"},
        }
    ],
    "notes": [
        {"id": "5", "created_at": "2026-11-02T08:05:09+00:00", "author": "worker-a", "body": "Called back.\nOK."}
    ],
    "tasks": [
        {"id": "8", "kind": "passport_expiry", "due_on": "2026-12-01", "source": "law", "done_at": None, "detail": ""},
        {"id": "9", "kind": "other", "due_on": "2026-11-25", "source": "manual", "done_at": "2026-11-24T12:00:00+00:00",
         "detail": "Bring the birth certificate"},
    ],
    "attachments": [{"id": "2", "filename": "пашпарт.pdf", "content_type": "application/pdf", "size": 52311,
                     "created_at": "2026-11-02T08:06:00+00:00"}],
}


def _text(lang: str, folder: Path, name: str) -> str:
    pdf = folder / name
    pdf.write_bytes(render_record_pdf(lang, RECORD))
    return pdf_text(pdf)


@pytest.mark.parametrize("lang", ["be", "en"])
def test_the_record_pdf_is_the_same_every_time_and_equals_the_golden_file(lang: str, tmp_path: Path) -> None:
    first, second = _text(lang, tmp_path, "a.pdf"), _text(lang, tmp_path, "b.pdf")
    assert first == second
    assert matches_golden(first, f"record_{lang}.txt")
    fonts = pdffonts(tmp_path / "a.pdf")
    assert fonts
    assert all(font["emb"] == "yes" for font in fonts), fonts
    assert any("DejaVu" in font["name"] for font in fonts)


@pytest.mark.parametrize("lang", ["en", "fr", "be", "ru"])
def test_the_record_reads_in_the_persons_language_not_in_storage_keys(lang: str, tmp_path: Path) -> None:
    """A person asking for what is held about them reads labels, answers and option titles in their language;
    only a fact no rulebook declares any more is shown as stored, so nothing held is left out."""
    text = " ".join(_text(lang, tmp_path, "r.pdf").split())
    for key in ("canadian_status", "passport_number", "certificate_of_identity", "likely_eligible", "needs_info",
                "passport_expiry", "given_names_latin", "true", "2026-12-01"):
        assert key not in text, (lang, key)
    for kept in ("Кавалёва", "MP1234567", "Bring the birth certificate", "пашпарт.pdf", "worker-a",
                 "a_fact_no_rulebook_declares"):
        assert kept in text, (lang, kept)
