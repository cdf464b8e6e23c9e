"""Staff sessions (SECURITY-TESTS items 4 and 8, ASVS 7.x): server-side only (Django's database sessions), each
tied to its user by a StaffSession row, with an idle and an absolute timeout.

- A row is created whenever `django.contrib.auth.login` runs (signal `user_logged_in`, so the test client's
  `force_login` makes one too), and moved when the session id changes (`rotate`).
- `StaffSessionMiddleware` (right after Django's AuthenticationMiddleware) signs out any authenticated request
  whose session has no row, belongs to an inactive user, has been idle longer than IDLE or exists longer than
  ABSOLUTE: the server-side session is deleted, so the cookie is worthless afterwards.
- `end_sessions(user, keep=...)` deletes every session of a user (but `keep`): changing one's password or second
  factor ends the other sessions; disabling a user ends all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from passage.auth.models import StaffSession, User

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
# last_seen_at is written at most this often (one write per request would be wasteful); the idle timeout is
# therefore exact to within this much.
TOUCH_EVERY = timedelta(seconds=30)

MIDDLEWARE_PATH = "passage.auth.sessions.StaffSessionMiddleware"


def on_login(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """`user_logged_in` receiver: record the (new) session as the user's."""
    if request is None or not isinstance(user, User) or not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    StaffSession.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user, "created_at": now, "last_seen_at": now}
    )


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **_: Any) -> None:
    """`user_logged_out` receiver (before Django flushes the session): forget the row."""
    if request is not None and hasattr(request, "session") and request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()


def rotate(request: HttpRequest) -> None:
    """A new session id for the same signed-in session (after the second factor, a password change): the
    StaffSession row follows, keeping its creation time (the absolute timeout counts from the password)."""
    old = request.session.session_key
    request.session.cycle_key()
    new = request.session.session_key
    if old and new and old != new:
        StaffSession.objects.filter(session_key=old).update(session_key=new)


def end_sessions(user: User, keep: str | None = None) -> int:
    """Delete every server-side session of `user` except `keep` (a session key). Returns how many ended."""
    with transaction.atomic():
        rows = StaffSession.objects.filter(user=user)
        if keep:
            rows = rows.exclude(session_key=keep)
        keys = list(rows.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        StaffSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def expired(row: StaffSession, now: Any) -> bool:
    return now - row.last_seen_at > IDLE or now - row.created_at > ABSOLUTE


class StaffSessionMiddleware:
    """Place right after django.contrib.auth.middleware.AuthenticationMiddleware (before OTPMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request, user)
        return self.get_response(request)

    def _check(self, request: HttpRequest, user: Any) -> None:
        from passage.storage.audit import actor_of, audit

        now = timezone.now()
        key = request.session.session_key
        row = StaffSession.objects.filter(session_key=key, user_id=user.pk).first() if key else None
        if row is not None and user.is_active and not expired(row, now):
            if now - row.last_seen_at >= TOUCH_EVERY:
                StaffSession.objects.filter(pk=row.pk).update(last_seen_at=now)
                request.session.modified = True  # Django's own expiry slides with activity too
            return
        reason = "auth.session_expired" if row is not None and user.is_active else "auth.session_refused"
        with transaction.atomic():
            audit(actor_of(user), reason, "user", user.pk)
            if row is not None:
                row.delete()
        request.session.flush()
        request.user = AnonymousUser()
