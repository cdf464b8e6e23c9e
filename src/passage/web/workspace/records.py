"""Workspace views: records around a case (docs/workspace-records.md).

Search by name (POST only: a name never goes into a URL), notes, attachments, a person's export (JSON and
PDF), erasure, sharing with another organization's user, and the figures for advocacy. Every view is a
`route(...)`; cases come only from `case_for` (404 for forbidden and missing alike); the services in
passage.cases.* check the action again and write the audit entries.
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from passage.auth.models import Role
from passage.authz.cases import can, case_for
from passage.authz.routes import route
from passage.cases import aggregates as agg
from passage.cases import attachments as att
from passage.cases import people
from passage.cases.erasure import erase_case, erase_person
from passage.cases.export import person_record
from passage.cases.models import Case, Person
from passage.cases.notes import add_note, list_notes
from passage.cases.search import search
from passage.cases.services import Invalid, NotAllowed, new_token, today
from passage.cases.sharing import grant_share, list_shares, revoke_share
from passage.storage.audit import actor_of, audit
from passage.web.texts import lang_texts, t
from passage.web.workspace.common import check_lang, page
from passage.web.workspace.labels import date_text, fact_display, has_text, option_titles, status_text, task_text

CASE_ROLES = (Role.ADMIN, Role.CASEWORKER, Role.LAWYER, Role.VOLUNTEER)
WORKERS = (Role.ADMIN, Role.CASEWORKER, Role.LAWYER)
FIGURES = (Role.ADMIN, Role.ANALYST)
T_DIR = "workspace/records/"

# Field -> text key of "what was expected", for errors shown on the page in the reader's language.
FIELD_ERRORS = {
    "query": "ws_records_err_query",
    "body": "ws_records_err_body",
    "person": "ws_records_err_person",
    "username": "ws_records_err_username",
    "consent_on": "ws_records_err_consent_on",
    "consent_note": "ws_records_err_consent_note",
    "confirm": "ws_records_err_confirm",
    "token": "ws_records_err_token",
}
FILE_ERRORS = {
    att.MISSING: "ws_records_err_file_missing",
    att.TOO_BIG: "ws_records_err_file_too_big",
    att.EMPTY: "ws_records_err_file_empty",
    att.BAD_NAME: "ws_records_err_file_name",
    att.BAD_TYPE: "ws_records_err_file_type",
    att.DAMAGED: "ws_records_err_file_damaged",
    att.ENCRYPTED: "ws_records_err_file_encrypted",
    att.TOO_MANY_PIXELS: "ws_records_err_file_pixels",
}
FIELD_LABELS = {
    "query": "ws_records_search_label",
    "body": "ws_records_note_label",
    "person": "ws_records_about_label",
    "file": "ws_records_file_label",
    "username": "ws_records_share_username",
    "consent_on": "ws_records_share_consent_on",
    "consent_note": "ws_records_share_consent_note",
    "confirm": "ws_records_erase_confirm_label",
    "token": "ws_records_form_label",
}


def _errors(lang: str, error: Invalid) -> list[dict[str, str]]:
    texts = lang_texts(lang)
    out = []
    for name, what in error.problems.items():
        key = FILE_ERRORS.get(what, "ws_records_err_file_missing") if name == "file" else FIELD_ERRORS.get(name)
        out.append(
            {
                "field": name,
                "label": str(texts.get(FIELD_LABELS.get(name, ""), name)),
                "message": str(texts[key]) if key and key in texts else what,
            }
        )
    return out


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _see(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def _person(case: Case, person_id: object) -> Person:
    try:
        person = Person.objects.get(pk=person_id, case=case)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    person.case = case
    return person


def _people(case: Case) -> list[Person]:
    return list(Person.objects.filter(case=case).order_by("created_at", "id"))


def display_name(person: Person) -> str:
    latin = " ".join(p for p in (person.given_names_latin, person.surname_latin) if p)
    cyrillic = " ".join(p for p in (person.given_names_cyrillic, person.surname_cyrillic) if p)
    if latin and cyrillic:
        return f"{latin} ({cyrillic})"
    return latin or cyrillic or "—"


# --- search ------------------------------------------------------------------------------------------------


@route(["GET", "POST"], CASE_ROLES, "case")
def search_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    if request.method == "GET":
        return page(request, lang, T_DIR + "search.html", searched=False, results=[], errors=[])
    query = request.POST.get("query", "")
    if not isinstance(query, str) or not query.strip() or len(query) > 200:
        error = Invalid({"query": "a name of 1 to 200 characters"})
        return page(
            request, lang, T_DIR + "search.html", status=400, searched=False, results=[], errors=_errors(lang, error)
        )
    people = search(request.user, query)
    audit(actor_of(request.user), "person.search")
    results = [{"person": p, "name": display_name(p), "case_id": p.case_id} for p in people]
    return page(request, lang, T_DIR + "search.html", searched=True, results=results, errors=[])


# --- notes -------------------------------------------------------------------------------------------------


def _notes_page(
    request: HttpRequest, lang: str, case: Case, errors: list[dict[str, str]], status: int = 200, body: str = ""
) -> HttpResponse:
    notes = list_notes(request.user, case)
    people = _people(case)
    names = {p.pk: display_name(p) for p in people}
    rows = [{"note": n, "body": n.body, "about": names.get(n.person_id, "")} for n in notes]
    choices = [{"id": p.pk, "name": names[p.pk]} for p in people]
    return page(
        request,
        lang,
        T_DIR + "notes.html",
        token=new_token(),
        can_write=can(request.user, "write", case),
        status=status,
        case=case,
        notes=rows,
        people=choices,
        errors=errors,
        body=body,
    )


@route(["GET", "POST"], CASE_ROLES, "case")
def notes_view(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    if request.method == "GET":
        return _notes_page(request, lang, case_for(request.user, case_id, "read_sensitive"), [])
    case = case_for(request.user, case_id, "write")
    body = request.POST.get("body", "")
    try:
        add_note(request.user, case, body, request.POST.get("person", ""), request.POST.get("token", ""))
    except Invalid as error:
        return _notes_page(request, lang, case, _errors(lang, error), 400, body if isinstance(body, str) else "")
    except NotAllowed:
        raise Http404 from None
    return _see(f"/{lang}/work/cases/{case.pk}/notes/")


# --- attachments -------------------------------------------------------------------------------------------


class CappedMemoryUpload(FileUploadHandler):
    """Keeps an uploaded file in memory only (never a temporary file on disk: the plaintext of an ID scan
    must not land in /tmp), and stops storing once it passes the cap (the view then says it is too big)."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.buffer = io.BytesIO()
        self.too_big = False
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > att.MAX_BYTES:
            self.too_big = True
            self.buffer = io.BytesIO()
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> UploadedFile:
        self.buffer.seek(0)
        return UploadedFile(
            file=self.buffer, name=self.file_name, content_type="application/octet-stream", size=file_size
        )


