"""Shipments to and from Belarus under Canadian law: export permits (EIPA: Area Control List, Export Control
List), the Belarus sanctions regulations (SOR/2020-214), the tariff treatment of Belarusian goods, and the
end user screened against Schedule 1 as listed on the shipment date.

The schedules are data (`data/*.yaml`, transcribed from the law) read here at import; goods are matched to
them by HS prefix. HS codes in Schedules 4 and 5 are "for reference purposes only" (the description is the
legal test), and the Schedule 2 headings are our reading (the law prints none): the output says so.
The law is applied as of the assessment date (`on`); the shipment date (`shipped_on`) decides which
Schedule 1 entries count, and a warning is shown when the two differ. See docs/trade.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from passage.engine import (
    Derivation,
    Notice,
    Option,
    RulebookDefinition,
    all_of,
    any_of,
    case,
    condition,
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
from passage.engine.errors import RulebookError
from passage.engine.expressions import Expr
from passage.engine.library import read_yaml

DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, Any]:
    loaded = read_yaml(DATA / name)  # the engine's safe libyaml loader: errors name the file and line
    if not isinstance(loaded, dict):
        raise RulebookError(str(DATA / name), "(top level)", "expected a mapping")
    return loaded


def _prefixes(schedule: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted({str(code) for item in schedule["items"] for code in item.get("hs") or ()}))


def _lines(schedule: Mapping[str, Any], label: str) -> list[tuple[str, tuple[str, ...]]]:
    return [
        (f"{label}, item {item['item']} (HS {', '.join(item['hs'])}): {item['description'][:120]}",
         tuple(item["hs"]))
        for item in schedule["items"]
        if item.get("hs")
    ]


SCH2_1 = _load("schedule_2_part1.yaml")
SCH2_2 = _load("schedule_2_part2.yaml")
SCH3 = _load("schedule_3.yaml")
SCH4_1 = _load("schedule_4_part1.yaml")
SCH4_2 = _load("schedule_4_part2.yaml")
SCH5 = _load("schedule_5.yaml")
HUMANITARIAN = _load("humanitarian_hs.yaml")

HUMANITARIAN_HS = tuple(sorted({str(entry["hs"]) for entry in HUMANITARIAN["entries"]}))
ACL_NAMED = ("BY", "MM", "KP")  # every country the Area Control List is known to have held

# Dates fixed by the law (each cited where it is used).
SEMA_IN_FORCE = date(2020, 9, 28)  # SOR/2020-214 registered and in force
SCH2_IN_FORCE: date = SCH2_1["in_force"]  # ss. 3.4, 3.5 (SOR/2021-184); also the contract cut-off (s. 8)
RGTL_IN_FORCE = date(2022, 4, 5)  # s. 3.6 (SOR/2022-75)
SCH3_IN_FORCE: date = SCH3["in_force"]  # Schedule 3 added to s. 3.6 (SOR/2022-167)
SCH4_EFFECT: date = SCH4_1["takes_effect"]  # s. 3.7(5): 60 days after 2022-06-25
SCH5_EFFECT: date = SCH5["takes_effect"]  # s. 3.8(3)
ACL_INTERIM_POLICY = date(2016, 5, 7)  # permits normally issued for non-ECL goods (secondary source)
ECL_SUSPENSION = date(2020, 11, 9)  # new ECL permits to Belarus suspended (secondary source)
RADIOISOTOPE_MFN = date(2022, 10, 8)  # SOR/2022-209: tariff item 2844.43.00 regains MFN
GT_IN_FORCE = date(2022, 3, 2)  # SOR/2022-35
GPT_WITHDRAWN = date(2007, 8, 1)  # SOR/2007-174
ECL_GROUP5 = ("51", "52", "54", "55")  # Group 5 items are numbered 5101-5104, 5200-5202, 5400-5401, 5501-5506

HS = fact("hs_code")
COUNTRY = fact("country")
NO_LINE = law_unknown("gap.no_schedule_line")
NO_RATE = law_unknown("gap.rate_not_encoded")
NO_POLICY = law_unknown("gap.policy_without_permit")


def _open(key: str) -> Expr:
    """A yes/no the law leaves open (`law_unknown`), compared with true so that the vectorized evaluator
    types it as a boolean null: Polars cannot negate `x & <untyped null>` ("dtype Null not supported")."""
    return law_unknown(key).eq(True)


def _listed(param_id: str) -> Expr:
    """An Area Control List parameter as a boolean, typed even where the law is not encoded (see `_open`)."""
    return param(param_id).eq(True)


def _line_tree(lines: Sequence[tuple[str, tuple[str, ...]]]) -> Expr:
    """The first schedule line whose HS prefixes the code starts with, found by halving the list (a flat
    `case` would nest hundreds of levels)."""
    if len(lines) == 1:
        label, prefixes = lines[0]
        return if_(HS.starts_with(prefixes), label, NO_LINE)
    middle = len(lines) // 2
    left, right = lines[:middle], lines[middle:]
    return if_(HS.starts_with(tuple(p for _, ps in left for p in ps)), _line_tree(left), _line_tree(right))


# Shipment ----------------------------------------------------------------------------------------
is_export = condition("is_export", fact("direction").eq("export"), "eipa-s13")
is_import = condition("is_import", fact("direction").eq("import"), "customs-tariff-s29")
destination_belarus = condition(
    "destination_belarus", all_of(ref("is_export"), COUNTRY.eq("BY")), "sor-2020-214"
)
exported_from_belarus = condition(
    "exported_from_belarus", all_of(ref("is_import"), fact("exported_from").eq("BY")), "sor-2020-214"
)
origin_belarus = condition("origin_belarus", all_of(ref("is_import"), COUNTRY.eq("BY")), "sor-2022-35")
personal_effects = condition(
    "personal_effects", fact("personal_effects").eq(True), "sor-2020-214", verified=False
)
shipped_on_other_day = condition("shipped_on_other_day", fact("shipped_on").ne(on()), "sor-2020-214")

# Export permits (EIPA) ---------------------------------------------------------------------------
on_area_control_list = condition(
    "on_area_control_list",
    any_of(
        COUNTRY.eq("BY") & _listed("area_control_list.belarus"),
        COUNTRY.eq("KP") & _listed("area_control_list.dprk"),
        not_(COUNTRY.is_in(ACL_NAMED)) & _listed("area_control_list.other_countries"),
    ),
    "sor-81-543", "eipa-s13",
)
burma_on_area_control_list = condition(
    "burma_on_area_control_list", COUNTRY.eq("MM") & _listed("area_control_list.burma"),
    "acl-burma-2012-secondary", "eipa-s13", verified=False,
)
on_export_control_list = condition(
    "on_export_control_list",
    all_of(
        present("ecl_item"),
        if_(COUNTRY.eq("US"), _open("gap.ecl_scope_us"),
            if_(fact("ecl_item").starts_with(ECL_GROUP5), _open("gap.ecl_scope_group5"), True)),
    ),
    "ecl-sor-89-202", "eipa-s13",
)
permit_needed = value(
    "permit_needed",
    all_of(ref("is_export"), any_of(ref("on_area_control_list"), ref("burma_on_area_control_list"),
                                    ref("on_export_control_list"))),
    "eipa-s13",
)
belarus_acl_period = condition(
    "belarus_acl_period", all_of(COUNTRY.eq("BY"), _listed("area_control_list.belarus")), "gac-notice-148"
)
humanitarian_goods = condition(
    "humanitarian_goods", any_of(HS.starts_with(HUMANITARIAN_HS), fact("personal_effects").eq(True)),
    "gac-notice-148", "inference-humanitarian-hs", verified=False,
)
acl_interim_policy = condition(
    "acl_interim_policy",
    all_of(ref("belarus_acl_period"), on() >= ACL_INTERIM_POLICY, not_(present("ecl_item"))),
    "acl-interim-2016-secondary", verified=False,
)
ecl_belarus_suspended = condition(
    "ecl_belarus_suspended", all_of(COUNTRY.eq("BY"), present("ecl_item"), on() >= ECL_SUSPENSION),
    "ecl-belarus-suspension-2020-secondary", verified=False,
)
permit_policy = value(
    "permit_policy",
    case(
        (ref("ecl_belarus_suspended"), "not_being_issued"),
        (all_of(ref("belarus_acl_period"), ref("humanitarian_goods")), "generally_approved"),
        (ref("acl_interim_policy"), "generally_approved"),
        (ref("belarus_acl_period"), "generally_denied"),
        default="case_by_case",
    ),
    "gac-notice-148", "eipa-s13",
)

# Sanctions (SOR/2020-214) ------------------------------------------------------------------------
sema_in_force = condition("sema_in_force", on() >= SEMA_IN_FORCE, "sor-2020-214-s3")
# The two guards are true whenever the screening could run; they name the facts a user can give.
_screened = all_of(fact("end_user").ne(""), fact("shipped_on") > date(1900, 1, 1))
end_user_listed = condition(
    "end_user_listed", all_of(_screened, fact("end_user_screening").eq("match")),
    "sor-2020-214-sch1-p1", "sor-2020-214-sch1-p1-1", "sor-2020-214-sch1-p2", "sor-2020-214-sch1-p3",
)
end_user_possibly_listed = condition(
    "end_user_possibly_listed", all_of(_screened, fact("end_user_screening").eq("possible_match")),
    "sor-2020-214-sch1-p1", "sor-2020-214-sch1-p1-1", "sor-2020-214-sch1-p2", "sor-2020-214-sch1-p3",
)
s3_listed_end_user = condition(
    "s3_listed_end_user", all_of(ref("sema_in_force"), ref("end_user_listed")), "sor-2020-214-s3"
)
s3_possible_listed_end_user = condition(
    "s3_possible_listed_end_user", all_of(ref("sema_in_force"), ref("end_user_possibly_listed")),
    "sor-2020-214-s3",
)
contract_before_schedule_2 = condition(
    "contract_before_schedule_2", fact("contract_date") < SCH2_IN_FORCE, "sor-2021-184-s8"
)
in_schedule_2_part_1 = condition(
    "in_schedule_2_part_1", HS.starts_with(_prefixes(SCH2_1)), "sor-2020-214-sch2", "inference-sch2-hs",
    verified=False,
)
in_schedule_2_part_2 = condition(
    "in_schedule_2_part_2", HS.starts_with(_prefixes(SCH2_2)), "sor-2020-214-sch2", "inference-sch2-hs",
    verified=False,
)
in_schedule_4_part_1 = condition(
    "in_schedule_4_part_1", HS.starts_with(_prefixes(SCH4_1)), "sor-2020-214-sch4"
)
in_schedule_4_part_2 = condition(
    "in_schedule_4_part_2", HS.starts_with(_prefixes(SCH4_2)), "sor-2020-214-sch4"
)
in_schedule_5 = condition("in_schedule_5", HS.starts_with(_prefixes(SCH5)), "sor-2020-214-sch5")
s3_4_petroleum = condition(
    "s3_4_petroleum",
    all_of(on() >= SCH2_IN_FORCE, ref("exported_from_belarus"), ref("in_schedule_2_part_1"),
           not_(ref("contract_before_schedule_2"))),
    "sor-2020-214-sch2", "sor-2021-184-s8", verified=False,
)
s3_5_potash = condition(
    "s3_5_potash",
    all_of(on() >= SCH2_IN_FORCE, ref("exported_from_belarus"), ref("in_schedule_2_part_2"),
           not_(ref("contract_before_schedule_2"))),
    "sor-2020-214-sch2", "sor-2021-184-s8", verified=False,
)
s3_6_rgtl = condition(
    "s3_6_rgtl",
    all_of(on() >= RGTL_IN_FORCE, ref("destination_belarus"), not_(ref("personal_effects")),
           _open("gap.rgtl_not_encoded")),
    "sor-2020-214", "gac-rgtl",
)
s3_6_schedule_3 = condition(
    "s3_6_schedule_3",
    all_of(on() >= SCH3_IN_FORCE, ref("destination_belarus"), not_(ref("personal_effects")),
           any_of(not_(present("ecl_item")), fact("ecl_item").starts_with(("5400",))),
           _open("gap.schedule_3_by_description")),
    "sor-2020-214-sch3",
)
s3_7_luxury_export = condition(
    "s3_7_luxury_export",
    all_of(on() >= SCH4_EFFECT, ref("destination_belarus"), ref("in_schedule_4_part_1"),
           not_(ref("personal_effects"))),
    "sor-2020-214-sch4",
)
s3_7_luxury_import = condition(
    "s3_7_luxury_import",
    all_of(on() >= SCH4_EFFECT, ref("exported_from_belarus"), ref("in_schedule_4_part_2"),
           not_(ref("personal_effects"))),
    "sor-2020-214-sch4",
)
s3_8_weapons_goods = condition(
    "s3_8_weapons_goods",
    all_of(on() >= SCH5_EFFECT, ref("destination_belarus"), ref("in_schedule_5"),
           not_(ref("personal_effects"))),
    "sor-2020-214-sch5",
)
sanctions_prohibited = value(
    "sanctions_prohibited",
    any_of(ref("s3_listed_end_user"), ref("s3_4_petroleum"), ref("s3_5_potash"), ref("s3_7_luxury_export"),
           ref("s3_7_luxury_import"), ref("s3_8_weapons_goods"), ref("s3_6_rgtl"), ref("s3_6_schedule_3")),
    "sor-2020-214",
)
schedule_goods_in_play = condition(
    "schedule_goods_in_play",
    any_of(all_of(ref("destination_belarus"), on() >= RGTL_IN_FORCE),
           all_of(ref("exported_from_belarus"), on() >= SCH2_IN_FORCE)),
    "sor-2020-214-sch4", "sor-2020-214-sch5",
)

# Tariff (Customs Tariff) -------------------------------------------------------------------------
# Each test is joined with the origin so that, vectorized, a parameter with no value in law stays a typed
# boolean null (a bare null literal cannot be negated by Polars).
general_tariff_applies = condition(
    "general_tariff_applies", all_of(ref("origin_belarus"), param("tariff.belarus_treatment").eq("GT")),
    "sor-2022-35", "customs-tariff-s29",
)
gpt_withdrawn = condition(
    "gpt_withdrawn", all_of(ref("origin_belarus"), param("tariff.belarus_treatment").eq("MFN")),
    "sor-2007-174",
)
gpt_available = condition(
    "gpt_available", all_of(ref("origin_belarus"), param("tariff.belarus_treatment").eq("GPT")),
    "gpt-belarus-before-2007-inference", verified=False,
)
radioisotopes_mfn = condition(
    "radioisotopes_mfn", all_of(on() >= RADIOISOTOPE_MFN, HS.starts_with(("284443",))), "sor-2022-209"
)
tariff_status = case(
    (not_(ref("is_import")), "not_applicable"),
    (not_(ref("origin_belarus")), law_unknown("gap.tariff_other_origins")),
    (ref("general_tariff_applies"), if_(ref("radioisotopes_mfn"), "MFN", "GT")),
    (ref("gpt_withdrawn"), "MFN"),
    (ref("gpt_available"), "GPT"),
    default=law_unknown("gap.tariff_treatment_unknown"),
)
gt_rate_applies = all_of(ref("origin_belarus"), ref("general_tariff_applies"), not_(ref("radioisotopes_mfn")))

# Screening (a matcher, not a rule: a Derivation) -------------------------------------------------
SCREENED_FACTS = ("end_user_screening", "end_user_match_name", "end_user_match_entry", "end_user_match_score")


@lru_cache(maxsize=1)
def _screener() -> Any:
    """One screener over every Schedule 1 entry, built on first use; entries are filtered by date."""
    from passage.screening import Screener, load_listed_persons

    entries = load_listed_persons()
    return Screener(entries), len(entries)


def screen_end_user(facts: Mapping[str, object], on_day: date) -> dict[str, object]:
    """The end user screened against Schedule 1 as it stood on the shipment date: an entry counts only from
    its `listed_on` day."""
    screener, size = _screener()
    day = facts["shipped_on"]
    name = facts["end_user"]
    results = [
        r for r in screener.screen(str(name), limit=size)
        if r.entry is not None and r.status != "no_match"
        and (r.entry.listed_on is None or r.entry.listed_on <= day)
    ]
    if not results:
        return {"end_user_screening": "no_match", "end_user_match_name": None, "end_user_match_entry": None,
                "end_user_match_score": None}
    best = results[0]
    entry = best.entry
    return {
        "end_user_screening": best.status,
        "end_user_match_name": entry.name,
        "end_user_match_entry": f"SOR/2020-214 Sch. 1, Part {entry.part}, item {entry.item} ({entry.id}), "
                                f"listed {entry.listed_on.isoformat() if entry.listed_on else '?'}",
        "end_user_match_score": round(best.score),
    }


# Options -----------------------------------------------------------------------------------------
LAW_DATE_WARNING = Notice("warning.law_as_of_assessment_date", when=ref("shipped_on_other_day"))

export_permit = Option(
    id="export_permit",
    status=if_(ref("permit_needed"), "required", "not_required"),
    statuses=("required", "not_required", "needs_info"),
    unknown_status="needs_info",
    favourable=("not_required",),
    sources=("eipa-s13", "sor-81-543", "ecl-sor-89-202"),
    warnings=(
        Notice("warning.policy_generally_approved",
               when=all_of(ref("permit_needed"), ref("belarus_acl_period"), ref("humanitarian_goods")),
               sources=("gac-notice-148",)),
        Notice("warning.policy_normally_issued", when=all_of(ref("permit_needed"), ref("acl_interim_policy")),
               sources=("acl-interim-2016-secondary",)),
        Notice("warning.policy_generally_denied",
               when=all_of(ref("permit_needed"), ref("belarus_acl_period"), not_(ref("humanitarian_goods")),
                           not_(ref("acl_interim_policy"))),
               sources=("gac-notice-148",)),
        Notice("warning.ecl_belarus_not_issued", when=ref("ecl_belarus_suspended"),
               sources=("ecl-belarus-suspension-2020-secondary",)),
        Notice("warning.no_gep_41_for_belarus",
               when=all_of(ref("is_export"), COUNTRY.eq("BY"), present("ecl_item")),
               sources=("gep-41",)),
        Notice("warning.diversion_s15", when=all_of(ref("is_export"), present("ecl_item")),
               sources=("eipa-s15",)),
        LAW_DATE_WARNING,
    ),
    values={"policy": if_(ref("permit_needed"), ref("permit_policy"), NO_POLICY)},
)

sanctions_prohibition = Option(
    id="sanctions_prohibition",
    status=case(
        (ref("sanctions_prohibited"), "prohibited"),
        (ref("s3_possible_listed_end_user"), "needs_info"),
        default="not_prohibited",
    ),
    statuses=("prohibited", "not_prohibited", "needs_info"),
    unknown_status="needs_info",
    favourable=("not_prohibited",),
    sources=("sor-2020-214",),
    warnings=(
        Notice("warning.hs_reference_only", when=ref("schedule_goods_in_play"), show_if_unknown=True,
               sources=("sor-2020-214-sch4", "sor-2020-214-sch5")),
        Notice("warning.schedule_2_hs_is_ours",
               when=all_of(ref("exported_from_belarus"), on() >= SCH2_IN_FORCE),
               sources=("inference-sch2-hs",)),
        Notice("warning.contract_exception_applies",
               when=all_of(on() >= SCH2_IN_FORCE, ref("exported_from_belarus"),
                           any_of(ref("in_schedule_2_part_1"), ref("in_schedule_2_part_2")),
                           ref("contract_before_schedule_2")),
               sources=("sor-2021-184-s8",)),
        Notice("warning.possible_match_human_check", when=ref("s3_possible_listed_end_user"),
               sources=("sor-2020-214-s3",)),
        Notice("warning.s4_exceptions", when=ref("s3_listed_end_user"), sources=("sor-2020-214-s3",)),
        Notice("warning.s3_6_s3_8_exceptions",
               when=any_of(ref("s3_8_weapons_goods"), ref("s3_6_rgtl"), ref("s3_6_schedule_3")),
               show_if_unknown=True, sources=("sor-2020-214",)),
        Notice("warning.personal_effects_conditions",
               when=all_of(ref("personal_effects"), on() >= RGTL_IN_FORCE,
                           any_of(ref("destination_belarus"), ref("exported_from_belarus"))),
               sources=("sor-2020-214",)),
        Notice("warning.sema_permit", when=ref("sanctions_prohibited"), sources=("sema-permits",)),
        LAW_DATE_WARNING,
    ),
    values={
        "schedule_line": case(
            (ref("s3_8_weapons_goods"), _line_tree(_lines(SCH5, "SOR/2020-214 Sch. 5"))),
            (ref("s3_7_luxury_export"), _line_tree(_lines(SCH4_1, "SOR/2020-214 Sch. 4 Part 1"))),
            (ref("s3_7_luxury_import"), _line_tree(_lines(SCH4_2, "SOR/2020-214 Sch. 4 Part 2"))),
            (ref("s3_4_petroleum"), _line_tree(_lines(SCH2_1, "SOR/2020-214 Sch. 2 Part 1"))),
            (ref("s3_5_potash"), _line_tree(_lines(SCH2_2, "SOR/2020-214 Sch. 2 Part 2"))),
            default=NO_LINE,
        ),
    },
)

tariff_treatment = Option(
    id="tariff_treatment",
    status=tariff_status,
    statuses=("GPT", "MFN", "GT", "not_applicable", "needs_info"),
    unknown_status="needs_info",
    favourable=("GPT", "MFN", "not_applicable"),
    sources=("customs-tariff-s29", "sor-2007-174", "sor-2022-35", "sor-2022-209"),
    warnings=(
        Notice("warning.gt_mfn_if_higher", when=gt_rate_applies, sources=("customs-tariff-s29",)),
        Notice("warning.transit_2022",
               when=all_of(gt_rate_applies, fact("shipped_on") <= GT_IN_FORCE), sources=("sor-2022-35",)),
        Notice("warning.transit_2007",
               when=all_of(ref("origin_belarus"), ref("gpt_withdrawn"), fact("shipped_on") < GPT_WITHDRAWN),
               sources=("sor-2007-174",)),
        Notice("warning.origin_by_marking_rules", when=ref("origin_belarus"), sources=("sor-2022-209",)),
        LAW_DATE_WARNING,
    ),
    values={"rate": if_(gt_rate_applies, param("tariff.general_tariff_rate"), NO_RATE)},
)

listed_party = Option(
    id="listed_party",
    status=case((ref("end_user_listed"), "match"), (ref("end_user_possibly_listed"), "possible_match"),
                default="no_match"),
    statuses=("match", "possible_match", "no_match", "needs_info"),
    unknown_status="needs_info",
    favourable=("no_match",),
    sources=("sor-2020-214-s3", "gac-consolidated-sanctions-list"),
    warnings=(
        Notice("warning.possible_match_human_check", when=ref("end_user_possibly_listed"),
               sources=("sor-2020-214-s3",)),
        Notice("warning.screening_is_evidence",
               when=any_of(ref("end_user_listed"), ref("end_user_possibly_listed")),
               sources=("passage-screening",)),
        Notice("warning.only_end_user_screened", sources=("sor-2020-214-s3",)),
    ),
    values={
        "matched_name": fact("end_user_match_name"),
        "matched_entry": fact("end_user_match_entry"),
        "score": fact("end_user_match_score"),
    },
)

DEFINITION = RulebookDefinition(
    subject="shipment",
    version="2026.11",
    rules=(
        is_export, is_import, destination_belarus, exported_from_belarus, origin_belarus, personal_effects,
        shipped_on_other_day,
        on_area_control_list, burma_on_area_control_list, on_export_control_list, permit_needed,
        belarus_acl_period, humanitarian_goods, acl_interim_policy, ecl_belarus_suspended, permit_policy,
        sema_in_force, end_user_listed, end_user_possibly_listed, s3_listed_end_user,
        s3_possible_listed_end_user, contract_before_schedule_2, in_schedule_2_part_1, in_schedule_2_part_2,
        in_schedule_4_part_1, in_schedule_4_part_2, in_schedule_5, s3_4_petroleum, s3_5_potash, s3_6_rgtl,
        s3_6_schedule_3, s3_7_luxury_export, s3_7_luxury_import, s3_8_weapons_goods, sanctions_prohibited,
        schedule_goods_in_play,
        general_tariff_applies, gpt_withdrawn, gpt_available, radioisotopes_mfn,
    ),
    options=(export_permit, sanctions_prohibition, tariff_treatment, listed_party),
    derivations=(
        Derivation(
            facts=SCREENED_FACTS,
            inputs=("end_user", "shipped_on"),
            compute=screen_end_user,
            sources=("passage-screening", "sor-2020-214-sch1-p1"),
        ),
    ),
)
