"""SECURITY-TESTS item 29: a stateful model of the caseworker workspace.

A Hypothesis state machine calls the real services (cases, people, sharing, notes, assessments and tasks, the
JSON export, erasure) as a randomly chosen user of one of two organizations (every role in each), on randomly
chosen cases and people of either organization, with current and stale versions. Beside the database it keeps
an in-memory model of what must be true, and decides from the documentation alone whether each call must be
allowed: the "Who sees what" table of docs/workspace.md, the matrix in the docstring of passage.authz.cases and
the pages and audit tables of docs/workspace-cases.md and docs/workspace-records.md. Nothing here reads
`can()` to decide what it expects (it is only checked against the model).

After every step: a refused call (or a conflict, or bad input) changed nothing and wrote no audit entry; an
allowed call did exactly what the model says and wrote exactly the documented audit entries (at least one for
every read or write of a case); every case, person, share, note, determination and task in the database is
the model's, field by field; each user's `visible_cases` is the model's; the last case touched answers
`can()` as the model does for every user and action; the audit chain verifies. Volunteers are never given
sensitive fields and analysts never a person.

PASSAGE_STATEFUL_EXAMPLES raises the number of examples for a long local run (the default suits CI).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from passage.authz.cases import ACTIONS, can, visible_cases
from passage.cases import assessments, deadlines, erasure, export, notes, people, services, sharing
from passage.cases.models import Case, Determination, IdempotencyToken, Note, Person, Share, Task
from passage.cases.services import Conflict, Invalid, NotAllowed
from passage.storage.audit import verify_log
from passage.storage.models import AuditRecord


def role(user: str) -> str:
    return user.split(".")[1]


def org(user: str) -> str:
    return user.split(".")[0]


ORGS = ("A", "B")
ROLES = ("admin", "caseworker", "lawyer", "volunteer", "analyst")
USERS = tuple(f"{org}.{role}" for org in ORGS for role in ROLES)
# Who acts: every user of both organizations, the roles that may do more drawn more often (a volunteer or an
# analyst is refused almost everything, which one call in five already shows).
WEIGHT = {"admin": 3, "caseworker": 3, "lawyer": 3, "volunteer": 1, "analyst": 1}
ACTORS = st.sampled_from(tuple(u for u in USERS for _ in range(WEIGHT[role(u)])))
# On a case, half the time someone related to it acts (its organization's admin, caseworker or lawyer, its
# assignee, a user it is shared with), so that allowed calls are about as common as refused ones; the model
# still decides which is which.
WHO = st.one_of(ACTORS, st.sampled_from(("~admin", "~assignee", "~shared", "~caseworker", "~lawyer")))
STAGES = ("intake", "assessment", "gathering", "submitted", "decided", "closed")
RELATIONSHIPS = ("principal", "spouse", "child", "parent", "sibling", "other")
TODAY = date(2026, 11, 1)  # PASSAGE_TODAY of the web tests (tests/web/conftest.py)

# --- What the documentation allows ------------------------------------------------------------------------
# docs/workspace.md "Who sees what", and the matrix of passage.authz.cases: role -> relation of the user to a
# case of their own organization -> actions. A case of another organization: "read" and "read_sensitive"
# while a share with an admin, caseworker or lawyer lasts, nothing otherwise. An inactive account: nothing.
EVERY = frozenset(ACTIONS)
OWN = frozenset({"read", "read_sensitive", "write", "share", "export"})
GRANTS: dict[str, dict[str, frozenset[str]]] = {
    "admin": dict.fromkeys(("assigned to them", "unassigned", "someone else's"), EVERY - {"claim"}),
    "caseworker": {"assigned to them": OWN, "unassigned": frozenset({"read", "claim"}), "someone else's": frozenset()},
    "lawyer": {"assigned to them": OWN, "unassigned": frozenset({"read", "claim"}), "someone else's": frozenset()},
    "volunteer": {"assigned to them": frozenset({"read"}), "unassigned": frozenset(), "someone else's": frozenset()},
    "analyst": {"assigned to them": frozenset(), "unassigned": frozenset(), "someone else's": frozenset()},
}
SHARED = frozenset({"read", "read_sensitive"})
SHARE_WITH = ("admin", "caseworker", "lawyer")  # docs/workspace-records.md "Sharing": never a volunteer or analyst
CREATE = ("admin", "caseworker", "lawyer")  # docs/workspace-cases.md, `cases/new/`
ASSIGNABLE = ("caseworker", "lawyer", "volunteer")  # `cases/<case_id>/assign/`

NAMES = ("", "Alena", "Kavalchuk", "Алена", "Кавальчук", "Siarhei", "Лукашэнка")
SENSITIVE = {
    "passport_number": ("", "MP1234567", "KH0000001"),
    "address": ("", "вул. Сакрэтная 7", "12 Rue Secrète\nMontréal"),
    "contacts": ("", "+1 514 555 0199", "alena@example.org"),
}
NAME_FIELDS = ("given_names_latin", "surname_latin", "given_names_cyrillic", "surname_cyrillic")
TEXT_FIELDS = (*NAME_FIELDS, *SENSITIVE)
FACTS: tuple[dict[str, object] | None, ...] = (
    None,
    {},
    {"national_passport_expiry": "2027-03-01"},
    {"citizenships": ["BY"], "in_canada": True, "national_passport_expiry": "2026-12-15"},
)


# --- The model ----------------------------------------------------------------------------------------------
@dataclass
class MCase:
    org: str
    assignee: str | None
    stage: str = "intake"
    version: int = 1
    reference: str | None = None


@dataclass
class MPerson:
    case: str
    relationship: str
    texts: dict[str, str | None]
    facts: dict[str, object]
    version: int = 1


@dataclass
class MShare:
    case: str
    user: str
    active: bool = True


@dataclass
class MTask:
    case: str
    person: str
    kind: str
    due: date
    done: bool = False


@dataclass
class Model:
    cases: dict[str, MCase] = field(default_factory=dict)  # in creation order
    people: dict[str, MPerson] = field(default_factory=dict)
    shares: dict[str, MShare] = field(default_factory=dict)
    notes: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # id -> (case, person about)
    determinations: dict[str, str] = field(default_factory=dict)  # id -> person
    tasks: dict[str, MTask] = field(default_factory=dict)
    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # token -> (user, case it made)
    active: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(USERS, True))

    def allowed(self, user: str, action: str, case_id: str) -> bool:
        case = self.cases[case_id]
        if not self.active[user]:
            return False
        if case.org != org(user):
            shared = any(s.active and s.case == case_id and s.user == user for s in self.shares.values())
            return shared and role(user) in SHARE_WITH and action in SHARED
        relation = (
            "unassigned" if case.assignee is None else "assigned to them" if case.assignee == user else "someone else's"
        )
        return action in GRANTS[role(user)][relation]

    def visible(self, user: str) -> set[str]:
        return {case_id for case_id in self.cases if self.allowed(user, "read", case_id)}

    def erase_person(self, person_id: str) -> None:
        del self.people[person_id]
        for table in (self.notes, self.determinations, self.tasks):
            for key in [k for k, v in table.items() if _person_of(v) == person_id]:
                del table[key]


def _person_of(value: object) -> object:
    if isinstance(value, tuple):
        return value[1]
    if isinstance(value, MTask):
        return value.person
    return value


# --- The machine --------------------------------------------------------------------------------------------
COUNTED = {  # what the model counts -> the table (and rows) it is counted in
    "cases": Case._meta.db_table,
    "people": Person._meta.db_table,
    "shares": Share._meta.db_table,
    "active shares": f"{Share._meta.db_table} WHERE revoked_at IS NULL",
    "notes": Note._meta.db_table,
    "determinations": Determination._meta.db_table,
    "tasks": Task._meta.db_table,
    "open tasks": f"{Task._meta.db_table} WHERE done_at IS NULL",
    "tokens": IdempotencyToken._meta.db_table,
}
REFUSED = object()  # what `call` returns when the service did not do it (some services return None when they do)
Outcome = str  # "ok", "refused" (NotAllowed), "conflict", "invalid"
AuditExpectation = list[tuple[str, str | None, object]]  # (action, record type, record id)


class Workspace(RuleBasedStateMachine):
    """Set by the test before each run: the two organizations and conftest's `make_user`."""

    organizations: dict[str, Any]
    make_user: Callable[..., Any]
    tally: Counter[tuple[str, str]]  # (rule, outcome) -> how often, over the whole run

    def __init__(self) -> None:
        super().__init__()
        # Every example in a savepoint of the test's transaction, rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.users = {u: type(self).make_user(role(u), organization=self.organizations[org(u)]) for u in USERS}
        self.by_pk = {str(user.pk): key for key, user in self.users.items()}
        self.model = Model()
        last = AuditRecord.objects.order_by("-seq").values_list("seq", flat=True).first()
        self.seq = -1 if last is None else last  # the chain's first record is number 0
        self.touched: str | None = None
        self.tokens = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # -- calling a service and checking what it did ------------------------------------------------------
    def call(
        self,
        who: str,
        expected: Outcome,
        service: Callable[[], Any],
        audited: Callable[[Any], AuditExpectation] | AuditExpectation,
        *,
        changes_nothing: bool = False,
    ) -> Any:
        """Call `service` as `who`; check the outcome is `expected` and the audit entries it wrote are exactly
        `audited` (at least one, unless the call is one the documentation says changes and shows nothing)."""
        before = self.counts()
        result: Any = None
        try:
            result = service()
            outcome = "ok"
        except NotAllowed:
            outcome = "refused"
        except Conflict:
            outcome = "conflict"
        except Invalid:
            outcome = "invalid"
        step = sys._getframe(1).f_code.co_name
        type(self).tally[step, outcome] += 1
        assert outcome == expected, f"{step}: {who} expected {expected}, got {outcome}"
        entries = self.new_audit_entries()
        if outcome != "ok":
            assert self.counts() == before, f"a refused call changed something ({who}, {outcome})"
            assert entries == [], f"a refused call wrote {entries}"
            return REFUSED
        assert entries or changes_nothing, "an allowed read or write of a case left no audit entry"
        expect = audited(result) if callable(audited) else audited
        actor = f"user:{self.users[who].pk}"
        assert Counter(entries) == Counter((actor, a, t, None if i is None else str(i)) for a, t, i in expect)
        return result

    def new_audit_entries(self) -> list[tuple[str, str, str | None, str | None]]:
        lines = list(AuditRecord.objects.filter(seq__gt=self.seq).order_by("seq").values_list("seq", "line"))
        if lines:
            self.seq = lines[-1][0]
        entries = [json.loads(line) for _, line in lines]
        return [(e["actor"], e["action"], e["record_type"], e["record_id"]) for e in entries]

    def counts(self) -> dict[str, int]:
        # one statement rather than nine: it runs before and after every call and in every invariant check
        with connection.cursor() as cursor:
            # the table names are this module's constants, never input
            cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in COUNTED.values()))  # noqa: S608
            row = cursor.fetchone()
        return dict(zip(COUNTED, row, strict=True))

    def model_counts(self) -> dict[str, int]:
        m = self.model
        return {
            "cases": len(m.cases),
            "people": len(m.people),
            "shares": len(m.shares),
            "active shares": sum(s.active for s in m.shares.values()),
            "notes": len(m.notes),
            "determinations": len(m.determinations),
            "tasks": len(m.tasks),
            "open tasks": sum(not t.done for t in m.tasks.values()),
            "tokens": len(m.tokens),
        }

    # -- choosing --------------------------------------------------------------------------------------------
    def choose(self, pick: st.DataObject, among: Any, label: str) -> Any:
        # sampled_from rather than an integer modulo the length: Hypothesis favours small integers (0 above
        # all), which would nearly always take the first case made
        return pick.draw(st.sampled_from(list(among)), label=label)

    def pick_case(self, pick: st.DataObject) -> tuple[str, Case]:
        case_id = self.choose(pick, self.model.cases, "case")
        self.touched = case_id
        # fresh from the database, as `case_for` gives it to a view
        return case_id, Case.objects.select_related("organization", "assigned_to").get(pk=case_id)

    def pick_person(self, pick: st.DataObject) -> tuple[str, Person]:
        person_id = self.choose(pick, self.model.people, "person")
        self.touched = self.model.people[person_id].case
        return person_id, Person.objects.select_related("case").get(pk=person_id)

    def relative(self, who: str, case_id: str) -> str:
        """`who`, or for "~admin", "~caseworker", "~lawyer", "~assignee", "~shared" that user of the case (when
        there is none: a caseworker of the other organization, whom nothing is shared with)."""
        if not who.startswith("~"):
            return who
        case = self.model.cases[case_id]
        shared = sorted(s.user for s in self.model.shares.values() if s.case == case_id and s.active)
        found = {"~assignee": case.assignee, "~shared": shared[0] if shared else None}.get(who, f"{case.org}.{who[1:]}")
        return found or f"{'B' if case.org == 'A' else 'A'}.caseworker"

    def version(self, current: int, offset: int) -> int:
        return max(1, current + offset)

    def token(self) -> str:
        self.tokens += 1
        return f"stateful-model-token-{self.tokens:08d}"

    def expect(self, who: str, action: str, case_id: str, *, conflict: bool = False, invalid: bool = False) -> str:
        """refused before anything else (a view answers 404 first), then bad input, then a stale version."""
        if not self.model.allowed(who, action, case_id):
            return "refused"
        return "invalid" if invalid else "conflict" if conflict else "ok"

    # -- cases -----------------------------------------------------------------------------------------------
    @initialize(creators=st.lists(st.sampled_from([f"{o}.{r}" for o in ORGS for r in CREATE]), min_size=2, max_size=5),
                pick=st.data())
    def some_cases(self, creators: list[str], pick: st.DataObject) -> None:
        """A few cases of both organizations to start from, made by the same services as any other step: each
        creator makes a case, then adds someone with a passport expiry to a case and assesses a person (either
        may be refused), so that deadlines exist to be marked done."""
        for who in creators:
            self.create_case(who, names=True, reference="K-0")
        for who in creators:
            self.create_person(who, pick, "spouse", "Ivan", "", "MP7654321", "", FACTS[2])
            self.assess(who, pick)

    @rule(who=ACTORS, names=st.booleans(), reference=st.sampled_from(["", "K-2026-014", "K-1", "x" * 65]))
    def create_case(self, who: str, names: bool, reference: str) -> None:
        may = self.model.active[who] and role(who) in CREATE
        expected = "refused" if not may else "invalid" if len(reference) > 64 else "ok"
        token = self.token()
        principal = {"given_names_latin": "Alena", "surname_cyrillic": "Кавальчук"} if names else None

        def audited(result: tuple[Case, bool]) -> AuditExpectation:
            case = result[0]
            made = [("case.create", "case", case.pk)]
            return made + ([("person.create", "person", case.people.get().pk)] if names else [])

        result = self.call(who, expected, lambda: services.create_case(self.users[who], token, reference, principal),
                           audited)
        if result is REFUSED:
            return
        case, created = result
        assert created
        case_id = str(case.pk)
        self.model.cases[case_id] = MCase(
            org(who), who if role(who) in ("caseworker", "lawyer") else None, reference=reference or None
        )
        self.model.tokens[token] = (who, case_id)
        self.touched = case_id
        if names:
            texts: dict[str, str | None] = dict.fromkeys(TEXT_FIELDS)
            texts.update({"given_names_latin": "Alena", "surname_cyrillic": "Кавальчук"})
            self.model.people[str(case.people.get().pk)] = MPerson(case_id, "principal", texts, {})

    @precondition(lambda self: self.model.tokens)
    @rule(who=ACTORS, pick=st.data())
    def submit_a_form_again(self, who: str, pick: st.DataObject) -> None:
        """A double-submitted "new case" form makes one case; another user's token is refused
        (docs/workspace-cases.md, "Optimistic locking")."""
        token = self.choose(pick, self.model.tokens, "token")
        owner, case_id = self.model.tokens[token]
        if not (self.model.active[who] and role(who) in CREATE):
            expected = "refused"
        elif owner != who or case_id not in self.model.cases:
            expected = "invalid"
        else:
            expected = "ok"
        # the view then sends the user to the case, whose page is the audited read
        result = self.call(who, expected, lambda: services.create_case(self.users[who], token, "", None), [],
                           changes_nothing=True)
        if result is not REFUSED:
            assert (str(result[0].pk), result[1]) == (case_id, False)

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(), offset=st.sampled_from([0, 0, 0, -1, 1]),
          stage=st.sampled_from(STAGES), reference=st.sampled_from([None, "", "K-7", "x" * 65]))
    def update_case(self, who: str, pick: st.DataObject, offset: int, stage: str, reference: str | None) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model.cases[case_id]
        version = self.version(m.version, offset)
        invalid = reference is not None and len(reference) > 64
        expected = self.expect(who, "write", case_id, conflict=version != m.version, invalid=invalid)
        audited: AuditExpectation = []
        if stage != m.stage:
            audited.append((f"case.stage.{stage}", "case", case_id))
        if reference is not None or stage == m.stage:  # every save is recorded, even one that moves nothing
            audited.append(("case.update", "case", case_id))
        was_closed = Case.objects.get(pk=case_id).closed_at
        if self.call(who, expected, lambda: services.update_case(self.users[who], case, version, stage, reference),
                     audited) is REFUSED:
            return
        m.version += 1
        m.stage = stage
        if reference is not None:
            m.reference = reference or None
        stored = Case.objects.get(pk=case_id)
        if stage == "closed" and was_closed is not None:
            assert stored.closed_at == was_closed  # saving a closed case again does not move its closing day

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(), offset=st.sampled_from([0, 0, -1]))
    def claim(self, who: str, pick: st.DataObject, offset: int) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model.cases[case_id]
        version = self.version(m.version, offset)
        expected = self.expect(who, "claim", case_id, conflict=version != m.version)
        if self.call(who, expected, lambda: services.claim(self.users[who], case, version),
                     [("case.claim", "case", case_id)]) is not REFUSED:
            m.assignee, m.version = who, m.version + 1

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(), offset=st.sampled_from([0, 0, -1]),
          to=st.sampled_from(("", *USERS)))
    def assign(self, who: str, pick: st.DataObject, offset: int, to: str) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model.cases[case_id]
        version = self.version(m.version, offset)
        usable = to == "" or (org(to) == m.org and role(to) in ASSIGNABLE and self.model.active[to])
        expected = self.expect(who, "assign", case_id, conflict=version != m.version, invalid=not usable)
        assignee = str(self.users[to].pk) if to else ""
        action = "case.assign" if to else "case.unassign"
        if self.call(who, expected, lambda: services.assign(self.users[who], case, version, assignee),
                     [(action, "case", case_id)]) is not REFUSED:
            m.assignee, m.version = to or None, m.version + 1

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data())
    def read_case(self, who: str, pick: st.DataObject) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        self.call(who, self.expect(who, "read", case_id), lambda: services.read_case(self.users[who], case),
                  [("case.read", "case", case_id)])

    @rule(who=ACTORS)
    def list_cases(self, who: str) -> None:
        page = self.call(who, "ok", lambda: services.list_cases(self.users[who]), [("case.list", None, None)])
        assert {str(row.case.pk) for row in page.rows} == self.model.visible(who)
        assert page.total == len(self.model.visible(who))
        if role(who) == "analyst":
            assert page.total == 0  # analysts never see a case, let alone a person

    # -- people ----------------------------------------------------------------------------------------------
    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(), relationship=st.sampled_from(RELATIONSHIPS),
          given=st.sampled_from(NAMES), surname=st.sampled_from(NAMES),
          passport=st.sampled_from((*SENSITIVE["passport_number"], "P" * 41)),
          address=st.sampled_from(SENSITIVE["address"]), facts=st.sampled_from(FACTS))
    def create_person(self, who: str, pick: st.DataObject, relationship: str, given: str, surname: str, passport: str,
                      address: str, facts: dict[str, object] | None) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        texts = {"given_names_latin": given, "surname_cyrillic": surname, "passport_number": passport,
                 "address": address}
        expected = self.expect(who, "write", case_id, invalid=len(passport) > 40)
        person = self.call(who, expected, lambda: people.create_person(self.users[who], case, relationship, texts,
                                                                       facts),
                           lambda p: [("person.create", "person", p.pk)])
        if person is not REFUSED:
            stored: dict[str, str | None] = dict.fromkeys(TEXT_FIELDS)
            stored.update({k: v or None for k, v in texts.items()})
            self.model.people[str(person.pk)] = MPerson(case_id, relationship, stored, dict(facts or {}))

    @precondition(lambda self: self.model.people)
    @rule(who=WHO, pick=st.data(), offset=st.sampled_from([0, 0, 0, -1, 1]),
          relationship=st.sampled_from(RELATIONSHIPS), surname=st.sampled_from(NAMES),
          contacts=st.sampled_from((None, *SENSITIVE["contacts"], "c" * 1001)), facts=st.sampled_from(FACTS))
    def update_person(self, who: str, pick: st.DataObject, offset: int, relationship: str, surname: str,
                      contacts: str | None, facts: dict[str, object] | None) -> None:
        person_id, person = self.pick_person(pick)
        who = self.relative(who, self.model.people[person_id].case)
        m = self.model.people[person_id]
        version = self.version(m.version, offset)
        texts: dict[str, str] = {"surname_latin": surname}
        if contacts is not None:
            texts["contacts"] = contacts
        invalid = contacts is not None and len(contacts) > 1000
        expected = self.expect(who, "write", m.case, conflict=version != m.version, invalid=invalid)
        if self.call(who, expected, lambda: people.update_person(self.users[who], person, version, relationship,
                                                                 texts, facts),
                     [("person.update", "person", person_id)]) is REFUSED:
            return
        m.version += 1
        m.relationship = relationship
        m.texts.update({k: v or None for k, v in texts.items()})
        if facts is not None:
            m.facts = dict(facts)

    @precondition(lambda self: self.model.people)
    @rule(who=WHO, pick=st.data())
    def read_person(self, who: str, pick: st.DataObject) -> None:
        person_id, person = self.pick_person(pick)
        who = self.relative(who, self.model.people[person_id].case)
        case_id = self.model.people[person_id].case
        sensitive = self.model.allowed(who, "read_sensitive", case_id)
        shown = self.call(who, self.expect(who, "read", case_id), lambda: people.read_person(self.users[who], person),
                          [("person.read" if sensitive else "person.read_names", "person", person_id)])
        if shown is REFUSED:
            assert role(who) != "analyst" or not self.model.allowed(who, "read", case_id)
            return
        assert shown is sensitive
        assert role(who) not in ("volunteer", "analyst") or shown is False  # never a sensitive field for them
        assert role(who) != "analyst"  # an analyst never sees a person

    @precondition(lambda self: self.model.people)
    @rule(who=WHO, pick=st.data())
    def export_person(self, who: str, pick: st.DataObject) -> None:
        person_id, person = self.pick_person(pick)
        who = self.relative(who, self.model.people[person_id].case)
        m = self.model.people[person_id]
        record = self.call(who, self.expect(who, "export", m.case),
                           lambda: export.person_record(self.users[who], person, "json"),
                           [("person.export.json", "person", person_id)])
        if record is REFUSED:
            return
        assert role(who) in ("admin", "caseworker", "lawyer")
        assert org(who) == self.model.cases[m.case].org
        assert record["identity"] == {name: m.texts[name] for name in TEXT_FIELDS}
        assert record["facts"] == m.facts
        assert record["relationship"] == m.relationship
        assert {n["id"] for n in record["notes"]} == {k for k, v in self.model.notes.items() if v[1] == person_id}
        assert {d["id"] for d in record["determinations"]} == {
            k for k, v in self.model.determinations.items() if v == person_id
        }
        assert {t["id"] for t in record["tasks"]} == {k for k, t in self.model.tasks.items() if t.person == person_id}

    # -- assessments and tasks -----------------------------------------------------------------------------
    @precondition(lambda self: self.model.people)
    @rule(who=WHO, pick=st.data())
    def assess(self, who: str, pick: st.DataObject) -> None:
        person_id, person = self.pick_person(pick)
        who = self.relative(who, self.model.people[person_id].case)
        m = self.model.people[person_id]
        determination = self.call(who, self.expect(who, "write", m.case),
                                  lambda: assessments.assess_person(self.users[who], person),
                                  lambda d: [("determination.create", "determination", d.pk)])
        if determination is REFUSED:
            return
        self.model.determinations[str(determination.pk)] = person_id
        # The assessment replaces the person's open law tasks; done tasks stay as history. Which deadlines the
        # law gives is the rulebooks' business; the passport's expiry (a fact) is the one the docs name for sure.
        for key in [k for k, t in self.model.tasks.items() if t.person == person_id and not t.done]:
            del self.model.tasks[key]
        new = Task.objects.filter(person_id=person_id, done_at__isnull=True)
        for task in new:
            assert task.source == "law"
            assert str(task.determination_id) == str(determination.pk)
            assert task.due_on >= TODAY
            self.model.tasks[str(task.pk)] = MTask(m.case, person_id, task.kind, task.due_on)
        expiry = m.facts.get("national_passport_expiry")
        passport = {(t.kind, t.due_on) for t in new if t.kind == "passport_expiry"}
        assert passport == ({("passport_expiry", date.fromisoformat(str(expiry)))} if expiry else set())

    @precondition(lambda self: self.model.tasks)
    @rule(who=WHO, pick=st.data())
    def mark_task_done(self, who: str, pick: st.DataObject) -> None:
        task_id = self.choose(pick, self.model.tasks, "task")
        m = self.model.tasks[task_id]
        self.touched = m.case
        who = self.relative(who, m.case)
        task = deadlines.task_of(Case.objects.get(pk=m.case), task_id)
        audited: AuditExpectation = [] if m.done else [("task.done", "task", task_id)]
        if self.call(who, self.expect(who, "write", m.case), lambda: deadlines.mark_done(self.users[who], task),
                     audited, changes_nothing=m.done) is not REFUSED:  # "done twice is done once"
            m.done = True

    @precondition(lambda self: self.model.determinations)
    @rule(who=WHO, pick=st.data())
    def read_determination(self, who: str, pick: st.DataObject) -> None:
        determination_id = self.choose(pick, self.model.determinations, "determination")
        case_id = self.model.people[self.model.determinations[determination_id]].case
        self.touched = case_id
        who = self.relative(who, case_id)
        determination = Determination.objects.select_related("person__case").get(pk=determination_id)
        self.call(who, self.expect(who, "read_sensitive", case_id),
                  lambda: assessments.read_determination(self.users[who], determination),
                  [("determination.read", "determination", determination_id)])

    # -- notes -------------------------------------------------------------------------------------------------
    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(),
          body=st.sampled_from(("Called back; <script>x</script>", "Documents\nreceived", "")))
    def add_note(self, who: str, pick: st.DataObject, body: str) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        in_case = [p for p, m in self.model.people.items() if m.case == case_id]
        person_id = self.choose(pick, [None, *in_case], "about")
        note = self.call(who, self.expect(who, "write", case_id, invalid=not body),
                         lambda: notes.add_note(self.users[who], case, body, person_id),
                         lambda n: [("note.create", "note", n.pk)])
        if note is not REFUSED:
            self.model.notes[str(note.pk)] = (case_id, person_id)

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data())
    def list_notes(self, who: str, pick: st.DataObject) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        listed = self.call(who, self.expect(who, "read_sensitive", case_id),
                           lambda: notes.list_notes(self.users[who], case), [("note.list", "case", case_id)])
        if listed is not REFUSED:
            assert role(who) not in ("volunteer", "analyst")
            assert {str(n.pk) for n in listed} == {k for k, v in self.model.notes.items() if v[0] == case_id}

    # -- sharing -----------------------------------------------------------------------------------------------
    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data(), to=st.sampled_from((*USERS, "nobody", *["~outsider"] * 4)),
          consent_on=st.sampled_from(("2026-10-01", "2026-10-01", "2026-11-02")))
    def grant_share(self, who: str, pick: st.DataObject, to: str, consent_on: str) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model
        if to == "~outsider":  # an admin, caseworker or lawyer of the other organization
            to = f"{'B' if m.cases[case_id].org == 'A' else 'A'}.{self.choose(pick, SHARE_WITH, 'outsider')}"
        usable = (
            to != "nobody"
            and m.active[to]
            and role(to) in SHARE_WITH
            and org(to) != m.cases[case_id].org
            and not any(s.active and s.case == case_id and s.user == to for s in m.shares.values())
        )
        invalid = not usable or date.fromisoformat(consent_on) > TODAY
        username = self.users[to].username if to != "nobody" else "nobody"
        share = self.call(who, self.expect(who, "share", case_id, invalid=invalid),
                          lambda: sharing.grant_share(self.users[who], case, username, consent_on, "signed form"),
                          lambda s: [("share.grant", "share", s.pk)])
        if share is not REFUSED:
            m.shares[str(share.pk)] = MShare(case_id, to)

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data())
    def revoke_share(self, who: str, pick: st.DataObject) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model
        # any share of any case (revoked ones too), or an id that is no share at all
        choices = [*m.shares, "00000000-0000-4000-8000-000000000000"]
        share_id = self.choose(pick, choices, "share")
        share = m.shares.get(share_id)
        ours = share is not None and share.case == case_id
        audited: AuditExpectation = [("share.revoke", "share", share_id)] if ours and share and share.active else []
        result = self.call(who, self.expect(who, "share", case_id),
                           lambda: sharing.revoke_share(self.users[who], case, share_id), audited,
                           changes_nothing=not audited)  # another case's share (404), or one already revoked
        if not self.model.allowed(who, "share", case_id):
            return
        if not ours:
            assert result is None  # a share of another case is not this case's (the view answers 404)
            return
        assert share is not None
        assert str(result.pk) == share_id
        assert result.revoked_at is not None
        share.active = False

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data())
    def list_shares(self, who: str, pick: st.DataObject) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        listed = self.call(who, self.expect(who, "share", case_id), lambda: sharing.list_shares(self.users[who], case),
                           [("share.list", "case", case_id)])
        if listed is not REFUSED:
            assert {str(s.pk) for s in listed} == {k for k, s in self.model.shares.items() if s.case == case_id}

    # -- erasure -----------------------------------------------------------------------------------------------
    @precondition(lambda self: self.model.people)
    @rule(who=WHO, pick=st.data())
    def erase_person(self, who: str, pick: st.DataObject) -> None:
        person_id, person = self.pick_person(pick)
        who = self.relative(who, self.model.people[person_id].case)
        case_id = self.model.people[person_id].case
        empty = self.call(who, self.expect(who, "erase", case_id),
                          lambda: erasure.erase_person(self.users[who], person),
                          [("person.erased", "person", person_id)])
        if empty is REFUSED:
            return
        self.model.erase_person(person_id)
        assert empty is not any(p.case == case_id for p in self.model.people.values())

    @precondition(lambda self: self.model.cases)
    @rule(who=WHO, pick=st.data())
    def erase_case(self, who: str, pick: st.DataObject) -> None:
        case_id, case = self.pick_case(pick)
        who = self.relative(who, case_id)
        m = self.model
        in_case = [p for p, person in m.people.items() if person.case == case_id]
        audited: AuditExpectation = [("person.erased", "person", p) for p in in_case]
        audited.append(("case.erased", "case", case_id))
        if self.call(who, self.expect(who, "erase", case_id), lambda: erasure.erase_case(self.users[who], case),
                     audited) is REFUSED:
            return
        for person_id in in_case:
            m.erase_person(person_id)
        del m.cases[case_id]
        for table in (m.notes, m.tasks, m.shares):
            for key in [k for k, v in table.items() if (v[0] if isinstance(v, tuple) else v.case) == case_id]:
                del table[key]
        self.touched = None

    # -- accounts ----------------------------------------------------------------------------------------------
    @rule(member=st.sampled_from(USERS), active=st.booleans())
    def enable_or_disable(self, member: str, active: bool) -> None:
        """What an admin's enable/disable button stores (passage.web.workspace.accounts): an inactive account is
        denied everything, a share with it included, and cannot be named for a new share or an assignment."""
        user = self.users[member]
        user.is_active = active
        user.save(update_fields=["is_active"])
        self.model.active[member] = active
        self.new_audit_entries()  # (nothing: this is the page's write, not a case service's)

    # -- invariants --------------------------------------------------------------------------------------------
    @invariant()
    def the_database_is_the_model(self) -> None:
        m = self.model
        assert self.counts() == self.model_counts()
        for case in Case.objects.all():
            want = m.cases[str(case.pk)]
            assignee = None if case.assigned_to_id is None else self.by_pk[str(case.assigned_to_id)]
            got = (self.org_of(case.organization_id), assignee, case.stage, case.version, case.reference)
            assert got == (want.org, want.assignee, want.stage, want.version, want.reference)
            # closing sets closed_at and retain_until (7 years later); reopening clears both
            assert (case.closed_at is not None) is (case.stage == "closed")
            if case.closed_at is not None:
                closed = timezone.localdate(case.closed_at)
                assert case.retain_until == services.add_years(closed, 7)
            else:
                assert case.retain_until is None
        for person in Person.objects.all():
            want_p = m.people[str(person.pk)]
            assert (str(person.case_id), person.relationship, person.version) == (
                want_p.case, want_p.relationship, want_p.version
            )
            assert {name: getattr(person, name) for name in TEXT_FIELDS} == want_p.texts
            assert (person.facts or {}) == want_p.facts
        for share in Share.objects.all():
            want_s = m.shares[str(share.pk)]
            assert (str(share.case_id), self.by_pk[str(share.user_id)], share.revoked_at is None) == (
                want_s.case, want_s.user, want_s.active
            )
        for note in Note.objects.all():
            assert m.notes[str(note.pk)] == (str(note.case_id), None if note.person_id is None else str(note.person_id))
        for determination in Determination.objects.all():
            assert m.determinations[str(determination.pk)] == str(determination.person_id)
        for task in Task.objects.all():
            want_t = m.tasks[str(task.pk)]
            assert (str(task.case_id), str(task.person_id), task.kind, task.due_on, task.done_at is not None) == (
                want_t.case, want_t.person, want_t.kind, want_t.due, want_t.done
            )

    @invariant()
    def everyone_sees_what_the_documentation_says(self) -> None:
        for key, user in self.users.items():
            seen = {str(pk) for pk in visible_cases(user).values_list("pk", flat=True)}
            assert seen == self.model.visible(key), key
            if role(key) == "analyst":
                assert seen == set()
        if self.touched is not None and self.touched in self.model.cases:
            case = Case.objects.get(pk=self.touched)
            for key, user in self.users.items():
                for action in ACTIONS:
                    assert can(user, action, case) is self.model.allowed(key, action, self.touched), (key, action)
                if role(key) in ("volunteer", "analyst"):
                    assert not can(user, "read_sensitive", case)

    @invariant()
    def the_audit_chain_verifies(self) -> None:
        verification = verify_log()
        assert verification.ok, verification.reason
        assert verification.count == AuditRecord.objects.count()
        assert self.new_audit_entries() == []  # every entry was one a step expected

    def org_of(self, organization_id: object) -> str:
        return next(name for name, o in self.organizations.items() if o.pk == organization_id)