def _attachments_page(
    request: HttpRequest, lang: str, case: Case, errors: list[dict[str, str]], status: int = 200, listed: bool = True
) -> HttpResponse:
    rows = att.list_attachments(request.user, case) if listed else []
    people = _people(case)
    names = {p.pk: display_name(p) for p in people}
    items = [{"a": a, "filename": a.filename, "about": names.get(a.person_id, "")} for a in rows]
    choices = [{"id": p.pk, "name": names[p.pk]} for p in people]
    return page(
        request,
        lang,
        T_DIR + "attachments.html",
        can_write=can(request.user, "write", case),
        status=status,
        case=case,
        attachments=items,
        people=choices,
        errors=errors,
        max_mb=att.MAX_BYTES // (1024 * 1024),
        listed=listed,
    )


@csrf_exempt  # the upload handler must be set before the body is read; CSRF is checked just below instead
@route(["GET", "POST"], CASE_ROLES, "case")
def attachments_view(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    handler = CappedMemoryUpload(request)
    if request.method == "POST":
        request.upload_handlers = [handler]
        if _declared_length(request) > att.MAX_BYTES + FORM_OVERHEAD:
            # Refused before a byte of the body is read. No CSRF check has run, so nothing is written (not even
            # the audit entry of a listing): the page shows the error and the form only.
            case = case_for(request.user, case_id, "write")
            errors = _errors(lang, Invalid({"file": att.TOO_BIG}))
            return _attachments_page(request, lang, case, errors, 413, listed=False)
    return _attachments_checked(request, lang, case_id, handler)


FORM_OVERHEAD = 64 * 1024  # the other fields and multipart boundaries of the upload form


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _attachments_checked(request: HttpRequest, lang: str, case_id: Any, handler: CappedMemoryUpload) -> HttpResponse:
    if request.method == "GET":
        return _attachments_page(request, lang, case_for(request.user, case_id, "read_sensitive"), [])
    case = case_for(request.user, case_id, "write")
    file = request.FILES.get("file")
    try:
        if handler.too_big:
            raise Invalid({"file": att.TOO_BIG})
        upload = None
        if file is not None:
            data = file.read(att.MAX_BYTES + 1)
            upload = att.Upload(name=file.name, data=data, size=file.size or len(data))
        att.add_attachment(request.user, case, upload, request.POST.get("person", ""))
    except Invalid as error:
        return _attachments_page(request, lang, case, _errors(lang, error), 400)
    except NotAllowed:
        raise Http404 from None
    return _see(f"/{lang}/work/cases/{case.pk}/attachments/")


@route(["GET"], CASE_ROLES, "case")
def attachment_download(request: HttpRequest, lang: str, case_id: Any, attachment_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "read_sensitive")
    attachment = att.attachment_of(case, attachment_id)
    if attachment is None:
        raise Http404
    attachment.case = case
    try:
        data = att.read_attachment(request.user, attachment)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, att.download_name(attachment))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(data))
    return _no_store(response)


