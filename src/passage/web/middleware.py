"""Security headers on every response, error pages included (SECURITY-TESTS item 6).

The CSP allows nothing but our own stylesheet, images, fonts and form targets: no script at all, no inline
style, no framing. Every response is `no-store` except our static files, so no page with answers is cached.
"""

from __future__ import annotations

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
