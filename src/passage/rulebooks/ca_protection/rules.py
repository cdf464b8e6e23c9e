"""ca_protection: refugee claim, pre-removal risk assessment (PRRA), humanitarian & compassionate (H&C).

Implements LAW.md of this folder. Each option is "if you applied on the `on` date": a base rule (who may
apply) and then the exceptions of the law (the bars), each a named condition citing its section. All three
routes are at best `likely_eligible`: risk is decided on evidence by the IRB or IRCC, and H&C is discretionary.

Dates are never compared with `unit: date` parameters directly (they have no value before their first
period): the rules read the bool switches of parameters/claim_bars.yaml and prra.yaml at the `on` date.
Before 2012-12-15 (the scoping start of this rulebook) the law is not encoded: every option says so.

Not yet in force, so not encoded (S.C. 2026 c. 4): repeal of IRPA 99(3.1) and new ss. 100, 100.1, 102.1,
102.2 (Basis of Claim), s. 52 (PRRA bar after a Minister-determined withdrawal), s. 35 (H&C while a claim
is eligible). Their coming-into-force dates are unknown; when they are fixed, the parameter periods of
boc.yaml, prra.yaml and hc.yaml must be closed and these rules given new versions.
"""

from datetime import date

from passage.engine import (
    TRUE,
    Deadline,
    Expr,
    Fee,
    Notice,
    Option,
    RulebookDefinition,
    all_of,
    any_of,
    condition,
    const,
    eligibility,
    fact,
    if_,
    law_unknown,
    not_,
    on,
    param,
    range_bound,
    ref,
    value,
)

# After every date a fact can hold (the engine accepts dates up to 2100-12-31): "no such entry".
END_OF_RECORDS = date(2101, 1, 1)

absences = fact("absences")


# ---------------------------------------------------------------------------------------------------
# Scope: before 2012-12-15 (IRPR 159.8; PRRA and H&C 12-month bars) nothing in this rulebook is encoded.
# The switch scope.encoded has no value before its first period: true from 2012-12-15, else unknown.
rulebook_scope = param("scope.encoded")


def _within_scope(status: Expr) -> Expr:
    return if_(rulebook_scope, status, law_unknown("law.before_2012_12_15"))


# ---------------------------------------------------------------------------------------------------
# Shared conditions

# IRPA s. 99(3) (claim inside Canada), s. 112(1) (PRRA: person in Canada), s. 25(1) (H&C from inside Canada)
is_in_canada = condition("is_in_canada", fact("in_canada"), "irpa-s99", "irpa-s112", "irpa-s25")

# IRPA s. 112(2)(b.1) and s. 25(1.2)(c): a claim rejected, withdrawn or abandoned starts a 12-month bar
previous_claim_refused_withdrawn_or_abandoned = condition(
    "previous_claim_refused_withdrawn_or_abandoned",
    fact("previous_claim").is_in(("rejected", "withdrawn", "abandoned")),
    "irpa-s112", "irpa-s25",
)

# ---------------------------------------------------------------------------------------------------
# Option refugee_claim. Base rule: a person in Canada who fears return may claim (IRPA ss. 96, 97, 99(3)).
# Exceptions: the bars of IRPA s. 101(1), each below.

# IRPA s. 101(1)(a) (protection already conferred), s. 104(1)(d) (claim already pending)
no_protection_or_pending_claim = condition(
    "no_protection_or_pending_claim",
    fact("canadian_status").is_in(("protected_person", "refugee_claimant")).eq(False),
    "irpa-s101",
)
# IRPA ss. 95-99: protection is against removal of a foreign national; citizens and permanent residents
# cannot claim. No express provision was read: an inference, unverified.
not_citizen_or_permanent_resident = condition(
    "not_citizen_or_permanent_resident",
    fact("canadian_status").is_in(("citizen", "permanent_resident")).eq(False),
    "inference-pr-cannot-claim",
    verified=False,
)
# IRPA s. 99(3): no claim inside Canada by a person subject to a removal order
no_removal_order = condition("no_removal_order", fact("removal_order").eq(False), "irpa-s99")
# IRPA s. 101(1)(a)-(c): a previous claim (accepted, rejected, ineligible, withdrawn or abandoned) bars a new one
no_previous_claim = condition("no_previous_claim", fact("previous_claim").eq("none"), "irpa-s101")
# IRPA ss. 96-97: protection is for people at risk if returned
fears_return = condition("fears_return", fact("fears_return"), "irpa-s96-97")

