"""Fuzzing the JSON API (SECURITY-TESTS item 18): whatever is posted to /api/assess, the answer is a 200 that
matches the published OpenAPI schema or a 400 naming each problem, never a server error.

Hypothesis writes the requests: fact names the rulebooks declare and names they do not, values of every JSON
type (NaN and huge numbers included, as Python's JSON reader accepts them), Cyrillic and control characters,
nested lists and objects, impossible dates, unknown subjects and languages, bytes that are not UTF-8 and JSON
cut short. Each answer is checked against the schema served at /api/openapi.json itself, so the schema and
the code cannot drift apart unnoticed.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.test import Client, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passage.web.api import openapi_schema
from passage.web.engine import library

ASSESS = openapi_schema()["paths"]["/api/assess"]["post"]
FACT_NAMES = sorted({name for catalog in library().facts.values() for name in catalog})

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
    | st.sampled_from(["1990-01-31", "2023-02-30", "2026-11-01", "BY", "RU", "citizen", "permanent_resident",
                       "Лукашэнка", "", " ", "\x00", "0101.21", "8482.10", "{on}", "<script>"])
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
facts = st.dictionaries(st.sampled_from(FACT_NAMES) | st.text(max_size=20), json_values, max_size=8)
subjects = st.sampled_from(["person", "shipment", "ship", "", "PERSON"]) | st.text(max_size=10) | st.integers()
queries = st.fixed_dictionaries(
    {},
    optional={
        "on": st.sampled_from(["2026-11-01", "2023-02-30", "1900-01-01", "9999-12-31", "01/02/2025", ""])
        | st.text(max_size=12),
        "lang": st.sampled_from(["en", "fr", "be", "ru", "de", "EN", ""]) | st.text(max_size=5),
    },
)


def bodies() -> st.SearchStrategy[bytes]:
    documents = st.one_of(
        st.builds(lambda f, s: {**f, "subject": s}, facts, subjects),
        facts,
        json_values,
    ).map(lambda value: json.dumps(value, ensure_ascii=False).encode("utf-8"))
    cut_short = documents.flatmap(lambda raw: st.integers(0, max(0, len(raw) - 1)).map(lambda n: raw[:n]))
    return st.one_of(documents, cut_short, st.binary(max_size=64))


def conforms(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """What in `value` breaks `schema` (the subset of JSON Schema the API's document uses), by path."""
    kind = schema.get("type")
    expected = {"object": dict, "array": list, "string": str}.get(kind or "")
    if expected is not None and not isinstance(value, expected):
        return [f"{where}: expected {kind}, found {type(value).__name__}"]
    broken = []
    if "enum" in schema and value not in schema["enum"]:
        broken.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if kind == "object":
        broken += [f"{where}: missing {key!r}" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                broken += conforms(value[key], sub, f"{where}.{key}")
    if kind == "array" and "items" in schema:
        for index, item in enumerate(value):
            broken += conforms(item, schema["items"], f"{where}[{index}]")
    return broken


@override_settings(PASSAGE_API_RATE=10**9)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies(), query=queries, content_type=st.sampled_from(["application/json"] * 4 + ["text/plain"]))
def test_any_request_gets_a_schema_answer_and_never_a_server_error(
    body: bytes, query: dict[str, str], content_type: str
) -> None:
    response = Client().post("/api/assess", body, content_type=content_type, QUERY_STRING=urlencode(query))
    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"] == "application/json"
    answer = json.loads(response.content)
    schema = ASSESS["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
    assert conforms(answer, schema) == []
    if response.status_code == 400:
        assert answer["problems"], "a refusal names at least one problem"
        assert all(problem["field"] and problem["expected"] for problem in answer["problems"])


def test_the_checker_finds_a_broken_answer() -> None:
    """The schema check is not vacuous: an answer missing its options or with a wrong type is caught."""
    schema = ASSESS["responses"]["200"]["content"]["application/json"]["schema"]
    good = {"subject": "person", "on": "2026-11-01", "options": [], "missing": [], "receipt": {}}
    assert conforms(good, schema) == []
    assert conforms({**good, "options": "none"}, schema) == ["$.options: expected array, found str"]
    assert conforms({k: v for k, v in good.items() if k != "receipt"}, schema) == ["$: missing 'receipt'"]
    assert conforms({**good, "missing": [1]}, schema) == ["$.missing[0]: expected string, found int"]
