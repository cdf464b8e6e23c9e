"""Requests in isolation, database fingerprints, and HTML forms read and filled the way a browser would."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.db import connection, transaction

from tests.web.workspace.security._routes import Route, expected_allowed, fill_values
from tests.web.workspace.security.conftest import PDF, Actor, World, actors, password_only, signed_in

# Tables a GET may legitimately write: reads are audited by design (one hash-chained line per read of a case),
# and sessions are touched by signing in and by the session middleware.
READ_WRITES = frozenset({"storage_audit_record", "storage_audit_head", "django_session", "accounts_staff_session"})


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone afterwards: each request of the matrix starts from the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def send(client: Any, method: str, path: str, data: Any = None, **headers: str) -> Any:
    if method == "GET":
        return client.get(path, data or {}, **headers)
    if method == "POST":
        return client.post(path, data or {}, **headers)
    return client.generic(method, path, **headers)


def as_user(user: Any | None, method: str, path: str, data: Any = None, *, verified: bool = True) -> Any:
    """One request by `user` (None: anonymous; verified=False: password step only), in a rolled-back savepoint
    together with its sign-in, so a view that logs out or rotates the session cannot disturb the next one."""
    from django.test import Client

    with rolled_back():
        client = Client() if user is None else signed_in(user) if verified else password_only(user)
        return send(client, method, path, data)


def table_rows(exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every table's rows, hashed (sha256 over the sorted rows), table -> digest."""
    digests = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table in exclude:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - introspected names
            rows = sorted(repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)) for row in cursor)
            digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))


def allowed_requests(route: Route, method: str, world: World) -> list[tuple[Actor, str, str]]:
    """Every (actor, object, path) the documented matrix allows for `route` and `method`, admins first."""
    found = []
    for actor in actors(world):
        if route.is_case:
            objects = {name: records.kwargs() for name, records in actor.objects.items()}
        else:
            objects = {"same_org_user" if route.is_user else "none": {}}
        for obj, kwargs in objects.items():
            if expected_allowed(route, method, actor.role, obj):
                found.append((actor, obj, route.path(fill_values(route, kwargs, str(actor.same_org_user.pk)))))
    return found


# --- Forms ------------------------------------------------------------------------------------------------


@dataclass
class Field:
    tag: str  # input, textarea, select
    name: str
    type: str = "text"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    action: str
    method: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons (name, value)

    def hidden(self) -> dict[str, str]:
        return {f.name: f.value for f in self.fields if f.type == "hidden"}

    def names(self) -> set[str]:
        return {f.name for f in self.fields} | {name for name, _ in self.buttons}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("action", ""), a.get("method", "get").upper())
            self.forms.append(self._form)
            return
        if tag == "option":
            if self._select is not None:
                self._select.options.append(a.get("value", ""))
            return
        form, name = self._form, a.get("name", "")
        if form is None or not name:
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image", "button", "reset"):
                form.buttons.append((name, a.get("value", "")))
            else:
                form.fields.append(Field("input", name, kind, a.get("value", ""), checked="checked" in a))
        elif tag == "button":
            if a.get("type", "submit").lower() == "submit":
                form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = Field("textarea", name, "textarea")
            form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field("select", name, "select")
            form.fields.append(self._select)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def html_of(response: Any) -> str:
    """The page's HTML, or "" for anything else (a PDF, a CSV, a download)."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return ""
    return str(response.content.decode("utf-8", errors="replace"))


def forms_of(html: str, page_path: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = form.action or page_path
    return parser.forms


TextValue = Callable[[Field], str]


def fill(form: Form, text: TextValue, *, dates: str = "2026-12-01", number: str = "1") -> list[tuple[str, Any]]:
    """The data a person would post: hidden fields kept, every text box filled by `text(field)`, the first real
    option of every select and radio group, every checkbox ticked, every file field given a small PDF."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: list[tuple[str, Any]] = []
    radios: set[str] = set()
    for f in form.fields:
        if f.type == "hidden":
            data.append((f.name, f.value))
        elif f.type == "checkbox":
            data.append((f.name, f.value or "on"))
        elif f.type == "radio":
            if f.name not in radios:
                radios.add(f.name)
                data.append((f.name, f.value))
        elif f.type == "select":
            real = [o for o in f.options if o] or f.options
            if real:
                data.append((f.name, real[0]))
        elif f.type == "date":
            data.append((f.name, dates))
        elif f.type == "number":
            data.append((f.name, number))
        elif f.type == "file":
            name = text(f)
            data.append((f.name, SimpleUploadedFile(f"{name}.pdf", PDF, "application/pdf")))
        elif f.type == "password":
            data.append((f.name, text(f)))
        else:
            data.append((f.name, text(f)))
    return data


def as_post(data: list[tuple[str, Any]]) -> dict[str, Any]:
    """Django's test client wants a dict of lists for repeated names."""
    out: dict[str, Any] = {}
    for name, value in data:
        out.setdefault(name, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}
