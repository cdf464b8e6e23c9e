"""Facts: their declared types, and the strict reading of what a user gives.

A fact catalog (YAML) declares each fact a subject can have: its type, whether `null` is an answer,
allowed values, its interview topic and its question in every language. `parse_facts` turns raw input
(JSON) into engine values and rejects, with every problem named, an unknown fact, a wrong type, an
impossible date or an enum value outside the list. What is absent stays absent: unknown, never a default.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from passage.engine.errors import InputError, Problem, RulebookError
from passage.engine.texts import LANGUAGES, parse_translations
from passage.engine.values import DateRange

FactType = Literal["bool", "enum", "int", "decimal", "date", "country", "countries", "date_ranges", "text"]
FACT_TYPES: tuple[FactType, ...] = (
    "bool", "enum", "int", "decimal", "date", "country", "countries", "date_ranges", "text",
)
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2100, 12, 31)
MAX_TEXT = 500
MAX_LIST = 500

# ISO 3166-1 alpha-2, officially assigned codes.
COUNTRY_CODES = frozenset(
    (
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT "
        "BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH "
        "ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT "
        "HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS "
        "LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI "
        "NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG "
        "SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG "
        "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
    ).split()
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Facts = dict[str, object]


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: FactType
    topic: str
    question: Mapping[str, str]
    help: Mapping[str, str] | None = None
    nullable: bool = False
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # enum value -> label per language
    minimum: int | None = None
    maximum: int | None = None
    derived: bool = False  # computed by a Derivation, never given by a user
    pattern: str | None = None  # for text facts: a regular expression the whole value must match
    pattern_help: str = ""  # the pattern in words, for error messages ("6 to 10 digits")
    file: str = ""

    def expected(self) -> str:
        """What a valid value looks like, in words (for error messages and `passage facts`)."""
        base = {
            "bool": "true or false",
            "enum": "one of " + ", ".join(self.values),
            "int": "a whole number",
            "decimal": "a number",
            "date": "a date YYYY-MM-DD",
            "country": "an ISO 3166-1 alpha-2 country code such as BY",
            "countries": "a list of ISO 3166-1 alpha-2 country codes such as [\"BY\"]",
            "date_ranges": 'a list of {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}',
            "text": self.pattern_help or (f"text matching {self.pattern}" if self.pattern else
                                          f"text of at most {MAX_TEXT} characters"),
        }[self.type]
        if self.type == "int" and (self.minimum is not None or self.maximum is not None):
            base += f" from {self.minimum} to {self.maximum}"
        return base + (", or null for none" if self.nullable else "")


def load_fact_catalog(path: Path, raw: object) -> dict[str, FactSpec]:
    file = str(path)
    if not isinstance(raw, dict):
        raise RulebookError(file, "(top level)", "expected a mapping of fact name to fact")
    return {str(name): _parse_spec(str(name), entry, file) for name, entry in raw.items()}


def _parse_spec(name: str, entry: object, file: str) -> FactSpec:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise RulebookError(file, name, "fact names are snake_case")
    if not isinstance(entry, dict):
        raise RulebookError(file, name, "expected a mapping with type, topic and question")
    fact_type = entry.get("type")
    if fact_type not in FACT_TYPES:
        raise RulebookError(file, f"{name}.type", f"must be one of {', '.join(FACT_TYPES)}, not {fact_type!r}")
    unknown = set(entry) - {"type", "topic", "question", "help", "nullable", "values", "min", "max", "note", "derived",
                            "pattern", "pattern_help"}
    if unknown:
        raise RulebookError(file, name, f"unknown keys {sorted(unknown)}")
    values: dict[str, Mapping[str, str]] = {}
    if fact_type == "enum":
        raw_values = entry.get("values")
        if not isinstance(raw_values, dict) or not raw_values:
            raise RulebookError(file, f"{name}.values", "an enum needs its values, each with a label per language")
        values = {str(v): parse_translations(label, file, f"{name}.values.{v}") for v, label in raw_values.items()}
    topic = entry.get("topic")
    if not isinstance(topic, str) or not topic:
        raise RulebookError(file, f"{name}.topic", "is required")
    minimum, maximum = entry.get("min"), entry.get("max")
    for bound, label in ((minimum, "min"), (maximum, "max")):
        if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
            raise RulebookError(file, f"{name}.{label}", "must be a whole number")
    nullable = entry.get("nullable", False)
    if not isinstance(nullable, bool):
        raise RulebookError(file, f"{name}.nullable", "must be true or false")
    help_texts = entry.get("help")
    return FactSpec(
        name=name,
        type=fact_type,
        topic=topic,
        question=parse_translations(entry.get("question"), file, f"{name}.question"),
        help=parse_translations(help_texts, file, f"{name}.help") if help_texts is not None else None,
        nullable=nullable,
        values=values,
        minimum=minimum,
        maximum=maximum,
        derived=entry.get("derived") is True,
        pattern=_pattern(entry, name, file),
        pattern_help=str(entry.get("pattern_help") or ""),
        file=file,
    )


def _pattern(entry: dict[str, object], name: str, file: str) -> str | None:
    pattern = entry.get("pattern")
    if pattern is None:
        return None
    if entry.get("type") != "text" or not isinstance(pattern, str):
        raise RulebookError(file, f"{name}.pattern", "a pattern is a regular expression, for text facts only")
    try:
        re.compile(pattern)
    except re.error as error:
        raise RulebookError(file, f"{name}.pattern", f"not a valid regular expression: {error}") from None
    return pattern


def parse_facts(raw: Mapping[str, object], catalog: Mapping[str, FactSpec]) -> Facts:
    """Engine values for `raw` facts; raises InputError naming every fact that is wrong."""
    problems: list[Problem] = []
    facts: Facts = {}
    for name, value in raw.items():
        spec = catalog.get(name)
        if spec is None:
            close = difflib.get_close_matches(str(name), list(catalog), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            # A blank name is shown quoted, so the message still says which field was wrong.
            field = str(name) if str(name).strip() else repr(str(name))
            problems.append(Problem(field, "a known fact" + hint, "an unknown fact name"))
            continue
        if spec.derived:
            problems.append(Problem(str(name), "not to be given: Passage computes it", "a value"))
            continue
        try:
            facts[name] = parse_value(spec, value)
        except InputError as error:
            problems.extend(error.problems)
    if problems:
        raise InputError(problems)
    return facts


def parse_value(spec: FactSpec, value: object) -> object:
    """One fact's engine value (None only for a nullable fact answered "none")."""
    if value is None:
        if spec.nullable:
            return None
        raise InputError(Problem(spec.name, spec.expected(), "null"))
    parser = _PARSERS[spec.type]
    return parser(spec, value)


