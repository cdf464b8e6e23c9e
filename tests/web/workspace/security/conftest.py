"""A seeded world for the cross-cutting security tests (SECURITY-TESTS items 2, 3, 5, 6, 12, 17).

Built inside the workspace conftest's rolled-back transaction, with the models directly (never through the
views under test):

- organizations A and B (and C, whose one user only receives shares, so that every case has a share row
  without letting any tested actor see it);
- in A a user of every role (admin, caseworker, lawyer, volunteer, analyst); in B an admin and a caseworker;
- cases in A: assigned to A's caseworker ("cw"), to A's lawyer, to A's volunteer, and one unassigned;
  cases in B: one unassigned, one assigned to B's caseworker and shared (consent recorded) with A's caseworker;
- in every case two people (principal, child) whose every encrypted field holds a unique canary
  (`CANARY-<field>-<hex>`, and `Канарэйка<hex>` in the Cyrillic fields and the address), a note, a task, a
  determination, an attachment row and a share row.

`Actor`s are what the authorization matrix iterates over: a signed-in client, the user's role, and the
objects as seen from that user ("own", "unassigned", "other_org", "shared").
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from tests.web.pdf_tools import one_page_pdf

ON = date(2026, 11, 1)


def canary(name: str) -> str:
    return f"CANARY-{name}-{secrets.token_hex(6)}"


def cyrillic_canary() -> str:
    return f"Канарэйка{secrets.token_hex(6)}"


# Person fields that are sensitive (passage.cases.models.SENSITIVE_PERSON_FIELDS), and the related records a
# volunteer never sees (docs/workspace.md, "Who sees what").
SENSITIVE_KINDS = (
    "passport_number",
    "address",
    "address_cyrillic",
    "contacts",
    "facts",
    "note",
    "determination",
    "attachment",
    "consent_note",
)


@dataclass
class CaseRecords:
    """One seeded case and its records, with every canary planted in it (kind -> values)."""

    case: Any
    people: list[Any]
    note: Any
    task: Any
    determination: Any
    attachment: Any
    share: Any
    canaries: dict[str, list[str]] = field(default_factory=dict)

    def all_canaries(self) -> list[str]:
        return [value for values in self.canaries.values() for value in values]

    def sensitive_canaries(self) -> list[str]:
        return [value for kind in SENSITIVE_KINDS for value in self.canaries.get(kind, [])]

    def kwargs(self) -> dict[str, str]:
        """URL kwargs naming this case and its records (`<uuid:...>` converters take the text form)."""
        return {
            "case_id": str(self.case.pk),
            "person_id": str(self.people[0].pk),
            "note_id": str(self.note.pk),
            "task_id": str(self.task.pk),
            "determination_id": str(self.determination.pk),
            "attachment_id": str(self.attachment.pk),
            "share_id": str(self.share.pk),
        }


@dataclass
class World:
    org_a: Any
    org_b: Any
    org_c: Any
    users: dict[str, Any]  # "a_admin", "a_caseworker", ..., "b_admin", "b_caseworker", "c_share"
    cases: dict[str, CaseRecords]  # "cw", "lawyer", "volunteer", "unassigned", "b_unassigned", "b_shared"

    def all_canaries(self) -> list[str]:
        return [value for records in self.cases.values() for value in records.all_canaries()]


@dataclass
class Actor:
    """Someone the matrix signs in as: `role` is the row of the expectation table."""

    name: str
    role: str  # admin, caseworker, lawyer, volunteer, analyst
    user: Any
    objects: dict[str, CaseRecords]  # own, unassigned, other_org (and shared for A's caseworker)
    same_org_user: Any  # a user of the actor's organization (object of user routes)
    other_org_user: Any


def _unique_birth_date() -> str:
    # A date nobody else would print (between 1931 and 1959, random day): the facts' canary.
    rnd = secrets.randbelow(28 * 12 * 29)
    year, rest = 1931 + rnd // (28 * 12), rnd % (28 * 12)
    return date(year, rest // 28 + 1, rest % 28 + 1).isoformat()


_CACHE: dict[str, Any] = {}


def _determination_result(reason_canary: str) -> dict[str, Any]:
    import copy

    from passage.web.engine import run

    if "result" not in _CACHE:  # one assessment per process: loading the library is the slow part
        _CACHE["result"] = run({"citizenships": ["BY"], "in_canada": True}, ON).to_dict("en")
    result: dict[str, Any] = copy.deepcopy(_CACHE["result"])
    # The stored assessment carries the canary in the first reason it would print.
    for option in result["options"]:
        if option.get("reasons"):
            option["reasons"][0]["text"] = reason_canary
            break
    else:
        result["notice"] = reason_canary
    return result


PDF = one_page_pdf()


def _attachment(case: Any, person: Any, author: Any, filename: str) -> Any:
    """An attachment with its encrypted file, through the records service when it exists (so a download
    finds the file), else the bare row."""
    try:
        from passage.cases.attachments import Upload, add_attachment
    except ImportError:
        from passage.cases.models import Attachment

        row = Attachment(
            case=case, person=person, content_type="application/pdf", size=len(PDF), stored_name=secrets.token_hex(16)
        )
        row.filename = filename
        row.save()
        return row
    return add_attachment(author, case, Upload(filename, PDF, len(PDF)), person.pk)


def seed_case(org: Any, assignee: Any, share_with: Any, author: Any, reference: str) -> CaseRecords:
    from passage.cases.models import Case, Determination, Note, Person, Share, Task

    canaries: dict[str, list[str]] = {}

    def plant(kind: str, value: str) -> str:
        canaries.setdefault(kind, []).append(value)
        return value

    case = Case(organization=org, assigned_to=assignee, stage="assessment")
    case.reference = plant("reference", canary(f"REFERENCE-{reference}"))
    case.save()
    people = []
    for relationship in ("principal", "child"):
        person = Person(case=case, relationship=relationship)
        person.given_names_latin = plant("name", canary("GIVEN"))
        person.surname_latin = plant("name", canary("SURNAME"))
        person.given_names_cyrillic = plant("name", cyrillic_canary())
        person.surname_cyrillic = plant("name", cyrillic_canary())
        person.passport_number = plant("passport_number", canary("PASSPORT"))
        address_cyr = plant("address_cyrillic", cyrillic_canary())
        person.address = f"{plant('address', canary('ADDRESS'))} / вул. {address_cyr}"
        person.contacts = plant("contacts", canary("CONTACTS"))
        birth = plant("facts", _unique_birth_date())
        person.facts = {"citizenships": ["BY"], "birth_date": birth, "in_canada": True}
        person.save()
        people.append(person)
    principal = people[0]
    note = Note(case=case, person=principal, author=author)
    note.body = plant("note", canary("NOTE"))
    note.save()
    determination = Determination(person=principal, assessed_on=ON, created_by=author)
    determination.result = _determination_result(plant("determination", canary("DETERMINATION")))
    determination.receipt = {"engine": "test", "on": ON.isoformat()}
    determination.save()
    task = Task(case=case, person=principal, kind="passport_expiry", due_on=date(2026, 11, 20), source="manual")
    task.detail = plant("task", canary("TASK"))
    task.save()
    attachment = _attachment(case, principal, author, plant("attachment", canary("FILENAME") + ".pdf"))
    share = Share(case=case, user=share_with, granted_by=author, consent_on=ON)
    share.consent_note = plant("consent_note", canary("CONSENT"))
    share.save()
    return CaseRecords(case, people, note, task, determination, attachment, share, canaries)


def make_user(role: str, organization: Any, username: str) -> Any:
    """A user with a confirmed TOTP device, as the workspace conftest's `make_user`, but hashing the shared
    test password once per process (argon2id takes ~0.4 s a hash; the world has eight users)."""
    from django.contrib.auth.hashers import make_password
    from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

    from passage.auth.models import User
    from tests.web.workspace.conftest import PASSWORD

    if "password" not in _CACHE:
        _CACHE["password"] = make_password(PASSWORD)
    user = User(username=username, organization=organization, role=role, password=_CACHE["password"])
    user.save()
    TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


@pytest.fixture
def world() -> World:
    from passage.auth.models import Organization
    from passage.cases.models import Share

    org_a = Organization.objects.create(name=f"Clinic A {secrets.token_hex(3)}")
    org_b = Organization.objects.create(name=f"Clinic B {secrets.token_hex(3)}")
    org_c = Organization.objects.create(name=f"Clinic C {secrets.token_hex(3)}")
    users = {
        f"a_{role}": make_user(role, organization=org_a, username=f"a-{role}-{secrets.token_hex(3)}")
        for role in ("admin", "caseworker", "lawyer", "volunteer", "analyst")
    }
    users["b_admin"] = make_user("admin", organization=org_b, username=f"b-admin-{secrets.token_hex(3)}")
    users["b_caseworker"] = make_user("caseworker", organization=org_b, username=f"b-cw-{secrets.token_hex(3)}")
    users["c_share"] = make_user("caseworker", organization=org_c, username=f"c-share-{secrets.token_hex(3)}")
    share_to, a_author, b_author = users["c_share"], users["a_admin"], users["b_admin"]
    cases = {
        "cw": seed_case(org_a, users["a_caseworker"], share_to, a_author, "CW"),
        "lawyer": seed_case(org_a, users["a_lawyer"], share_to, a_author, "LAWYER"),
        "volunteer": seed_case(org_a, users["a_volunteer"], share_to, a_author, "VOLUNTEER"),
        "unassigned": seed_case(org_a, None, share_to, a_author, "UNASSIGNED"),
        "b_unassigned": seed_case(org_b, None, share_to, b_author, "B"),
        "b_shared": seed_case(org_b, users["b_caseworker"], share_to, b_author, "BSHARED"),
    }
    shared = Share(case=cases["b_shared"].case, user=users["a_caseworker"], granted_by=b_author, consent_on=ON)
    consent = canary("CONSENT")
    shared.consent_note = consent
    cases["b_shared"].canaries["consent_note"].append(consent)
    shared.save()
    return World(org_a, org_b, org_c, users, cases)


def actors(world: World) -> list[Actor]:
    """Every signed-in row of the matrix: A's five roles, and B's admin and caseworker ("other org's staff",
    for whom A's cases are the other organization's)."""
    u, c = world.users, world.cases
    a_objects = {"unassigned": c["unassigned"], "other_org": c["b_unassigned"]}
    b_objects = {"own": c["b_shared"], "unassigned": c["b_unassigned"], "other_org": c["cw"]}
    return [
        Actor("a_admin", "admin", u["a_admin"], {"own": c["cw"], **a_objects}, u["a_volunteer"], u["b_caseworker"]),
        Actor(
            "a_caseworker",
            "caseworker",
            u["a_caseworker"],
            {"own": c["cw"], **a_objects, "shared": c["b_shared"]},
            u["a_volunteer"],
            u["b_caseworker"],
        ),
        Actor("a_lawyer", "lawyer", u["a_lawyer"], {"own": c["lawyer"], **a_objects}, u["a_volunteer"], u["b_admin"]),
        Actor(
            "a_volunteer",
            "volunteer",
            u["a_volunteer"],
            {"own": c["volunteer"], **a_objects},
            u["a_lawyer"],
            u["b_admin"],
        ),
        Actor("a_analyst", "analyst", u["a_analyst"], {"own": c["cw"], **a_objects}, u["a_lawyer"], u["b_admin"]),
        Actor("b_admin", "admin", u["b_admin"], b_objects, u["b_caseworker"], u["a_volunteer"]),
        Actor("b_caseworker", "caseworker", u["b_caseworker"], b_objects, u["b_admin"], u["a_volunteer"]),
    ]


def signed_in(user: Any, *, csrf: bool = False, raise_exceptions: bool = True) -> Any:
    """A test client signed in as `user` with the second factor verified (as the workspace conftest's `staff`),
    optionally enforcing CSRF and answering 500s instead of raising."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]

    client = Client(enforce_csrf_checks=csrf, raise_request_exception=raise_exceptions)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def password_only(user: Any) -> Any:
    """A client whose session has the password step done but not the second factor."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def missing_kwargs() -> dict[str, str]:
    """Ids that exist nowhere."""
    names = ("case_id", "person_id", "note_id", "task_id", "determination_id", "attachment_id", "share_id", "user_id")
    return {name: str(uuid.uuid4()) for name in names}
