"""The screener: which listed entries a name may refer to, with a score and an explanation.

`Screener` indexes the skeletons of every name form of every entry, so a name is compared in full only
with the forms it shares words with. Scoring aligns the words of the name with the words of a form
(any order), weighs them by role (surname 3, given name 2, patronymic or middle name 1, entity word 1) and
caps the score where a required part is missing (a different surname or given name). Thresholds
(`MATCH_THRESHOLD`, `POSSIBLE_THRESHOLD`) are justified by the measurements in docs/screening.md.
Invariants: `screen` returns at least one result, best first; it raises only `NameInputError`; it keeps
no record of the names it screens.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz.distance import OSA

from passage.screening._forms import WEIGHTS, Form, Role, drop_stop_words, forms_of
from passage.screening.entries import ListedEntry
from passage.screening.errors import NameInputError
from passage.screening.normalize import NameToken, normalize_name

Status = Literal["match", "possible_match", "no_match"]
How = Literal["exact", "transliteration", "fuzzy", "initial"]
Order = Literal["same", "reversed", "mixed", "single"]

MATCH_THRESHOLD = 88.0  # at or above: the name is taken to be this listed person
POSSIBLE_THRESHOLD = 72.0  # at or above: a person must look at it before going ahead
TOKEN_MIN = 70.0  # two words of a person's name below this similarity are not aligned at all
ENTITY_TOKEN_MIN = 80.0  # the same for words of an entity name (they are longer and more generic)
JOINED_MIN = 90.0  # a name written as one word ("Absolut Bank" ~ "Absolutbank") counts from here
DISTINCTIVE_MAX_ENTRIES = 2  # an entity word in at most this many entries identifies one on its own
RARE_KEY_MAX_FORMS = 4  # an index key this rare makes a form a candidate on one word alone
SURNAME_MIN = 80.0  # a surname (or lone entity word) aligned below this caps the score
INITIAL_SCORE = 90.0  # an initial agrees with a given name, but says less than the full name
CAP_SURNAME_DIFFERS = 55.0
CAP_GIVEN_DIFFERS = 62.0
CAP_SURNAME_ONLY = 80.0  # a surname alone is at most a possible match
EXTRA_WORD_PENALTY = 8.0
EXTRA_PATRONYMIC_PENALTY = 3.0


@dataclass(frozen=True)
class TokenMatch:
    """One word of the screened name aligned with one word of the listed name."""

    query_token: str
    entry_token: str
    role: Role
    score: float
    how: How
    scheme: str  # spelling scheme of the query form that agreed best, e.g. "icao_9303", "latin+digraphs"


@dataclass(frozen=True)
class MatchExplanation:
    """What matched, for a person to check: which words, which spelling, in which order."""

    matched_name: str  # the form of the listed name that matched best
    name_source: Literal["name", "alias", "derived"]
    tokens: tuple[TokenMatch, ...]
    unmatched_query: tuple[str, ...]
    unmatched_entry: tuple[str, ...]
    order: Order
    caps: tuple[
        str, ...
    ]  # why the score was held down: surname_differs, given_differs, surname_only, short_name


@dataclass(frozen=True)
class ScreeningResult:
    """The verdict on one listed entry (or on none, for `no_match` with nothing close)."""

    status: Status
    score: float  # 0-100
    entry: ListedEntry | None
    explanation: MatchExplanation | None


def status_for(score: float) -> Status:
    """The status a score earns under the documented thresholds."""
    if score >= MATCH_THRESHOLD:
        return "match"
    if score >= POSSIBLE_THRESHOLD:
        return "possible_match"
    return "no_match"


def _index_keys(token: NameToken, role: Role) -> set[str]:
    keys: set[str] = set()
    for sk in token.skeletons:
        keys.add("k:" + sk)
        if len(sk) >= 4:
            keys.add("p:" + sk[:3])
            keys.add("s:" + sk[-3:])
    if role in ("given", "patronymic", "other"):
        keys.update("i:" + c[0] for c in token.canons)
    return keys


def _query_keys(token: NameToken) -> set[str]:
    if token.initial:
        return {"i:" + c[0] for c in token.canons}
    return _index_keys(token, "surname")


def _order(pairs: list[tuple[int, int]]) -> Order:
    if len(pairs) < 2:
        return "single"
    entry_positions = [f for _, f in sorted(pairs)]
    if entry_positions == sorted(entry_positions):
        return "same"
    if entry_positions == sorted(entry_positions, reverse=True):
        return "reversed"
    return "mixed"


class Screener:
    """Screens names against a fixed list of entries (Schedule 1, or GAC's consolidated list)."""

    def __init__(self, entries: Sequence[ListedEntry]) -> None:
        self.entries: tuple[ListedEntry, ...] = tuple(entries)
        self._forms: list[Form] = []
        self._index: dict[str, set[int]] = defaultdict(set)
        for i, entry in enumerate(self.entries):
            for form in forms_of(entry, i):
                form_id = len(self._forms)
                self._forms.append(form)
                for token, role in zip(form.tokens, form.roles, strict=True):
                    for key in _index_keys(token, role):
                        self._index[key].add(form_id)
        words_by_entry: dict[int, set[str]] = defaultdict(set)
        for form in self._forms:
            if not form.individual:
                words_by_entry[form.entry].update(t.forms[0][1] for t in form.tokens)
        self._entity_df: dict[str, int] = defaultdict(int)
        for words in words_by_entry.values():
            for word in words:
                self._entity_df[word] += 1
        self._sim_cache: dict[tuple[frozenset[str], frozenset[str]], tuple[float, str, bool]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    # -- similarity ----------------------------------------------------------------------------------
    def _similarity(self, q: NameToken, f: NameToken) -> tuple[float, str, bool]:
        """(score 0-100, scheme of the best query form, whether some form agrees exactly) for two words."""
        key = (q.canons | {"=" + q.plain}, f.canons | {"=" + f.plain})
        cached = self._sim_cache.get(key)
        if cached is not None:
            return cached
        best: tuple[float, str, bool] = (0.0, "", False)
        f_canons = f.canons
        for scheme, qc in q.forms:
            if qc in f_canons:
                best = (100.0, scheme, True)
                break
            for fc in f_canons:
                s = OSA.normalized_similarity(qc, fc) * 100.0
                if s > best[0]:
                    best = (s, scheme, False)
        if best[0] < 100.0 and q.plain and f.plain:
            typed = OSA.normalized_similarity(q.plain, f.plain) * 100.0
            if typed > best[0]:
                best = (typed, q.forms[0][0], False)
        if len(self._sim_cache) > 200_000:
            self._sim_cache.clear()
        self._sim_cache[key] = best
        return best

    @staticmethod
    def _initial_agrees(q: NameToken, f: NameToken) -> bool:
        firsts = {c[0] for c in f.canons if c}
        return any(c[0] in firsts for c in q.canons if c)

    # -- scoring one form -------------------------------------------------------------------------
    def _score_form(self, query: tuple[NameToken, ...], form: Form) -> tuple[float, MatchExplanation]:
        q_tokens = query if form.individual else drop_stop_words(query)
        candidates: list[tuple[float, int, int, str, How]] = []
        for qi, q in enumerate(q_tokens):
            for fi, (f, role) in enumerate(zip(form.tokens, form.roles, strict=True)):
                if q.initial:
                    if role in ("given", "patronymic", "other") and self._initial_agrees(q, f):
                        candidates.append((INITIAL_SCORE, qi, fi, "initial", "initial"))
                    continue
                if form.short_acronym:
                    if q.canons & f.canons:
                        candidates.append((100.0, qi, fi, q.forms[0][0], "exact"))
                    continue
                score, scheme, agreed = self._similarity(q, f)
                if score >= (TOKEN_MIN if form.individual else ENTITY_TOKEN_MIN):
                    how: How = "fuzzy"
                    if q.text.casefold().rstrip(".") == f.text.casefold():
                        how = "exact"
                    elif agreed:
                        how = "transliteration"
                    candidates.append((score, qi, fi, scheme, how))
        candidates.sort(key=lambda c: (-c[0], c[4] == "initial", form.roles[c[2]] != "surname"))
        used_q: set[int] = set()
        used_f: set[int] = set()
        matches: dict[int, TokenMatch] = {}
        pairs: list[tuple[int, int]] = []
        for score, qi, fi, scheme, how in candidates:
            if qi in used_q or fi in used_f:
                continue
            used_q.add(qi)
            used_f.add(fi)
            pairs.append((qi, fi))
            matches[fi] = TokenMatch(
                q_tokens[qi].text, form.tokens[fi].text, form.roles[fi], round(score, 1), how, scheme
            )

        unmatched_q = [q for i, q in enumerate(q_tokens) if i not in used_q]
        extra_real = [q for q in unmatched_q if not q.initial]
        num = 0.0
        den = 0.0
        for fi, role in enumerate(form.roles):
            weight = WEIGHTS[role]
            if fi in matches:
                num += weight * matches[fi].score
                den += weight
            elif role in ("surname", "word") or (role == "given" and len(q_tokens) > 1) or extra_real:
                den += weight
        score = num / den if den else 0.0
        optional_left = [
            fi for fi, r in enumerate(form.roles) if fi not in matches and r in ("patronymic", "other")
        ]
        if not optional_left:
            for q in extra_real:
                score -= EXTRA_PATRONYMIC_PENALTY if q.patronymic else EXTRA_WORD_PENALTY
        caps: list[str] = []
        if form.individual:
            surname = form.roles.index("surname")
            s_match = matches.get(surname)
            if s_match is None or s_match.score < SURNAME_MIN:
                caps.append("surname_differs")
                score = min(score, CAP_SURNAME_DIFFERS)
            given_ok = any(m.role in ("given", "patronymic", "other") for m in matches.values())
            if len(form.tokens) > 1 and not given_ok:
                if len(q_tokens) == 1:
                    caps.append("surname_only")
                    score = min(score, CAP_SURNAME_ONLY)
                else:
                    caps.append("given_differs")
                    score = min(score, CAP_GIVEN_DIFFERS)
        else:
            if any(m.score < SURNAME_MIN for m in matches.values()) and len(form.tokens) == 1:
                caps.append("surname_differs")
                score = min(score, CAP_SURNAME_DIFFERS)
            score = self._entity_alternatives(q_tokens, form, matches, score, caps)
            if form.short_acronym:
                caps.append("short_name")
                score = min(score, CAP_SURNAME_ONLY)
        explanation = MatchExplanation(
            matched_name=form.text,
            name_source=form.source,
            tokens=tuple(matches[fi] for fi in sorted(matches)),
            unmatched_query=tuple(q.text for q in unmatched_q),
            unmatched_entry=tuple(
                form.tokens[fi].text for fi in range(len(form.tokens)) if fi not in matches
            ),
            order=_order(pairs),
            caps=tuple(caps),
        )
        return max(0.0, min(100.0, score)), explanation

    def _entity_alternatives(
        self,
        q_tokens: tuple[NameToken, ...],
        form: Form,
        matches: dict[int, TokenMatch],
        score: float,
        caps: list[str],
    ) -> float:
        """Raise an entity's score for two things word alignment misses: the name written as one word
        (or split), and a short name made only of words that identify this one entity."""
        joined_q = "".join(t.forms[0][1] for t in q_tokens)
        joined = max(OSA.normalized_similarity(joined_q, j) * 100.0 for j in form.joined)
        if joined >= JOINED_MIN and joined > score:
            score = joined
        if (
            len(matches) == len(q_tokens) < len(form.tokens)
            and all(m.score >= SURNAME_MIN for m in matches.values())
            and all(
                self._entity_df.get(form.tokens[fi].forms[0][1], 0) <= DISTINCTIVE_MAX_ENTRIES
                for fi in matches
            )
            and score < CAP_SURNAME_ONLY
        ):
            caps.append("partial_name")
            score = CAP_SURNAME_ONLY
        return score

    # -- screening -------------------------------------------------------------------------------
    def _candidate_forms(self, query: tuple[NameToken, ...]) -> list[int]:
        hits: dict[int, set[int]] = defaultdict(set)
        rare: set[int] = set()
        for qi, token in enumerate(query):
            for key in _query_keys(token):
                form_ids = self._index.get(key, ())
                for form_id in form_ids:
                    hits[form_id].add(qi)
                if key.startswith("k:") and len(form_ids) <= RARE_KEY_MAX_FORMS:
                    rare.update(form_ids)
        out = []
        for form_id, positions in hits.items():
            need = 1 if len(query) == 1 or len(self._forms[form_id].tokens) == 1 else 2
            if len(positions) >= need or form_id in rare:
                out.append(form_id)
        return out

    def screen(self, name: str, limit: int = 10) -> list[ScreeningResult]:
        """Results for `name`, best first: every entry scoring at least a possible match (at most
        `limit`), or a single `no_match` naming the closest entry if one was compared."""
        if not isinstance(name, str):
            raise NameInputError(name)
        query = normalize_name(name)
        if not query:
            return [ScreeningResult("no_match", 0.0, None, None)]
        best: dict[int, tuple[float, MatchExplanation]] = {}
        for form_id in self._candidate_forms(query):
            form = self._forms[form_id]
            score, explanation = self._score_form(query, form)
            current = best.get(form.entry)
            if current is None or score > current[0]:
                best[form.entry] = (score, explanation)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], self.entries[kv[0]].id))
        results = [
            ScreeningResult(status_for(score), round(score, 1), self.entries[i], explanation)
            for i, (score, explanation) in ranked[: max(1, limit)]
            if score >= POSSIBLE_THRESHOLD
        ]
        if results:
            return results
        if ranked:
            i, (score, explanation) = ranked[0]
            return [ScreeningResult("no_match", round(score, 1), self.entries[i], explanation)]
        return [ScreeningResult("no_match", 0.0, None, None)]


def screen_batch(
    screener: Screener,
    names: Iterable[str],
    progress: Callable[[int], None] | None = None,
    limit: int = 10,
) -> Iterator[list[ScreeningResult]]:
    """Screen each name in turn, yielding its results; `progress(n)` is called after the n-th name."""
    for n, name in enumerate(names, start=1):
        yield screener.screen(name, limit)
        if progress is not None:
            progress(n)
