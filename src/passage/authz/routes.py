"""The route policy table (SECURITY-TESTS items 1-2): every workspace view is wrapped by `route(...)`,
which names who may call it, and enforces, in order:

1. the method is listed (else 405);
2. the caller is a logged-in, active staff user whose second factor is verified this session (anonymous:
   302 to the login page; a password-only session: 302 to the second-factor step);
3. the caller's role is listed (else 404: a forbidden page looks exactly like a missing one);
4. the view itself then fetches its object with `passage.authz.cases` rules (`case_for`), again 404.

Routes of the anonymous self-assessment and of login itself use `public_route(...)`. The inventory test
walks Django's URL resolver and fails for any view that carries neither.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Literal
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect

from passage.auth.models import Role, User

ObjectRule = Literal["none", "case", "user", "aggregate"]
View = Callable[..., HttpResponse]
ALL_STAFF = frozenset(Role.values)


@dataclass(frozen=True)
class RoutePolicy:
    methods: frozenset[str]
    roles: frozenset[str]  # empty: public (no login)
    object_rule: ObjectRule  # what the view checks next, for the authorization matrix
    public: bool = False


def _lang(kwargs: dict[str, Any]) -> str:
    lang = kwargs.get("lang", "en")
    return lang if lang in ("en", "fr", "be", "ru") else "en"


def login_url(lang: str, next_path: str = "") -> str:
    suffix = f"?next={quote(next_path, safe='/')}" if next_path else ""
    return f"/{lang}/work/login/{suffix}"


def second_factor_url(lang: str) -> str:
    return f"/{lang}/work/login/verify/"


def route(methods: Iterable[str], roles: Iterable[str], object_rule: ObjectRule = "none") -> Callable[[View], View]:
    policy = RoutePolicy(frozenset(methods), frozenset(roles), object_rule)
    unknown = policy.roles - ALL_STAFF
    if unknown or not policy.roles:
        raise ValueError(f"route roles must be staff roles {sorted(ALL_STAFF)}, got {sorted(policy.roles)}")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in policy.methods:
                return HttpResponseNotAllowed(sorted(policy.methods))
            user = request.user
            if not (isinstance(user, User) and user.is_authenticated and user.is_active):
                return HttpResponseRedirect(login_url(_lang(kwargs), request.path))
            if not user.is_verified():  # django_otp.middleware.OTPMiddleware
                return HttpResponseRedirect(second_factor_url(_lang(kwargs)))
            if user.role not in policy.roles:
                raise Http404
            return view(request, *args, **kwargs)

        guarded.route_policy = policy  # type: ignore[attr-defined]
        return guarded

    return decorate


def public_route(methods: Iterable[str]) -> Callable[[View], View]:
    """A route anyone may call (the self-assessment, the login steps): still method-checked."""
    policy = RoutePolicy(frozenset(methods), frozenset(), "none", public=True)

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in policy.methods:
                return HttpResponseNotAllowed(sorted(policy.methods))
            return view(request, *args, **kwargs)

        guarded.route_policy = policy  # type: ignore[attr-defined]
        return guarded

    return decorate


def policy_of(view: object) -> RoutePolicy | None:
    return getattr(view, "route_policy", None)
