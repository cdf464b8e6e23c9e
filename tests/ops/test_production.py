"""SECURITY-TESTS item 16: startup in production mode exits non-zero, naming the problem, when the secret is
missing or the default, debug is on, cookies are not Secure, the master key is missing, malformed or in a
file others can read, or SQLite is not synchronous=FULL; and it starts when all is safe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from passage.crypto import MasterKey
from passage.web.config import DEV_SECRET, sqlite_is_durable
from tests.ops.conftest import ROOT, base_environment

KEY = MasterKey.new_base64()
START = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']" \
        "['OPTIONS'].get('init_command', ''))"


def start(tmp_path: Path, **changes: str) -> subprocess.CompletedProcess[str]:
    env = base_environment()
    env.update({
        "DJANGO_SETTINGS_MODULE": "passage.web.settings",
        "PASSAGE_ENV": "production",
        "PASSAGE_DATA_DIR": str(tmp_path),
        "PASSAGE_SECRET_KEY": "s" * 64,
        "PASSAGE_SECURE_COOKIES": "true",
        "PASSAGE_MASTER_KEY": KEY,
    })
    for name, value in changes.items():
        if value == "<unset>":
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", START], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


class TestProductionStartup:
    def test_safe_settings_start_with_a_durable_sqlite(self, tmp_path: Path) -> None:
        result = start(tmp_path)
        assert result.returncode == 0, result.stderr
        assert sqlite_is_durable(result.stdout.strip())  # the init command settings.py really uses

    @pytest.mark.parametrize(
        ("changes", "reason"),
        [
            ({"PASSAGE_SECRET_KEY": "<unset>"}, "PASSAGE_SECRET_KEY is missing"),
            ({"PASSAGE_SECRET_KEY": DEV_SECRET}, "PASSAGE_SECRET_KEY is missing, the development default"),
            ({"PASSAGE_DEBUG": "true"}, "PASSAGE_DEBUG is on"),
            ({"PASSAGE_SECURE_COOKIES": "false"}, "PASSAGE_SECURE_COOKIES is off"),
            ({"PASSAGE_MASTER_KEY": "<unset>"}, "master key: no master key"),
            ({"PASSAGE_MASTER_KEY": "c2hvcnQ="}, "master key: PASSAGE_MASTER_KEY: expected base64 of 32 bytes"),
        ],
    )
    def test_unsafe_settings_refuse_to_start(self, tmp_path: Path, changes: dict[str, str], reason: str) -> None:
        result = start(tmp_path, **changes)
        assert result.returncode == 2
        assert "refusing to start in production" in result.stderr
        assert reason in result.stderr
        assert KEY not in result.stderr
        assert "Traceback" not in result.stderr

    def test_a_key_file_others_can_read_refuses_to_start(self, tmp_path: Path) -> None:
        key_file = tmp_path / "master.key"
        key_file.write_text(KEY)
        key_file.chmod(0o644)
        result = start(tmp_path, PASSAGE_MASTER_KEY="<unset>", PASSAGE_MASTER_KEY_FILE=str(key_file))
        assert result.returncode == 2
        assert "chmod 600" in result.stderr
        key_file.chmod(0o600)
        assert start(tmp_path, PASSAGE_MASTER_KEY="<unset>", PASSAGE_MASTER_KEY_FILE=str(key_file)).returncode == 0

    @pytest.mark.parametrize(
        ("command", "durable"),
        [
            ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", True),
            ("PRAGMA journal_mode=wal;PRAGMA synchronous=2;PRAGMA foreign_keys=1", True),
            ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", False),
            ("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON;", False),
            ("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", False),
            ("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", False),
        ],
    )
    def test_sqlite_durability_rule(self, command: str, durable: bool) -> None:
        assert sqlite_is_durable(command) is durable
