"""A small example rulebook for the engine's own tests: a fictional "travel pass" with every kind of node.

It is not law. It exists so the engine can be tested without the real rulebooks, and so a newcomer can
read one short rulebook end to end.
"""

from passage.engine import (
    Deadline,
    Fee,
    Notice,
    Option,
    RulebookDefinition,
    all_of,
    any_of,
    case,
    condition,
    days_between,
    days_covered,
    earliest_date,
    eligibility,
    fact,
    if_,
    law_unknown,
    maximum,
    not_,
    on,
    param,
    present,
    range_bound,
    ref,
    value,
    years_between,
)

age = value("age", years_between(fact("birth_date"), on()), "example-act")
is_adult = condition("is_adult", ref("age") >= param("thresholds.adult_age"), "example-act")
is_resident = condition("is_resident", fact("status").is_in(("resident", "citizen")), "example-act")
holds_valid_passport = condition(
    "holds_valid_passport",
    all_of(present("passport_expiry"), fact("passport_expiry") > on()),
    "example-act",
)
from_listed_country = condition("from_listed_country", fact("citizenships").contains("XK") | fact(
    "citizenships").contains("BY"), "example-policy", verified=False)
window_start = value("window_start", on().plus_years(-1), "example-act")
days_away = value("days_away", days_covered(fact("absences"), ref("window_start"), on(), "exclusive"), "example-act")
days_present = value(
    "days_present",
    days_between(maximum(ref("window_start"), fact("arrival_date")), on()) - ref("days_away"),
    "example-act",
)
enough_presence = condition(
    "enough_presence", ref("days_present") * 2 >= param("thresholds.presence_days") * 2, "example-act"
)
low_income = condition("low_income", fact("income") < param("thresholds.low_income"), "example-act")
pass_expiry = value("pass_expiry", fact("arrival_date").plus_months(18), "example-act")
# Not used by an option: here so every node type is covered by the evaluator-agreement test.
regulated_occupation = condition(
    "regulated_occupation", fact("occupation_code").starts_with(("12", "3456", "99")), "example-act"
)
# Not used by an option either: covers list size and range bounds in the agreement test.
many_citizenships = condition("many_citizenships", fact("citizenships").size() >= 2, "example-act")
first_return_after_arrival = value(
    "first_return_after_arrival",
    range_bound(fact("absences"), "end", "min", after=fact("arrival_date"), default=fact("arrival_date")),
    "example-act",
)
# A negated open question and a list parameter before its first period: typed nulls in both evaluators.
listed_destination = condition(
    "listed_destination",
    all_of(fact("citizenships").contains("KP"), param("thresholds.listed").contains("KP"),
           not_(all_of(law_unknown("gap.not_encoded"), fact("status").eq("visitor")))),
    "example-act",
)
discount_rate = value(
    "discount_rate",
    case((ref("low_income"), 50), (not_(ref("is_adult")), 25), default=0),
    "example-act",
)

travel_pass = Option(
    id="travel_pass",
    status=eligibility(
        all_of(ref("is_resident"), any_of(ref("holds_valid_passport"), ref("from_listed_country")),
               ref("enough_presence")),
        discretionary=not_(ref("holds_valid_passport")),
    ),
    sources=("example-act",),
    fees=(
        Fee("fee.adult", param("fees.pass_adult"), when=ref("is_adult")),
        Fee("fee.child", param("fees.pass_child"), when=not_(ref("is_adult"))),
    ),
    documents=(Notice("doc.photo"), Notice("doc.proof_of_status", when=ref("is_resident"))),
    deadlines=(Deadline("pass_expiry", ref("pass_expiry"), "deadline.pass_expiry", sources=("example-act",)),),
    warnings=(
        Notice("warning.not_for_home_country", when=ref("from_listed_country"), show_if_unknown=True,
               sources=("example-policy",)),
    ),
    values={
        "eligible_from": earliest_date(ref("enough_presence"), on(), on().plus_years(2)),
        "discount_rate": ref("discount_rate"),
    },
)

discount = Option(
    id="discount",
    status=if_(ref("low_income"), "eligible", if_(ref("is_adult"), "not_eligible", "likely_eligible")),
    sources=("example-act",),
)

DEFINITION = RulebookDefinition(
    subject="example_person",
    version="2026.1",
    rules=(age, is_adult, is_resident, holds_valid_passport, from_listed_country, window_start, days_away,
           days_present, enough_presence, low_income, pass_expiry, regulated_occupation, many_citizenships,
           first_return_after_arrival, listed_destination, discount_rate),
    options=(travel_pass, discount),
)
