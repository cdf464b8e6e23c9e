"""Security headers on every response, error pages included (SECURITY-TESTS item 6).

The CSP allows nothing but our own stylesheet, images, fonts and form targets: no script at all, no inline
style, no framing. Every response is `no-store` except our static files, so no page with answers is cached.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
STATIC_PREFIX = "/static/"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Content-Security-Policy"] = CSP
        response["X-Content-Type-Options"] = "nosniff"
        # same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on our own form posts and
        # the CSRF origin check (rightly) refuses them. same-origin still sends nothing to any other site
        # (SECURITY-TESTS item 6 allows it); only our own pages see our own URLs.
        response["Referrer-Policy"] = "same-origin"
        response["Cross-Origin-Opener-Policy"] = "same-origin"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["X-Frame-Options"] = "DENY"
        response["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        if not (request.path.startswith(STATIC_PREFIX) and response.status_code == 200):
            response["Cache-Control"] = "no-store"
        if getattr(settings, "PRODUCTION", False):
            response["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response


class RequestIdMiddleware:
    """A random id per request, carried by every audit entry of the request (and nothing personal)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from passage.storage.audit import set_request_id

        request_id = uuid.uuid4().hex
        request.request_id = request_id
        set_request_id(request_id)
        try:
            return self.get_response(request)
        finally:
            set_request_id(None)


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteRequestMiddleware:
    """Refuses an unsafe request the browser marks `Sec-Fetch-Site: cross-site`, before any view runs
    (SECURITY-TESTS item 5). Django's CSRF check compares Origin/Referer and the token but does not read Fetch
    Metadata; a cross-site form post that somehow carries a valid token is still refused here. Requests
    without the header (older browsers, API clients) are left to the CSRF check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in UNSAFE_METHODS and request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
            from passage.web.views import csrf_failure

            return csrf_failure(request, "cross-site request (Sec-Fetch-Site)")
        return self.get_response(request)
