"""Structure of the trade rulebook's data files: every file parses, has its required keys, cites sources
that exist, uses ISO dates and digit-only HS codes, and has no duplicate items."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "src" / "passage" / "rulebooks" / "ca_trade_belarus"
DATA = RULEBOOK / "data"
FACTS = ROOT / "src" / "passage" / "rulebooks" / "facts" / "shipment.yaml"
SCHEDULES = {
    "schedule_2_part1.yaml": (5, "3.4"),
    "schedule_2_part2.yaml": (5, "3.5"),
    "schedule_3.yaml": (11, "3.6"),
    "schedule_4_part1.yaml": (257, "3.7(1)"),
    "schedule_4_part2.yaml": (26, "3.7(3)"),
    "schedule_5.yaml": (60, "3.8(1)"),
}
LANGUAGES = ("en", "fr", "be", "ru")
HS = re.compile(r"^\d{2,10}$")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sources() -> dict[str, Any]:
    raw = load(RULEBOOK / "sources.yaml")
    assert isinstance(raw, dict)
    return raw


class TestSources:
    def test_every_source_has_title_url_and_tier(self, sources: dict[str, Any]) -> None:
        """Each source names a title, an http(s) URL, a known tier and the day it was consulted."""
        for source_id, entry in sources.items():
            assert set(entry) <= {"title", "url", "tier", "section", "consulted", "note"}, source_id
            assert entry["title"], source_id
            assert entry["url"].startswith(("https://", "http://")), source_id
            assert entry["tier"] in ("law", "government", "secondary", "inference"), source_id
            assert isinstance(entry["consulted"], date), source_id

    def test_every_data_file_cites_only_known_sources(self, sources: dict[str, Any]) -> None:
        """Every source id cited anywhere in the data files (source, hs_source, basis...) exists."""
        cited: set[str] = set()

        def walk(node: object) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("source", "policy_source", "hs_source", "basis") and isinstance(value, str):
                        cited.add(value)
                    elif key == "also":
                        cited.update(value)
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        for path in DATA.glob("*.yaml"):
            walk(load(path))
        assert cited, "no citations found"
        assert cited <= set(sources), sorted(cited - set(sources))


@pytest.fixture(scope="module")
def listed() -> dict[str, Any]:
    raw = load(DATA / "listed_persons.yaml")
    assert isinstance(raw, dict)
    return raw


class TestListedPersons:
    def test_all_320_listings_are_encoded(self, listed: dict[str, Any]) -> None:
        """Schedule 1 holds 133 + 98 individuals and 84 + 5 entities, as counted in the fact sheet."""
        counts: dict[tuple[str, str], int] = {}
        for e in listed["entries"]:
            counts[(e["part"], e["kind"])] = counts.get((e["part"], e["kind"]), 0) + 1
        assert counts == {
            ("1", "individual"): 133,
            ("1.1", "individual"): 98,
            ("2", "entity"): 84,
            ("3", "entity"): 5,
        }

    def test_entries_have_required_keys_and_iso_dates(self, listed: dict[str, Any]) -> None:
        """Every entry has all its keys, an ISO listing date in range, and a well-formed birth date."""
        for e in listed["entries"]:
            assert {"id", "part", "item", "kind", "name", "aliases", "born", "listed_on", "source"} <= set(
                e
            ), e
            assert isinstance(e["listed_on"], date), e["id"]
            assert date(2020, 9, 28) <= e["listed_on"] <= date(2025, 1, 24), e["id"]
            assert e["born"] is None or re.fullmatch(r"\d{4}(-\d{2}-\d{2})?", e["born"]), e["id"]
            assert isinstance(e["aliases"], list), e["id"]

    def test_no_duplicate_items(self, listed: dict[str, Any]) -> None:
        """No id and no (part, item) appears twice, and items run 1..n without gaps in each part."""
        ids = [e["id"] for e in listed["entries"]]
        assert len(ids) == len(set(ids))
        for part in ("1", "1.1", "2", "3"):
            items = [e["item"] for e in listed["entries"] if e["part"] == part]
            assert items == list(range(1, len(items) + 1)), part


class TestGoodsSchedules:
    @pytest.mark.parametrize(("file", "expected"), SCHEDULES.items())
    def test_schedule_items(self, file: str, expected: tuple[int, str]) -> None:
        """Each schedule has items 1..n, each with description, in-force date, section and source."""
        count, section = expected
        raw = load(DATA / file)
        items = raw["items"]
        assert [i["item"] for i in items] == list(range(1, count + 1))
        for i in items:
            assert i["description"].strip(), i["item"]
            assert isinstance(i["in_force"], date), i["item"]
            assert i["section"] == section, i["item"]
            assert i["source"], i["item"]
            for code in i.get("hs", []):
                assert HS.match(code), (file, i["item"], code)

    @pytest.mark.parametrize("file", ["schedule_4_part1.yaml", "schedule_4_part2.yaml", "schedule_5.yaml"])
    def test_hs_referenced_schedules_give_hs_and_take_effect_60_days_later(self, file: str) -> None:
        """Schedules 4 and 5 give an HS reference on every line and take effect on 2022-08-24."""
        for i in load(DATA / file)["items"]:
            assert i["hs"], i["item"]
            assert i["takes_effect"] == date(2022, 8, 24), i["item"]


class TestHumanitarianAndTrade:
    def test_humanitarian_entries_are_marked_inference(self) -> None:
        """Every humanitarian HS entry is our reading: tier inference, unverified, known category."""
        raw = load(DATA / "humanitarian_hs.yaml")
        categories = set(raw["categories"])
        for cat in raw["categories"].values():
            assert set(cat["label"]) == set(LANGUAGES)
        seen = set()
        for e in raw["entries"]:
            assert e["category"] in categories
            assert HS.match(e["hs"]), e
            assert e["tier"] == "inference", e
            assert e["verified"] is False, e
            assert (e["category"], e["hs"]) not in seen
            seen.add((e["category"], e["hs"]))

    def test_trade_figures_cite_a_source_and_currency(self) -> None:
        """Each trade figure has a currency, a source and a verified flag; no year-currency repeats."""
        rows = load(DATA / "trade_figures.yaml")["figures"]
        keys = set()
        for row in rows:
            assert row["currency"] in ("CAD", "USD")
            assert row["source"]
            assert isinstance(row["verified"], bool)
            keys.add((row["year"], row["currency"]))
        assert len(keys) == len(rows)


class TestShipmentFacts:
    def test_every_fact_has_four_languages(self) -> None:
        """Each shipment fact has a type, a topic and its texts in en, fr, be, ru."""
        facts = load(FACTS)
        assert set(facts) == {
            "direction",
            "country",
            "exported_from",
            "hs_code",
            "ecl_item",
            "description",
            "value_cad",
            "end_user",
            "end_use",
            "contract_date",
            "shipped_on",
            "personal_effects",
        }
        for name, fact in facts.items():
            assert fact["type"], name
            assert fact["topic"], name
            assert set(fact["question"]) == set(LANGUAGES), name
            if "help" in fact:
                assert set(fact["help"]) == set(LANGUAGES), name
            for label in fact.get("values", {}).values():
                assert set(label) == set(LANGUAGES), name
            texts = [fact["question"][lang] for lang in LANGUAGES]
            assert len(set(texts)) == 4, f"{name}: translations must differ from each other"
