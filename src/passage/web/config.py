"""Every PASSAGE_* setting in one place: an environment variable, a safe default, a line of help.

`settings.py` reads them through `value()`; `python -m passage.web settings` prints this table, and a test
checks that each one is documented in docs/web.md. Production mode (`PASSAGE_ENV=production`) refuses to
start on an unsafe combination: see `production_problems()`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEV_SECRET = "passage-development-secret-not-for-production"  # noqa: S105 - the known-unsafe default production rejects


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("PASSAGE_ENV", "development", "development or production; production refuses unsafe settings"),
    Setting(
        "PASSAGE_SECRET_KEY", DEV_SECRET, "Django secret key (signs CSRF tokens); required in production"
    ),
    Setting("PASSAGE_DEBUG", "false", "true shows Django tracebacks; refused in production"),
    Setting("PASSAGE_ALLOWED_HOSTS", "127.0.0.1,localhost", "comma-separated host names the app answers to"),
    Setting(
        "PASSAGE_SECURE_COOKIES",
        "false",
        "true: cookies are __Host- prefixed and Secure (HTTPS only); required in production",
    ),
    Setting(
        "PASSAGE_DATA_DIR",
        "var",
        "folder of the SQLite database (passage.sqlite3) when DATABASE_URL is unset",
    ),
    Setting("DATABASE_URL", "", "postgresql://user@host/db to use PostgreSQL (psycopg); empty for SQLite"),
    Setting(
        "PASSAGE_SESSION_MINUTES", "120", "an unfinished interview is forgotten after this many idle minutes"
    ),
    Setting("PASSAGE_API_RATE", "60", "requests per minute one IP address may make to /api/assess"),
    Setting("PASSAGE_RULEBOOKS", "", "rulebook folders to run instead of the shipped ones (tests, staging)"),
    Setting("PASSAGE_TODAY", "", "YYYY-MM-DD: assess as of this day instead of today (demos, tests)"),
    Setting(
        "PASSAGE_MASTER_KEY",
        "",
        "the master key (base64 of 32 bytes) wrapping the data keys; or use PASSAGE_MASTER_KEY_FILE; "
        "required in production, never generated (docs/operations.md)",
    ),
    Setting(
        "PASSAGE_MASTER_KEY_FILE",
        "",
        "path of a file (mode 600 or 400) holding the master key, instead of PASSAGE_MASTER_KEY",
    ),
    Setting(
        "PASSAGE_NEW_MASTER_KEY",
        "",
        "only while running `passage keys rotate`: the master key to rotate to (or --new-master-key-file)",
    ),
)
# The SQLite connection's pragmas (settings.py): WAL so readers never wait for a writer; synchronous=FULL so an
# acknowledged write survives power loss; foreign keys enforced. Production refuses anything weaker.
SQLITE_INIT_COMMAND = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
_BY_NAME = {s.name: s for s in SETTINGS}


def value(name: str) -> str:
    return os.environ.get(name, _BY_NAME[name].default).strip()


def flag(name: str) -> bool:
    return value(name).lower() in {"1", "true", "yes", "on"}


def production_problems() -> list[str]:
    """Why production mode must not start with the current environment (empty when it may)."""
    if value("PASSAGE_ENV") != "production":
        return []
    problems = []
    secret = value("PASSAGE_SECRET_KEY")
    if secret in {"", DEV_SECRET} or len(secret) < 50:
        problems.append(
            "PASSAGE_SECRET_KEY is missing, the development default, or shorter than 50 characters"
        )
    if flag("PASSAGE_DEBUG"):
        problems.append("PASSAGE_DEBUG is on")
    if not flag("PASSAGE_SECURE_COOKIES"):
        problems.append(
            "PASSAGE_SECURE_COOKIES is off (cookies must be __Host-, Secure, HttpOnly, SameSite=Strict)"
        )
    problems.extend(master_key_problems())
    if not value("DATABASE_URL") and not sqlite_is_durable(SQLITE_INIT_COMMAND):
        problems.append("SQLite must run with PRAGMA synchronous=FULL (and journal_mode=WAL, foreign_keys=ON)")
    return problems


def master_key_problems() -> list[str]:
    """A missing, malformed or badly protected master key (the key itself is never shown)."""
    from passage.crypto import MasterKey, MasterKeyError

    try:
        MasterKey.from_environment()
    except MasterKeyError as error:
        return [f"master key: {error}"]
    return []


def sqlite_is_durable(init_command: str) -> bool:
    """True when an SQLite init command sets WAL, synchronous=FULL (2, EXTRA 3) and foreign keys on."""
    pragmas = {}
    for statement in init_command.split(";"):
        name, _, setting = statement.strip().removeprefix("PRAGMA ").partition("=")
        if setting:
            pragmas[name.strip().lower()] = setting.strip().lower()
    return (
        pragmas.get("journal_mode") == "wal"
        and pragmas.get("synchronous") in {"full", "2", "extra", "3"}
        and pragmas.get("foreign_keys") in {"on", "1", "true", "yes"}
    )
