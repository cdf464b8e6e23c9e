"""The password policy (SECURITY-TESTS item 9, ASVS 6.2.x): checked when a password is chosen, never at login.

- at least 12 characters; long passphrases (64 characters and more) are welcome;
- at most 256 characters, refused BEFORE any hashing (a megabyte "password" must not cost an argon2 run);
- not in the list of 20,000 common and breached passwords that Django bundles
  (django/contrib/auth/common-passwords.txt.gz), checked offline: no request leaves the server;
- not too similar to the user name or display name.

`problems(password, username, display_name)` returns codes (texts in accounts.yaml: ws.accounts_password_<code>).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import CommonPasswordValidator, UserAttributeSimilarityValidator
from django.core.exceptions import ValidationError

from passage.auth.models import User

MIN_LENGTH = 12
MAX_LENGTH = 256


def too_long(password: str) -> bool:
    return len(password) > MAX_LENGTH


def problems(password: str, username: str, display_name: str = "") -> list[str]:
    """Why `password` may not be chosen by `username` (empty: it may). Length is checked before anything else."""
    if too_long(password):
        return ["too_long"]
    found = []
    if len(password) < MIN_LENGTH:
        found.append("too_short")
    try:
        CommonPasswordValidator().validate(password)
    except ValidationError:
        found.append("common")
    try:
        UserAttributeSimilarityValidator(user_attributes=("username", "display_name")).validate(
            password, User(username=username, display_name=display_name)
        )
    except ValidationError:
        found.append("similar")
    return found
