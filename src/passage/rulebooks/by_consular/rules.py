"""by_consular: getting or renewing a Belarusian national passport, as of a date.

Implements LAW.md of this folder. Belarusian law is read as the Belarus MFA reported it (Decree No. 278 of
4 September 2023, in force 7 September 2023); the Canadian consequences of asking for a national passport
(cessation of refugee protection, loss of permanent residence) come from IRPA and are warnings, never a
reason to hide an option. Only Belarusian citizenship is encoded: for any other the option says the law
is not encoded (`law_unknown`) instead of guessing.
"""

from passage.engine import (
    Fee,
    Notice,
    Option,
    RulebookDefinition,
    all_of,
    any_of,
    case,
    condition,
    eligibility,
    fact,
    if_,
    law_unknown,
    not_,
    on,
    param,
    present,
    ref,
    value,
)

# --- Citizenship -------------------------------------------------------------------------------
# Person fact catalog: citizenships (every citizenship held; empty when none)
lists_a_citizenship = value(
    "lists_a_citizenship", fact("citizenships").size() > 0, "inference-by-consular-facts"
)

# Decree No. 278 (as reported by the Belarus MFA): applies to citizens of Belarus
is_belarusian_citizen = condition(
    "is_belarusian_citizen", fact("citizenships").contains("BY"), "decree-278-belta"
)

# LAW.md "has_no_citizenship": citizenships = [] or (stateless = true and citizenships not non-empty) —
# which is exactly citizenships = [] (absorption holds in three-valued logic too). A known non-empty
# list settles it, so `stateless` is never asked of a person who lists a citizenship.
has_no_citizenship = condition(
    "has_no_citizenship", not_(ref("lists_a_citizenship")), "inference-by-consular-facts", verified=False
)

# LAW.md "has_other_citizenship": a citizenship besides Belarus, whose law is not encoded here
has_other_citizenship = condition(
    "has_other_citizenship",
    fact("citizenships").size() > if_(fact("citizenships").contains("BY"), 1, 0),
    "inference-by-consular-facts",
    verified=False,
)

# --- Canadian protection (IRPA s. 95, s. 108) --------------------------------------------------
# IRPA s.108(1)(a), (d), 108(2); s.46(1)(c.1); s.40.1 — who can lose protection by re-availment.
# LAW.md: protected_person = true or canadian_status = protected_person, or (protected_person unknown and
# status in {permanent_resident, protected_person}). That last clause is not monotone in three-valued
# logic (unknown -> false, but true -> true), so it cannot be written as an engine expression. We keep the
# protective reading: unknown whenever protection cannot be ruled out, and false for a Canadian citizen
# or a refugee claimant (neither is a protected person: IRPA s. 95(2); same test as ca_travel_documents).
may_be_protected = condition(
    "may_be_protected",
    all_of(
        not_(fact("canadian_status").is_in(("citizen", "refugee_claimant"))),
        any_of(fact("protected_person").eq(True), fact("canadian_status").eq("protected_person")),
    ),
    "irpa-s108",
)

is_refugee_claimant = condition(
    "is_refugee_claimant", fact("canadian_status").eq("refugee_claimant"), "inference-claimant-passport"
)

# --- The passport held -------------------------------------------------------------------------
# Valid through the expiry day printed in it; null ("I have none") is not valid.
national_passport_valid = condition(
    "national_passport_valid",
    all_of(present("national_passport_expiry"), fact("national_passport_expiry") >= on()),
    "inference-by-consular-facts",
    verified=False,
)

# --- Where a Belarusian passport can be issued -------------------------------------------------
# Decree No. 278, in force 2023-09-07: missions abroad no longer issue, exchange or extend passports.
missions_issue_passports = condition(
    "missions_issue_passports", param("consular_services.passport_at_missions").eq(True), "decree-278-belta"
)

# Decree No. 278: passports are issued inside Belarus, in person
issued_inside_belarus = condition(
    "issued_inside_belarus", param("consular_services.passport_inside_belarus").eq(True), "decree-278-belta"
)

# Certificate of return (Belarusian missions): the only way in without a valid passport; single entry.
needs_certificate_of_return = condition(
    "needs_certificate_of_return",
    all_of(ref("is_belarusian_citizen"), not_(ref("national_passport_valid"))),
    "by-certificate-of-return",
)

