"""The web app on PostgreSQL (DATABASE_URL): sessions hold the answers, nothing else does, forget deletes.

Runs in a child process (Django's settings are fixed per process) against a fresh database on the server at
127.0.0.1:5432, which CI provides; the database is dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator

import psycopg
import pytest

SERVER = "postgresql://postgres@127.0.0.1:5432"

CHILD = r"""
import json
import django
django.setup()
from django.core.management import call_command
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

assert connection.vendor == "postgresql", connection.vendor
call_command("migrate", verbosity=0)
client = Client()
client.post("/en/interview/identity/", {"citizenships": ["BY"], "birth_date": "1931-07-14"})
key = client.session.session_key
assert Session.objects.filter(session_key=key).exists(), "no session row"
assert client.get("/en/plan/").status_code == 200
with connection.cursor() as cursor:
    cursor.execute("select tablename from pg_tables where schemaname = 'public'")
    for (table,) in cursor.fetchall():
        if table == "django_session":
            continue
        cursor.execute(f'select * from "{table}"')
        assert "1931" not in json.dumps(cursor.fetchall(), default=str), table
    settings = {}
    for name in ("fsync", "synchronous_commit", "full_page_writes"):
        cursor.execute(f"show {name}")
        settings[name] = cursor.fetchone()[0]
assert client.post("/en/forget/").status_code == 302
assert not Session.objects.filter(session_key=key).exists(), "session survived forget"
print(json.dumps(settings))
"""


@pytest.fixture
def database() -> Iterator[str]:
    name = f"passage_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{SERVER}/test", autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        with psycopg.connect(f"{SERVER}/test", autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


class TestPostgres:
    def test_session_lifecycle_and_durability(self, database: str) -> None:
        """On PostgreSQL, answers live only in the session row, "forget" deletes it, and the server is durable."""
        env = {
            key: value for key, value in os.environ.items()
            if not key.startswith(("PASSAGE_", "DJANGO_")) and key != "DATABASE_URL"
        }
        env.update({
            "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            "DATABASE_URL": database,
            "PASSAGE_DATA_DIR": tempfile.mkdtemp(prefix="passage-pg-"),
            "PASSAGE_ALLOWED_HOSTS": "testserver",
            "PASSAGE_TODAY": "2026-11-01",
        })
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        # SECURITY-TESTS item 22: fsync, synchronous_commit and full_page_writes are on
        assert result.stdout.strip().splitlines()[-1] == (
            '{"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}'
        )
