"""The people of a case: a principal and family members, their identity fields and their facts.

Facts are the same as `passage assess` for subject "person" (the shipped fact catalog), read strictly by
the engine: a person's `facts` document is exactly what `passage assess FILE.json` would take. A fact left
out is unknown, never a default. After names change, the search engineer's blind index is refreshed
(`passage.cases.search.index_person_names`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from passage.authz.cases import can
from passage.cases.models import NAME_FIELDS, Case, Person, Relationship
from passage.cases.services import Conflict, Invalid, NotAllowed, clean_text, require
from passage.engine import InputError
from passage.engine.facts import FactSpec, parse_facts
from passage.storage.audit import actor_of, audit

NAME_LIMIT = 200
TEXT_LIMITS: dict[str, tuple[int, bool]] = {  # field -> (max characters, multiline)
    **dict.fromkeys(NAME_FIELDS, (NAME_LIMIT, False)),
    "passport_number": (40, False),
    "address": (1000, True),
    "contacts": (1000, True),
}
IDENTITY_FIELDS = tuple(TEXT_LIMITS)


def person_facts() -> Mapping[str, FactSpec]:
    """The person fact catalog of the shipped rulebooks (facts a user gives; derived facts left out)."""
    from passage.rulebooks import default_library

    catalog = default_library().facts.get("person", {})
    return {name: spec for name, spec in catalog.items() if not spec.derived}


def check_facts(facts: Mapping[str, object]) -> dict[str, object]:
    """The facts as stored, after the engine's strict reading; Invalid names every bad fact and what it wants."""
    catalog = person_facts()
    try:
        parse_facts(dict(facts), catalog)
    except InputError as error:
        raise Invalid({problem.field: str(problem) for problem in error.problems}) from None
    return dict(facts)


def _identity(texts: Mapping[str, object]) -> dict[str, str]:
    problems: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name, value in texts.items():
        if name not in TEXT_LIMITS:
            continue  # fields a form does not have are ignored, never stored
        limit, multiline = TEXT_LIMITS[name]
        try:
            clean[name] = clean_text(name, value, limit, multiline=multiline)
        except Invalid as error:
            problems.update(error.problems)
    if problems:
        raise Invalid(problems)
    return clean


def _relationship(value: object) -> str:
    if value not in Relationship.values:
        raise Invalid({"relationship": "one of " + ", ".join(Relationship.values)})
    return str(value)


def check_identity(relationship: object, texts: Mapping[str, object]) -> dict[str, str]:
    """Every problem of a relationship and identity fields, by field (empty when all is well)."""
    problems: dict[str, str] = {}
    for check in (lambda: _relationship(relationship), lambda: _identity(texts)):
        try:
            check()
        except Invalid as error:
            problems.update(error.problems)
    return problems


def _index_names(person: Person) -> None:
    from passage.cases.search import index_person_names

    index_person_names(person)


def create_person(
    user: object,
    case: Case,
    relationship: object,
    texts: Mapping[str, object],
    facts: Mapping[str, object] | None,
) -> Person:
    """Add a person (principal or family member) to `case`."""
    require(user, "write", case)
    rel = _relationship(relationship)
    clean = _identity(texts)
    checked = check_facts(facts or {})
    with transaction.atomic():
        person = Person(case=case, relationship=rel)
        for name, value in clean.items():
            setattr(person, name, value or None)
        person.facts = checked
        person.save()
        _index_names(person)
        audit(actor_of(user), "person.create", "person", person.pk)
    return person


def update_person(
    user: object,
    person: Person,
    version: int,
    relationship: object,
    texts: Mapping[str, object],
    facts: Mapping[str, object] | None,
) -> Person:
    """Save a person's identity fields and facts if nobody saved since `version` was read (else Conflict,
    nothing changed). `facts` None keeps the stored facts."""
    require(user, "write", person.case)
    rel = _relationship(relationship)
    clean = _identity(texts)
    checked = None if facts is None else check_facts(facts)
    probe = Person(pk=person.pk)  # encrypts the new values with this row's id bound in
    columns: dict[str, Any] = {"relationship": rel}
    for name in IDENTITY_FIELDS:
        if name in clean:
            setattr(probe, name, clean[name] or None)
            columns[f"{name}_enc"] = getattr(probe, f"{name}_enc")
    if checked is not None:
        probe.facts = checked
        columns["facts_enc"] = probe.facts_enc
    with transaction.atomic():
        changed = Person.objects.filter(pk=person.pk, case_id=person.case_id, version=version).update(
            version=version + 1, updated_at=timezone.now(), **columns
        )
        if changed != 1:
            raise Conflict("person")
        person.refresh_from_db()
        if any(name in clean for name in NAME_FIELDS):
            _index_names(person)
        audit(actor_of(user), "person.update", "person", person.pk)
    return person


def read_person(user: object, person: Person) -> bool:
    """Record that `user` opened the person; True when the sensitive fields may be shown to them."""
    case = person.case
    if not can(user, "read", case):
        raise NotAllowed("read")
    sensitive = can(user, "read_sensitive", case)
    with transaction.atomic():
        audit(actor_of(user), "person.read" if sensitive else "person.read_names", "person", person.pk)
    return sensitive


def person_of(case: Case, person_id: object) -> Person:
    """The person `person_id` of `case` (NotAllowed for a person of another case or none at all)."""
    from django.core.exceptions import ValidationError

    try:
        person = Person.objects.select_related("case").get(pk=person_id, case=case)
    except (Person.DoesNotExist, ValidationError, ValueError):
        raise NotAllowed("person") from None
    person.case = case
    return person
