"""Five people the web app is for, as the raw facts of the `passage assess` contract.

Dates are counted back from the day of the run, so each person stays who they are (an expired passport
stays expired, a 2022 entry stays 2022) whatever day the suite runs on.
"""

from __future__ import annotations

from datetime import date, timedelta

Facts = dict[str, object]


def _years_before(day: date, years: int) -> date:
    return day.replace(year=day.year - years, day=min(day.day, 28))


def personas(today: date) -> dict[str, Facts]:
    """Each persona's answers as of `today`, by persona id."""

    def ago(days: int) -> str:
        return (today - timedelta(days=days)).isoformat()

    def ahead(days: int) -> str:
        return (today + timedelta(days=days)).isoformat()

    return {
        # Permanent resident since four years ago; the Belarusian passport expired more than a year ago.
        "permanent_resident_expired_passport": {
            "in_canada": True,
            "canadian_status": "permanent_resident",
            "birth_date": "1986-04-19",
            "citizenships": ["BY"],
            "stateless": False,
            "national_passport_expiry": ago(400),
            "protected_person": False,
            "fears_return": True,
            "previous_claim": "none",
            "removal_order": False,
            "first_entry_date": _years_before(today, 6).isoformat(),
            "entered_between_ports_from_us": False,
            "absences": [{"from": ago(700), "to": ago(686)}],
            "pr_since": _years_before(today, 4).isoformat(),
            "temporary_resident_since": _years_before(today, 6).isoformat(),
            "tax_years_filed": 4,
            "language_proof": True,
        },
        # Refugee protection granted in Canada, not yet a permanent resident; holds no passport at all.
        "protected_person": {
            "in_canada": True,
            "canadian_status": "protected_person",
            "birth_date": "1993-11-02",
            "citizenships": ["BY"],
            "stateless": False,
            "national_passport_expiry": None,
            "protected_person": True,
            "fears_return": True,
            "previous_claim": "accepted",
            "removal_order": False,
            "first_entry_date": "2023-02-10",
            "entered_between_ports_from_us": False,
            "absences": [],
        },
        # Work permit holder who first entered Canada in 2022; permit ends in two months.
        "worker_entered_2022": {
            "in_canada": True,
            "canadian_status": "worker",
            "status_expiry": ahead(60),
            "birth_date": "1990-06-30",
            "citizenships": ["BY"],
            "stateless": False,
            "national_passport_expiry": ahead(150),
            "protected_person": False,
            "fears_return": False,
            "previous_claim": "none",
            "removal_order": False,
            "first_entry_date": "2022-09-15",
            "entered_between_ports_from_us": False,
            "absences": [{"from": "2024-12-20", "to": "2025-01-05"}],
        },
        # Arrived as a visitor ten days ago and is afraid to go back.
        "new_arrival": {
            "in_canada": True,
            "canadian_status": "visitor",
            "status_expiry": ahead(170),
            "birth_date": "2001-01-23",
            "citizenships": ["BY"],
            "stateless": False,
            "national_passport_expiry": ahead(900),
            "protected_person": False,
            "fears_return": True,
            "previous_claim": "none",
            "removal_order": False,
            "first_entry_date": ago(10),
            "entered_between_ports_from_us": False,
            "absences": [],
        },
        # Canadian citizen who also still holds Belarusian citizenship and an expired Belarusian passport.
        "citizen": {
            "in_canada": True,
            "canadian_status": "citizen",
            "birth_date": "1979-08-08",
            "citizenships": ["BY", "CA"],
            "stateless": False,
            "national_passport_expiry": ago(30),
            "protected_person": False,
            "fears_return": False,
            "previous_claim": "none",
            "removal_order": False,
            "first_entry_date": "2012-05-01",
            "entered_between_ports_from_us": False,
            "absences": [],
        },
    }