# --- One-year bar: IRPA s. 101(1)(b.1) and (1.1), in force 2026-03-26 (S.C. 2026 c. 4 s. 73); by s. 75 it
# applies to claims made from 2025-06-03, the day the Bill was introduced, and not to claims made before.
one_year_bar_in_effect = condition(
    "one_year_bar_in_effect", param("claim_bars.one_year_bar_applies"), "sc-2026-c4", "irpa-s101"
)
# IRPA s. 101(1.1): the year runs from the first entry after 24 June 2020 (an entry ON that day is not after it)
bar_reference_day = value("bar_reference_day", param("claim_bars.one_year_bar_entry_after"), "irpa-s101")
one_year = param("claim_bars.one_year_bar_length")
first_entry_after_reference_day = condition(
    "first_entry_after_reference_day", fact("first_entry_date") > ref("bar_reference_day"), "irpa-s101"
)
# ... or, for someone who first came before, the first return to Canada after that day: the earliest end of a
# trip in `absences` after the reference day (END_OF_RECORDS when there is none).
first_entry_in_bar_period = value(
    "first_entry_in_bar_period",
    if_(
        ref("first_entry_after_reference_day"),
        fact("first_entry_date"),
        range_bound(absences, "end", "min", after=ref("bar_reference_day"), default=const(END_OF_RECORDS)),
    ),
    "irpa-s101",
)
entered_after_reference_day = condition(
    "entered_after_reference_day", ref("first_entry_in_bar_period") < const(END_OF_RECORDS), "irpa-s101"
)
# Interpretation Act ss. 28, 37(1)(a): "more than one year after the day of entry" starts the day after the
# same-numbered day 12 months later (29 February -> 28 February). Inference, unverified (LAW.md).
claim_last_day = value(
    "claim_last_day", ref("first_entry_in_bar_period").plus_months(one_year),
    "irpa-s101", "inference-claim-bar-counting", verified=False,
)
claimed_within_one_year = condition(
    "claimed_within_one_year", on() <= ref("claim_last_day"),
    "irpa-s101", "interpretation-act-time", "inference-claim-bar-counting", verified=False,
)
# Base: the bar does not apply to a claim made before 2025-06-03, nor to someone with no entry after
# 24 June 2020; otherwise the claim must be within the year.
not_barred_one_year = any_of(
    not_(ref("one_year_bar_in_effect")),
    not_(ref("entered_after_reference_day")),
    ref("claimed_within_one_year"),
)

# --- Crossing from the US between ports of entry. The contract has no separate date for that crossing:
# `first_entry_date` is taken as the crossing date (contract limitation, LAW.md).
stca_window_last_day = value(
    "stca_window_last_day",
    fact("first_entry_date").plus_days(param("claim_bars.land_border_days")),  # s. 27(5): the day of entry excluded
    "irpr-s159-3-159-7", "interpretation-act-time",
)
# IRPA s. 101(1)(e), IRPR s. 159.4(1.1) (SOR/2023-58, from 2023-03-25): within 14 days after crossing
# between ports from the US, the Safe Third Country Agreement makes the claim ineligible (159.5 exceptions
# are not in the contract: see warning.stca_exceptions_not_assessed)
not_stca_barred = condition(
    "not_stca_barred",
    not_(all_of(fact("entered_between_ports_from_us"), param("claim_bars.stca_between_ports_applies"),
                on() <= ref("stca_window_last_day"))),
    "irpa-s101", "irpr-s159-3-159-7", "sor-2023-58",
)
# IRPA s. 101(1)(b.2), in force 2026-03-26, applies to claims made from 2025-06-03 (S.C. 2026 c. 4 s. 75):
# after those 14 days, such a claim is ineligible
not_land_border_barred = condition(
    "not_land_border_barred",
    not_(all_of(fact("entered_between_ports_from_us"), param("claim_bars.land_border_bar_applies"),
                on() > ref("stca_window_last_day"))),
    "irpa-s101", "sc-2026-c4", "irpr-s159-3-159-7",
)

claim_open = all_of(
    ref("is_in_canada"),
    ref("not_citizen_or_permanent_resident"),
    ref("no_protection_or_pending_claim"),
    ref("no_removal_order"),
    ref("no_previous_claim"),
    ref("fears_return"),
    not_barred_one_year,
    ref("not_stca_barred"),
    ref("not_land_border_barred"),
)
# IRPA s. 99(3.1), IRPR s. 159.8(1): an inland claim's Basis of Claim goes in with the claim
boc_due = value("boc_due", on().plus_days(param("boc.inland_days_after_claim")), "irpr-s159-8", "irpa-s99")
bar_clock_running = all_of(ref("one_year_bar_in_effect"), ref("entered_after_reference_day"))