def _fail(spec: FactSpec, value: object, detail: str = "") -> InputError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InputError(Problem(spec.name, spec.expected(), detail or f"{shown} ({_json_type(value)})"))


def _json_type(value: object) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "text", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _bool(spec: FactSpec, value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail(spec, value)
    return value


def _enum(spec: FactSpec, value: object) -> str:
    if not isinstance(value, str) or value not in spec.values:
        raise _fail(spec, value)
    return value


def _int(spec: FactSpec, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(spec, value)
    if (spec.minimum is not None and value < spec.minimum) or (spec.maximum is not None and value > spec.maximum):
        raise _fail(spec, value, f"{value}, out of range")
    return value


def _decimal(spec: FactSpec, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _fail(spec, value)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise _fail(spec, value) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise _fail(spec, value, f"{value!r}, not a finite amount")
    return number.quantize(Decimal("0.01"))


def parse_date(value: object, field_name: str) -> date:
    """A calendar date from `YYYY-MM-DD` text between 1900 and 2100; names `field_name` if wrong."""
    expected = "a date YYYY-MM-DD"
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        shown = repr(value) if len(repr(value)) < 60 else repr(value)[:57] + "..."
        raise InputError(Problem(field_name, expected, shown))
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(Problem(field_name, expected, f"{value}, which is not a real date")) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise InputError(Problem(field_name, f"{expected} between 1900 and 2100", value))
    return day


def _date(spec: FactSpec, value: object) -> date:
    return parse_date(value, spec.name)


def _country(spec: FactSpec, value: object) -> str:
    if not isinstance(value, str) or value.upper() not in COUNTRY_CODES:
        raise _fail(spec, value)
    return value.upper()


def _countries(spec: FactSpec, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise _fail(spec, value)
    codes = [_country(spec, item) for item in value]
    if len(set(codes)) != len(codes):
        raise _fail(spec, value, "a country listed twice")
    return tuple(sorted(codes))


def _date_ranges(spec: FactSpec, value: object) -> tuple[DateRange, ...]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise _fail(spec, value)
    ranges: list[DateRange] = []
    for index, item in enumerate(value):
        where = f"{spec.name}[{index}]"
        if not isinstance(item, dict) or set(item) != {"from", "to"}:
            raise InputError(Problem(where, 'an object {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}', repr(item)[:60]))
        start, end = parse_date(item["from"], f"{where}.from"), parse_date(item["to"], f"{where}.to")
        if end < start:
            raise InputError(Problem(where, "a period whose end is not before its start", f"{start} to {end}"))
        ranges.append(DateRange(start, end))
    ranges.sort()
    for earlier, later in itertools.pairwise(ranges):
        if later.start < earlier.end:
            raise InputError(
                Problem(spec.name, "periods that do not overlap", f"{earlier.start}–{earlier.end} and "
                        f"{later.start}–{later.end} overlap; merge them")
            )
    return tuple(ranges)


def _text(spec: FactSpec, value: object) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT or _CONTROL.search(value):
        raise _fail(spec, value)
    value = value.strip()
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise _fail(spec, value)
    return value


_PARSERS = {
    "bool": _bool,
    "enum": _enum,
    "int": _int,
    "decimal": _decimal,
    "date": _date,
    "country": _country,
    "countries": _countries,
    "date_ranges": _date_ranges,
    "text": _text,
}

__all__ = ["COUNTRY_CODES", "FACT_TYPES", "LANGUAGES", "FactSpec", "Facts", "load_fact_catalog", "parse_facts"]
