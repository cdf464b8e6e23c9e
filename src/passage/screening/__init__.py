"""Party screening against Canada's Belarus sanctions list: a pure library (no network, no database).

Exports:
- `Screener(entries)` with `.screen(name, limit=10) -> list[ScreeningResult]` (best first, never empty),
  and `screen_batch(screener, names, progress=None)` yielding one result list per name.
- `ScreeningResult`, `MatchExplanation`, `TokenMatch`, `status_for`, and the thresholds
  `MATCH_THRESHOLD`, `POSSIBLE_THRESHOLD`.
- `ListedEntry`, `load_listed_persons(path=None)` (Schedule 1 YAML), `entries_on(entries, day)`,
  `load_consolidated_list(path, country="Belarus")` (GAC's sema-lmes.xml).
- `normalize_name(name)` (comparable keys of a name).
- `explain(result, lang)` and `text(key, lang)`: the words a person reads, in en, fr, be, ru.
- `evaluate(screener, pairs)`, `load_name_pairs(path)`: precision and recall on labelled pairs.
- Errors: `ScreeningError` (base), `ListFormatError`, `NameInputError`.
"""

from passage.screening.entries import ListedEntry, entries_on, load_listed_persons
from passage.screening.errors import ListFormatError, NameInputError, ScreeningError
from passage.screening.evaluation import Evaluation, NamePair, evaluate, load_name_pairs
from passage.screening.gac_xml import load_consolidated_list, parse_consolidated_list
from passage.screening.matcher import (
    MATCH_THRESHOLD,
    POSSIBLE_THRESHOLD,
    MatchExplanation,
    Screener,
    ScreeningResult,
    TokenMatch,
    screen_batch,
    status_for,
)
from passage.screening.normalize import NameToken, normalize_name
from passage.screening.texts import explain, text

__all__ = [
    "MATCH_THRESHOLD",
    "POSSIBLE_THRESHOLD",
    "Evaluation",
    "ListFormatError",
    "ListedEntry",
    "MatchExplanation",
    "NameInputError",
    "NamePair",
    "NameToken",
    "Screener",
    "ScreeningError",
    "ScreeningResult",
    "TokenMatch",
    "entries_on",
    "evaluate",
    "explain",
    "load_consolidated_list",
    "load_listed_persons",
    "load_name_pairs",
    "normalize_name",
    "parse_consolidated_list",
    "screen_batch",
    "status_for",
    "text",
]
