"""Login throttling (SECURITY-TESTS item 10, ASVS 6.1.1, 6.3.1): failures counted over a sliding window.

| limit | failures | window | what is blocked |
|---|---|---|---|
| per account | 5 | 15 minutes | that user name (existing or not), from anywhere |
| per IP address | 20 | 15 minutes | that address, whatever the user name |
| global | 1000 | 15 minutes | every password attempt (a circuit breaker against credential stuffing) |

A failed password and a failed second factor both count. An attack on account A counts against A's key and the
attacker's address, never against account B's key: B signs in as usual from its own address. Keys are keyed
hashes (the vault's blind index, purpose `login-account` / `login-ip`), never the user name or address as typed.

The limiter fails CLOSED: if its store cannot be read, `blocked()` answers True and nobody signs in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from passage.auth.models import LoginFailure

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
GLOBAL_LIMIT = 1000
WINDOW = timedelta(minutes=15)
# Rows older than this are deleted as new failures arrive (the window plus a margin).
KEEP = timedelta(hours=24)

log = logging.getLogger("passage.auth")


@dataclass(frozen=True)
class Keys:
    account: str
    ip: str


def keys_for(username: str, ip: str) -> Keys:
    from passage.storage.keys import vault

    opened = vault()
    return Keys(opened.blind_index(username.strip(), "login-account"), opened.blind_index(ip or "-", "login-ip"))


def blocked(keys: Keys) -> bool:
    """Whether an attempt with these keys must be refused without checking the password. Fails closed."""
    try:
        since = timezone.now() - WINDOW
        recent = LoginFailure.objects.filter(at__gte=since)
        return (
            recent.filter(account_key=keys.account).count() >= ACCOUNT_LIMIT
            or recent.filter(ip_key=keys.ip).count() >= IP_LIMIT
            or recent.count() >= GLOBAL_LIMIT
        )
    except Exception:  # any failure of the store blocks: fail closed (SECURITY-TESTS item 10)
        log.warning("login throttle store unavailable: refusing sign-in attempts")
        return True


def record_failure(keys: Keys) -> None:
    now = timezone.now()
    LoginFailure.objects.create(account_key=keys.account, ip_key=keys.ip, at=now)
    LoginFailure.objects.filter(at__lt=now - KEEP).delete()


def clear_account(keys: Keys) -> None:
    """After a complete sign-in (password and second factor): the account's own failures are forgotten; the
    address's and the global counts are not."""
    LoginFailure.objects.filter(account_key=keys.account).delete()
