"""Fresh workspaces for the ops tests, on SQLite and on PostgreSQL (127.0.0.1:5432, as CI provides).

Every test works on instances: a data folder, a database (an SQLite file in the folder, or a fresh PostgreSQL
database dropped afterwards) and a master key, driven through child processes (`passage ...` commands and
`python -m tests.ops.child ...`), because Django's settings are fixed per process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from passage.crypto import MasterKey

SERVER = "postgresql://postgres@127.0.0.1:5432"
ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("sqlite", "postgresql")


def base_environment() -> dict[str, str]:
    """The parent's environment without any Passage, Django or database setting."""
    return {
        key: value for key, value in os.environ.items()
        if not key.startswith(("PASSAGE_", "DJANGO_")) and key != "DATABASE_URL"
    }


@dataclass
class Instance:
    engine: str
    data_dir: Path
    master_key: str
    database_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = base_environment()
        env.update({
            "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            "PASSAGE_DATA_DIR": str(self.data_dir),
            "PASSAGE_MASTER_KEY": self.master_key,
            "PASSAGE_ALLOWED_HOSTS": "testserver",
            "PASSAGE_TODAY": "2026-11-01",
        })
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(self.extra)
        return env

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "passage.sqlite3"

    def passage(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess[str]:
        """Run `passage ARGS` (the real CLI entry point) in this instance."""
        return subprocess.run(  # noqa: S603 - our own interpreter and CLI
            [sys.executable, "-m", "passage.cli", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, check=False,
        )

    def child(self, *args: str, env: dict[str, str] | None = None, timeout: float = 180) -> Any:
        """Run `python -m tests.ops.child ARGS` in this instance; its last stdout line, parsed as JSON."""
        result = subprocess.run(  # noqa: S603 - our own interpreter and test module
            [sys.executable, "-m", "tests.ops.child", *args], cwd=ROOT, env={**self.env, **(env or {})},
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        return json.loads(result.stdout.strip().splitlines()[-1])

    def sql(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement directly on the database (as an attacker with file or database access would),
        committed; `?` placeholders on both engines."""
        if self.engine == "sqlite":
            connection = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                with connection:
                    return connection.execute(statement, params).fetchall()
            finally:
                connection.close()
        with psycopg.connect(self.database_url, autocommit=True) as server:
            cursor = server.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and test module
            [sys.executable, "-m", "tests.ops.child", *args], cwd=ROOT, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_instance(engine: str) -> Iterator[Callable[..., Instance]]:
    """make_instance(master_key=None) -> a fresh, empty instance of the test's engine."""
    databases: list[str] = []

    def make(master_key: str | None = None) -> Instance:
        data_dir = Path(tempfile.mkdtemp(prefix="passage-ops-"))
        url = ""
        if engine == "postgresql":
            name = f"passage_ops_{uuid.uuid4().hex[:12]}"
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{name}"')
            databases.append(name)
            url = f"{SERVER}/{name}"
        return Instance(engine, data_dir, master_key or MasterKey.new_base64(), url)

    yield make
    if databases:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            for name in databases:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def instance(make_instance: Callable[..., Instance]) -> Instance:
    return make_instance()
