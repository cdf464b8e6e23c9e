"""Behaviour of the ca_trade_belarus rulebook that an exporter, an importer or the law cares about."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from passage.assess import Assessment, assess
from passage.engine import Library, load_library
from passage.rulebooks import RULEBOOKS_DIR


@lru_cache(maxsize=1)
def _library() -> Library:
    """The trade rulebook with the shipment catalog (independent of the other rulebooks' state)."""
    return load_library([RULEBOOKS_DIR / "ca_trade_belarus"], [RULEBOOKS_DIR / "facts" / "shipment.yaml"])


def _assess(on: date, **facts: object) -> Assessment:
    return assess({"subject": "shipment", **facts}, on, _library())


EXPORT = {"direction": "export", "country": "BY", "hs_code": "847130", "ecl_item": None, "personal_effects": False}


class TestListedEndUser:
    def test_cyrillic_spelling_after_listing_is_prohibited(self) -> None:
        """A listed person written in Cyrillic, shipped after the listing date, makes the export prohibited."""
        result = _assess(date(2021, 3, 1), **EXPORT, end_user="Александр Григорьевич Лукашенко",
                         shipped_on="2021-03-01")
        assert result.option("sanctions_prohibition").status == "prohibited"
        assert result.option("listed_party").status == "match"
        assert result.option("listed_party").values["matched_entry"].startswith("SOR/2020-214 Sch. 1, Part 1, item 8")

    def test_same_entity_before_its_listing_date_is_not_prohibited(self) -> None:
        """An entity listed on 2022-03-08 does not count for a shipment of 2022-03-07."""
        result = _assess(date(2022, 3, 7), **EXPORT, end_user="Minsk Tractor Works", shipped_on="2022-03-07")
        assert result.option("listed_party").status == "no_match"
        assert result.option("sanctions_prohibition").status == "not_prohibited"

    def test_possible_match_asks_for_a_human_check(self) -> None:
        """A surname alone is a possible match: the prohibition stays open and says a person must check."""
        result = _assess(date(2021, 3, 1), **EXPORT, end_user="Lukashenko", shipped_on="2021-03-01")
        option = result.option("sanctions_prohibition")
        assert option.status == "needs_info"
        assert "warning.possible_match_human_check" in {w.key for w in option.warnings}

    def test_missing_end_user_names_the_fact_to_ask(self) -> None:
        """Without an end user, the fact a person can answer (end_user) is among the missing facts."""
        result = _assess(date(2021, 3, 1), **EXPORT, shipped_on="2021-03-01")
        assert "end_user" in result.option("listed_party").missing


class TestGoodsSchedules:
    def test_schedule_5_line_is_named_with_hs_reference_warning(self) -> None:
        """Bearings to Belarus after 2022-08-24 are prohibited by s. 3.8, naming the line and the HS caveat."""
        result = _assess(date(2022, 8, 24), **{**EXPORT, "hs_code": "848210"}, end_user="Acme Ltd",
                         shipped_on="2022-08-24")
        option = result.option("sanctions_prohibition")
        assert option.status == "prohibited"
        assert "Sch. 5, item 38" in str(option.values["schedule_line"])
        rendered = result.to_dict("en")["options"][1]
        assert any("for reference purposes only" in w for w in rendered["warnings"])

    def test_contract_before_2021_08_06_lifts_the_petroleum_ban(self) -> None:
        """Petroleum exported from Belarus under a contract of 2021-08-05 is not caught by s. 3.4."""
        facts = {"direction": "import", "country": "BY", "exported_from": "BY", "hs_code": "271019",
                 "end_user": "Maple Fuels Inc", "shipped_on": "2021-09-01"}
        before = _assess(date(2021, 9, 1), **facts, contract_date="2021-08-05")
        after = _assess(date(2021, 9, 1), **facts, contract_date="2021-08-06")
        assert before.option("sanctions_prohibition").status == "not_prohibited"
        assert after.option("sanctions_prohibition").status == "prohibited"

    def test_laptops_are_luxury_goods_after_2022_08_24(self) -> None:
        """A laptop (HS 8471.30, Sch. 4 Part 1 item 198) exported to Belarus is prohibited by s. 3.7(1)."""
        result = _assess(date(2023, 1, 10), **EXPORT, end_user="Acme Ltd", shipped_on="2023-01-10")
        option = result.option("sanctions_prohibition")
        assert option.status == "prohibited"
        assert "Sch. 4 Part 1, item 198" in str(option.values["schedule_line"])

    def test_rgtl_is_reported_as_law_not_encoded(self) -> None:
        """After 2022-04-05 an ordinary export to Belarus stays open because the RGTL is not encoded."""
        result = _assess(date(2023, 1, 10), **{**EXPORT, "hs_code": "940360"}, end_user="Acme Ltd",
                         shipped_on="2023-01-10")
        option = result.option("sanctions_prohibition")
        assert option.status == "needs_info"
        assert "gap.rgtl_not_encoded" in option.law_gaps


class TestTariffAndPermits:
    def test_general_tariff_rate_from_2022_03_02(self) -> None:
        """Belarusian goods imported on 2022-03-02 get the General Tariff at 35%."""
        result = _assess(date(2022, 3, 2), direction="import", country="BY", exported_from="BY", hs_code="940360",
                         shipped_on="2022-03-02")
        option = result.option("tariff_treatment")
        assert (option.status, str(option.values["rate"])) == ("GT", "35")

    def test_ecl_item_to_belarus_after_suspension_is_not_being_issued(self) -> None:
        """An ECL item to Belarus after 2020-11-09 needs a permit that is not being issued, with the caveat shown."""
        result = _assess(date(2021, 1, 5), **{**EXPORT, "ecl_item": "1-3.A.1"}, end_user="Acme Ltd",
                         shipped_on="2021-01-05")
        option = result.option("export_permit")
        assert (option.status, option.values["policy"]) == ("required", "not_being_issued")
        assert "warning.ecl_belarus_not_issued" in {w.key for w in option.warnings}

    def test_every_text_renders_in_four_languages(self) -> None:
        """The assessment renders in en, fr, be and ru without a missing text."""
        result = _assess(date(2022, 8, 24), **{**EXPORT, "hs_code": "848210"}, end_user="Lukashenko",
                         shipped_on="2022-08-20")
        for lang in ("en", "fr", "be", "ru"):
            assert result.to_text(lang)
