from __future__ import annotations

import io
import json
import logging
import re
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from passage.engine import LANGUAGES
from passage.web import engine
from passage.web.texts import web_texts
from tests.web.pdf_tools import matches_golden, pdf_text, pdffonts

ON = "2026-11-01"
CANARY_DATE = "1931-07-13"
PR_ANSWERS = {"canadian_status": "permanent_resident", "in_canada": "yes"}


def _fill_interview(client: Client, lang: str, form: dict[str, dict[str, Any]]) -> None:
    """Answer every topic the interview asks with `form[topic]` (or "I don't know" for what is not given)."""
    for _ in range(20):
        response = client.get(f"/{lang}/interview/")
        location = response["Location"]
        if location.endswith("/summary/"):
            return
        topic = location.rstrip("/").rsplit("/", 1)[-1]
        page = client.get(location).content.decode()
        names = set(re.findall(r'name="([a-z_]+?)(?:__dk|__from|__to|__none)?"', page)) - {
            "csrfmiddlewaretoken",
            "add_row",
        }
        data = dict(form.get(topic, {}))
        for name in names:
            if not any(key == name or key.startswith(name + "__") for key in data):
                data[f"{name}__dk"] = "1"
        client.post(location, data)
    raise AssertionError("interview did not finish")


class TestLanding:
    def test_root_redirects_by_accept_language(self, client: Client) -> None:
        """/ sends a Belarusian-speaking browser to /be/ and an unknown language to /en/."""
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="be-BY,ru;q=0.9")["Location"] == "/be/"
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="de,fr;q=0.5")["Location"] == "/fr/"
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="zz")["Location"] == "/en/"

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_landing_says_what_passage_does_not_do_in_each_language(self, client: Client, lang: str) -> None:
        """The landing page carries the not-legal-advice and privacy texts in the page's language."""
        page = client.get(f"/{lang}/").content.decode()
        assert f'<html lang="{lang}">' in page
        assert web_texts()["landing.not_title"][lang] in page
        assert web_texts()["landing.privacy_title"][lang] in page
        assert all(f'href="/{code}/"' in page for code in LANGUAGES)

    def test_unknown_language_is_404(self, client: Client) -> None:
        """A language outside en, fr, be, ru is not found."""
        assert client.get("/de/").status_code == 404


class TestInterview:
    def test_questions_come_from_the_rules_grouped_by_topic(self, client: Client) -> None:
        """The first page asks the topic holding the most-settling fact, with every question of that topic."""
        location = client.get("/en/interview/")["Location"]
        assert location == "/en/interview/status/"
        page = client.get(location).content.decode()
        assert 'name="canadian_status"' in page
        assert 'name="in_canada"' in page
        assert "I don&#x27;t know" in page

    def test_missing_answer_is_named_next_to_the_field_and_in_the_summary(self, client: Client) -> None:
        """An empty answer gives 400 with an error summary linking to the field, and the field's message."""
        response = client.post("/en/interview/status/", {"in_canada": "yes"})
        page = response.content.decode()
        assert response.status_code == 400
        assert 'class="error-summary"' in page
        assert 'href="#f-canadian_status"' in page
        assert 'id="e-canadian_status"' in page

    def test_impossible_date_is_rejected_with_the_engine_message(self, client: Client) -> None:
        """A date that does not exist is refused, named by its question, and nothing is stored."""
        client.post("/en/interview/status/", PR_ANSWERS)
        response = client.post("/en/interview/documents/", {"national_passport_expiry": "2026-02-30"})
        assert response.status_code == 400
        assert "Enter a real date" in response.content.decode()
        assert "national_passport_expiry" not in client.session.get("answers", {})

    def test_dont_know_is_recorded_and_not_asked_again(self, client: Client) -> None:
        """Answering "I don't know" stores it and the interview moves on to another topic."""
        client.post("/en/interview/status/", {"canadian_status": "__dk", "in_canada": "yes"})
        assert client.session["dont_know"] == ["canadian_status"]
        assert client.get("/en/interview/")["Location"] != "/en/interview/status/"

    def test_add_row_without_javascript_adds_a_row_and_saves_nothing(self, client: Client) -> None:
        """The add-row button re-renders the list with one more row and keeps what was typed."""
        client.post("/en/interview/status/", PR_ANSWERS)
        client.post("/en/interview/identity/", {"citizenships": ["BY"]})
        client.post("/en/interview/documents/", {"national_passport_expiry__none": "1"})
        page = client.post(
            "/en/interview/travel_history/",
            {"absences__from": ["2024-01-01"], "absences__to": ["2024-01-20"], "add_row": "absences"},
        ).content.decode()
        assert page.count('name="absences__from"') == 2
        assert 'value="2024-01-01"' in page
        assert "absences" not in client.session.get("answers", {})

    def test_summary_lists_answers_with_change_links(self, client: Client) -> None:
        """The summary shows each answer in the reader's language with a link to change it."""
        client.post("/fr/interview/status/", PR_ANSWERS)
        page = client.get("/fr/summary/").content.decode()
        assert "Résident permanent" in page
        assert 'href="/fr/interview/status/#q-canadian_status"' in page

    def test_finished_interview_leads_to_the_summary(self, client: Client) -> None:
        """When every option is settled or answered "I don't know", the interview ends at the summary."""
        _fill_interview(client, "en", {})
        assert client.get("/en/interview/")["Location"] == "/en/summary/"