# --- export ------------------------------------------------------------------------------------------------


@route(["GET"], WORKERS, "case")
def export_json(request: HttpRequest, lang: str, case_id: Any, person_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "export")
    person = _person(case, person_id)
    record = person_record(request.user, person, "json")
    body = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
    response = HttpResponse(body.encode("utf-8"), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"person-{person.pk}.json")
    return _no_store(response)


@route(["GET"], WORKERS, "case")
def export_pdf(request: HttpRequest, lang: str, case_id: Any, person_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "export")
    person = _person(case, person_id)
    record = person_record(request.user, person, "pdf")
    pdf = render_record_pdf(lang, record)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"person-{person.pk}.pdf")
    return _no_store(response)


def render_record_pdf(lang: str, record: dict[str, Any]) -> bytes:
    """The record through WeasyPrint with the plan's fetcher: local DejaVu fonts only, nothing else.

    The person reads it in their language: fields by their labels, answers as the interview words them, options
    by title and status, dates in the language's format. Values the workspace does not know how to word (a fact
    no rulebook declares any more) are shown as stored, so nothing held about the person is left out."""
    from passage.web.pdf import render_pdf

    return render_pdf(T_DIR + "export_pdf.html", {"lang": lang, "T": lang_texts(lang), **record_rows(lang, record)})


def record_rows(lang: str, record: dict[str, Any]) -> dict[str, Any]:
    """A `person_record` as rows of (label, value) text in `lang`, for the PDF."""
    catalog = people.person_facts()
    identity = [(t(f"ws.cases_field_{name}", lang), value or "—") for name, value in record["identity"].items()]
    relationship = record["relationship"]
    rel_key = f"ws.cases_rel_{relationship}"
    identity.append((t("ws.cases_field_relationship", lang), t(rel_key, lang) if has_text(rel_key) else relationship))
    facts = [
        (catalog[name].question[lang], fact_display(catalog[name], value, lang))
        if name in catalog
        else (name, json.dumps(value, ensure_ascii=False))
        for name, value in sorted(record["facts"].items())
    ]
    titles = option_titles(lang)
    determinations = [
        {
            "on": _date_text(d["assessed_on"], lang),
            "options": [
                (titles.get(str(o.get("id", "")), str(o.get("id", ""))), status_text(str(o.get("status", "")), lang))
                for o in ((d.get("result") or {}).get("options") or [])
                if isinstance(o, dict)
            ],
        }
        for d in record["determinations"]
    ]
    notes = [(_moment_text(n["created_at"], lang), n["author"], n["body"]) for n in record["notes"]]
    tasks = [
        (_date_text(k["due_on"], lang), task_text(k["kind"], k["source"], k["detail"], lang), bool(k["done_at"]))
        for k in record["tasks"]
    ]
    attachments = [(a["filename"], a["content_type"], a["size"]) for a in record["attachments"]]
    ids = (f"{t('ws.cases_person', lang)} {record['person_id']} · {t('ws.cases_case', lang)} {record['case_id']}"
           f" · {record['format']}")
    return {"identity": identity, "facts": facts, "determinations": determinations, "notes": notes, "tasks": tasks,
            "attachments": attachments, "ids": ids}


def _date_text(iso: str | None, lang: str) -> str:
    """A stored date, or a moment's date part, in the language's format ("—" for none)."""
    return date_text(iso[:10], lang) if iso else "—"


def _moment_text(iso: str | None, lang: str) -> str:
    """A stored moment (UTC) as its date in the language's format and the time, hours and minutes, UTC."""
    return f"{_date_text(iso, lang)}, {iso[11:16]} UTC" if iso and len(iso) >= 16 else _date_text(iso, lang)


