"""Users of an organization (admins only, their own organization only), one-time initial passwords, the
password policy (SECURITY-TESTS item 9), `passage createadmin`, and the account pages in every language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.web.workspace.conftest import PASSWORD
from tests.web.workspace.test_accounts_login import audit_actions, sign_in_password, totp_now

NEW_PASSWORD = "my own passphrase after the first sign-in"  # noqa: S105 - a test account's password
INITIAL = re.compile(rb"<p><code>([a-z2-9]{5}(?:-[a-z2-9]{5}){3})</code></p>")


def actions() -> list[str]:
    return [e["action"] for e in audit_actions()]


# --- the password policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("eleven char", ["too_short"]),
        ("twelve chars", []),
        ("correct horse battery staple " * 3, []),  # 87 characters: long passphrases are welcome
        ("é" * 256, []),
        ("é" * 257, ["too_long"]),
        ("x" * 100_000, ["too_long"]),
        ("password1234", ["common"]),
        ("qwerty123456", ["common"]),
        ("maria.kovalenko", ["similar"]),
    ],
)
def test_password_policy(password: str, expected: list[str]) -> None:
    from passage.auth.passwords import problems

    assert problems(password, "maria.kovalenko", "Maria Kovalenko") == expected


def test_an_over_long_password_is_refused_before_any_validator_or_hash(monkeypatch: Any) -> None:
    from django.contrib.auth.password_validation import CommonPasswordValidator

    from passage.auth import passwords

    called: list[str] = []
    monkeypatch.setattr(CommonPasswordValidator, "validate", lambda *a: called.append("common"))
    assert passwords.problems("y" * 257, "someone") == ["too_long"]
    assert called == []


def test_the_breached_list_is_read_offline_from_the_bundled_file(monkeypatch: Any) -> None:
    import socket

    from django.contrib.auth.password_validation import CommonPasswordValidator

    from passage.auth.passwords import problems

    path = Path(CommonPasswordValidator().DEFAULT_PASSWORD_LIST_PATH)
    assert path.is_file()
    assert len(CommonPasswordValidator().passwords) > 19_000

    def no_network(*_: Any) -> None:
        raise AssertionError("the password check tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert problems("1q2w3e4r5t6y", "someone") == ["common"]


# --- users of the organization ------------------------------------------------------------------------------


def test_admins_see_and_manage_only_their_own_organization(
    make_user: Callable[..., Any], staff: Callable[[Any], Any], other_org: Any
) -> None:
    admin = make_user("admin")
    mine = make_user("volunteer", username="our-volunteer")
    theirs = make_user("caseworker", organization=other_org, username="their-caseworker")
    client = staff(admin)
    listing = client.get("/en/work/users/")
    assert listing.status_code == 200
    assert b"our-volunteer" in listing.content
    assert b"their-caseworker" not in listing.content
    assert client.get(f"/en/work/users/{mine.pk}/").status_code == 200
    missing = client.get("/en/work/users/00000000-0000-4000-8000-000000000000/")
    forbidden = client.get(f"/en/work/users/{theirs.pk}/")
    assert forbidden.status_code == missing.status_code == 404
    assert len(forbidden.content) == len(missing.content)
    for action in ("disable", "enable", "reset", "role"):
        assert client.post(f"/en/work/users/{theirs.pk}/{action}/", {"role": "admin"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    assert theirs.role == "caseworker"


@pytest.mark.parametrize("role", ["caseworker", "lawyer", "volunteer", "analyst"])
def test_only_admins_reach_the_users_pages(
    role: str, make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    other = make_user("volunteer")
    client = staff(make_user(role))
    assert client.get("/en/work/users/").status_code == 404
    assert client.post("/en/work/users/new/", {"username": "x", "role": "admin"}).status_code == 404
    assert client.post(f"/en/work/users/{other.pk}/disable/").status_code == 404


def test_an_admin_adds_a_user_who_chooses_a_password_and_enrolls_at_first_sign_in(
    make_user: Callable[..., Any], staff: Callable[[Any], Any], org: Any
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from passage.auth.models import User

    admin = staff(make_user("admin"))
    created = admin.post(
        "/en/work/users/new/",
        {"username": "new.worker", "display_name": "New Worker", "role": "lawyer", "organization": "ignored"},
    )
    assert created.status_code == 200
    found = INITIAL.search(created.content)
    assert found is not None
    initial = found.group(1).decode()
    user = User.objects.get(username="new.worker")
    assert (user.role, user.organization_id, user.display_name) == ("lawyer", org.pk, "New Worker")
    assert initial.encode() not in admin.get("/en/work/users/").content  # shown once
    assert "auth.user_created" in actions()
    # First sign-in: the one-time password, then a new password and the second factor together.
    client = Client()
    assert sign_in_password(client, "new.worker", initial).status_code == 302
    page = client.get("/en/work/login/verify/")
    assert b'name="new_password"' in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    without = client.post("/en/work/login/verify/", {"code": totp_now(device)})
    assert without.status_code == 400
    assert b"at least 12" in without.content
    done = client.post(
        "/en/work/login/verify/", {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "code": totp_now(device)}
    )
    assert done.status_code == 200
    assert b"Your recovery codes" in done.content
    assert client.get("/en/work/cases/").status_code != 302
    assert sign_in_password(Client(), "new.worker", initial).status_code == 200  # the one-time password is spent
    assert sign_in_password(Client(), "new.worker", NEW_PASSWORD).status_code == 302


def test_creating_a_user_reports_bad_input_by_field(make_user: Callable[..., Any], staff: Callable[[Any], Any]) -> None:
    from passage.auth.models import User

    make_user("caseworker", username="taken-name")
    client = staff(make_user("admin"))
    count = User.objects.count()
    for form, expected in [
        ({"username": "", "role": "caseworker"}, b"User name: 1 to 150"),
        ({"username": "has space", "role": "caseworker"}, b"User name: 1 to 150"),
        ({"username": "x" * 151, "role": "caseworker"}, b"User name: 1 to 150"),
        ({"username": "taken-name", "role": "caseworker"}, b"already in use"),
        ({"username": "fine-name", "role": "superuser"}, b"Role: choose"),
        ({"username": "fine-name"}, b"Role: choose"),
        ({"username": "fine-name", "role": "volunteer", "display_name": "d" * 201}, b"Display name: at most 200"),
    ]:
        response = client.post("/en/work/users/new/", form)
        assert response.status_code == 400, form
        assert expected in response.content, form
    assert User.objects.count() == count


def test_an_admin_changes_roles_disables_enables_and_resets_but_not_themselves(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    admin_user = make_user("admin")
    worker = make_user("caseworker")
    admin = staff(admin_user)
    assert admin.post(f"/en/work/users/{worker.pk}/role/", {"role": "volunteer"}).status_code == 200
    assert admin.post(f"/en/work/users/{worker.pk}/role/", {"role": "root"}).status_code == 400
    worker.refresh_from_db()
    assert worker.role == "volunteer"
    assert admin.post(f"/en/work/users/{worker.pk}/disable/").status_code == 200
    worker.refresh_from_db()
    assert not worker.is_active
    assert admin.post(f"/en/work/users/{worker.pk}/enable/").status_code == 200
    worker.refresh_from_db()
    assert worker.is_active
    reset = admin.post(f"/en/work/users/{worker.pk}/reset/")
    assert reset.status_code == 200
    assert INITIAL.search(reset.content) is not None
    assert not TOTPDevice.objects.filter(user=worker, confirmed=True).exists()
    assert sign_in_password(Client(), worker.username, PASSWORD).status_code == 200  # old password gone
    for action in ("disable", "reset", "role"):
        refused = admin.post(f"/en/work/users/{admin_user.pk}/{action}/", {"role": "volunteer"})
        assert refused.status_code == 400
        assert b"My account" in refused.content
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert admin_user.role == "admin"
    got = actions()
    for action in ("auth.user_role_changed", "auth.user_disabled", "auth.user_enabled", "auth.user_reset"):
        assert action in got


@pytest.mark.parametrize("lang", ["en", "fr", "be", "ru"])
def test_account_pages_render_in_every_language(
    lang: str, make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    admin = make_user("admin")
    worker = make_user("caseworker")
    client = staff(admin)
    for path in ("account/", "users/", f"users/{worker.pk}/"):
        response = client.get(f"/{lang}/work/{path}")
        assert response.status_code == 200, path
        assert f'<html lang="{lang}">'.encode() in response.content
        assert b"style=" not in response.content
    anonymous = Client()
    assert anonymous.get(f"/{lang}/work/login/").status_code == 200
    assert anonymous.get("/xx/work/login/").status_code == 404


def test_recovery_codes_can_be_made_anew_with_the_password(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from passage.auth import twofactor

    user = make_user("caseworker")
    old = twofactor.new_recovery_codes(user)
    client = staff(user)
    assert client.post("/en/work/account/recovery/", {"current_password": "nope"}).status_code == 400
    fresh = client.post("/en/work/account/recovery/", {"current_password": PASSWORD})
    assert fresh.status_code == 200
    codes = re.findall(rb"<li><code>([a-z2-9-]{19})</code></li>", fresh.content)
    assert len(codes) == 10
    assert not twofactor.use_recovery_code(user, old[0])
    assert twofactor.use_recovery_code(user, codes[0].decode())
    assert "auth.recovery_codes_regenerated" in actions()


# --- passage createadmin ------------------------------------------------------------------------------------


def _createadmin(*args: str, stdin: str | None = None) -> Any:
    from typer.testing import CliRunner

    from passage.cli import app

    return CliRunner().invoke(app, ["createadmin", *args], input=stdin)


def test_createadmin_makes_the_organization_and_its_first_admin(tmp_path: Path) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from passage.auth.models import Organization, User

    secret = tmp_path / "password"
    secret.write_text("the first admin's long passphrase\n", encoding="utf-8")
    result = _createadmin(
        "--organization", "Diaspora Clinic", "--username", "first-admin", "--password-file", str(secret)
    )
    assert result.exit_code == 0, result.output
    assert "second factor" in result.output
    user = User.objects.get(username="first-admin")
    assert user.role == "admin"
    assert user.organization == Organization.objects.get(name="Diaspora Clinic")
    assert user.check_password("the first admin's long passphrase")
    assert not TOTPDevice.objects.filter(user=user).exists()  # enrolled at first sign-in
    assert "the first admin" not in result.output
    # A second admin of the same organization: the organization is reused.
    second = _createadmin(
        "--organization",
        "Diaspora Clinic",
        "--username",
        "second-admin",
        stdin="another long passphrase\nanother long passphrase\n",
    )
    assert second.exit_code == 0, second.output
    assert Organization.objects.filter(name="Diaspora Clinic").count() == 1
    assert "another long passphrase" not in second.output


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["--username", "weak"], "password1234\npassword1234\n", "common"),
        (["--username", "weak"], "short\nshort\n", "shorter than 12"),
        (["--username", "weak"], "one long passphrase\nanother long one\n", "differ"),
        (["--username", "bad name"], "", "--username"),
    ],
)
def test_createadmin_refuses_weak_passwords_and_bad_names(args: list[str], stdin: str, expected: str) -> None:
    from passage.auth.models import User

    result = _createadmin("--organization", "Clinic Z", *args, stdin=stdin)
    assert result.exit_code == 2
    assert expected in result.output
    assert not User.objects.exists()


def test_createadmin_refuses_a_taken_user_name(make_user: Callable[..., Any], tmp_path: Path) -> None:
    make_user("caseworker", username="taken")
    secret = tmp_path / "password"
    secret.write_text("a good long passphrase here", encoding="utf-8")
    result = _createadmin("--organization", "Clinic Y", "--username", "taken", "--password-file", str(secret))
    assert result.exit_code == 2
    assert "already in use" in result.output


# --- edges: every refusal names what was expected -----------------------------------------------------------


def test_sign_in_without_a_name_or_password_is_a_clear_400() -> None:
    for form in ({"username": "", "password": "something long"}, {"username": "someone"}, {}):
        response = Client().post("/en/work/login/", form)
        assert response.status_code == 400
        assert b"User name and password: both are needed." in response.content


def test_cancel_without_a_session_just_goes_back_to_sign_in() -> None:
    assert Client().post("/fr/work/login/verify/?cancel")["Location"] == "/fr/work/login/"


def test_signing_in_as_someone_else_replaces_the_session_and_its_row(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    from django.conf import settings

    from passage.auth.models import StaffSession

    first, second = make_user("caseworker"), make_user("lawyer")
    client = staff(first)
    old = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert sign_in_password(client, second.username).status_code == 302
    new = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new != old
    assert StaffSession.objects.get(session_key=new).user_id == second.pk


def test_enrollment_refuses_a_missing_code_and_honours_the_throttle(make_user: Callable[..., Any]) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from passage.auth import throttle

    user = make_user("volunteer")
    TOTPDevice.objects.filter(user=user).delete()
    client = Client()
    sign_in_password(client, user.username, ip="192.0.2.1")
    missing = client.post("/en/work/login/verify/", {"code": ""}, REMOTE_ADDR="192.0.2.1")
    assert missing.status_code == 400
    assert b"Code: enter the 6-digit code" in missing.content
    keys = throttle.keys_for(user.username, "192.0.2.1")
    for _ in range(throttle.ACCOUNT_LIMIT):
        throttle.record_failure(keys)
    device = TOTPDevice.objects.get(user=user)
    throttled = client.post("/en/work/login/verify/", {"code": totp_now(device)}, REMOTE_ADDR="192.0.2.1")
    assert throttled.status_code == 429
    device.refresh_from_db()
    assert not device.confirmed


def test_checking_the_current_password_is_throttled_too(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    user = make_user("caseworker")
    client = staff(user)
    for _ in range(5):
        assert client.post("/en/work/account/recovery/", {"current_password": "a wrong guess"}).status_code == 400
    refused = client.post("/en/work/account/recovery/", {"current_password": PASSWORD})
    assert refused.status_code == 400
    assert b"Too many failed attempts" in refused.content


def test_an_admin_cannot_enable_their_own_account_page_actions(
    make_user: Callable[..., Any], staff: Callable[[Any], Any]
) -> None:
    admin = make_user("admin")
    refused = staff(admin).post(f"/en/work/users/{admin.pk}/enable/")
    assert refused.status_code == 400


def test_createadmin_names_an_unreadable_password_file_and_a_bad_organization(tmp_path: Path) -> None:
    from passage.auth.models import User

    missing = _createadmin(
        "--organization", "Clinic X", "--username", "x-admin", "--password-file", str(tmp_path / "nope")
    )
    assert missing.exit_code == 2
    assert "--password-file: expected a readable UTF-8 file" in missing.output
    empty = _createadmin("--organization", "  ", "--username", "x-admin", stdin="")
    assert empty.exit_code == 2
    assert "--organization" in empty.output
    assert not User.objects.exists()
