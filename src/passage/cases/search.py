"""Search people by name across Latin and Cyrillic spellings, without storing a name in clear.

Each word of a person's four name fields becomes a few *keys*, built with the screening library's
transliteration and folding (passage.screening.normalize): the Cyrillic word is transliterated by every scheme
Passage knows (BGN/PCGN, ICAO 9303, Belarusian national Latin, Łacinka, French-style), Latin diacritics are
folded, and each spelling is reduced to its phonetic canonical form (sh/ch/sch one class, kh/h/g one class,
a/o one vowel class, e/i/y another, doubled letters single...) and then to its *skeleton* (first letter plus
consonants). So Lukashenka, Lukashenko, Лукашэнка, Лукашенко and LUKASHENKA all give the key `s:lkSnk`, and
Siarhei, Sergei, Сяргей and Сергей give `s:srg`. A skeleton shorter than three letters says too little (Anna
and Ян would both be `an`), so such a word keeps its canonical form instead (`c:ana`, `c:an`).

Only `vault().blind_index(key, "person.name")` of each key is stored (`cases_name_term`, a keyed HMAC per
organization): equality search with no plaintext. A query matches a person when every word of the query
shares a key with some word of the person's names. The search runs only over `visible_cases(user)`.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from passage.auth.models import User
from passage.authz.cases import visible_cases
from passage.cases.models import NAME_FIELDS, NameTerm, Person, Share
from passage.screening.normalize import NameToken, normalize_name, skeleton
from passage.storage.keys import vault

PURPOSE = "person.name"
MIN_SKELETON = 3
MAX_QUERY_WORDS = 8
MAX_QUERY_CHARS = 200
MAX_RESULTS = 100


def _as_is(value: str) -> str:
    """The keys are already normalised (and case matters: S, C, Z are sibilant classes, not s, c, z)."""
    return value


def token_keys(token: NameToken) -> frozenset[str]:
    """The comparable keys of one word of a name (before the keyed HMAC)."""
    keys = set()
    for canonical in token.canons:
        if not canonical:
            continue
        bones = skeleton(canonical)
        keys.add(f"s:{bones}" if len(bones) >= MIN_SKELETON else f"c:{canonical}")
    return frozenset(keys)


def name_keys(*names: str | None) -> set[str]:
    """Every key of every word of the given names."""
    keys: set[str] = set()
    for name in names:
        for token in normalize_name(name or ""):
            keys |= token_keys(token)
    return keys


def term(key: str) -> str:
    return vault().blind_index(key, PURPOSE, normalise=_as_is)


def index_person_names(person: Person) -> None:
    """Replace `person`'s name terms with those of their current names (call after every save of a name)."""
    keys = name_keys(*(getattr(person, field) for field in NAME_FIELDS))
    organization_id = person.case.organization_id
    with transaction.atomic():
        NameTerm.objects.filter(person_id=person.pk).delete()
        NameTerm.objects.bulk_create(
            [NameTerm(person_id=person.pk, organization_id=organization_id, term=term(key)) for key in sorted(keys)]
        )


def query_terms(query: str) -> list[frozenset[str]]:
    """One set of terms per word of the query (at most MAX_QUERY_WORDS words); empty when it has no letters."""
    tokens = normalize_name(query[:MAX_QUERY_CHARS])[:MAX_QUERY_WORDS]
    sets = []
    for token in tokens:
        keys = token_keys(token)
        if keys:
            sets.append(frozenset(term(key) for key in keys))
    return sets


def _organizations(user: User) -> set[object]:
    shared = Share.objects.filter(user=user, revoked_at__isnull=True).values_list("case__organization_id", flat=True)
    return {user.organization_id, *shared}


def search(user: object, query: str) -> list[Person]:
    """The people of cases `user` may open whose names match every word of `query`, newest case first.

    One SQL query: for each word, the people having one of its terms (an IN over the (organization, term)
    index); their intersection; each candidate's case checked against `visible_cases(user)`. At most
    MAX_RESULTS people.
    """
    if not isinstance(user, User) or not user.is_active:
        return []
    sets = query_terms(query)
    if not sets:
        return []
    organizations = _organizations(user)
    people = Person.objects.all()
    for terms in sorted(sets, key=len):
        matching = NameTerm.objects.filter(organization_id__in=organizations, term__in=terms).values("person_id")
        people = people.filter(pk__in=matching)
    # Visibility checked per candidate (a correlated EXISTS on the case's primary key), not by listing every
    # visible case first: the candidates are few, an organization's cases many.
    people = people.filter(Exists(visible_cases(user).filter(pk=OuterRef("case_id"))))
    shown = ("id", "case_id", "relationship", "created_at", *(f"{field}_enc" for field in NAME_FIELDS))
    return list(people.only(*shown).order_by("-case__created_at", "created_at")[:MAX_RESULTS])
