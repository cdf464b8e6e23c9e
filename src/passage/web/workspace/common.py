"""What every workspace page renders with: texts in the page's language, the signed-in user, navigation."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from passage.engine import LANGUAGES
from passage.web.texts import LANGUAGE_NAMES, lang_texts


def check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise Http404


def page(request: HttpRequest, lang: str, template: str, status: int = 200, **context: Any) -> HttpResponse:
    """Render a workspace template with `T` (texts), `lang`, `languages` (switch links) and `user`."""
    check_lang(lang)
    path = request.path
    rest = path[len(lang) + 2 :] if path.startswith(f"/{lang}/") else ""
    switch = [
        {"code": code, "name": LANGUAGE_NAMES[code], "url": f"/{code}/{rest}", "current": code == lang}
        for code in LANGUAGES
    ]
    user = getattr(request, "user", None)
    base = {"lang": lang, "T": lang_texts(lang), "languages": switch, "staff": user if _signed_in(user) else None}
    response = render(request, template, {**base, **context}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _signed_in(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_verified", lambda: False)())
