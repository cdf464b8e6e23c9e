"""Sharing a case with a named user of another organization, on the person's recorded consent.

An organization's admin, or the caseworker/lawyer assigned to the case (the `share` action), names the other
user by their user name and records the day the person consented and how (the note is encrypted). The other
user is an admin, caseworker or lawyer (never a volunteer or an analyst: passage.authz.cases.SHARE_ROLES).
While the share is not revoked they see the case read only, sensitive fields included (passage.authz.cases);
revoking ends that at their next request. Every grant, list and revocation is audited.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from passage.auth.models import User
from passage.authz.cases import SHARE_ROLES
from passage.cases.models import Case, Share
from passage.cases.services import Invalid, clean_text, require, today
from passage.storage.audit import actor_of, audit

MAX_CONSENT_NOTE = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USER_PROBLEM = "the user name of an active admin, caseworker or lawyer of another organization"


def parse_consent_date(value: object) -> date:
    text = value.strip() if isinstance(value, str) else ""
    problem = "the day the person consented, as YYYY-MM-DD, not after today"
    if not _DATE.match(text):
        raise Invalid({"consent_on": problem})
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise Invalid({"consent_on": problem}) from None
    if day > today():
        raise Invalid({"consent_on": problem})
    return day


def active_shares(case: Case) -> list[Share]:
    return list(Share.objects.filter(case=case, revoked_at__isnull=True).select_related("user__organization"))


def list_shares(user: object, case: Case) -> list[Share]:
    require(user, "share", case)
    shares = list(
        Share.objects.filter(case=case).select_related("user__organization", "granted_by").order_by("-created_at")
    )
    with transaction.atomic():
        audit(actor_of(user), "share.list", "case", case.pk)
    return shares


def grant_share(user: object, case: Case, username: object, consent_on: object, consent_note: object) -> Share:
    actor = require(user, "share", case)
    problems: dict[str, str] = {}
    target = None
    name = username.strip() if isinstance(username, str) else ""
    if name:
        target = (
            User.objects.filter(username=name, is_active=True, role__in=SHARE_ROLES)
            .exclude(organization_id=case.organization_id)
            .first()
        )
    if target is None:
        problems["username"] = USER_PROBLEM
    day = None
    try:
        day = parse_consent_date(consent_on)
    except Invalid as error:
        problems.update(error.problems)
    note = ""
    try:
        note = clean_text("consent_note", consent_note, MAX_CONSENT_NOTE, multiline=True)
        if not note:
            problems["consent_note"] = f"how the person gave consent (1 to {MAX_CONSENT_NOTE} characters)"
    except Invalid as error:
        problems.update(error.problems)
    if problems or target is None or day is None:
        raise Invalid(problems)
    with transaction.atomic():
        existing = Share.objects.filter(case=case, user=target, revoked_at__isnull=True).first()
        if existing is not None:
            raise Invalid({"username": "a user this case is not already shared with"})
        share = Share(case=case, user=target, granted_by=actor, consent_on=day)
        share.consent_note = note
        share.save()
        audit(actor_of(user), "share.grant", "share", share.pk)
    return share


def revoke_share(user: object, case: Case, share_id: object) -> Share | None:
    """End the share now; None when `share_id` is not a share of `case` (the view answers 404)."""
    require(user, "share", case)
    with transaction.atomic():
        try:
            share = Share.objects.select_for_update().get(pk=share_id, case=case)
        except (Share.DoesNotExist, ValidationError, ValueError):
            return None
        if share.revoked_at is None:
            share.revoked_at = timezone.now()
            share.save(update_fields=["revoked_at"])
            audit(actor_of(user), "share.revoke", "share", share.pk)
    return share
