"""Organizations and staff accounts. There are no default accounts: `passage createadmin` makes the first.

Roles (docs/workspace.md has the full matrix, passage.authz enforces it):
- admin       an organization's administrator: every case of the organization, users, erasure
- caseworker  cases assigned to them (every field); unassigned cases of the organization (non-sensitive)
- lawyer      as a caseworker
- volunteer   cases assigned to them, without sensitive fields (identity documents, contacts, facts, notes,
              attachments)
- analyst     aggregates only, never a person
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin"
    CASEWORKER = "caseworker"
    LAWYER = "lawyer"
    VOLUNTEER = "volunteer"
    ANALYST = "analyst"


class Organization(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "accounts_organization"

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    def create_user(self, username: str, organization: Organization, role: str, password: str, **extra: object) -> User:
        user = self.model(username=username, organization=organization, role=role, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A staff account. The user name is a login name (a pseudonym is fine); no e-mail is required."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = models.CharField(max_length=150, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="users")
    role = models.CharField(max_length=16, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        db_table = "accounts_user"

    def __str__(self) -> str:
        return self.display_name or self.username


class StaffSession(models.Model):
    """Which server-side session belongs to which staff account, so that disabling a user, changing a password
    or a second factor deletes every one of their sessions at once (ASVS 7.4.2), and so the absolute
    timeout can be enforced from the login time."""

    session_key = models.CharField(primary_key=True, max_length=40)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_sessions")
    created_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_staff_session"


class RecoveryCode(models.Model):
    """A single-use recovery code, stored only as a hash (never the code)."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=200)
    used_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "accounts_recovery_code"


class LoginFailure(models.Model):
    """A failed login, counted by the throttle per account key, per IP key and globally. Keys are keyed
    hashes, never the user name or the address as typed."""

    id = models.BigAutoField(primary_key=True)
    account_key = models.CharField(max_length=64, db_index=True)
    ip_key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "accounts_login_failure"
