"""The data model of cases. Personal values live only in `*_enc` columns (AES-256-GCM, passage.storage.Secret).

What stays in plaintext, and why (docs/workspace.md, "What is not encrypted"): ids, the organization, the
stage, the assignee, version counters and timestamps (needed to list, lock and sort); a task's kind and due
date (the deadline dashboard must query by date; neither names a person); an attachment's size and checked
content type; blind-index terms (keyed HMACs, equality only).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from passage.auth.models import Organization
from passage.storage.secret import Secret, SecretJson


class Stage(models.TextChoices):
    INTAKE = "intake"
    ASSESSMENT = "assessment"
    GATHERING = "gathering"
    SUBMITTED = "submitted"
    DECIDED = "decided"
    CLOSED = "closed"


OPEN_STAGES = tuple(s for s in Stage.values if s != Stage.CLOSED)


class Relationship(models.TextChoices):
    PRINCIPAL = "principal"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases")
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.INTAKE, db_index=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_cases"
    )
    version = models.PositiveIntegerField(default=1)  # optimistic locking: every save must name the version read
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    retain_until = models.DateField(null=True, blank=True)  # set at closing; the retention job erases after it
    # A caseworker's label for the case, e.g. "K-2026-014" (encrypted: people write names here).
    reference_enc = models.BinaryField(null=True)
    reference = Secret()

    class Meta:
        db_table = "cases_case"
        # The deadline dashboard joins tasks to an organization's open cases (of one assignee, for "mine"): with
        # the id and the assignee in the index the database finds those cases without reading their rows.
        indexes = [
            models.Index(fields=["organization", "stage", "id", "assigned_to"], name="cases_case_org_stage_cover"),
        ]


class Person(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    given_names_latin_enc = models.BinaryField(null=True)
    given_names_latin = Secret()
    surname_latin_enc = models.BinaryField(null=True)
    surname_latin = Secret()
    given_names_cyrillic_enc = models.BinaryField(null=True)
    given_names_cyrillic = Secret()
    surname_cyrillic_enc = models.BinaryField(null=True)
    surname_cyrillic = Secret()
    passport_number_enc = models.BinaryField(null=True)
    passport_number = Secret()
    address_enc = models.BinaryField(null=True)
    address = Secret()
    contacts_enc = models.BinaryField(null=True)  # phone, e-mail, messenger: free text
    contacts = Secret()
    # The same facts as `passage assess` (raw JSON values, keyed by fact name), as one encrypted document.
    facts_enc = models.BinaryField(null=True)
    facts = SecretJson()

    class Meta:
        db_table = "cases_person"


# Identity fields a volunteer may see (names, to work with the person); every other personal field is sensitive.
NAME_FIELDS = ("given_names_latin", "surname_latin", "given_names_cyrillic", "surname_cyrillic")
SENSITIVE_PERSON_FIELDS = ("passport_number", "address", "contacts", "facts")


class NameTerm(models.Model):
    """A blind-index term of one name token of a person: equality search across spellings, no plaintext."""

    id = models.BigAutoField(primary_key=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="name_terms")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    term = models.CharField(max_length=64)

    class Meta:
        db_table = "cases_name_term"
        indexes = [models.Index(fields=["organization", "term"])]


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    body_enc = models.BinaryField(null=True)
    body = Secret()

    class Meta:
        db_table = "cases_note"


class Attachment(models.Model):
    """A file kept encrypted outside the web root under a random name (`stored_name`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    content_type = models.CharField(max_length=64)  # from the file's magic bytes, never from the upload
    size = models.PositiveIntegerField()
    stored_name = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    filename_enc = models.BinaryField(null=True)
    filename = Secret()

    class Meta:
        db_table = "cases_attachment"


class Determination(models.Model):
    """One assessment of a person as stored: the Assessment's JSON and its receipt, both encrypted."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="determinations")
    assessed_on = models.DateField()  # the `on` date of the assessment
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    result_enc = models.BinaryField(null=True)
    result = SecretJson()  # Assessment.to_dict()
    receipt_enc = models.BinaryField(null=True)
    receipt = SecretJson()

    class Meta:
        db_table = "cases_determination"
        indexes = [models.Index(fields=["person", "created_at"])]


class Task(models.Model):
    """A deadline from the law (or one a caseworker adds) for a person of a case."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=64)  # e.g. "passport_expiry", or a rulebook deadline id
    due_on = models.DateField(db_index=True)
    source = models.CharField(max_length=16, default="law")  # "law" (from a determination) or "manual"
    determination = models.ForeignKey(Determination, null=True, blank=True, on_delete=models.SET_NULL)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    detail_enc = models.BinaryField(null=True)  # a manual task's text
    detail = Secret()

    class Meta:
        db_table = "cases_task"
        indexes = [models.Index(fields=["case", "done_at", "due_on"])]


class Share(models.Model):
    """A case shared with a named user of another organization, on the person's recorded consent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shared_cases")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    consent_on = models.DateField()  # the day the person consented
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    consent_note_enc = models.BinaryField(null=True)  # how consent was given
    consent_note = Secret()

    class Meta:
        db_table = "cases_share"


class IdempotencyToken(models.Model):
    """A form's one-time token: a double-submitted form creates one record (SECURITY-TESTS item 28)."""

    token = models.CharField(primary_key=True, max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    result = models.CharField(max_length=200, blank=True)  # where the first submission led (a URL path)

    class Meta:
        db_table = "cases_idempotency_token"
