"""ca_travel_documents: Canadian passport, Certificate of Identity (CoI), Refugee Travel Document (RTD).

Implements LAW.md of this folder. A Canadian passport is governed by the Canadian Passport Order
(SI/81-86): a citizen is `eligible`. The CoI and the RTD are issued under the royal prerogative on IRCC's
published policy, so at best `likely_eligible` (IRCC decides which document and for how long). Fees are
law (SOR/2012-253 schedule, SOR/95-538 s. 4), by age on the application date. Whether Belarusian
missions issue passports on the date is read from the by_consular rulebook (one source of truth for
Decree No. 278).
"""

from passage.engine import (
    Expr,
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
    law_unknown,
    not_,
    on,
    param,
    ref,
    value,
    years_between,
)

# --- Shared rules -------------------------------------------------------------------------------
# Interpretation Act s. 30: an age is attained on the anniversary of birth
age_on_application = value(
    "age_on_application", years_between(fact("birth_date"), on()), "interpretation-act-s30"
)

# SOR/95-538 s. 4 ($25 consular fee from 16); SOR/2012-253 schedule (adult and child items)
is_adult_for_fees = condition(
    "is_adult_for_fees",
    ref("age_on_application") >= param("ages.adult_fee_age"),
    "sor-95-538",
    "sor-2012-253-sch",
)

# IRCC travel documents for non-Canadians: apply from inside Canada
is_in_canada = condition("is_in_canada", fact("in_canada").eq(True), "ircc-td-eligibility")

# IRPA s. 95: a protected person (with or without permanent residence); a citizen or a claimant is not
has_protection = condition(
    "has_protection",
    all_of(
        any_of(fact("protected_person").eq(True), fact("canadian_status").eq("protected_person")),
        not_(fact("canadian_status").is_in(("citizen", "refugee_claimant"))),
    ),
    "irpa-s95",
    "ircc-td-eligibility",
)

# --- Canadian passport --------------------------------------------------------------------------
# Canadian Passport Order, SI/81-86, s. 4(2): passports are issued only to Canadian citizens
is_canadian_citizen = condition("is_canadian_citizen", fact("canadian_status").eq("citizen"), "cpo-s4")

# --- Certificate of Identity -------------------------------------------------------------------
# IRCC eligibility: permanent residents
is_permanent_resident = condition(
    "is_permanent_resident", fact("canadian_status").eq("permanent_resident"), "ircc-td-eligibility"
)

# IRCC eligibility: not a protected person (a protected person gets the RTD instead)
is_not_protected_person = condition(
    "is_not_protected_person", fact("protected_person").eq(False), "ircc-td-eligibility"
)

# IRCC eligibility: stateless. A known non-empty citizenship list settles it (LAW.md step 1), so
# `stateless` is never asked of a person who lists a citizenship.
is_stateless = condition(
    "is_stateless",
    all_of(not_(ref("by_consular.lists_a_citizenship")), fact("stateless").eq(True)),
    "ircc-td-eligibility",
)

# Decree No. 278 (in force 2023-09-07): Belarusian missions no longer issue passports
belarus_missions_closed = condition(
    "belarus_missions_closed",
    param("by_consular.consular_services.passport_at_missions").eq(False),
    "decree-278-belta",
)

# IRCC eligibility: "unable to obtain a passport" — base rule and exceptions, in LAW.md's order:
# 1. stateless -> yes; 2. a valid national passport -> no; 3. another citizenship -> law not encoded;
# 4. Belarusian -> yes once the missions closed (2023-09-07), no before.
# A value, not a condition: its reasons are the named conditions on the branch taken.
cannot_obtain_national_passport = value(
    "cannot_obtain_national_passport",
    case(
        (ref("is_stateless"), True),
        (ref("by_consular.national_passport_valid"), False),
        (ref("by_consular.has_other_citizenship"), law_unknown("law_gap.other_passport_not_encoded")),
        (ref("by_consular.is_belarusian_citizen"), ref("belarus_missions_closed")),
        # No citizenship listed and `stateless` answered "no": no ground of inability given.
        default=False,
    ),
    "ircc-td-eligibility",
    "decree-278-belta",
)

