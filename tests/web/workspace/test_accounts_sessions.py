"""Throttling (SECURITY-TESTS item 10), sessions (items 4, 7, 8): limits at the documented numbers, an attack on
account A never blocking account B, the limiter failing closed; idle and absolute timeouts (time-machine),
logout deleting the server-side session, password and second-factor changes ending the other sessions,
disabling a user ending all of them; the session cookie's attributes in secure mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client, override_settings

from tests.web.workspace.conftest import PASSWORD
from tests.web.workspace.test_accounts_login import NOW, audit_actions, sign_in, sign_in_password, totp_now

NEW_PASSWORD = "a brand new passphrase for testing 77"  # noqa: S105 - a test account's password


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def ip(n: int) -> str:
    return f"198.51.100.{n}"


# --- throttling ---------------------------------------------------------------------------------------------


def test_an_attack_on_account_a_blocks_a_but_never_b(make_user: Callable[..., Any]) -> None:
    from passage.auth import throttle
    from passage.auth.models import LoginFailure

    a, b = make_user("caseworker"), make_user("caseworker")
    assert throttle.ACCOUNT_LIMIT == 5
    for n in range(4):
        assert sign_in_password(Client(), a.username, "wrong guess number one", ip(n)).status_code == 200
    # Four failures: the fifth try is still checked (the right password gets through).
    assert sign_in_password(Client(), a.username, ip=ip(50)).status_code == 302
    LoginFailure.objects.all().delete()
    for n in range(5):
        sign_in_password(Client(), a.username, "wrong guess number two", ip(n))
    attacker = Client()
    blocked = sign_in_password(attacker, a.username, ip=ip(60))
    assert blocked.status_code == 429
    assert b"Too many failed attempts" in blocked.content
    assert attacker.get("/en/work/login/verify/")["Location"] == "/en/work/login/"  # not signed in
    # B, from its own address, is not affected at all.
    assert sign_in_password(Client(), b.username, ip=ip(61)).status_code == 302
    assert sign_in(Client(), b, ip=ip(62)).status_code == 302
    assert "auth.login_throttled" in [e["action"] for e in audit_actions()]


def test_a_throttled_answer_does_not_tell_whether_the_account_exists(make_user: Callable[..., Any]) -> None:
    import re

    a = make_user("caseworker")
    for name in (a.username, "no-such-account"):
        for n in range(5):
            sign_in_password(Client(), name, "wrong guess again here", ip(n))
    existing = sign_in_password(Client(), a.username, ip=ip(70))
    unknown = sign_in_password(Client(), "no-such-account", ip=ip(71))
    token = re.compile(rb'value="[A-Za-z0-9]{64}"')
    assert existing.status_code == unknown.status_code == 429
    assert token.sub(b"", existing.content) == token.sub(b"", unknown.content)


def test_the_per_address_limit_is_twenty_failures(make_user: Callable[..., Any]) -> None:
    from passage.auth import throttle

    b = make_user("caseworker")
    assert throttle.IP_LIMIT == 20
    for n in range(19):
        sign_in_password(Client(), f"sprayed-name-{n}", "a wrong password here", ip(9))
    assert sign_in_password(Client(), b.username, ip=ip(9)).status_code == 302
    sign_in_password(Client(), "sprayed-name-19", "a wrong password here", ip(9))
    assert sign_in_password(Client(), b.username, ip=ip(9)).status_code == 429
    assert sign_in_password(Client(), b.username, ip=ip(10)).status_code == 302


def test_the_global_limit_is_a_thousand_failures(make_user: Callable[..., Any]) -> None:
    from django.utils import timezone

    from passage.auth import throttle
    from passage.auth.models import LoginFailure

    b = make_user("caseworker")
    assert throttle.GLOBAL_LIMIT == 1000
    now = timezone.now()
    LoginFailure.objects.bulk_create(
        LoginFailure(account_key=f"{n:064x}", ip_key=f"{n:064x}", at=now) for n in range(999)
    )
    assert sign_in_password(Client(), b.username, ip=ip(20)).status_code == 302
    LoginFailure.objects.create(account_key="f" * 64, ip_key="f" * 64, at=now)
    assert sign_in_password(Client(), b.username, ip=ip(21)).status_code == 429


def test_failures_are_forgotten_after_the_window(make_user: Callable[..., Any], frozen: Any) -> None:
    a = make_user("caseworker")
    for n in range(5):
        sign_in_password(Client(), a.username, "wrong guess in window", ip(n))
    assert sign_in_password(Client(), a.username, ip=ip(30)).status_code == 429
    frozen.shift(timedelta(minutes=14, seconds=59))
    assert sign_in_password(Client(), a.username, ip=ip(31)).status_code == 429
    frozen.shift(timedelta(seconds=2))
    assert sign_in_password(Client(), a.username, ip=ip(32)).status_code == 302


def test_failed_second_factors_count_too(make_user: Callable[..., Any], frozen: Any) -> None:
    a = make_user("caseworker")
    client = Client()
    sign_in_password(client, a.username, ip=ip(40))
    right = totp_now(a.totpdevice_set.get())
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        frozen.shift(20)  # past django-otp's own growing delays
        assert client.post("/en/work/login/verify/", {"code": wrong}, REMOTE_ADDR=ip(40)).status_code == 400
    throttled = client.post("/en/work/login/verify/", {"code": totp_now(a.totpdevice_set.get())}, REMOTE_ADDR=ip(40))
    assert throttled.status_code == 429


def test_the_limiter_fails_closed_when_its_store_is_down(make_user: Callable[..., Any], monkeypatch: Any) -> None:
    from django.db import DatabaseError

    from passage.auth.models import LoginFailure

    a = make_user("caseworker")

    def down(*_: Any, **__: Any) -> Any:
        raise DatabaseError("the store is unavailable")

    monkeypatch.setattr(LoginFailure.objects, "filter", down)
    client = Client()
    response = sign_in_password(client, a.username, ip=ip(80))
    assert response.status_code == 429
    assert client.get("/en/work/login/verify/")["Location"] == "/en/work/login/"


def test_failures_are_stored_under_keyed_hashes_only(make_user: Callable[..., Any]) -> None:
    import hashlib

    from passage.auth.models import LoginFailure

    a = make_user("caseworker")
    sign_in_password(Client(), a.username, "wrong one for the keys", ip(90))
    row = LoginFailure.objects.get()
    plain = {
        a.username,
        ip(90),
        hashlib.sha256(a.username.encode()).hexdigest(),
        hashlib.sha256(ip(90).encode()).hexdigest(),
    }
    assert row.account_key not in plain
    assert row.ip_key not in plain
    assert a.username not in row.account_key


# --- sessions -----------------------------------------------------------------------------------------------


def test_logout_deletes_the_server_side_session(make_user: Callable[..., Any], staff: Callable[[Any], Any]) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session

    from passage.auth.models import StaffSession

    user = make_user("caseworker")
    client = staff(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/en/work/account/").status_code == 200
    assert client.post("/en/work/logout/")["Location"] == "/en/work/login/"
    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(session_key=key).exists()
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key
    assert stolen.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert audit_actions()[-1]["action"] == "auth.logout"


def test_every_login_records_a_staff_session_so_the_staff_fixture_passes_the_middleware(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django.conf import settings

    from passage.auth.models import StaffSession

    user = make_user("volunteer")
    client = staff(user)
    assert StaffSession.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).exists()
    assert client.get("/en/work/account/").status_code == 200


def test_a_session_without_its_staff_row_is_refused(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session

    from passage.auth.models import StaffSession

    client = staff(make_user("caseworker"))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    StaffSession.objects.filter(session_key=key).delete()
    assert client.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert not Session.objects.filter(session_key=key).exists()
    assert audit_actions()[-1]["action"] == "auth.session_refused"


def test_the_idle_timeout_is_thirty_minutes(make_user: Callable[..., Any], frozen: Any) -> None:
    from passage.auth import sessions

    assert timedelta(minutes=30) == sessions.IDLE
    user = make_user("caseworker")
    client = Client()
    assert sign_in(client, user).status_code == 302
    for _ in range(3):
        frozen.shift(timedelta(minutes=29))
        assert client.get("/en/work/account/").status_code == 200
    frozen.shift(timedelta(minutes=30, seconds=31))  # last_seen_at is exact to within TOUCH_EVERY (30 s)
    assert client.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert audit_actions()[-1]["action"] == "auth.session_expired"


def test_the_absolute_timeout_is_twelve_hours(make_user: Callable[..., Any], frozen: Any) -> None:
    from passage.auth import sessions

    assert timedelta(hours=12) == sessions.ABSOLUTE
    user = make_user("caseworker")
    client = Client()
    assert sign_in(client, user).status_code == 302
    for _ in range(28):  # busy all day: a request every 25 minutes, 11 h 40 min
        frozen.shift(timedelta(minutes=25))
        assert client.get("/en/work/account/").status_code == 200
    frozen.shift(timedelta(minutes=19))
    assert client.get("/en/work/account/").status_code == 200  # 11 h 59 min
    frozen.shift(timedelta(minutes=2))
    assert client.get("/en/work/account/")["Location"].startswith("/en/work/login/")


def test_changing_the_password_ends_every_other_session(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session

    user = make_user("lawyer")
    mine, other = staff(user), staff(user)
    other_key = other.cookies[settings.SESSION_COOKIE_NAME].value
    before = mine.cookies[settings.SESSION_COOKIE_NAME].value
    changed = mine.post(
        "/en/work/account/password/",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert changed.status_code == 200
    assert b"Your other sessions have ended" in changed.content
    assert mine.cookies[settings.SESSION_COOKIE_NAME].value != before
    assert mine.get("/en/work/account/").status_code == 200
    assert not Session.objects.filter(session_key=other_key).exists()
    assert other.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert sign_in_password(Client(), user.username, PASSWORD).status_code == 200
    assert sign_in_password(Client(), user.username, NEW_PASSWORD).status_code == 302
    assert "auth.password_changed" in [e["action"] for e in audit_actions()]


def test_a_password_change_that_breaks_the_policy_is_refused_with_reasons(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    user = make_user("caseworker")
    client = staff(user)
    cases = [
        ({"current_password": "not it", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, b"not right"),
        ({"current_password": "", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, b"Current password: needed"),
        ({"current_password": PASSWORD, "new_password": "short one", "confirm": "short one"}, b"at least 12"),
        ({"current_password": PASSWORD, "new_password": "x" * 257, "confirm": "x" * 257}, b"at most 256"),
        ({"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"}, b"common"),
        (
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "!"},
            b"must be the same",
        ),
    ]
    for form, expected in cases:
        response = client.post("/en/work/account/password/", form)
        assert response.status_code == 400, form
        assert expected in response.content, (form, expected)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_resetting_the_second_factor_ends_other_sessions_and_enrolls_again(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from passage.auth import twofactor
    from passage.auth.models import RecoveryCode

    user = make_user("caseworker")
    twofactor.new_recovery_codes(user)
    mine, other = staff(user), staff(user)
    assert mine.post("/en/work/account/2fa/reset/", {"current_password": "wrong"}).status_code == 400
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    response = mine.post("/en/work/account/2fa/reset/", {"current_password": PASSWORD})
    assert response["Location"] == "/en/work/login/verify/"
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert other.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert mine.get("/en/work/account/")["Location"] == "/en/work/login/verify/"
    assert b"Set up your second factor" in mine.get("/en/work/login/verify/").content
    assert "auth.2fa_reset" in [e["action"] for e in audit_actions()]


def test_disabling_a_user_ends_their_sessions_at_once(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django.conf import settings
    from django.contrib.sessions.models import Session

    from passage.auth.models import StaffSession

    admin, worker = make_user("admin"), make_user("caseworker")
    victim = staff(worker)
    key = victim.cookies[settings.SESSION_COOKIE_NAME].value
    assert victim.get("/en/work/account/").status_code == 200
    assert staff(admin).post(f"/en/work/users/{worker.pk}/disable/").status_code == 200
    assert not Session.objects.filter(session_key=key).exists()
    assert not StaffSession.objects.filter(user=worker).exists()
    assert victim.get("/en/work/account/")["Location"].startswith("/en/work/login/")
    assert sign_in_password(Client(), worker.username).status_code == 200  # refused like a wrong password


def test_a_role_change_ends_the_members_sessions(make_user: Callable[..., Any], staff: Callable[[Any], Any]) -> None:
    """A caseworker made volunteer must not keep a session that was opened with more rights (ASVS 8.3.2)."""
    from passage.auth.models import StaffSession

    admin, worker = make_user("admin"), make_user("caseworker")
    demoted = staff(worker)
    assert demoted.get("/en/work/cases/").status_code == 200
    assert staff(admin).post(f"/en/work/users/{worker.pk}/role/", {"role": "volunteer"}).status_code == 200
    assert not StaffSession.objects.filter(user=worker).exists()
    assert demoted.get("/en/work/cases/")["Location"].startswith("/en/work/login/")


# --- cookies (SECURITY-TESTS item 7) ------------------------------------------------------------------------


def _secure_settings() -> dict[str, Any]:
    """The cookie settings settings.py derives when PASSAGE_SECURE_COOKIES=true (read in a fresh process)."""
    names = [
        "SESSION_COOKIE_NAME",
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "CSRF_COOKIE_NAME",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY",
        "CSRF_COOKIE_SAMESITE",
        "CSRF_COOKIE_DOMAIN",
        "CSRF_COOKIE_PATH",
    ]
    script = (
        "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    env = {**os.environ, "PASSAGE_SECURE_COOKIES": "true", "DJANGO_SETTINGS_MODULE": "passage.web.settings"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)  # noqa: S603
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_in_secure_mode_the_session_cookie_is_host_prefixed_secure_httponly_strict(
    make_user: Callable[..., Any],
) -> None:
    secure = _secure_settings()
    assert secure["SESSION_COOKIE_NAME"] == "__Host-passage-session"
    assert secure["CSRF_COOKIE_NAME"] == "__Host-passage-csrf"
    user = make_user("caseworker")
    with override_settings(**secure):
        client = Client()
        page = client.get("/en/work/login/", secure=True)
        csrf = page.cookies["__Host-passage-csrf"]
        response = client.post("/en/work/login/", {"username": user.username, "password": PASSWORD}, secure=True)
        assert response.status_code == 302
        cookie = response.cookies["__Host-passage-session"]
    for morsel in (cookie, csrf):
        assert morsel["secure"] is True
        assert morsel["httponly"] is True
        assert morsel["samesite"] == "Strict"
        assert morsel["path"] == "/"
        assert morsel["domain"] == ""
    header = cookie.OutputString()
    assert "Domain" not in header
    assert "Secure" in header


def test_session_receivers_ignore_what_is_not_a_staff_login() -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    from passage.auth.models import StaffSession
    from passage.auth.sessions import on_login, on_logout, rotate

    on_login(None, request=None, user=None)
    on_logout(None, request=None, user=None)
    request = RequestFactory().get("/")
    on_login(None, request=request, user=object())  # not a staff account, and no session
    assert not StaffSession.objects.exists()
    request.session = SessionStore()  # type: ignore[attr-defined]
    rotate(request)  # a session without a key yet gets one; no row to move
    assert request.session.session_key is not None  # type: ignore[attr-defined]
    assert not StaffSession.objects.exists()
