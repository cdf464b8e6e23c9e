"""The shipment page: determinations with reasons in every language, nothing stored, bad input named."""

from __future__ import annotations

import re

import pytest

from passage.engine import LANGUAGES

STATUS = re.compile(r'id="o-([a-z_]+)" data-status="([A-Za-z_]+)"')


def _statuses(html: str) -> dict[str, str]:
    """Each determination's status as the page shows it."""
    return dict(STATUS.findall(html))

LAPTOP_TO_BELARUS = {"direction": "export", "country": "BY", "hs_code": "847130", "shipped_on": "2023-01-10",
                     "on": "2023-01-10", "personal_effects": "no", "end_user": "Лукашенко Александр Григорьевич"}


class TestTradePage:
    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_form_and_figures(self, client, lang: str) -> None:  # type: ignore[no-untyped-def]
        """The page shows the shipment form and the cited trade figures in each language."""
        response = client.get(f"/{lang}/trade/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'name="hs_code"' in html
        assert f'src="/{lang}/trade/figures.svg"' in html
        assert "<td>32,9</td>" in html or "<td>32.9</td>" in html

    def test_laptop_to_listed_end_user(self, client) -> None:  # type: ignore[no-untyped-def]
        """A laptop to Belarus after 2022-08-24 for Lukashenko is a prohibited export and a listed party."""
        response = client.post("/en/trade/", LAPTOP_TO_BELARUS)
        assert response.status_code == 200
        html = response.content.decode()
        statuses = _statuses(html)
        assert (statuses["sanctions_prohibition"], statuses["listed_party"]) == ("prohibited", "match"), html[-3000:]
        assert "Lukashenko" in html

    def test_before_the_luxury_ban(self, client) -> None:  # type: ignore[no-untyped-def]
        """The same laptop to an unlisted end user in 2021 is not prohibited by the sanctions regulations."""
        facts = {**LAPTOP_TO_BELARUS, "on": "2021-06-01", "shipped_on": "2021-06-01", "end_user": "Ivan Ivanov"}
        html = client.post("/be/trade/", facts).content.decode()
        assert _statuses(html)["sanctions_prohibition"] == "not_prohibited", html[-3000:]

    def test_bad_hs_code(self, client) -> None:  # type: ignore[no-untyped-def]
        """An HS code with a dot is refused with 400, named next to the field, and nothing is assessed."""
        response = client.post("/fr/trade/", {**LAPTOP_TO_BELARUS, "hs_code": "8471.30"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="e-hs_code"' in html
        assert "data-status" not in html

    def test_chart_is_svg_from_our_origin(self, client) -> None:  # type: ignore[no-untyped-def]
        """The chart is an SVG image with no external reference, under the same security headers."""
        response = client.get("/ru/trade/figures.svg")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert "default-src 'none'" in response["Content-Security-Policy"]
        body = response.content.decode()
        assert 'href="http' not in body
        assert 'src="http' not in body

    def test_csrf(self, csrf_client) -> None:  # type: ignore[no-untyped-def]
        """Posting the form without a CSRF token is refused."""
        assert csrf_client.post("/en/trade/", LAPTOP_TO_BELARUS).status_code == 403

    @pytest.mark.parametrize("lang", LANGUAGES)
    def test_linked_from_landing(self, client, lang: str) -> None:  # type: ignore[no-untyped-def]
        """The landing page links to the shipment page in each language."""
        assert f'href="/{lang}/trade/"' in client.get(f"/{lang}/").content.decode()