# --- erasure -----------------------------------------------------------------------------------------------


@route(["GET", "POST"], (Role.ADMIN,), "case")
def erase_person_view(request: HttpRequest, lang: str, case_id: Any, person_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "erase")
    person = _person(case, person_id)
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        errors = [] if request.method == "GET" else _errors(lang, Invalid({"confirm": "yes"}))
        audit(actor_of(request.user), "person.read_names", "person", person.pk)
        return page(
            request,
            lang,
            T_DIR + "erase_person.html",
            status=200 if not errors else 400,
            case=case,
            person=person,
            name=display_name(person),
            errors=errors,
        )
    empty = erase_person(request.user, person)
    if empty:
        return _see(f"/{lang}/work/cases/{case.pk}/erase/")
    return _see(f"/{lang}/work/cases/{case.pk}/")


@route(["GET", "POST"], (Role.ADMIN,), "case")
def erase_case_view(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "erase")
    if request.method == "GET" or request.POST.get("confirm") != "yes":
        errors = [] if request.method == "GET" else _errors(lang, Invalid({"confirm": "yes"}))
        audit(actor_of(request.user), "case.read", "case", case.pk)
        people = [display_name(p) for p in _people(case)]
        return page(
            request,
            lang,
            T_DIR + "erase_case.html",
            status=200 if not errors else 400,
            case=case,
            people=people,
            errors=errors,
        )
    erase_case(request.user, case)
    return _see(f"/{lang}/work/cases/")


# --- sharing -----------------------------------------------------------------------------------------------


