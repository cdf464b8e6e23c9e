"""Workspace views: signing in and out, the second factor, my account, the users of an organization, and the
workspace home. Thin: the rules live in passage.auth (login, throttle, twofactor, sessions, passwords); every
authentication event is audited with identifiers only (a failed sign-in is "anonymous", with no user name).
See docs/workspace-accounts.md.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from passage.auth import passwords, throttle, twofactor
from passage.auth.login import MAX_USERNAME, USERNAME, Outcome, check_credentials
from passage.auth.models import Role, User
from passage.auth.sessions import end_sessions, rotate
from passage.authz.routes import ALL_STAFF, public_route, route
from passage.storage.audit import actor_of, audit
from passage.web.workspace.common import check_lang, page

NEXT_KEY = "passage_next"
INITIAL_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- helpers ----------------------------------------------------------------------------------------------


def _ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _home(lang: str) -> str:
    return f"/{lang}/work/"


def _safe_next(lang: str, value: str) -> str:
    """Only a path inside this language's workspace (never another host, never the login pages)."""
    if (
        value.startswith(f"/{lang}/work/")
        and not value.startswith(f"/{lang}/work/login/")
        and "\\" not in value
        and url_has_allowed_host_and_scheme(value, allowed_hosts=None)
    ):
        return value
    return ""


