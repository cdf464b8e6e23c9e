"""Django settings, all derived from the PASSAGE_* environment variables of `config.py`.

Production mode exits non-zero before Django starts when a setting is unsafe (SECURITY-TESTS item 16).
"""

from __future__ import annotations

import sys
from pathlib import Path

from passage.web import config

_problems = config.production_problems()
if _problems:
    sys.stderr.write("passage: refusing to start in production:\n" + "".join(f"  - {p}\n" for p in _problems))
    raise SystemExit(2)

PRODUCTION = config.value("PASSAGE_ENV") == "production"
SECRET_KEY = config.value("PASSAGE_SECRET_KEY")
DEBUG = config.flag("PASSAGE_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in config.value("PASSAGE_ALLOWED_HOSTS").split(",") if h.strip()]
ROOT_URLCONF = "passage.web.urls"
WSGI_APPLICATION = "passage.web.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "passage.storage",
    "passage.auth",
    "passage.cases",
    "passage.web",
]
MIDDLEWARE = [
    "passage.web.middleware.RequestIdMiddleware",
    "passage.web.middleware.SecurityHeadersMiddleware",
    "passage.web.middleware.CrossSiteRequestMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "passage.auth.sessions.StaffSessionMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
AUTH_USER_MODEL = "accounts.User"
# argon2id (RFC 9106): Django's Argon2PasswordHasher uses argon2id; passwords hashed with other parameters are
# re-hashed at the next login (SECURITY-TESTS item 9). No other hasher is accepted.
PASSWORD_HASHERS = ["passage.auth.hashers.Argon2idHasher"]
LOGIN_URL = "/en/work/login/"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": [], "autoescape": True},
    }
]

_url = config.value("DATABASE_URL")
if _url:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60)}
else:
    _data = Path(config.value("PASSAGE_DATA_DIR"))
    _data.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(_data / "passage.sqlite3"),
            # WAL so readers never wait for a writer; FULL so an acknowledged write survives power loss.
            "OPTIONS": {
                "init_command": config.SQLITE_INIT_COMMAND,
                "timeout": 10,
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "passage"}}

# Answers live only in the server-side database session (ASVS 7.2.3: no signed client-side sessions).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(config.value("PASSAGE_SESSION_MINUTES")) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
CSRF_FAILURE_VIEW = "passage.web.views.csrf_failure"
_secure = config.flag("PASSAGE_SECURE_COOKIES")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = _secure
# __Host- cookies must be Secure, so the prefix is used exactly when cookies are (ASVS 3.3.x).
SESSION_COOKIE_NAME = "__Host-passage-session" if _secure else "passage-session"
CSRF_COOKIE_NAME = "__Host-passage-csrf" if _secure else "passage-csrf"
if PRODUCTION:
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_SSL_REDIRECT = False  # TLS ends at the reverse proxy, which redirects; see docs/web.md
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # see middleware.py: no-referrer breaks CSRF origin checks
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

USE_I18N = False  # texts come from passage's YAML catalogs (every language checked at load), see docs/web.md
USE_TZ = True
TIME_ZONE = "America/Toronto"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000

# No request data, no answers in logs: Django's own request logger names the path and status only.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

PASSAGE_API_RATE = int(config.value("PASSAGE_API_RATE"))
PASSAGE_TODAY = config.value("PASSAGE_TODAY")