def _shares_page(
    request: HttpRequest,
    lang: str,
    case: Case,
    errors: list[dict[str, str]],
    status: int = 200,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    shares = list_shares(request.user, case)
    rows = [{"s": s, "consent_note": s.consent_note} for s in shares]
    return page(
        request,
        lang,
        T_DIR + "shares.html",
        status=status,
        case=case,
        shares=rows,
        errors=errors,
        form=form or {},
        today=today().isoformat(),
    )


@route(["GET", "POST"], WORKERS, "case")
def shares_view(request: HttpRequest, lang: str, case_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "share")
    if request.method == "GET":
        return _shares_page(request, lang, case, [])
    data = {k: request.POST.get(k, "") for k in ("username", "consent_on", "consent_note")}
    try:
        grant_share(request.user, case, data["username"], data["consent_on"], data["consent_note"])
    except Invalid as error:
        return _shares_page(request, lang, case, _errors(lang, error), 400, data)
    return _see(f"/{lang}/work/cases/{case.pk}/shares/")


@route(["POST"], WORKERS, "case")
def share_revoke(request: HttpRequest, lang: str, case_id: Any, share_id: Any) -> HttpResponse:
    check_lang(lang)
    case = case_for(request.user, case_id, "share")
    if revoke_share(request.user, case, share_id) is None:
        raise Http404
    return _see(f"/{lang}/work/cases/{case.pk}/shares/")


# --- aggregates --------------------------------------------------------------------------------------------


def _figures(request: HttpRequest) -> agg.Figures:
    try:
        return agg.figures(request.user, today())
    except NotAllowed:
        raise Http404 from None


def _library_labels(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """(option id -> title, canadian_status value -> label) in `lang`, from the loaded rulebooks."""
    from passage.rulebooks import default_library

    library = default_library()
    options: dict[str, str] = {}
    for book in library.rulebooks.values():
        for key, value in book.texts.items():
            if key.startswith("option.") and lang in value and "{" not in value[lang]:
                options.setdefault(key[len("option.") :], value[lang])
    spec = library.facts.get("person", {}).get("canadian_status")
    statuses = {name: labels[lang] for name, labels in spec.values.items() if lang in labels} if spec else {}
    return options, statuses


def _label_rows(table: agg.Table, labels: dict[str, str]) -> list[dict[str, Any]]:
    return [{"key": row.key, "label": labels.get(row.key, row.key), "cells": row.cells} for row in table.rows]


def _horizon_labels(lang: str) -> dict[str, str]:
    texts = lang_texts(lang)
    return {key: str(texts[f"ws_records_horizon_{key}"]) for key in agg.HORIZONS}


@route(["GET"], FIGURES, "aggregate")
def aggregates_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    result = _figures(request)
    texts = lang_texts(lang)
    option_titles, status_labels = _library_labels(lang)
    status_labels["unknown"] = str(texts["ws_records_unknown"])
    return page(
        request,
        lang,
        T_DIR + "aggregates.html",
        on=result.on.isoformat(),
        options=_label_rows(result.options, option_titles),
        statuses=[str(texts.get(f"status_{s}", s)) for s in agg.STATUSES],
        horizon=_label_rows(result.horizon, _horizon_labels(lang)),
        canadian=_label_rows(result.status, status_labels),
    )


@route(["GET"], FIGURES, "aggregate")
def aggregates_csv(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    response = HttpResponse(agg.to_csv(_figures(request)).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, "passage-figures.csv")
    return _no_store(response)


@route(["GET"], FIGURES, "aggregate")
def aggregates_svg(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    result = _figures(request)
    svg = horizon_svg(_label_rows(result.horizon, _horizon_labels(lang)), lang, lang_texts(lang))
    response = HttpResponse(svg.encode("utf-8"), content_type="image/svg+xml; charset=utf-8")
    return _no_store(response)


def horizon_svg(rows: list[dict[str, Any]], lang: str, texts: dict[str, str]) -> str:
    """A self-contained bar chart (no script, no URL, no font file) of the passport horizon, with a <title> and
    a <desc> holding the whole table. A suppressed cell gets no bar, only its mark ("<5" or "x")."""
    import xml.etree.ElementTree as ET

    left, top, bar_h, gap, width = 230, 48, 22, 10, 640
    height = top + len(rows) * (bar_h + gap) + 40
    numbers = [int(r["cells"][0]) for r in rows if r["cells"][0].isdigit()]
    biggest = sorted(numbers)[-1] if numbers else 0
    scale = (width - left - 80) / biggest if biggest else 0.0
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "lang": lang,
            "aria-labelledby": "chart-title chart-desc",
            "font-family": "sans-serif",
            "font-size": "13",
        },
    )
    title = str(texts["ws_records_horizon_title"])
    ET.SubElement(svg, "title", {"id": "chart-title"}).text = title
    ET.SubElement(svg, "desc", {"id": "chart-desc"}).text = (
        "\n".join(f"{r['label']}: {r['cells'][0]}" for r in rows) + "\n" + str(texts["ws_records_suppressed_note"])
    )
    ET.SubElement(svg, "rect", {"width": str(width), "height": str(height), "fill": "#ffffff"})
    ET.SubElement(
        svg, "text", {"x": "12", "y": "26", "font-size": "16", "font-weight": "bold", "fill": "#1a1a1a"}
    ).text = title
    for index, row in enumerate(rows):
        y = top + index * (bar_h + gap)
        ET.SubElement(
            svg, "text", {"x": str(left - 8), "y": str(y + bar_h - 6), "text-anchor": "end", "fill": "#1a1a1a"}
        ).text = row["label"]
        cell = row["cells"][0]
        length = int(int(cell) * scale) if cell.isdigit() else 0
        if length:
            ET.SubElement(
                svg,
                "rect",
                {"x": str(left), "y": str(y), "width": str(length), "height": str(bar_h), "fill": "#0072B2"},
            )
        ET.SubElement(
            svg, "text", {"x": str(left + length + 6), "y": str(y + bar_h - 6), "fill": "#1a1a1a"}
        ).text = cell
    ET.SubElement(svg, "text", {"x": "12", "y": str(height - 14), "font-size": "11", "fill": "#1a1a1a"}).text = str(
        texts["ws_records_suppressed_note"]
    )
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(svg, encoding="unicode")


CASE = "cases/<uuid:case_id>/"
urlpatterns: list[URLPattern] = [
    path("search/", search_view, name="ws-search"),
    path(CASE + "notes/", notes_view, name="ws-notes"),
    path(CASE + "attachments/", attachments_view, name="ws-attachments"),
    path(CASE + "attachments/<uuid:attachment_id>/", attachment_download, name="ws-attachment"),
    path(CASE + "people/<uuid:person_id>/export.json", export_json, name="ws-export-json"),
    path(CASE + "people/<uuid:person_id>/export.pdf", export_pdf, name="ws-export-pdf"),
    path(CASE + "people/<uuid:person_id>/erase/", erase_person_view, name="ws-erase-person"),
    path(CASE + "erase/", erase_case_view, name="ws-erase-case"),
    path(CASE + "shares/", shares_view, name="ws-shares"),
    path(CASE + "shares/<uuid:share_id>/revoke/", share_revoke, name="ws-share-revoke"),
    path("aggregates/", aggregates_view, name="ws-aggregates"),
    path("aggregates.csv", aggregates_csv, name="ws-aggregates-csv"),
    path("aggregates.svg", aggregates_svg, name="ws-aggregates-svg"),
]
