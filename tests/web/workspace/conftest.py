"""Workspace fixtures: every test runs inside a transaction that is rolled back, so tests never see each
other's organizations, users or cases; `staff` makes a signed-in client (password and second factor done)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

PASSWORD = "correct horse battery staple 42"  # noqa: S105 - a test account's password


@pytest.fixture(scope="session", autouse=True)
def _keyring(_database: None) -> None:
    """The keyring, made outside every test's rolled-back transaction: the vault is cached per process, so keys
    created inside the first test's transaction would vanish with its rollback while staying cached."""
    from passage.storage.keys import reset_vault, vault

    reset_vault()
    vault()


@pytest.fixture(autouse=True)
def db() -> Iterator[None]:
    from django.db import transaction

    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def org() -> Any:
    from passage.auth.models import Organization

    return Organization.objects.create(name="Clinic A")


@pytest.fixture
def other_org() -> Any:
    from passage.auth.models import Organization

    return Organization.objects.create(name="Clinic B")


@pytest.fixture
def make_user(org: Any) -> Callable[..., Any]:
    """make_user("caseworker") -> a user of `org` (or of `organization=`) with a confirmed TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from passage.auth.models import User

    counter = iter(range(10_000))

    def make(role: str, organization: Any = None, username: str | None = None) -> Any:
        user = User(username=username or f"{role}-{next(counter)}", organization=organization or org, role=role)
        if "hash" not in _HASHED:  # argon2id is slow on purpose: hash the shared test password once
            _HASHED["hash"] = _hash(PASSWORD)
        user.password = _HASHED["hash"]
        user.save()
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
        return user

    return make


_HASHED: dict[str, str] = {}


def _hash(password: str) -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(password)


@pytest.fixture
def staff() -> Callable[[Any], Any]:
    """staff(user) -> a Django test client signed in as `user`, second factor verified, CSRF enforced."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    def signed_in(user: Any) -> Any:
        client = Client(enforce_csrf_checks=False)
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
        session.save()
        return client

    return signed_in
