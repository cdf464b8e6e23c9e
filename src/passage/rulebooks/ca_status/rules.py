"""ca_status: staying lawfully in Canada when the national passport cannot be renewed, and the way out.

Three options, assessed "as if you applied on the `on` date" (see LAW.md, which this file implements):
- `temporary_status_extension` — extend work, study or visitor status (IRPR 179, 181-183), never past the
  passport's expiry (IRPR 52(1));
- `temporary_resident_permit` — the discretionary permit for someone who no longer meets a requirement of
  the Act, e.g. no valid passport (IRPA 24);
- `citizenship_grant` — Citizenship Act s. 5(1): 1,095 days of physical presence in the five years before
  applying (counted from the actual dates and trips, with the half-day credit before permanent residence,
  at most 365), three tax years, language (and the knowledge test) from 18 to 54; `eligible_from` is the
  earliest day the presence test holds if the person stays in Canada from the `on` date.

Style (Catala-like): each option states its base rule, then the explicit exceptions; every condition a
person reads is a named `condition` citing its source; the parts of the law that are not encoded are
`law_unknown` gaps, never guesses. Rules read parameters and bool switches in force on the `on` date.
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
    days_between,
    days_covered,
    earliest_date,
    eligibility,
    fact,
    if_,
    law_unknown,
    maximum,
    minimum,
    not_,
    on,
    param,
    present,
    ref,
    value,
    years_between,
)

TEMPORARY_STATUSES = ("worker", "student", "visitor")

# ---------------------------------------------------------------------------------------------------
# Shared rules
# ---------------------------------------------------------------------------------------------------

# IRPR s.52(1): a passport is valid through its expiry day; "I hold no passport" (null) is not valid.
national_passport_valid = condition(
    "national_passport_valid",
    all_of(present("national_passport_expiry"), fact("national_passport_expiry") >= on()),
    "irpr-s52",
)
# IRPR s.181(1): temporary status lasts through its expiry day.
status_still_valid = condition("status_still_valid", on() <= fact("status_expiry"), "irpr-s179-183")
# IRPR ss.179, 181: workers, students and visitors are the temporary residents who extend their stay.
is_temporary_resident = condition(
    "is_temporary_resident", fact("canadian_status").is_in(TEMPORARY_STATUSES), "irpr-s179-183"
)
# IRPR s.181: a citizen or permanent resident has no temporary status to extend (nor needs a TRP).
has_permanent_status = condition(
    "has_permanent_status", fact("canadian_status").is_in(("citizen", "permanent_resident")), "irpr-s179-183"
)
# IRPR ss.206, 207(c) (IRCC work-permit instructions): claimants and protected persons may remain without
# temporary resident status; their permits are not capped by the passport.
protected_or_claimant = condition(
    "protected_or_claimant",
    fact("canadian_status").is_in(("protected_person", "refugee_claimant")),
    "ircc-pdi-wp-validity",
)
# IRPR s.182: status already lost — nothing to extend; restoration (90 days) or a TRP instead.
has_no_status = condition("has_no_status", fact("canadian_status").eq("none"), "irpr-s179-183")
# Interpretation Act s.30: the age on the application date, reached on the birthday.
age_on_application = value(
    "age_on_application", years_between(fact("birth_date"), on()), "interpretation-act-s30"
)

# ---------------------------------------------------------------------------------------------------
# Option temporary_status_extension — IRPR ss.179, 181-183; IRPR s.52(1)
# ---------------------------------------------------------------------------------------------------

# IRPR s.181(1): the application is made from inside Canada.
is_in_canada = condition("is_in_canada", fact("in_canada").eq(True), "irpr-s179-183")

# Base rule (IRPR s.181(1)-(2)): a temporary resident in Canada may apply before the status ends, if the
# requirements (R179: a valid passport) are still met. The officer decides: likely_eligible at best.
extension_requirements_met = value(
    "extension_requirements_met",
    all_of(ref("is_in_canada"), ref("status_still_valid"), ref("national_passport_valid")),
    "irpr-s179-183", "irpr-s52", "ircc-pdi-visitor-extension",
)
extension_possible = value(
    "extension_possible",
    all_of(ref("is_temporary_resident"), ref("extension_requirements_met")),
    "irpr-s179-183",
)
# IRPR s.52(1), s.183(2)(c); IRCC instructions: no new permit or visitor period past the passport.
permit_cannot_pass = value(
    "permit_cannot_pass", fact("national_passport_expiry"), "irpr-s52", "ircc-pdi-wp-validity", "ircc-pdi-sp-final"
)
# IRPR s.182: restoration within 90 days after losing status, counted from the expiry day (the earlier,
# safer reading: unverified).
restoration_last_day = value(
    "restoration_last_day",
    fact("status_expiry").plus_days(param("temporary_residence.restoration_days")),
    "irpr-s179-183",
    verified=False,
)
restoration_window_open = value(
    "restoration_window_open",
    all_of(
        fact("canadian_status").is_in((*TEMPORARY_STATUSES, "none")),
        not_(ref("status_still_valid")),
        on() <= ref("restoration_last_day"),
        ref("national_passport_valid"),  # IRPR s.182: restoration also requires the initial requirements
    ),
    "irpr-s179-183",
)

temporary_status_extension = Option(
    id="temporary_status_extension",
    status=if_(
        ref("is_temporary_resident"),
        # Base rule for workers, students and visitors.
        eligibility(ref("extension_requirements_met"), discretionary=True),
        # Exceptions: nothing to extend. Exactly one of them holds when the status is known.
        if_(any_of(ref("has_permanent_status"), ref("protected_or_claimant"), ref("has_no_status")),
            "not_eligible", "not_eligible"),
    ),
    sources=("irpr-s179-183", "irpr-s52", "ircc-pdi-visitor-extension"),
    # Extension and restoration fees are not in the reference material: a gap, not a guess.
    fees=(Fee("fee.extension", law_unknown("law.extension_fee"), when=ref("extension_possible")),),
    deadlines=(
        # IRPR s.181(1): apply on or before the last day of status.
        Deadline("extension_apply_by", fact("status_expiry"), "deadline.extension_apply_by",
                 when=ref("extension_possible"), sources=("irpr-s179-183",)),
        # IRPR s.52(1), s.183(2)(c): the date a new permit cannot pass.
        Deadline("permit_cannot_pass", ref("permit_cannot_pass"), "deadline.permit_cannot_pass",
                 when=all_of(ref("extension_possible"), param("temporary_residence.passport_caps_permit")),
                 sources=("irpr-s52", "ircc-pdi-wp-validity", "ircc-pdi-sp-final")),
        # IRPR s.182: restoration, 90 days after status ended.
        Deadline("restoration_last_day", ref("restoration_last_day"), "deadline.restoration_last_day",
                 when=ref("restoration_window_open"), sources=("irpr-s179-183",)),
    ),
    warnings=(
        Notice("warning.permit_capped_by_passport",
               when=all_of(ref("extension_possible"), param("temporary_residence.passport_caps_permit")),
               sources=("irpr-s52", "ircc-pdi-wp-validity")),
        # IRPR s.183(5)-(6), s.186(u): maintained status while the application is pending.
        Notice("warning.maintained_status", when=ref("extension_possible"), sources=("irpr-s179-183",)),
    ),
)

# ---------------------------------------------------------------------------------------------------
# Option temporary_resident_permit — IRPA s.24
# ---------------------------------------------------------------------------------------------------

# IRPA s.24(1): a TRP is for foreign nationals; protected persons and claimants may already remain.
is_foreign_national_without_other_protection = condition(
    "is_foreign_national_without_other_protection",
    fact("canadian_status").is_in((*TEMPORARY_STATUSES, "none")),
    "irpa-s24",
)
# IRPA s.24(1): ... who does not meet the requirements of the Act — e.g. no valid passport, or status
# ended (a person with no status counts as "status ended" even when the expiry date is not given).
does_not_meet_requirements = condition(
    "does_not_meet_requirements",
    any_of(not_(ref("national_passport_valid")), not_(ref("status_still_valid")), ref("has_no_status")),
    "irpa-s24",
)

trp_needed = value(
    "trp_needed",
    all_of(ref("is_foreign_national_without_other_protection"), ref("does_not_meet_requirements")),
    "irpa-s24",
)

temporary_resident_permit = Option(
    id="temporary_resident_permit",
    status=if_(
        ref("is_foreign_national_without_other_protection"),
        # Base rule: entirely discretionary ("justified in the circumstances").
        eligibility(ref("does_not_meet_requirements"), discretionary=True),
        # Exceptions: not needed.
        if_(any_of(ref("has_permanent_status"), ref("protected_or_claimant")), "not_eligible", "not_eligible"),
    ),
    sources=("irpa-s24",),
    fees=(Fee("fee.trp", param("temporary_residence.trp_fee"), when=ref("trp_needed")),),
    warnings=(Notice("warning.trp_discretionary", when=ref("trp_needed"), show_if_unknown=True,
                     sources=("irpa-s24",)),),
)

# ---------------------------------------------------------------------------------------------------
# Option citizenship_grant — Citizenship Act s.5(1), (1.001)
# ---------------------------------------------------------------------------------------------------

# Citizenship Act s.5(1): a grant is for persons who are not citizens.
is_citizen = condition("is_citizen", fact("canadian_status").eq("citizen"), "citizenship-act-s5")
# Citizenship Act s.5(1)(b)
is_permanent_resident = condition(
    "is_permanent_resident", fact("canadian_status").eq("permanent_resident"), "citizenship-act-s5"
)
# Citizenship Act s.5(1)(f)
no_removal_order = condition("no_removal_order", fact("removal_order").eq(False), "citizenship-act-s5")

# Citizenship Act s.5(1)(c)(i): the five years immediately before the application date A, i.e. the days
# [A - 5 years, A) (IRCC: applied 2018-04-01 -> 2013-04-01 to 2018-03-31).
presence_window_start = value(
    "presence_window_start",
    on().plus_years(param("citizenship.window_years") * -1),
    "citizenship-act-s5", "ircc-presence-calculator-faq",
)
# Citizenship Act s.5(1)(c)(i): days as a permanent resident inside the window, minus the days absent.
# Only the days strictly between leaving and returning are absent: the days you leave and return count
# as days in Canada ("exclusive"; secondary source, unverified — see `absence_counting_known`).
pr_period_start = value(
    "pr_period_start", maximum(ref("presence_window_start"), fact("pr_since")), "citizenship-act-s5"
)
pr_days = value(
    "pr_days",
    days_between(ref("pr_period_start"), on())
    - days_covered(fact("absences"), ref("pr_period_start"), on(), "exclusive"),
    "citizenship-act-s5", "day-counting-departure-return",
    verified=False,
)
# Citizenship Act s.5(1.001): days before PR as a temporary resident or protected person, inside the
# window, minus the days absent: [max(window start, temporary_resident_since), max(window start, pr_since)).
# "temporary_resident_since" null (none) gives an empty period. Refugee-claimant time without other status
# does not count (the fact's question says so).
pre_pr_period_start = value(
    "pre_pr_period_start",
    minimum(
        if_(present("temporary_resident_since"),
            maximum(ref("presence_window_start"), fact("temporary_resident_since")),
            ref("pr_period_start")),
        ref("pr_period_start"),  # a start after PR (inconsistent answers) gives an empty period
    ),
    "citizenship-act-s5", "ircc-presence-calculator-faq",
)
pre_pr_days = value(
    "pre_pr_days",
    days_between(ref("pre_pr_period_start"), ref("pr_period_start"))
    - days_covered(fact("absences"), ref("pre_pr_period_start"), ref("pr_period_start"), "exclusive"),
    "citizenship-act-s5", "ircc-presence-calculator-faq", "day-counting-departure-return",
    verified=False,
)
# The day-counting switch (secondary source, unverified). Were it off, the counting rule would be
# unknown — never guessed.
absence_counting_known = value(
    "absence_counting_known",
    any_of(param("citizenship.departure_and_return_days_count_as_present"), law_unknown("law.absence_day_counting")),
    "day-counting-departure-return",
    verified=False,
)
# Citizenship Act s.5(1)(c)(i): the days as a permanent resident alone reach 1,095.
presence_as_pr_enough = condition(
    "presence_as_pr_enough",
    ref("pr_days") >= param("citizenship.presence_days_required"),
    "citizenship-act-s5", "ircc-presence-calculator-faq",
)
# Citizenship Act s.5(1)(c)(i), (1.001): PR days + min(365, 50 % of pre-PR days) >= 1,095. Without
# fractions or a minimum: x + min(c, cap) >= n  <=>  x + c >= n  and  x + cap >= n, the credit compared in
# hundredths of a day (rate in percent). The cap test comes first, so the time before PR is asked only
# when it can decide (PR days + the full 365-day credit reach 1,095).
presence_with_pre_pr_credit_enough = condition(
    "presence_with_pre_pr_credit_enough",
    all_of(
        ref("pr_days") + param("citizenship.pre_pr_credit_cap_days") >= param("citizenship.presence_days_required"),
        ref("pr_days") * 100 + ref("pre_pr_days") * param("citizenship.pre_pr_credit_rate")
        >= param("citizenship.presence_days_required") * 100,
    ),
    "citizenship-act-s5", "ircc-presence-calculator-faq",
)
# Citizenship Act s.5(1)(c)(i), (1.001): the presence test (LAW.md `enough_presence`). A value, so a
# person reads the one of the two named conditions above that decided it.
enough_presence = value(
    "enough_presence",
    all_of(ref("absence_counting_known"),
           any_of(ref("presence_as_pr_enough"), ref("presence_with_pre_pr_credit_enough"))),
    "citizenship-act-s5", "ircc-presence-calculator-faq",
)
# Citizenship Act s.5(1)(c)(iii)
enough_tax_years = condition(
    "enough_tax_years", fact("tax_years_filed") >= param("citizenship.tax_years_required"), "citizenship-act-s5"
)
# Citizenship Act s.5(1)(d)-(e): language and knowledge apply from 18 to 54 on the application date.
language_and_knowledge_apply = condition(
    "language_and_knowledge_apply",
    all_of(ref("age_on_application") >= param("citizenship.language_age_min"),
           ref("age_on_application") <= param("citizenship.language_age_max")),
    "citizenship-act-s5", "interpretation-act-s30",
)
# Citizenship Act s.5(1)(d)
language_if_required = condition(
    "language_if_required",
    any_of(ref("age_on_application") < param("citizenship.language_age_min"),
           ref("age_on_application") > param("citizenship.language_age_max"),
           fact("language_proof").eq(True)),
    "citizenship-act-s5", "interpretation-act-s30",
)
# Citizenship Regulations s.32 and schedule: adult fees from 18 on the application date.
is_adult_applicant = value(
    "is_adult_applicant", ref("age_on_application") >= param("citizenship.fee_adult_age"), "citizenship-regs-fees"
)

citizenship_grant = Option(
    id="citizenship_grant",
    status=if_(
        ref("is_citizen"),
        "not_eligible",  # already a citizen (see the Canadian passport)
        # Base rule, s.5(1): "the Minister shall grant" — eligible; from 18 to 54 the knowledge test and
        # interview are still to come, so likely_eligible.
        eligibility(
            all_of(ref("is_permanent_resident"), ref("no_removal_order"), ref("enough_presence"),
                   ref("enough_tax_years"), ref("language_if_required")),
            discretionary=ref("language_and_knowledge_apply"),
        ),
    ),
    sources=("citizenship-act-s5",),
    fees=(
        Fee("fee.citizenship_processing_adult", param("citizenship.fee_processing_adult"),
            when=all_of(ref("is_permanent_resident"), ref("is_adult_applicant"))),
        Fee("fee.right_of_citizenship", param("citizenship.fee_right_of_citizenship"),
            when=all_of(ref("is_permanent_resident"), ref("is_adult_applicant"))),
        Fee("fee.citizenship_processing_minor", param("citizenship.fee_processing_minor"),
            when=all_of(ref("is_permanent_resident"), not_(ref("is_adult_applicant")))),
    ),
    documents=(
        # Citizenship Regulations, No. 2, s.2(1)
        Notice("document.birth_evidence", when=ref("is_permanent_resident"), sources=("citizenship-regs-no2",)),
        Notice("document.pr_date_evidence", when=ref("is_permanent_resident"), sources=("citizenship-regs-no2",)),
        Notice("document.presence_calculation", when=ref("is_permanent_resident"),
               sources=("citizenship-regs-no2",)),
        Notice("document.sin_and_cra_consent", when=ref("is_permanent_resident"),
               sources=("citizenship-regs-no2",)),
        Notice("document.language_evidence",
               when=all_of(ref("is_permanent_resident"), ref("language_and_knowledge_apply")),
               sources=("citizenship-regs-no2",)),
        Notice("document.two_photos", when=ref("is_permanent_resident"), sources=("citizenship-regs-no2",)),
        Notice("document.fee_receipt", when=ref("is_permanent_resident"), sources=("citizenship-regs-no2",)),
    ),
    warnings=(
        Notice("warning.absence_counting_unverified", when=fact("absences").size() > 0,
               sources=("day-counting-departure-return",)),
        # Prohibitions (s.22) and the s.20 security declaration are not encoded: shown as not ruled out.
        Notice("warning.prohibitions_not_checked",
               when=all_of(ref("is_permanent_resident"), law_unknown("law.citizenship_prohibitions")),
               show_if_unknown=True),
    ),
    values={
        # The first day the presence test holds if the person stays in Canada from `on` (no new trips).
        # Monotone: each later day adds a present day and drops at most one. Tax years, language and the
        # removal order are not projected; they are reasons of their own.
        "eligible_from": earliest_date(
            all_of(ref("is_permanent_resident"), ref("enough_presence")), on(), on().plus_years(5)
        ),
    },
)

DEFINITION = RulebookDefinition(
    subject="person",
    version="2026.11",
    rules=(
        national_passport_valid, status_still_valid, is_temporary_resident, has_permanent_status,
        protected_or_claimant, has_no_status, age_on_application,
        is_in_canada, extension_requirements_met, extension_possible, permit_cannot_pass, restoration_last_day,
        restoration_window_open,
        is_foreign_national_without_other_protection, does_not_meet_requirements, trp_needed,
        is_citizen, is_permanent_resident, no_removal_order, presence_window_start, pr_period_start, pr_days,
        pre_pr_period_start, pre_pr_days, absence_counting_known, presence_as_pr_enough,
        presence_with_pre_pr_credit_enough, enough_presence, enough_tax_years,
        language_and_knowledge_apply, language_if_required, is_adult_applicant,
    ),
    options=(temporary_status_extension, temporary_resident_permit, citizenship_grant),
)