coi_requirements_met = value(
    "coi_requirements_met",
    all_of(
        ref("is_permanent_resident"),
        ref("is_not_protected_person"),
        ref("is_in_canada"),
        ref("cannot_obtain_national_passport"),
    ),
    "ircc-td-eligibility",
)

# --- Refugee Travel Document -------------------------------------------------------------------
# IRCC eligibility: protected persons, applying from inside Canada
rtd_requirements_met = value(
    "rtd_requirements_met", all_of(ref("has_protection"), ref("is_in_canada")), "ircc-td-eligibility"
)


def _docs(when: Expr, *keys: str, sources: tuple[str, ...]) -> tuple[Notice, ...]:
    """Documents shown while the option is, or may be, open (hidden once it is ruled out)."""
    return tuple(Notice(key, when=when, sources=sources, show_if_unknown=True) for key in keys)


ADULT = ref("is_adult_for_fees")
CHILD = not_(ref("is_adult_for_fees"))
TD_SOURCES = ("ircc-td-apply", "ircc-td-supporting-docs")

# --- Option: Canadian passport ------------------------------------------------------------------
# SI/81-86 s. 4(2); fees SOR/2012-253 items 1-2 (+ $25 consular fee from 16, SOR/95-538 s. 4)
CITIZEN = ref("is_canadian_citizen")
IN_CANADA = fact("in_canada").eq(True)
ABROAD = fact("in_canada").eq(False)
canadian_passport = Option(
    id="canadian_passport",
    status=eligibility(CITIZEN),
    sources=("cpo-s4",),
    fees=(
        Fee("fee.passport_adult_10y_in_canada", param("fees.passport_adult_10y_in_canada"),
            when=all_of(CITIZEN, ADULT, IN_CANADA)),
        Fee("fee.passport_adult_5y_in_canada", param("fees.passport_adult_5y_in_canada"),
            when=all_of(CITIZEN, ADULT, IN_CANADA)),
        Fee("fee.passport_child_in_canada", param("fees.passport_child_in_canada"),
            when=all_of(CITIZEN, CHILD, IN_CANADA)),
        Fee("fee.passport_adult_10y_abroad", param("fees.passport_adult_10y_abroad"),
            when=all_of(CITIZEN, ADULT, ABROAD)),
        Fee("fee.passport_adult_5y_abroad", param("fees.passport_adult_5y_abroad"),
            when=all_of(CITIZEN, ADULT, ABROAD)),
        Fee("fee.passport_child_abroad", param("fees.passport_child_abroad"),
            when=all_of(CITIZEN, CHILD, ABROAD)),
    ),
    documents=(
        *_docs(CITIZEN, "document.passport_application_form", "document.citizenship_certificate",
               "document.two_photos", sources=("cpo-s4",)),
        # [U] guarantor known 2 years: from a copy of form PPTC 153
        Notice("document.passport_guarantor", when=CITIZEN, sources=("cpo-s4",), show_if_unknown=True),
    ),
)

