"""A small, fictional person rulebook for the web and interview tests (not law).

It uses the real person fact catalog so the web app is tested against the same questions a person sees,
without depending on the real rulebooks, which change as the law does.
"""

from passage.engine import (
    Deadline,
    Fee,
    Notice,
    Option,
    RulebookDefinition,
    all_of,
    any_of,
    condition,
    days_covered,
    eligibility,
    fact,
    not_,
    on,
    param,
    present,
    ref,
    value,
)

is_resident = condition(
    "is_resident", fact("canadian_status").is_in(("permanent_resident", "protected_person")), "fixture-act"
)
no_valid_passport = condition(
    "no_valid_passport",
    any_of(
        not_(present("national_passport_expiry")), fact("national_passport_expiry") <= on().plus_months(6)
    ),
    "fixture-act",
)
days_away = value(
    "days_away", days_covered(fact("absences"), on().plus_years(-5), on(), "exclusive"), "fixture-act"
)
long_enough = condition(
    "long_enough", all_of(fact("pr_since") <= on().plus_years(-3), ref("days_away") <= 730), "fixture-act"
)
files_taxes = condition("files_taxes", fact("tax_years_filed") >= 3, "fixture-act", verified=False)
fears = condition("fears", all_of(fact("in_canada"), fact("fears_return")), "fixture-act")
belarusian = condition("belarusian", fact("citizenships").contains("BY"), "fixture-act")
document_expiry = value("document_expiry", on().plus_years(2), "fixture-act")

travel_document = Option(
    id="fixture_travel_document",
    status=eligibility(all_of(ref("is_resident"), ref("no_valid_passport")), discretionary=ref("belarusian")),
    sources=("fixture-act",),
    fees=(Fee("fee.document", param("fees.document")),),
    documents=(Notice("doc.photos"),),
    deadlines=(
        Deadline(
            "document_expiry", ref("document_expiry"), "deadline.document_expiry", sources=("fixture-act",)
        ),
    ),
    warnings=(
        Notice(
            "warning.do_not_renew", when=ref("belarusian"), show_if_unknown=True, sources=("fixture-act",)
        ),
    ),
)
citizenship = Option(
    id="fixture_citizenship",
    status=eligibility(
        all_of(fact("canadian_status").is_in(("permanent_resident",)), ref("long_enough"), ref("files_taxes"))
    ),
    sources=("fixture-act",),
)
claim = Option(
    id="fixture_claim", status=eligibility(ref("fears"), discretionary=ref("fears")), sources=("fixture-act",)
)

DEFINITION = RulebookDefinition(
    subject="person",
    version="0.0.1",
    rules=(
        is_resident,
        no_valid_passport,
        days_away,
        long_enough,
        files_taxes,
        fears,
        belarusian,
        document_expiry,
    ),
    options=(travel_document, citizenship, claim),
)
