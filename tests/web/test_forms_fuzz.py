"""Fuzzing the interview's forms (SECURITY-TESTS item 18; "a hostile form post gets a clear error"): whatever
is posted to a question page, the answer is the page again naming what was wrong (400), with one more row (200)
or the next step (302),
never a server error, and a refused post changes no answer already given.

Hypothesis writes the posts from the field names the page itself shows (each field alone, with its "I don't
know", list rows and "add a row" buttons) and names it does not: several values for one field, Cyrillic and
control characters, impossible dates, very long text, row indexes out of range.
"""

from __future__ import annotations

import re
from datetime import date

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passage.interview import pending_groups
from passage.web import engine

ON = date(2026, 11, 1)
KNOWN_POST = {"canadian_status": "permanent_resident", "in_canada": "yes"}  # the status page, answered first
KNOWN_ANSWERS = {"canadian_status": "permanent_resident", "in_canada": True}
TOPICS = sorted({step.topic for step in pending_groups(engine.run(KNOWN_ANSWERS, ON, "person"))})

values = st.one_of(
    st.sampled_from(["yes", "no", "1", "0", "true", "", " ", "2026-11-01", "2023-02-30", "0000-00-00",
                     "9999-12-31", "BY", "by", "XX", "citizen", "-1", "1e9", "NaN", "Лукашэнка", "<script>", "\x00"]),
    st.text(max_size=30),
    st.text(min_size=5000, max_size=6000, alphabet="ab"),
)


def _field_names(client: Client, topic: str) -> list[str]:
    page = client.get(f"/en/interview/{topic}/").content.decode()
    return sorted(set(re.findall(r'name="([^"]+)"', page)) - {"csrfmiddlewaretoken"})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), topic=st.sampled_from(TOPICS))
def test_any_post_to_a_question_page_is_answered_and_never_a_server_error(data: st.DataObject, topic: str) -> None:
    client = Client()
    client.post("/en/interview/status/", KNOWN_POST)
    before = client.session["answers"]
    names = _field_names(client, topic)
    keys = st.sampled_from(names) | st.text(max_size=12) | st.sampled_from([f"{n}__9999" for n in names] or ["x"])
    post = data.draw(st.dictionaries(keys, st.lists(values, min_size=1, max_size=3), max_size=6), label="post")
    response = client.post(f"/en/interview/{topic}/", post)
    assert response.status_code in (200, 302, 400), response.content[:300]
    if response.status_code != 302:  # refused (400, errors named on the page) or "add a row" (200): nothing saved
        assert client.session["answers"] == before
        assert b"<html" in response.content


def test_the_known_answer_is_kept() -> None:
    """The precondition the fuzz relies on: the first post records an answer, so "nothing changed" means
    something."""
    client = Client()
    response = client.post("/en/interview/status/", KNOWN_POST)
    assert response.status_code == 302
    assert client.session["answers"] == KNOWN_ANSWERS
    assert TOPICS
    assert "status" not in TOPICS
