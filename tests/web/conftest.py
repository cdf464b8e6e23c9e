"""Django configured for the web tests: a fresh SQLite file per process, the fictional fixture rulebook,
a fixed day, and Django's test client (real sessions, real CSRF checks when asked for)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

FIXTURE_RULEBOOK = Path(__file__).resolve().parent / "fixture_person"
TRADE_RULEBOOK = Path(__file__).resolve().parents[2] / "src" / "passage" / "rulebooks" / "ca_trade_belarus"
ON = "2026-11-01"
_DATA = tempfile.mkdtemp(prefix="passage-web-test-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "passage.web.settings",
        "PASSAGE_DATA_DIR": _DATA,
        "PASSAGE_RULEBOOKS": os.pathsep.join((str(FIXTURE_RULEBOOK), str(TRADE_RULEBOOK))),
        "PASSAGE_TODAY": ON,
        "PASSAGE_API_RATE": "1000",
        "PASSAGE_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    }
)
for _name in ("PASSAGE_ENV", "PASSAGE_DEBUG", "PASSAGE_SECURE_COOKIES", "DATABASE_URL", "PASSAGE_SECRET_KEY"):
    os.environ.pop(_name, None)

import django  # noqa: E402 - configured by the environment above

django.setup()


@pytest.fixture(scope="session", autouse=True)
def _database() -> Iterator[None]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client()


@pytest.fixture
def csrf_client():  # type: ignore[no-untyped-def]
    from django.test import Client

    return Client(enforce_csrf_checks=True)