# --- Option: Certificate of Identity -----------------------------------------------------------
# IRCC policy (royal prerogative): permanent resident, not protected, in Canada, unable to obtain a
# national passport. Always discretionary. Fees SOR/2012-253 items 3-4 (+ $25 from 16).
COI = ref("coi_requirements_met")
certificate_of_identity = Option(
    id="certificate_of_identity",
    status=eligibility(COI, discretionary=True),
    sources=("ircc-td-eligibility",),
    fees=(
        Fee("fee.coi_adult", param("fees.coi_adult"), when=all_of(COI, ADULT)),
        Fee("fee.coi_child", param("fees.coi_child"), when=all_of(COI, CHILD)),
    ),
    documents=(
        Notice("document.pptc_190", when=all_of(COI, ADULT), sources=TD_SOURCES, show_if_unknown=True),
        # [U] form for children: donvalley-travel-docs
        Notice("document.pptc_192", when=all_of(COI, CHILD), sources=("donvalley-travel-docs",),
               show_if_unknown=True),
        *_docs(COI, "document.proof_of_status", "document.identity_document", "document.two_photos",
               sources=TD_SOURCES),
        # [U] guarantor categories and 6-month acquaintance: pptc-190-copy
        Notice("document.guarantor_or_statutory_declaration", when=COI,
               sources=("ircc-td-supporting-docs", "pptc-190-copy"), show_if_unknown=True),
        *_docs(COI, "document.two_references", "document.citizenship_refusal_letter", "document.translations",
               sources=TD_SOURCES),
        # [U] PPTC 190 section "country of citizenship and travel document eligibility"
        Notice("document.explanation_cannot_obtain_passport", when=COI, sources=("pptc-190-copy",),
               show_if_unknown=True),
    ),
    warnings=(
        Notice("warning.not_valid_for_country_of_citizenship", when=COI, sources=("ircc-td-eligibility",),
               show_if_unknown=True),
        Notice("warning.ircc_decides_document_and_validity", when=COI,
               sources=("ircc-td-eligibility", "ircc-document-types"), show_if_unknown=True),
        # The Belarus path (LAW.md step 4): what evidence IRCC accepts is not published
        Notice("warning.evidence_standard_unknown",
               when=all_of(COI, ref("by_consular.is_belarusian_citizen"),
                           not_(ref("by_consular.has_other_citizenship"))),
               sources=("ircc-td-eligibility", "decree-278-belta"), show_if_unknown=True),
    ),
)

# --- Option: Refugee Travel Document -----------------------------------------------------------
# IRCC policy (royal prerogative): protected persons in Canada. Fees SOR/2012-253 items 5-6 (+ $25).
RTD = ref("rtd_requirements_met")
refugee_travel_document = Option(
    id="refugee_travel_document",
    status=eligibility(RTD, discretionary=True),
    sources=("ircc-td-eligibility", "irpa-s95"),
    fees=(
        Fee("fee.rtd_adult", param("fees.rtd_adult"), when=all_of(RTD, ADULT)),
        Fee("fee.rtd_child", param("fees.rtd_child"), when=all_of(RTD, CHILD)),
    ),
    documents=(
        Notice("document.pptc_190", when=all_of(RTD, ADULT), sources=TD_SOURCES, show_if_unknown=True),
        Notice("document.pptc_192", when=all_of(RTD, CHILD), sources=("donvalley-travel-docs",),
               show_if_unknown=True),
        *_docs(RTD, "document.proof_of_status", "document.identity_document", "document.two_photos",
               sources=TD_SOURCES),
        Notice("document.guarantor_or_statutory_declaration", when=RTD,
               sources=("ircc-td-supporting-docs", "pptc-190-copy"), show_if_unknown=True),
        *_docs(RTD, "document.two_references", "document.citizenship_refusal_letter", "document.translations",
               sources=TD_SOURCES),
    ),
    warnings=(
        Notice("warning.not_valid_for_country_of_citizenship", when=RTD, sources=("ircc-td-eligibility",),
               show_if_unknown=True),
        # IRPA s. 108(1)(a), 108(2), 46(1)(c.1); [U] returning the Canadian document: pptc-190-copy
        Notice("warning.renewal_ends_protection", when=ref("has_protection"),
               sources=("irpa-s108", "irpa-s46", "pptc-190-copy"), show_if_unknown=True),
        Notice("warning.ircc_decides_document_and_validity", when=RTD,
               sources=("ircc-td-eligibility", "ircc-document-types"), show_if_unknown=True),
    ),
)

DEFINITION = RulebookDefinition(
    subject="person",
    version="2026.11",
    rules=(
        age_on_application,
        is_adult_for_fees,
        is_in_canada,
        has_protection,
        is_canadian_citizen,
        is_permanent_resident,
        is_not_protected_person,
        is_stateless,
        belarus_missions_closed,
        cannot_obtain_national_passport,
        coi_requirements_met,
        rtd_requirements_met,
    ),
    options=(canadian_passport, certificate_of_identity, refugee_travel_document),
    depends_on=("by_consular",),
)