refugee_claim = Option(
    id="refugee_claim",
    # The officer decides eligibility and the IRB decides the claim: at best likely_eligible.
    status=_within_scope(eligibility(claim_open, discretionary=TRUE)),
    sources=("irpa-s96-97", "irpa-s99", "irpa-s101", "ircc-claim-inside-canada"),
    documents=(
        Notice("document.basis_of_claim", sources=("irpr-s159-8", "ircc-claim-inside-canada")),
        Notice("document.identity_documents", sources=("irpa-s99",)),
        Notice("document.evidence_of_risk", sources=("irpa-s96-97",)),
    ),
    deadlines=(
        Deadline("boc_due", ref("boc_due"), "deadline.boc_due", when=claim_open, sources=("irpr-s159-8",)),
        Deadline("claim_last_day", ref("claim_last_day"), "deadline.claim_last_day",
                 when=all_of(claim_open, bar_clock_running), sources=("irpa-s101", "inference-claim-bar-counting")),
    ),
    warnings=(
        Notice("warning.claim_bar_approaching", when=all_of(claim_open, bar_clock_running),
               sources=("irpa-s101", "inference-claim-bar-counting")),
        Notice("warning.claim_bar_retroactive", when=not_(param("claim_bars.bars_enacted")),
               sources=("sc-2026-c4", "legalaid-bc-c12")),
        Notice("warning.stca_exceptions_not_assessed", when=not_(ref("not_stca_barred")),
               sources=("irpr-s159-3-159-7",)),
        Notice("warning.other_bars_not_assessed", when=claim_open, sources=("irpa-s101",)),
        Notice("warning.renewal_undermines_claim", when=fact("citizenships").contains("BY"), show_if_unknown=True),
        Notice("warning.return_risk", when=all_of(ref("fears_return"), fact("citizenships").contains("BY")),
               sources=("bca-letter-2023",)),
    ),
)

# ---------------------------------------------------------------------------------------------------
# Option pre_removal_risk_assessment. Base rule: a person in Canada under a removal order in force may apply
# when notified (IRPA s. 112(1), IRPR s. 160). Exception: the 12-month bar of s. 112(2)(b.1), (c), itself
# lifted by the 2021 exemption for Belarus (s. 112(2.1), IRPR s. 160.1).

# IRPA s. 112(1): citizens cannot be removed
not_citizen = condition("not_citizen", fact("canadian_status").ne("citizen"), "irpa-s112")
# IRPA s. 112(1), IRPR s. 160: a PRRA is offered to people under a removal order in force
has_removal_order = condition("has_removal_order", fact("removal_order"), "irpa-s112", "irpr-s160-163")
# IRPA s. 112(2)(b.1), (c): 12 months after the claim was rejected, withdrawn or abandoned (or a prior PRRA)
prra_bar_ends = value(
    "prra_bar_ends", fact("last_negative_decision_date").plus_months(param("prra.bar_months")), "irpa-s112",
    "interpretation-act-time",
)
prra_twelve_months_passed = condition("prra_twelve_months_passed", on() >= ref("prra_bar_ends"), "irpa-s112")
# IRPA s. 112(2.1), IRPR s. 160.1: from 2021-02-19, Belarus nationals whose final negative decision is dated
# 2020-02-20 to 2021-02-19 are exempt from the bar. Reported only by a secondary source: unverified.
prra_belarus_exemption = condition(
    "prra_belarus_exemption",
    all_of(
        fact("citizenships").contains("BY"),
        param("prra.belarus_exemption_in_effect"),
        fact("last_negative_decision_date") >= param("prra.belarus_exemption_decisions_first"),
        fact("last_negative_decision_date") <= param("prra.belarus_exemption_decisions_last"),
    ),
    "twa-belarus-prra-exemption", "irpa-s112",
    verified=False,
)
# A prior negative PRRA without a claim also starts the bar (112(2)(c)); the contract cannot tell a given
# decision date from an absent one without a claim, so that case is left to warning.prra_prior_assessment.
prra_bar_passed = any_of(
    not_(ref("previous_claim_refused_withdrawn_or_abandoned")),
    ref("prra_twelve_months_passed"),
    ref("prra_belarus_exemption"),
)
prra_open = all_of(ref("is_in_canada"), ref("not_citizen"), ref("has_removal_order"), prra_bar_passed)
# IRPR ss. 162, 232: applying within 15 days after notification stops removal; the notification date is
# not a contract fact, so it is assumed to be the `on` date (warning.prra_window_from_notification)
prra_application_last_day = value(
    "prra_application_last_day", on().plus_days(param("prra.stay_window_days")), "irpr-s160-163",
    "interpretation-act-time",
)