def test_the_workspace_behaves_as_its_model(org: Any, other_org: Any, make_user: Callable[..., Any]) -> None:
    Workspace.organizations = {"A": org, "B": other_org}
    Workspace.make_user = staticmethod(make_user)
    Workspace.tally = Counter()
    examples = int(os.environ.get("PASSAGE_STATEFUL_EXAMPLES", "25"))
    run_state_machine_as_test(
        Workspace, settings=settings(max_examples=examples, stateful_step_count=30, deadline=None)
    )
    print("\n".join(f"{rule:<24} {outcome:<9} {n}" for (rule, outcome), n in sorted(Workspace.tally.items())))


def test_a_save_that_changes_neither_stage_nor_reference_is_audited_all_the_same(make_user: Callable[..., Any]) -> None:
    """Found by the machine: `set_stage` to the stage the case is at (or the stage form posted without a
    reference) moved the case to a new version and wrote no audit entry, so the log could not account for every
    write of a case. It is recorded as `case.update`."""
    admin = make_user("admin")
    case, _ = services.create_case(admin, "regression-token-0000000001", "K-1")
    before = AuditRecord.objects.count()
    services.set_stage(admin, case, 1, "intake")
    assert case.version == 2
    lines = AuditRecord.objects.order_by("seq").values_list("line", flat=True)[before:]
    assert [(e["action"], e["record_id"]) for e in map(json.loads, lines)] == [("case.update", str(case.pk))]
