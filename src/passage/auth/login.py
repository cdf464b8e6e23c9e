"""The password step of signing in, identical in cost and answer for existing and unknown user names
(SECURITY-TESTS item 11, ASVS 6.3.8).

`check_credentials` always runs exactly one argon2 verification: against the user's hash, or against a dummy
hash made with the current hasher's parameters when the name is unknown, so the time does not tell. Inactive
accounts are verified too, and then refused like a wrong password. Over-long input is refused before hashing
(equally for every name). Successful verification re-hashes a hash made with older parameters (Django's
`check_password` setter).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import Enum

from django.contrib.auth.hashers import check_password, get_hasher, make_password

from passage.auth import throttle
from passage.auth.models import User
from passage.auth.passwords import MAX_LENGTH

MAX_USERNAME = 150
# What a user name may be (set when an account is made; at sign-in anything is looked up, nothing is refused).
USERNAME = re.compile(r"[\w.@+-]{1,150}")
_dummy: dict[str, str] = {}


class Outcome(Enum):
    OK = "ok"
    FAILED = "failed"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    user: User | None
    keys: throttle.Keys


def dummy_hash() -> str:
    """A hash of a random password with the current default hasher (re-made if the parameters change)."""
    hasher = get_hasher()
    signature = f"{hasher.algorithm}:{getattr(hasher, 'time_cost', '')}:{getattr(hasher, 'memory_cost', '')}:" + str(
        getattr(hasher, "parallelism", "")
    )
    if signature not in _dummy:
        _dummy[signature] = make_password(secrets.token_urlsafe(24))
    return _dummy[signature]


def check_credentials(username: str, password: str, ip: str) -> Attempt:
    keys = throttle.keys_for(username, ip)
    if throttle.blocked(keys):
        return Attempt(Outcome.THROTTLED, None, keys)
    user = User.objects.filter(username=username).first() if 0 < len(username) <= MAX_USERNAME else None
    if len(password) > MAX_LENGTH:
        ok = False  # refused before hashing, whoever asks
    elif user is None:
        check_password(password, dummy_hash())
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        throttle.record_failure(keys)
        return Attempt(Outcome.FAILED, None, keys)
    return Attempt(Outcome.OK, user, keys)
