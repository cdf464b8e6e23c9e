"""The public contract (README): fact names, option ids and statuses are stable and all present."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from passage.assess import assess
from passage.engine import load_scenarios
from passage.rulebooks import default_library

PERSON_FACTS = {
    "birth_date", "citizenships", "stateless", "in_canada", "canadian_status", "protected_person", "status_expiry",
    "national_passport_expiry", "fears_return", "first_entry_date", "entered_between_ports_from_us", "previous_claim",
    "last_negative_decision_date", "removal_order", "pr_since", "temporary_resident_since", "absences",
    "tax_years_filed", "language_proof",
}
PERSON_OPTIONS = {
    "canadian_passport", "certificate_of_identity", "refugee_travel_document", "national_passport_abroad",
    "national_passport_at_home", "citizenship_grant", "refugee_claim", "pre_removal_risk_assessment",
    "humanitarian_compassionate", "temporary_status_extension", "temporary_resident_permit",
}
PERSON_STATUSES = {"eligible", "likely_eligible", "not_eligible", "needs_info"}
SHIPMENT_FACTS = {
    "direction", "country", "exported_from", "hs_code", "ecl_item", "description", "value_cad", "end_user", "end_use",
    "contract_date", "shipped_on", "personal_effects",
}
SHIPMENT_OPTIONS = {"export_permit", "sanctions_prohibition", "tariff_treatment", "listed_party"}


def _facts_listed(subject: str) -> set[str]:
    result = subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "passage.cli", "facts", "--subject", subject, "--format", "json"],
        capture_output=True, text=True, timeout=120, check=True,
    )
    return {row["name"] for row in json.loads(result.stdout)}


class TestContract:
    def test_person_facts_listed(self) -> None:
        """`passage facts` lists exactly the person facts of the contract."""
        assert _facts_listed("person") == PERSON_FACTS

    def test_shipment_facts_listed(self) -> None:
        """`passage facts --subject shipment` lists the shipment facts (derived facts are Passage's own)."""
        library = default_library()
        derived = {name for name, spec in library.facts["shipment"].items() if spec.derived}
        assert _facts_listed("shipment") - derived == SHIPMENT_FACTS

    def test_person_options_produced(self) -> None:
        """Every person option id of the contract is produced, with a contract status, even with no facts."""
        produced = {o.id: o.status for o in assess({}, date(2026, 11, 22)).options}
        assert set(produced) == PERSON_OPTIONS
        assert set(produced.values()) <= PERSON_STATUSES

    def test_shipment_options_produced(self) -> None:
        """Every shipment outcome id is produced."""
        produced = {o.id for o in assess({"subject": "shipment"}, date(2026, 11, 22)).options}
        assert produced == SHIPMENT_OPTIONS

    def test_every_status_reached_by_scenarios(self) -> None:
        """Across the scenarios written from the law, every person option reaches at least two statuses."""
        library = default_library()
        seen: dict[str, set[str]] = {option: set() for option in PERSON_OPTIONS}
        for rulebook in library.for_subject("person"):
            for scenario in load_scenarios(rulebook.path / "tests"):
                for option_id, expected in scenario.expect.items():
                    status = expected if isinstance(expected, str) else expected.get("status")  # type: ignore[union-attr]
                    if option_id in seen and status:
                        seen[option_id].add(str(status))
        assert {option: len(statuses) >= 2 for option, statuses in seen.items()} == dict.fromkeys(PERSON_OPTIONS, True)

    def test_routes_through_the_feared_state_come_last(self) -> None:
        """Canadian routes are presented first; renewing a national passport (maybe by going back) comes last."""
        ids = [o.id for o in assess({}, date(2026, 11, 22)).options]
        assert ids[:3] == ["canadian_passport", "certificate_of_identity", "refugee_travel_document"]
        assert ids[-2:] == ["national_passport_abroad", "national_passport_at_home"]
