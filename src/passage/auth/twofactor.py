"""The second factor, mandatory for every staff account (SECURITY-TESTS item 9): TOTP (RFC 6238, django-otp's
TOTPDevice) and ten single-use recovery codes.

- Enrollment happens at the first sign-in: an unconfirmed device is made, its secret shown as text and as a QR
  code (drawn from segno's matrix into our own SVG path: no image service, no inline style), and confirmed by a
  code from the app. Only then are recovery codes made, shown once, and stored as keyed hashes.
- A TOTP code is accepted once: django-otp keeps the last accepted time step (`last_t`) and accepts only later
  ones, and slows repeated failures down (its own exponential throttle) besides passage.auth.throttle.
- A recovery code is 16 letters/digits (80 bits) shown as four groups; stored as the vault's keyed hash
  (purpose `recovery-code`), spent by a conditional UPDATE so two uses of one code cannot both succeed.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from passage.auth.models import RecoveryCode, User

RECOVERY_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
RECOVERY_LENGTH = 16
ISSUER = "Passage"
DEVICE_NAME = "default"
# An unconfirmed device with this name marks an account made by an organization admin with a one-time initial
# password: its first sign-in must choose a new password along with the second factor.
INITIAL_PASSWORD_DEVICE = "initial-password"  # noqa: S105 - a device name, not a password
_SEPARATORS = re.compile(r"[\s\-]+")


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (made on first need)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def must_choose_password(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=False, name=INITIAL_PASSWORD_DEVICE).exists()


def secret_text(device: TOTPDevice) -> str:
    """The base32 secret as an authenticator app takes it, in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def otpauth_url(device: TOTPDevice) -> str:
    from urllib.parse import quote, urlencode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(data: str) -> tuple[int, str]:
    """(size, path data) of the QR code of `data`: segno's own SVG path, drawn by our template."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(border=4)
    match = re.search(r' d="([^"]+)"', svg)
    if match is None or "style" in svg:  # pragma: no cover - segno's output format changed
        raise RuntimeError("unexpected SVG from segno")
    size = int(code.symbol_size(border=4)[0])
    return size, match.group(1)


def verify_totp(device: TOTPDevice, code: str) -> bool:
    code = _SEPARATORS.sub("", code)
    if not re.fullmatch(r"\d{6}", code):
        return False
    with transaction.atomic():
        fresh = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        ok = bool(fresh.verify_token(code))
    device.refresh_from_db()
    return ok


def confirm(device: TOTPDevice) -> None:
    """The first code was right: this device is the user's second factor (any other device is dropped)."""
    TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.name = DEVICE_NAME
    device.save(update_fields=["confirmed", "name"])


def reset(user: User) -> None:
    """Forget every device and recovery code: the next sign-in enrolls again."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()


def _hash(code: str) -> str:
    from passage.storage.keys import vault

    return vault().blind_index(normalise_code(code), "recovery-code")


def normalise_code(code: str) -> str:
    return _SEPARATORS.sub("", code).lower()


def looks_like_recovery_code(code: str) -> bool:
    plain = normalise_code(code)
    return len(plain) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in plain)


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh codes (the old ones stop working), returned once for display; only hashes are stored."""
    codes = []
    for _ in range(RECOVERY_COUNT):
        plain = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(plain[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(code)) for code in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend `code` if it is one of the user's unused codes. Single use even under concurrent requests."""
    if not looks_like_recovery_code(code):
        return False
    spent = RecoveryCode.objects.filter(user=user, code_hash=_hash(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return spent == 1


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