pre_removal_risk_assessment = Option(
    id="pre_removal_risk_assessment",
    status=_within_scope(eligibility(prra_open, discretionary=TRUE)),
    sources=("irpa-s112", "irpr-s160-163"),
    documents=(Notice("document.evidence_of_risk", sources=("irpa-s112",)),),
    deadlines=(
        Deadline("prra_application_last_day", ref("prra_application_last_day"),
                 "deadline.prra_application_last_day", when=prra_open, sources=("irpr-s160-163",)),
        Deadline("prra_bar_ends", ref("prra_bar_ends"), "deadline.prra_bar_ends",
                 when=not_(prra_bar_passed), sources=("irpa-s112",)),
    ),
    warnings=(
        Notice("warning.prra_window_from_notification", when=prra_open, sources=("irpr-s160-163",)),
        Notice("warning.prra_stca_exclusion_not_assessed", when=fact("previous_claim").eq("ineligible"),
               sources=("irpa-s112",)),
        Notice("warning.prra_prior_assessment",
               when=all_of(prra_open, not_(ref("previous_claim_refused_withdrawn_or_abandoned"))),
               sources=("irpa-s112",)),
        Notice("warning.return_risk", when=all_of(ref("fears_return"), fact("citizenships").contains("BY")),
               sources=("bca-letter-2023",)),
    ),
)

# ---------------------------------------------------------------------------------------------------
# Option humanitarian_compassionate. Base rule: a foreign national in Canada may ask for permanent residence
# on H&C grounds (IRPA s. 25(1)). Exceptions: s. 25(1.2)(b) claim pending, (c) 12-month bar.

# IRPA s. 25(1): a foreign national (not a citizen or permanent resident)
is_foreign_national = condition(
    "is_foreign_national", fact("canadian_status").is_in(("citizen", "permanent_resident")).eq(False), "irpa-s25"
)
# IRPA s. 25(1.2)(b): not examined while a refugee claim is pending before the IRB
no_pending_claim = condition("no_pending_claim", fact("canadian_status").ne("refugee_claimant"), "irpa-s25")
# IRPA s. 25(1.2)(c): not examined until 12 months after a claim was rejected, withdrawn or abandoned
hc_bar_ends = value(
    "hc_bar_ends", fact("last_negative_decision_date").plus_months(param("hc.bar_months")), "irpa-s25",
    "interpretation-act-time",
)
hc_twelve_months_passed = condition("hc_twelve_months_passed", on() >= ref("hc_bar_ends"), "irpa-s25")
hc_bar_passed = any_of(not_(ref("previous_claim_refused_withdrawn_or_abandoned")), ref("hc_twelve_months_passed"))
hc_open = all_of(ref("is_in_canada"), ref("is_foreign_national"), ref("no_pending_claim"), hc_bar_passed)

humanitarian_compassionate = Option(
    id="humanitarian_compassionate",
    status=_within_scope(eligibility(hc_open, discretionary=TRUE)),
    sources=("irpa-s25", "irpr-s307"),
    fees=(Fee("fee.hc_principal", param("hc.fee_principal")),),
    deadlines=(
        Deadline("hc_bar_ends", ref("hc_bar_ends"), "deadline.hc_bar_ends", when=not_(hc_bar_passed),
                 sources=("irpa-s25",)),
    ),
    warnings=(
        Notice("warning.hc_bar_exceptions_not_assessed", when=not_(hc_bar_passed), sources=("irpa-s25",)),
        Notice("warning.hc_no_stay_of_removal", when=fact("removal_order"), sources=("irpa-s25",)),
        Notice("warning.hc_no_risk_factors", sources=("irpa-s25",)),
    ),
)

DEFINITION = RulebookDefinition(
    subject="person",
    version="2026.11",
    rules=(
        is_in_canada,
        previous_claim_refused_withdrawn_or_abandoned,
        no_protection_or_pending_claim,
        not_citizen_or_permanent_resident,
        no_removal_order,
        no_previous_claim,
        fears_return,
        one_year_bar_in_effect,
        bar_reference_day,
        first_entry_after_reference_day,
        first_entry_in_bar_period,
        entered_after_reference_day,
        claim_last_day,
        claimed_within_one_year,
        stca_window_last_day,
        not_stca_barred,
        not_land_border_barred,
        boc_due,
        not_citizen,
        has_removal_order,
        prra_bar_ends,
        prra_twelve_months_passed,
        prra_belarus_exemption,
        prra_application_last_day,
        is_foreign_national,
        no_pending_claim,
        hc_bar_ends,
        hc_twelve_months_passed,
    ),
    options=(refugee_claim, pre_removal_risk_assessment, humanitarian_compassionate),
)