class TestPlan:
    def _complete(self, client: Client, lang: str = "en") -> None:
        _fill_interview(
            client,
            lang,
            {
                "status": PR_ANSWERS,
                "identity": {"citizenships": ["BY"]},
                "documents": {"national_passport_expiry": "2027-01-15"},
                "protection": {"fears_return": "yes"},
            },
        )

    def test_plan_statuses_equal_assess(self, client: Client) -> None:
        """Every option appears in the plan with the status assess() gives for the same answers."""
        self._complete(client)
        answers = client.session["answers"]
        expected = {
            o.id: o.status for o in engine.run(answers, __import__("datetime").date(2026, 11, 1)).options
        }
        page = client.get("/en/plan/").content.decode()
        shown = dict(re.findall(r'id="o-([a-z_]+)" data-status="([a-z_]+)"', page))
        assert shown == expected

    def test_plan_cites_the_law_and_flags_unverified_values(self, client: Client) -> None:
        """Reasons link to sources, unverified fees say "check before you rely on it", dates written out."""
        self._complete(client, "ru")
        page = client.get("/ru/plan/").content.decode()
        assert 'href="https://example.org/fixture-act"' in page
        assert "проверьте, прежде чем полагаться" in page
        assert "1 ноября 2028 г." in page
        assert "260,00" in page
        assert "c3fd5acc" in page or "fixture_person" in page

    def test_pdf_embeds_a_cyrillic_font(self, client: Client) -> None:
        """The printable PDF is a PDF with the DejaVu font embedded."""
        self._complete(client, "be")
        response = client.get("/be/plan.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        body = response.content
        assert body.startswith(b"%PDF")
        inflated = b"".join(_streams(body))
        assert b"DejaVu" in inflated
        assert b"FontFile" in inflated

    @pytest.mark.parametrize("lang", ["be", "en"])
    def test_pdf_text_is_the_same_every_time_and_equals_the_golden_file(
        self, client: Client, lang: str, tmp_path: Path
    ) -> None:
        """SECURITY-TESTS item 30: the same answers give the same text (`pdftotext`), equal to the reviewed
        golden file, with every font embedded (`pdffonts`). PASSAGE_UPDATE_GOLDEN=1 rewrites the file after a
        deliberate change of the plan; review its diff."""
        self._complete(client, lang)
        texts = []
        for attempt in range(2):
            pdf = tmp_path / f"plan-{attempt}.pdf"
            pdf.write_bytes(client.get(f"/{lang}/plan.pdf").content)
            texts.append(pdf_text(pdf))
        assert texts[0] == texts[1]
        assert matches_golden(texts[0], f"plan_{lang}.txt")
        fonts = pdffonts(tmp_path / "plan-0.pdf")
        assert fonts
        assert all(font["emb"] == "yes" for font in fonts), fonts
        assert any("DejaVu" in font["name"] for font in fonts)

    def test_forget_deletes_the_session_row(self, client: Client) -> None:
        """ "Forget my answers" deletes the server-side session and the answers are gone."""
        from django.contrib.sessions.models import Session

        self._complete(client)
        key = client.session.session_key
        assert Session.objects.filter(session_key=key).exists()
        response = client.post("/en/forget/")
        assert response["Location"] == "/en/?forgotten=1"
        assert not Session.objects.filter(session_key=key).exists()
        assert "answers" not in client.session


def _streams(pdf: bytes) -> list[bytes]:
    found = []
    for match in re.finditer(rb"/FlateDecode[^>]*>>\s*stream\r?\n", pdf):
        start = match.end()
        end = pdf.find(b"endstream", start)
        try:
            found.append(zlib.decompressobj().decompress(pdf[start:end]))
        except zlib.error:
            continue
    return found


class TestPdfFetcher:
    def test_fetcher_refuses_every_url_but_the_fonts(self) -> None:
        """The PDF renderer's URL fetcher refuses http, data and other file URLs."""
        from passage.web.pdf import LocalFontsOnly

        fetcher = LocalFontsOnly()
        for url in ("http://127.0.0.2:9/x.png", "https://example.org/", "file:///etc/passwd", "data:,x"):
            with pytest.raises(ValueError, match="only its bundled fonts"):
                fetcher.fetch(url)


class TestApi:
    def test_assess_returns_the_contract(self, client: Client) -> None:
        """POST /api/assess returns subject, on, options, missing and a receipt, in the language asked."""
        response = client.post(
            f"/api/assess?on={ON}&lang=fr",
            json.dumps({"canadian_status": "visitor"}),
            content_type="application/json",
        )
        data = response.json()
        assert response.status_code == 200
        assert data["on"] == ON
        assert data["lang"] == "fr"
        assert data["subject"] == "person"
        assert {o["id"] for o in data["options"]} >= {"fixture_citizenship"}
        assert "receipt" in data

    @pytest.mark.parametrize(
        ("body", "query", "field"),
        [
            ('{"canadian_status": "martian"}', "", "canadian_status"),
            ('{"birth_dat": "2000-01-01"}', "", "birth_dat"),
            ("[1]", "", "body"),
            ("{", "", "body"),
            ("{}", "?on=2026-13-01", "on"),
            ("{}", "?lang=de", "lang"),
        ],
    )
    def test_bad_input_is_400_naming_the_fact(
        self, client: Client, body: str, query: str, field: str
    ) -> None:
        """Bad facts, JSON, dates or languages give 400 JSON whose problems name the field."""
        response = client.post(f"/api/assess{query}", body, content_type="application/json")
        assert response.status_code == 400
        assert field in [p["field"] for p in response.json()["problems"]]

    def test_openapi_schema_describes_assess(self, client: Client) -> None:
        """/api/openapi.json is an OpenAPI 3.1 document with the assess operation."""
        schema = client.get("/api/openapi.json").json()
        assert schema["openapi"].startswith("3.1")
        assert "post" in schema["paths"]["/api/assess"]

    def test_rate_limit_per_ip(self, client: Client) -> None:
        """Past PASSAGE_API_RATE requests a minute one IP gets 429; another IP is not affected."""
        from django.core.cache import cache

        cache.clear()
        settings.PASSAGE_API_RATE = 3
        try:
            codes = [
                client.post(
                    "/api/assess", "{}", content_type="application/json", REMOTE_ADDR="10.0.0.1"
                ).status_code
                for _ in range(4)
            ]
            other = client.post("/api/assess", "{}", content_type="application/json", REMOTE_ADDR="10.0.0.2")
        finally:
            settings.PASSAGE_API_RATE = 1000
            cache.clear()
        assert codes == [200, 200, 200, 429]
        assert other.status_code == 200


class TestHeaders:
    def _check(self, response: Any) -> None:
        csp = response["Content-Security-Policy"]
        assert "default-src 'none'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe" not in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"  # never a referrer to another site
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert response["Cache-Control"] == "no-store"

    def test_headers_on_200_302_400_404(self, client: Client) -> None:
        """Every status gets the CSP, nosniff, same-origin referrer, COOP and no-store headers."""
        for url, status in (("/en/", 200), ("/", 302), ("/nowhere/", 404)):
            response = client.get(url)
            assert response.status_code == status
            self._check(response)
        response = client.post("/en/interview/status/", {})
        assert response.status_code == 400
        self._check(response)

    def test_headers_on_403(self, csrf_client: Client) -> None:
        """A CSRF failure is a 403 page with the same headers."""
        response = csrf_client.post("/en/forget/")
        assert response.status_code == 403
        self._check(response)

    def test_headers_on_500(self) -> None:
        """An unexpected error is a plain 500 page with the same headers and no traceback."""
        from unittest import mock

        client = Client(raise_request_exception=False)
        with mock.patch("passage.web.views.plan_context", side_effect=RuntimeError("boom")):
            response = client.get("/en/plan/")
        assert response.status_code == 500
        self._check(response)
        assert b"boom" not in response.content
        assert b"Traceback" not in response.content

    def test_no_inline_script_or_style(self, client: Client) -> None:
        """Pages have no script element, no style element and no style attribute."""
        client.post("/en/interview/status/", PR_ANSWERS)
        for url in ("/en/", "/en/interview/identity/", "/en/summary/", "/en/plan/"):
            page = client.get(url).content.decode().lower()
            assert "<script" not in page, url
            assert "<style" not in page, url
            assert " style=" not in page, url


class TestCsrf:
    @pytest.mark.parametrize("token", [None, "wrong" * 13])
    def test_forms_without_a_valid_token_are_refused_and_change_nothing(
        self, csrf_client: Client, token: str | None
    ) -> None:
        """No token or a wrong token gives 403 and the answers stay as they were."""
        page = csrf_client.get("/en/interview/status/").content.decode()
        good = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert good
        assert (
            csrf_client.post(
                "/en/interview/status/", {**PR_ANSWERS, "csrfmiddlewaretoken": good.group(1)}
            ).status_code
            == 302
        )
        data: dict[str, str] = {"canadian_status": "visitor", "in_canada": "no"}
        if token:
            data["csrfmiddlewaretoken"] = token
        assert csrf_client.post("/en/interview/status/", data).status_code == 403
        assert (
            csrf_client.post("/en/forget/", {"csrfmiddlewaretoken": token} if token else {}).status_code
            == 403
        )
        assert csrf_client.session["answers"]["canadian_status"] == "permanent_resident"


    def _token(self, client: Client) -> str:
        page = client.get("/en/interview/status/").content.decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found
        return found.group(1)

    def test_another_sessions_token_is_refused(self, csrf_client: Client) -> None:
        """A token taken from another visitor's page does not let a post through, and nothing changes."""
        from django.test import Client as DjangoClient

        other = DjangoClient(enforce_csrf_checks=True)
        self._token(csrf_client)  # this visitor has a CSRF cookie of their own
        response = csrf_client.post("/en/interview/status/", {**PR_ANSWERS, "csrfmiddlewaretoken": self._token(other)})
        assert response.status_code == 403
        assert "answers" not in csrf_client.session

    def test_cross_site_origin_is_refused(self, csrf_client: Client) -> None:
        """A post whose Origin is another site is refused even with a valid token, and nothing changes."""
        token = self._token(csrf_client)
        response = csrf_client.post(
            "/en/interview/status/", {**PR_ANSWERS, "csrfmiddlewaretoken": token}, HTTP_ORIGIN="https://evil.example"
        )
        assert response.status_code == 403
        assert "answers" not in csrf_client.session


class TestCanary:
    def test_answers_never_reach_other_tables_or_logs(self, client: Client) -> None:
        """After interviews with canary values, no table but the session table and no log line holds them."""
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logging.getLogger().addHandler(handler)
        try:
            for lang in LANGUAGES:
                _fill_interview(
                    client,
                    lang,
                    {
                        "status": PR_ANSWERS,
                        "identity": {"citizenships": ["BY"], "birth_date": CANARY_DATE},
                        "documents": {"national_passport_expiry": "1999-09-09"},
                        "citizenship": {"pr_since": "1931-07-14", "tax_years_filed": "4"},
                    },
                )
                client.post(
                    f"/{lang}/interview/identity/",
                    {"citizenships": ["BY"], "birth_date": "CANARY-2026-99-99"},
                )
                client.get(f"/{lang}/plan/")
                client.post(
                    "/api/assess",
                    json.dumps({"birth_date": "CANARY-API-1931"}),
                    content_type="application/json",
                )
            assert CANARY_DATE in json.dumps(client.session["answers"]) or "1931-07-14" in json.dumps(
                client.session["answers"]
            )
            database = settings.DATABASES["default"]["NAME"]
            connection = sqlite3.connect(database)
            tables = [r[0] for r in connection.execute("select name from sqlite_master where type='table'")]
            for table in tables:
                if table == "django_session":
                    continue
                dump = json.dumps(connection.execute(f'select * from "{table}"').fetchall())  # noqa: S608 - names from sqlite_master
                assert "1931" not in dump, table
                assert "CANARY" not in dump, table
            connection.close()
        finally:
            logging.getLogger().removeHandler(handler)
        logs = stream.getvalue()
        assert "1931" not in logs
        assert "CANARY" not in logs
        assert "1999-09-09" not in logs


class TestProductionRefusesUnsafeSettings:
    @pytest.mark.parametrize(
        "env",
        [
            {},
            {"PASSAGE_SECRET_KEY": "x" * 60, "PASSAGE_SECURE_COOKIES": "true", "PASSAGE_DEBUG": "true"},
            {"PASSAGE_SECRET_KEY": "x" * 60},
            {"PASSAGE_SECRET_KEY": "short", "PASSAGE_SECURE_COOKIES": "true"},
        ],
    )
    def test_unsafe_production_exits_non_zero(self, env: dict[str, str], tmp_path: Any) -> None:
        """Production mode with a default/missing secret, debug on or insecure cookies exits non-zero."""
        import os

        base = {k: v for k, v in os.environ.items() if not k.startswith("PASSAGE_")}
        result = subprocess.run(
            [sys.executable, "-m", "passage.web", "check"],
            capture_output=True,
            text=True,
            env={**base, "PASSAGE_ENV": "production", "PASSAGE_DATA_DIR": str(tmp_path), **env},
            timeout=60,
            check=False,
        )
        assert result.returncode != 0
        assert "refusing to start" in result.stderr

    def test_safe_production_starts_with_host_cookies(self, tmp_path: Any) -> None:
        """Safe production settings start; cookies are __Host-, Secure, HttpOnly, SameSite=Strict."""
        import os

        base = {k: v for k, v in os.environ.items() if not k.startswith("PASSAGE_")}
        code = (
            "import django;django.setup();from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_NAME,s.SESSION_COOKIE_SECURE,s.SESSION_COOKIE_HTTPONLY,"
            "s.SESSION_COOKIE_SAMESITE,s.CSRF_COOKIE_NAME,s.CSRF_COOKIE_SECURE)"
        )
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={
                **base,
                "PASSAGE_ENV": "production",
                "PASSAGE_DATA_DIR": str(tmp_path),
                "PASSAGE_SECRET_KEY": "k" * 64,
                "PASSAGE_SECURE_COOKIES": "true",
                "PASSAGE_MASTER_KEY": "cGFzc2FnZS10ZXN0LW1hc3Rlci1rZXktMzItYnl0ZXM=",
                "DJANGO_SETTINGS_MODULE": "passage.web.settings",
            },
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [
            "__Host-passage-session",
            "True",
            "True",
            "Strict",
            "__Host-passage-csrf",
            "True",
        ]


class TestTexts:
    def test_every_template_text_exists_in_every_language(self) -> None:
        """Every T.key a template uses names a text present in en, fr, be and ru."""
        from pathlib import Path

        from passage.web.texts import lang_texts

        folder = Path(__file__).resolve().parents[2] / "src" / "passage" / "web" / "templates" / "passage"
        used = {m for f in folder.glob("*.html") for m in re.findall(r"T\.([a-z0-9_]+)", f.read_text())}
        assert used
        for lang in LANGUAGES:
            assert used <= set(lang_texts(lang)), sorted(used - set(lang_texts(lang)))

    def test_every_setting_is_documented(self) -> None:
        """Each PASSAGE_* setting appears in docs/web.md with its help."""
        from pathlib import Path

        from passage.web.config import SETTINGS

        doc = (Path(__file__).resolve().parents[2] / "docs" / "web.md").read_text()
        assert all(f"`{s.name}`" in doc for s in SETTINGS)
