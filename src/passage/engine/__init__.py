"""passage.engine — the rules-as-code core. A pure library: no Django, no database, no I/O beyond reading
rulebook files. Rules are expression trees over facts and effective-dated parameters, evaluated with
three-valued logic, explained with citations in four languages, and compiled to Polars for tables.
"""

from passage.engine.errors import InputError, NotVectorizable, PassageError, Problem, RulebookError
from passage.engine.evaluate import Evaluator, OptionResult, Reason
from passage.engine.expressions import (
    FALSE,
    TRUE,
    Expr,
    all_of,
    any_of,
    case,
    const,
    days_between,
    days_covered,
    earliest_date,
    fact,
    if_,
    law_unknown,
    maximum,
    minimum,
    not_,
    on,
    param,
    present,
    range_bound,
    ref,
    years_between,
)
from passage.engine.facts import FactSpec, parse_date, parse_facts
from passage.engine.library import Library, Rulebook, load_library
from passage.engine.receipt import Receipt, make_receipt
from passage.engine.rulebook import (
    Deadline,
    Derivation,
    Fee,
    Notice,
    Option,
    RulebookDefinition,
    condition,
    eligibility,
    value,
)
from passage.engine.scenarios import Scenario, load_scenarios, run_scenario
from passage.engine.texts import LANGUAGES
from passage.engine.values import DateRange, Unknown
from passage.engine.vector import evaluate_frame, facts_frame

ENGINE_VERSION = "0.1.0"

__all__ = [
    "ENGINE_VERSION", "FALSE", "LANGUAGES", "TRUE", "DateRange", "Deadline", "Derivation", "Evaluator", "Expr",
    "FactSpec", "Fee", "InputError", "Library", "NotVectorizable", "Notice", "Option", "OptionResult",
    "PassageError", "Problem", "Reason", "Receipt", "Rulebook", "RulebookDefinition", "RulebookError", "Scenario",
    "Unknown", "all_of", "any_of", "case", "condition", "const", "days_between", "days_covered", "earliest_date",
    "eligibility", "evaluate_frame", "fact", "facts_frame", "if_", "law_unknown", "load_library", "load_scenarios",
    "make_receipt", "maximum", "minimum", "not_", "on", "param", "parse_date", "parse_facts", "present",
    "range_bound", "ref", "run_scenario", "value", "years_between",
]
