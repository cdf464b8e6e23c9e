"""Routes. Language is the first path segment (`/be/plan/`), so a link always shows the same language."""

from __future__ import annotations

from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import include, path, re_path

from passage.authz.routes import public_route
from passage.web import api, trade, views

STATIC_DIR = Path(__file__).with_name("static")
STATIC_FILES = {"passage.css": "text/css; charset=utf-8"}


@public_route(["GET"])
def static(request: HttpRequest, name: str) -> HttpResponse:
    """Our own stylesheet, from our own origin (an allow-list: no directory is ever served)."""
    if name not in STATIC_FILES:
        raise Http404
    response = HttpResponse((STATIC_DIR / name).read_bytes(), content_type=STATIC_FILES[name])
    response["Cache-Control"] = "public, max-age=3600"
    return response


urlpatterns = [
    path("", views.root),
    path("api/assess", api.assess_view),
    path("api/openapi.json", api.openapi_view),
    re_path(r"^static/(?P<name>[a-z.]+)$", static),
    path("<str:lang>/work/", include("passage.web.workspace.urls")),
    path("<str:lang>/", views.landing),
    path("<str:lang>/interview/", views.interview),
    path("<str:lang>/interview/<slug:topic>/", views.topic),
    path("<str:lang>/summary/", views.summary),
    path("<str:lang>/plan/", views.plan),
    path("<str:lang>/plan.pdf", views.plan_pdf),
    path("<str:lang>/forget/", views.forget),
    path("<str:lang>/trade/", trade.trade),
    path("<str:lang>/trade/figures.svg", trade.trade_chart),
]

handler403 = views.forbidden
handler404 = views.not_found
handler500 = views.server_error
