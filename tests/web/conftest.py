"""Django configured for the web tests: a fresh SQLite file per process, the fictional fixture rulebook,
a fixed day, and Django's test client (real sessions, real CSRF checks when asked for).

With PASSAGE_TEST_POSTGRES=1 (`make test` runs tests/web/workspace a second time so) each worker process gets
a fresh database on the PostgreSQL server at 127.0.0.1:5432 instead, dropped at exit."""

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
# A master key for the tests only (32 zero-free random-looking bytes, fixed so failures reproduce).
TEST_MASTER_KEY = "cGFzc2FnZS10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXM="
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
os.environ.pop("PASSAGE_MASTER_KEY_FILE", None)
os.environ["PASSAGE_MASTER_KEY"] = TEST_MASTER_KEY
POSTGRES = os.environ.get("PASSAGE_TEST_POSTGRES") == "1"
if POSTGRES:
    import atexit

    import psycopg

    _SERVER = "postgresql://postgres@127.0.0.1:5432"
    _DB = f"passage_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    with psycopg.connect(f"{_SERVER}/postgres", autocommit=True) as _conn:
        _conn.execute(f'DROP DATABASE IF EXISTS "{_DB}"')
        _conn.execute(f'CREATE DATABASE "{_DB}"')
    os.environ["DATABASE_URL"] = f"{_SERVER}/{_DB}"

    def _drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{_DB}" WITH (FORCE)')

    atexit.register(_drop)

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