# --- Shared warnings ---------------------------------------------------------------------------
NOT_ENCODED = law_unknown("law_gap.citizenship_not_encoded")

# IRPA s.108(1)(a), 108(2), 46(1)(c.1), 40.1
ENDS_PROTECTION = Notice(
    "warning.renewal_ends_protection",
    when=all_of(ref("is_belarusian_citizen"), ref("may_be_protected")),
    sources=("irpa-s108", "irpa-s46", "irpa-s40-1", "donvalley-travel-docs"),
    show_if_unknown=True,
)
# [U] inference: no statutory rule; derived from IRPA s. 96 and practice notes
UNDERMINES_CLAIM = Notice(
    "warning.renewal_undermines_claim",
    when=all_of(ref("is_belarusian_citizen"), ref("is_refugee_claimant")),
    sources=("inference-claimant-passport",),
)
OTHER_CITIZENSHIP = Notice(
    "warning.other_citizenship_not_assessed",
    when=all_of(ref("is_belarusian_citizen"), ref("has_other_citizenship")),
    sources=("inference-by-consular-facts",),
)
# Belarusian state duty: not researched, not encoded (shown as an unknown amount, never guessed)
STATE_DUTY_UNKNOWN = law_unknown("law_gap.belarus_fee_not_encoded")

# --- Option: renewal at a Belarusian embassy or consulate abroad --------------------------------
# Decree No. 278 (in force 2023-09-07): base rule for Belarusians; no citizenship -> nothing to renew;
# another citizenship -> the law is not encoded.
national_passport_abroad = Option(
    id="national_passport_abroad",
    status=case(
        (ref("is_belarusian_citizen"), eligibility(ref("missions_issue_passports"), discretionary=True)),
        (ref("has_no_citizenship"), "not_eligible"),
        default=NOT_ENCODED,
    ),
    sources=("decree-278-belta",),
    fees=(
        Fee("fee.belarus_state_duty", STATE_DUTY_UNKNOWN,
            when=all_of(ref("is_belarusian_citizen"), ref("missions_issue_passports"))),
    ),
    warnings=(ENDS_PROTECTION, UNDERMINES_CLAIM, OTHER_CITIZENSHIP),
)

# --- Option: renewal by going back to Belarus -------------------------------------------------
# Decree No. 278: lawful under Belarusian law; the risks are warnings, not conditions.
national_passport_at_home = Option(
    id="national_passport_at_home",
    status=case(
        (ref("is_belarusian_citizen"), eligibility(ref("issued_inside_belarus"), discretionary=True)),
        (ref("has_no_citizenship"), "not_eligible"),
        default=NOT_ENCODED,
    ),
    sources=("decree-278-belta",),
    fees=(
        Fee("fee.belarus_state_duty", STATE_DUTY_UNKNOWN,
            when=all_of(ref("is_belarusian_citizen"), ref("issued_inside_belarus"))),
    ),
    documents=(
        Notice("document.certificate_of_return", when=ref("needs_certificate_of_return"),
               show_if_unknown=True, sources=("by-certificate-of-return",)),
    ),
    warnings=(
        # [U] secondary: detentions at the border since 2022. Protective default: shown unless
        # fears_return is false.
        Notice("warning.return_risk",
               when=all_of(ref("is_belarusian_citizen"), fact("fears_return").ne(False)),
               sources=("bca-letter-2023", "jurist-2024-01"), show_if_unknown=True),
        # IRPA s.108(1)(a), (d): re-availment, re-establishment
        ENDS_PROTECTION,
        UNDERMINES_CLAIM,
        Notice("warning.certificate_of_return_one_way", when=ref("needs_certificate_of_return"),
               sources=("by-certificate-of-return", "jurist-2024-01"), show_if_unknown=True),
        OTHER_CITIZENSHIP,
    ),
)

DEFINITION = RulebookDefinition(
    subject="person",
    version="2026.11",
    rules=(
        lists_a_citizenship,
        is_belarusian_citizen,
        has_no_citizenship,
        has_other_citizenship,
        may_be_protected,
        is_refugee_claimant,
        national_passport_valid,
        missions_issue_passports,
        issued_inside_belarus,
        needs_certificate_of_return,
    ),
    options=(national_passport_abroad, national_passport_at_home),
)