def _staff(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


def _verified(request: HttpRequest) -> bool:
    user = _staff(request)
    return user is not None and bool(user.is_verified())


def _me(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - route(...) has checked it
        raise Http404
    return user


def _password_changed(request: HttpRequest, user: User) -> None:
    """Keep this session (new id, new password hash in it), end every other session of the user."""
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    rotate(request)
    end_sessions(user, keep=request.session.session_key)


def _msgs(lang: str, prefix: str, codes: list[str]) -> list[str]:
    """Error or notice codes as the texts a person reads (ws.accounts_error_<code>, ws.accounts_notice_<code>)."""
    from passage.web.texts import t

    return [t(f"ws.accounts_{prefix}_{code}", lang) for code in codes if code]


def _password_problems(password: str, confirm: str, user: User) -> list[str]:
    found = passwords.problems(password, user.username, user.display_name)
    if not passwords.too_long(password) and password != confirm:
        found.append("mismatch")
    return found


# --- signing in -------------------------------------------------------------------------------------------


def _login_page(request: HttpRequest, lang: str, next_path: str, error: str = "", status: int = 200) -> HttpResponse:
    errors = _msgs(lang, "error", [error])
    return page(request, lang, "workspace/accounts/login.html", status=status, next=next_path, errors=errors)


@public_route(["GET", "POST"])
def login_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    if request.method == "GET":
        if _verified(request):
            return HttpResponseRedirect(_home(lang))
        return _login_page(request, lang, _safe_next(lang, request.GET.get("next", "")))
    username = request.POST.get("username", "").strip()
    password = request.POST.get("password", "")
    next_path = _safe_next(lang, request.POST.get("next", ""))
    if not username or not password:
        return _login_page(request, lang, next_path, "login_missing", 400)
    attempt = check_credentials(username, password, _ip(request))
    if attempt.outcome is Outcome.THROTTLED:
        audit("anonymous", "auth.login_throttled")
        return _login_page(request, lang, next_path, "throttled", 429)
    if attempt.outcome is Outcome.FAILED or attempt.user is None:
        audit("anonymous", "auth.login_failed")
        return _login_page(request, lang, next_path, "login_failed")
    user = attempt.user
    django_login(request, user, backend=BACKEND)  # a new session id (SECURITY-TESTS item 8)
    request.session[NEXT_KEY] = next_path
    audit(actor_of(user), "auth.login", "user", user.pk)
    return HttpResponseRedirect(f"/{lang}/work/login/verify/")


def _finish(request: HttpRequest, lang: str, user: User, device: TOTPDevice, keys: throttle.Keys) -> str:
    """The second factor is verified: mark the session, give it a new id, forget the account's failures."""
    otp_login(request, device)
    rotate(request)
    throttle.clear_account(keys)
    audit(actor_of(user), "auth.2fa_verified", "user", user.pk)
    return _safe_next(lang, str(request.session.pop(NEXT_KEY, "") or "")) or _home(lang)


@public_route(["GET", "POST"])
def verify_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    if request.method == "POST" and "cancel" in request.GET:  # the "Cancel sign-in" form's action
        return _cancel(request, lang)
    user = _staff(request)
    if user is None:
        return HttpResponseRedirect(f"/{lang}/work/login/")
    if _verified(request):
        return HttpResponseRedirect(_home(lang))
    device = twofactor.confirmed_device(user)
    if device is None:
        return _enroll(request, lang, user)
    if request.method == "GET":
        return _verify_page(request, lang)
    code = request.POST.get("code", "").strip()
    if not code:
        return _verify_page(request, lang, 400, "code_missing")
    keys = throttle.keys_for(user.username, _ip(request))
    if throttle.blocked(keys):
        audit(actor_of(user), "auth.2fa_throttled", "user", user.pk)
        return _verify_page(request, lang, 429, "throttled")
    if twofactor.verify_totp(device, code):
        return HttpResponseRedirect(_finish(request, lang, user, device, keys))
    if twofactor.use_recovery_code(user, code):
        audit(actor_of(user), "auth.recovery_code_used", "user", user.pk)
        return HttpResponseRedirect(_finish(request, lang, user, device, keys))
    throttle.record_failure(keys)
    audit(actor_of(user), "auth.2fa_failed", "user", user.pk)
    return _verify_page(request, lang, 400, "code_wrong")


def _verify_page(request: HttpRequest, lang: str, status: int = 200, error: str = "") -> HttpResponse:
    return page(request, lang, "workspace/accounts/verify.html", status=status, errors=_msgs(lang, "error", [error]))


def _enroll(request: HttpRequest, lang: str, user: User) -> HttpResponse:
    """First sign-in (or after a reset): a new TOTP secret, confirmed by a code, then recovery codes once."""
    device = twofactor.pending_device(user)
    choose_password = twofactor.must_choose_password(user)

    def show(status: int = 200, errors: list[str] | None = None) -> HttpResponse:
        size, qr_path = twofactor.qr_svg(twofactor.otpauth_url(device))
        qr_px = size * 5
        return page(
            request,
            lang,
            "workspace/accounts/enroll.html",
            status=status,
            secret=twofactor.secret_text(device),
            issuer=twofactor.ISSUER,
            account=user.username,
            qr_size=size,
            qr_path=qr_path,
            qr_px=qr_px,
            choose_password=choose_password,
            errors=_msgs(lang, "error", errors or []),
        )

    if request.method == "GET":
        return show()
    keys = throttle.keys_for(user.username, _ip(request))
    if throttle.blocked(keys):
        audit(actor_of(user), "auth.2fa_throttled", "user", user.pk)
        return show(429, ["throttled"])
    errors: list[str] = []
    new_password = request.POST.get("new_password", "")
    if choose_password:
        errors += [f"password_{p}" for p in _password_problems(new_password, request.POST.get("confirm", ""), user)]
    code = request.POST.get("code", "").strip()
    if not code:
        errors.append("code_missing")
    if errors:
        return show(400, errors)
    if not twofactor.verify_totp(device, code):
        throttle.record_failure(keys)
        audit(actor_of(user), "auth.2fa_failed", "user", user.pk)
        return show(400, ["code_wrong"])
    with transaction.atomic():
        if choose_password:
            user.set_password(new_password)
            user.save(update_fields=["password"])
            request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            end_sessions(user, keep=request.session.session_key)
            audit(actor_of(user), "auth.password_changed", "user", user.pk)
        twofactor.confirm(device)
        codes = twofactor.new_recovery_codes(user)
        audit(actor_of(user), "auth.2fa_enrolled", "user", user.pk)
        next_path = _finish(request, lang, user, device, keys)
    return page(request, lang, "workspace/accounts/recovery_codes.html", codes=codes, continue_to=next_path)


def _cancel(request: HttpRequest, lang: str) -> HttpResponse:
    """Leave a sign-in half done (password given, second factor not): the session is deleted."""
    user = _staff(request)
    if user is not None:
        audit(actor_of(user), "auth.logout", "user", user.pk)
    django_logout(request)
    return HttpResponseRedirect(f"/{lang}/work/login/")


@route(["POST"], ALL_STAFF)
def logout_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    user = _me(request)
    audit(actor_of(user), "auth.logout", "user", user.pk)
    django_logout(request)  # deletes the server-side session: the old cookie opens nothing (SECURITY-TESTS item 8)
    return HttpResponseRedirect(f"/{lang}/work/login/")


@route(["GET"], ALL_STAFF)
def home_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    if _me(request).role == Role.ANALYST:
        return HttpResponseRedirect(f"/{lang}/work/aggregates/")
    return HttpResponseRedirect(f"/{lang}/work/cases/")


# --- my account -------------------------------------------------------------------------------------------


def _account_page(request: HttpRequest, lang: str, status: int = 200, **context: Any) -> HttpResponse:
    user = _me(request)
    return page(
        request,
        lang,
        "workspace/accounts/account.html",
        status=status,
        me=user,
        role_text=_role_text(lang, user.role),
        codes_left=twofactor.recovery_codes_left(user),
        form=context.get("form", ""),
        errors=_msgs(lang, "error", context.get("errors", [])),
        notices=_msgs(lang, "notice", [context.get("notice", "")]),
    )


def _role_text(lang: str, role: str) -> str:
    from passage.web.texts import t

    return t(f"ws.accounts_role_{role}", lang)


def _current_password_ok(request: HttpRequest, user: User) -> str:
    """'' when the current password given is right; else an error code. Failures count in the throttle."""
    keys = throttle.keys_for(user.username, _ip(request))
    if throttle.blocked(keys):
        return "throttled"
    current = request.POST.get("current_password", "")
    if not current:
        return "current_missing"
    if passwords.too_long(current) or not user.check_password(current):
        throttle.record_failure(keys)
        audit(actor_of(user), "auth.password_check_failed", "user", user.pk)
        return "current_wrong"
    # check_password may have re-hashed with newer parameters: keep this session's copy of the hash current.
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    return ""


@route(["GET"], ALL_STAFF)
def account_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    return _account_page(request, lang)


@route(["POST"], ALL_STAFF)
def password_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    user = _me(request)
    problem = _current_password_ok(request, user)
    errors = [problem] if problem else []
    new = request.POST.get("new_password", "")
    errors += [f"password_{p}" for p in _password_problems(new, request.POST.get("confirm", ""), user)]
    if errors:
        return _account_page(request, lang, 400, errors=errors, form="password")
    with transaction.atomic():
        user.set_password(new)
        user.save(update_fields=["password"])
        _password_changed(request, user)
        audit(actor_of(user), "auth.password_changed", "user", user.pk)
    return _account_page(request, lang, notice="password_changed")


@route(["POST"], ALL_STAFF)
def reset_2fa_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    user = _me(request)
    problem = _current_password_ok(request, user)
    if problem:
        return _account_page(request, lang, 400, errors=[problem], form="2fa")
    with transaction.atomic():
        twofactor.reset(user)
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
        rotate(request)
        end_sessions(user, keep=request.session.session_key)
        audit(actor_of(user), "auth.2fa_reset", "user", user.pk)
    return HttpResponseRedirect(f"/{lang}/work/login/verify/")


@route(["POST"], ALL_STAFF)
def recovery_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    user = _me(request)
    problem = _current_password_ok(request, user)
    if problem:
        return _account_page(request, lang, 400, errors=[problem], form="recovery")
    with transaction.atomic():
        codes = twofactor.new_recovery_codes(user)
        audit(actor_of(user), "auth.recovery_codes_regenerated", "user", user.pk)
    back = f"/{lang}/work/account/"
    return page(request, lang, "workspace/accounts/recovery_codes.html", codes=codes, continue_to=back)


# --- users of the organization (admins) -------------------------------------------------------------------


def _member(request: HttpRequest, user_id: object) -> User:
    """A user of the admin's own organization, or 404 (another organization's user looks missing)."""
    found = User.objects.filter(pk=user_id, organization_id=_me(request).organization_id).first()
    if found is None:
        raise Http404
    return found


def _roles(lang: str) -> list[tuple[str, str]]:
    return [(role, _role_text(lang, role)) for role in Role.values]


def _initial_password() -> str:
    plain = "".join(secrets.choice(INITIAL_ALPHABET) for _ in range(20))
    return "-".join(plain[i : i + 5] for i in range(0, 20, 5))


def _users_page(request: HttpRequest, lang: str, status: int = 200, **context: Any) -> HttpResponse:
    admin = _me(request)
    members = list(User.objects.filter(organization_id=admin.organization_id).order_by("username"))
    enrolled = set(TOTPDevice.objects.filter(user__in=members, confirmed=True).values_list("user_id", flat=True))
    rows = [
        {"user": m, "role": _role_text(lang, m.role), "enrolled": m.pk in enrolled, "me": m.pk == admin.pk}
        for m in members
    ]
    return page(
        request,
        lang,
        "workspace/accounts/users.html",
        status=status,
        rows=rows,
        roles=_roles(lang),
        values=context.get("values", {}),
        initial_password=context.get("initial_password", ""),
        created=context.get("created"),
        errors=_msgs(lang, "error", context.get("errors", [])),
        notices=_msgs(lang, "notice", [context.get("notice", "")]),
    )


@route(["GET"], [Role.ADMIN], "none")
def users_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    return _users_page(request, lang)


@route(["POST"], [Role.ADMIN], "none")
def user_new_view(request: HttpRequest, lang: str) -> HttpResponse:
    check_lang(lang)
    admin = _me(request)
    username = request.POST.get("username", "").strip()
    display_name = request.POST.get("display_name", "").strip()
    role = request.POST.get("role", "")
    errors = []
    if not USERNAME.fullmatch(username) or len(username) > MAX_USERNAME:
        errors.append("username_invalid")
    elif User.objects.filter(username=username).exists():
        errors.append("username_taken")
    if len(display_name) > 200:
        errors.append("display_name_long")
    if role not in Role.values:
        errors.append("role_invalid")
    values = {"username": username, "display_name": display_name, "role": role}
    if errors:
        return _users_page(request, lang, 400, errors=errors, values=values)
    initial = _initial_password()
    with transaction.atomic():
        user = User(username=username, display_name=display_name, organization=admin.organization, role=role)
        user.set_password(initial)
        user.save()
        TOTPDevice.objects.create(user=user, name=twofactor.INITIAL_PASSWORD_DEVICE, confirmed=False)
        audit(actor_of(admin), "auth.user_created", "user", user.pk)
    return _users_page(request, lang, notice="created", initial_password=initial, created=user)


def _user_page(request: HttpRequest, lang: str, member: User, status: int = 200, **context: Any) -> HttpResponse:
    return page(
        request,
        lang,
        "workspace/accounts/user.html",
        status=status,
        member=member,
        role_text=_role_text(lang, member.role),
        roles=_roles(lang),
        me=member.pk == _me(request).pk,
        enrolled=twofactor.confirmed_device(member) is not None,
        initial_password=context.get("initial_password", ""),
        errors=_msgs(lang, "error", context.get("errors", [])),
        notices=_msgs(lang, "notice", [context.get("notice", "")]),
    )


@route(["GET"], [Role.ADMIN], "user")
def user_view(request: HttpRequest, lang: str, user_id: object) -> HttpResponse:
    check_lang(lang)
    return _user_page(request, lang, _member(request, user_id))


def _not_self(request: HttpRequest, lang: str, member: User) -> HttpResponse | None:
    if member.pk == _me(request).pk:
        return _user_page(request, lang, member, 400, errors=["self"])
    return None


@route(["POST"], [Role.ADMIN], "user")
def user_role_view(request: HttpRequest, lang: str, user_id: object) -> HttpResponse:
    check_lang(lang)
    member = _member(request, user_id)
    refused = _not_self(request, lang, member)
    if refused:
        return refused
    role = request.POST.get("role", "")
    if role not in Role.values:
        return _user_page(request, lang, member, 400, errors=["role_invalid"])
    with transaction.atomic():
        member.role = role
        member.save(update_fields=["role"])
        end_sessions(member)  # sessions opened with the old rights end (SECURITY-TESTS item 4)
        audit(actor_of(_me(request)), "auth.user_role_changed", "user", member.pk)
    return _user_page(request, lang, member, notice="role_changed")


def _set_active(request: HttpRequest, lang: str, user_id: object, active: bool) -> HttpResponse:
    check_lang(lang)
    member = _member(request, user_id)
    refused = _not_self(request, lang, member)
    if refused:
        return refused
    with transaction.atomic():
        member.is_active = active
        member.save(update_fields=["is_active"])
        if not active:
            end_sessions(member)  # immediately (SECURITY-TESTS item 4)
        audit(actor_of(_me(request)), "auth.user_enabled" if active else "auth.user_disabled", "user", member.pk)
    return _user_page(request, lang, member, notice="enabled" if active else "disabled")


@route(["POST"], [Role.ADMIN], "user")
def user_disable_view(request: HttpRequest, lang: str, user_id: object) -> HttpResponse:
    return _set_active(request, lang, user_id, active=False)


@route(["POST"], [Role.ADMIN], "user")
def user_enable_view(request: HttpRequest, lang: str, user_id: object) -> HttpResponse:
    return _set_active(request, lang, user_id, active=True)


@route(["POST"], [Role.ADMIN], "user")
def user_reset_view(request: HttpRequest, lang: str, user_id: object) -> HttpResponse:
    """A lost phone or password: a new one-time password (shown once), the second factor and recovery codes
    forgotten, every session ended. The next sign-in chooses a password and enrolls again."""
    check_lang(lang)
    member = _member(request, user_id)
    refused = _not_self(request, lang, member)
    if refused:
        return refused
    initial = _initial_password()
    with transaction.atomic():
        member.set_password(initial)
        member.save(update_fields=["password"])
        twofactor.reset(member)
        TOTPDevice.objects.create(user=member, name=twofactor.INITIAL_PASSWORD_DEVICE, confirmed=False)
        end_sessions(member)
        audit(actor_of(_me(request)), "auth.user_reset", "user", member.pk)
    return _user_page(request, lang, member, notice="reset", initial_password=initial)


urlpatterns: list[URLPattern] = [
    path("", home_view, name="ws-home"),
    path("login/", login_view, name="ws-login"),
    path("login/verify/", verify_view, name="ws-login-verify"),
    path("logout/", logout_view, name="ws-logout"),
    path("account/", account_view, name="ws-account"),
    path("account/password/", password_view, name="ws-account-password"),
    path("account/2fa/reset/", reset_2fa_view, name="ws-account-2fa-reset"),
    path("account/recovery/", recovery_view, name="ws-account-recovery"),
    path("users/", users_view, name="ws-users"),
    path("users/new/", user_new_view, name="ws-user-new"),
    path("users/<uuid:user_id>/", user_view, name="ws-user"),
    path("users/<uuid:user_id>/role/", user_role_view, name="ws-user-role"),
    path("users/<uuid:user_id>/disable/", user_disable_view, name="ws-user-disable"),
    path("users/<uuid:user_id>/enable/", user_enable_view, name="ws-user-enable"),
    path("users/<uuid:user_id>/reset/", user_reset_view, name="ws-user-reset"),
]
