"""draft_from_271: status, per-line precedence, amounts met, limits, carve-outs and notes.

Pure tests: no app, no database. Rules are tested on hand-built Benefits; the fixtures are then
checked end to end.
"""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coordinator.x12 import draft_from_271, parse_271
from coordinator.x12.mapping import LINE_SOURCES, LineDraft, provenance, tier_of
from coordinator.x12.parse271 import (
    Benefit,
    EligibilityResponse,
    Entity,
    Member,
    Party,
    Rejection,
    TraceNumber,
)

FIXTURES = Path(__file__).parent / "x12_fixtures"
RESIDENTIAL, OUTPATIENT, MENTAL, PHARMACY = ("sud_residential", "sud_outpatient", "mental_health", "pharmacy")


def eb(code: str, *service_types: str, level: str = "IND", **values) -> Benefit:
    fields = {
        "member_level": "subscriber",
        "code": code,
        "label": f"label {code}",
        "coverage_level": level,
        "service_types": service_types,
        "insurance_type": None,
        "plan_description": None,
        "time_period": None,
        "amount": None,
        "percent": None,
        "quantity_qualifier": None,
        "quantity": None,
        "auth_required": None,
        "in_network": None,
    }
    fields.update(values)
    return Benefit(**fields)


def member(**values) -> Member:
    fields = {
        "last_name": "RIVERA",
        "first_name": "JORDAN",
        "member_id": "M1",
        "birth_date": None,
        "gender": None,
        "group_number": "G1",
        "plan_number": None,
        "trace_numbers": (),
        "dates": {},
        "rejections": (),
    }
    fields.update(values)
    return Member(**fields)


def response(*benefits: Benefit, rejections=(), subscriber=None, dependent=None):
    return EligibilityResponse(
        sender_id="S",
        receiver_id="R",
        interchange_control=1,
        transaction_control="0001",
        created_at=datetime(2026, 3, 10),
        reference=None,
        payer=Party("ACME", "60054"),
        receiver=Party("HARBOR", "1234567893"),
        subscriber=subscriber or member(),
        dependent=dependent,
        rejections=tuple(rejections),
        benefits=benefits,
    )


def line(*benefits: Benefit, name: str = RESIDENTIAL) -> LineDraft:
    return draft_from_271(response(*benefits)).lines[name]


def notes(*benefits: Benefit) -> tuple[str, ...]:
    return draft_from_271(response(*benefits)).notes


ACTIVE_PLAN = eb("1", "30", insurance_type="PR", plan_description="GOLD")
D = Decimal


# --- service-line table ---------------------------------------------------------------------


def test_the_service_line_table_is_the_documented_one():
    assert LINE_SOURCES == {
        RESIDENTIAL: (("specific", ("CI",)), ("general", ("AI", "AJ", "AK")), ("plan", ("30",))),
        OUTPATIENT: (("specific", ("CJ", "BB")), ("general", ("AI", "AJ", "AK")), ("plan", ("30",))),
        MENTAL: (
            ("specific", ("MH", "CE", "CF", "CG", "CH", "A4", "A5", "A6", "A7", "A8", "BB", "BC", "BD", "RT")),
            ("plan", ("30",)),
        ),
        PHARMACY: (("specific", ("88",)), ("plan", ("30",))),
    }


@pytest.mark.parametrize(
    "service_types, expected",
    [
        (("CI",), {RESIDENTIAL: "specific"}),
        (("AJ",), {RESIDENTIAL: "general", OUTPATIENT: "general"}),
        (("BB",), {OUTPATIENT: "specific", MENTAL: "specific"}),
        (("30",), {RESIDENTIAL: "plan", OUTPATIENT: "plan", MENTAL: "plan", PHARMACY: "plan"}),
        ((), {RESIDENTIAL: "plan", OUTPATIENT: "plan", MENTAL: "plan", PHARMACY: "plan"}),
        (("30", "CI"), {RESIDENTIAL: "specific", OUTPATIENT: "plan", MENTAL: "plan", PHARMACY: "plan"}),
        (("60",), {}),
        (("65",), {}),
        (("69",), {}),
        (("1", "98"), {}),
    ],
)
def test_which_lines_a_benefit_feeds_and_through_which_tier(service_types, expected):
    benefit = eb("1", *service_types)
    tiers = {name: tier_of(name, benefit) for name in LINE_SOURCES}
    assert {name: tier for name, tier in tiers.items() if tier} == expected


# --- precedence -----------------------------------------------------------------------------


def test_specific_beats_general_beats_plan_field_by_field():
    benefits = (
        ACTIVE_PLAN,
        eb("A", "30", percent=D("0.5")),
        eb("A", "AI", percent=D("0.3")),
        eb("A", "CI", percent=D("0.2")),
        eb("C", "30", time_period="23", amount=D("1500")),
    )
    residential, outpatient = line(*benefits), line(*benefits, name=OUTPATIENT)
    assert residential.coinsurance_percent == D("20")
    assert outpatient.coinsurance_percent == D("30")
    assert line(*benefits, name=MENTAL).coinsurance_percent == D("50")
    assert residential.deductible_individual == outpatient.deductible_individual == D("1500")


def test_in_network_beats_unspecified_at_the_same_tier():
    draft = line(
        eb("B", "CI", amount=D("40"), time_period="27"), eb("B", "CI", amount=D("25"), time_period="27", in_network="Y")
    )
    assert (draft.copay, draft.copay_per) == (D("25"), "visit")


def test_out_of_network_figures_are_never_used_even_when_more_specific():
    benefits = (eb("A", "CI", percent=D("0.5"), in_network="N"), eb("A", "30", percent=D("0.2"), in_network="Y"))
    assert line(*benefits).coinsurance_percent == D("20")


def test_only_out_of_network_figures_leave_the_field_empty_with_a_note():
    benefit = eb("A", "CI", percent=D("0.5"), in_network="N")
    assert line(benefit).coinsurance_percent is None
    assert notes(benefit) == (
        (
            "Substance use residential: only an out-of-network figure was reported (EB*A IND CI "
            "50% out of network), so the field is left empty."
        ),
    )


def test_differing_values_at_the_same_precedence_are_noted():
    benefits = (
        eb("B", "CI", amount=D("25"), time_period="27", in_network="Y"),
        eb("B", "CI", amount=D("250"), time_period="36", in_network="Y"),
    )
    assert line(*benefits).copay == D("25")
    assert (
        "Substance use residential: also reported EB*B IND CI admission $250 in network; "
        "using EB*B IND CI visit $25 in network."
    ) in notes(*benefits)


# --- fields ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "benefits, total, met",
    [
        (
            (eb("C", "30", time_period="23", amount=D("1500")), eb("C", "30", time_period="29", amount=D("600"))),
            D("1500"),
            D("900"),
        ),
        (
            (eb("C", "30", time_period="23", amount=D("1500")), eb("C", "30", time_period="24", amount=D("200"))),
            D("1500"),
            D("200"),
        ),
        (
            (
                eb("C", "30", time_period="23", amount=D("1500")),
                eb("C", "30", time_period="29", amount=D("600")),
                eb("C", "30", time_period="24", amount=D("950")),
            ),
            D("1500"),
            D("950"),
        ),
        ((eb("C", "30", time_period="23", amount=D("1500")),), D("1500"), None),
        (
            (
                eb("C", "30", level="EMP", time_period="22", amount=D("800.50")),
                eb("C", "30", level="EMP", time_period="33", amount=D("0.50")),
            ),
            D("800.50"),
            D("800.00"),
        ),
    ],
)
def test_deductible_total_and_met(benefits, total, met):
    draft = line(*benefits)
    assert (draft.deductible_individual, draft.deductible_individual_met) == (total, met)
    assert isinstance(draft.deductible_individual, Decimal)


def test_family_and_out_of_pocket_amounts_are_kept_apart():
    draft = line(
        eb("G", "30", level="FAM", time_period="23", amount=D("10000")),
        eb("G", "30", level="FAM", time_period="29", amount=D("7500")),
        eb("G", "30", time_period="23", amount=D("5000")),
        eb("C", "30", level="FAM", time_period="23", amount=D("3000")),
    )
    assert (draft.oop_family, draft.oop_family_met) == (D("10000"), D("2500"))
    assert (draft.oop_individual, draft.oop_individual_met) == (D("5000"), None)
    assert (draft.deductible_family, draft.deductible_individual) == (D("3000"), None)


def test_remaining_without_a_total_is_noted_once_for_all_lines():
    benefit = eb("C", "30", time_period="29", amount=D("600"))
    assert line(benefit).deductible_individual is None
    assert notes(benefit) == (
        (
            "Substance use residential, Substance use outpatient, Mental "
            "health, Pharmacy: $600 of the individual deductible remains, but "
            "no total was reported."
        ),
    )


def test_amounts_for_other_coverage_levels_are_not_mapped_but_noted():
    benefit = eb("C", "30", level="SPO", time_period="23", amount=D("700"))
    assert line(benefit).deductible_individual is None
    assert "Not mapped: EB*C SPO 30 calendar year $700 (coverage level or amount not usable)." in notes(benefit)


@pytest.mark.parametrize(
    "period, per", [("27", "visit"), ("7", "day"), ("36", "admission"), ("23", None), (None, None)]
)
def test_copay_per(period, per):
    draft = line(eb("B", "CI", amount=D("50"), time_period=period))
    assert (draft.copay, draft.copay_per) == (D("50"), per)


@pytest.mark.parametrize(
    "percent, expected", [(D("0.2"), D("20")), (D(".125"), D("12.5")), (D("0"), D("0")), (D("1"), D("100"))]
)
def test_coinsurance_percent_is_0_to_100(percent, expected):
    assert line(eb("A", "CI", percent=percent)).coinsurance_percent == expected


@pytest.mark.parametrize(
    "qualifier, quantity, period, expected",
    [
        ("DY", D("30"), "23", (30, "days", "calendar year")),
        ("VS", D("20"), "22", (20, "visits", "service year")),
        ("HS", D("9"), "35", (9, "hours", "week")),
        ("VS", D("20"), None, (20, "visits", None)),
        ("VS", D("12"), "29", (None, None, None)),
        ("VS", D("2.5"), "23", (None, None, None)),
        ("MN", D("6"), "23", (None, None, None)),
    ],
)
def test_limitations(qualifier, quantity, period, expected):
    draft = line(eb("F", "CI", quantity_qualifier=qualifier, quantity=quantity, time_period=period))
    assert (draft.limit_quantity, draft.limit_unit, draft.limit_period) == expected


def test_an_unusable_limitation_is_noted():
    benefit = eb("F", "CI", quantity_qualifier="MN", quantity=D("6"))
    assert "Not mapped: EB*F IND CI 6 Month, a limitation without days, visits or hours." in notes(benefit)


@pytest.mark.parametrize(
    "flags, expected", [(("Y",), True), (("N",), False), (("U",), None), (("N", "Y"), True), ((), None)]
)
def test_prior_authorization(flags, expected):
    benefits = [eb("1", "CI", auth_required=flag) for flag in flags]
    assert line(ACTIVE_PLAN, *benefits).prior_auth_required is expected


def test_non_covered_at_a_specific_tier_wins_over_an_active_plan():
    draft = line(ACTIVE_PLAN, eb("I", "CI"))
    assert draft.covered is False
    assert line(ACTIVE_PLAN, eb("I", "CI"), name=OUTPATIENT).covered is True


def test_a_non_covered_service_inside_a_covered_line_is_noted():
    benefits = (eb("1", "MH"), eb("I", "RT"))
    assert line(*benefits, name=MENTAL).covered is True
    assert "Mental health: EB*I IND RT says label I, although the rest of the line is covered." in notes(*benefits)


def test_in_network_only():
    assert line(ACTIVE_PLAN).in_network_only is None
    assert line(ACTIVE_PLAN, eb("I", "30", in_network="N")).in_network_only is True
    assert line(ACTIVE_PLAN, eb("C", "30", time_period="23", amount=D("3000"), in_network="N")).in_network_only is False


def test_carve_out_names_the_entity_and_its_contacts():
    vendor = Entity("PR", "MINDBRIDGE", "MBH01", ("phone 888-555-0142",))
    benefit = eb("U", "AI", entities=(vendor,))
    assert line(benefit).carve_out == "Contact MINDBRIDGE, phone 888-555-0142"
    assert line(benefit, name=OUTPATIENT).carve_out == "Contact MINDBRIDGE, phone 888-555-0142"
    assert line(benefit, name=MENTAL).carve_out is None
    assert line(eb("U", "CI")).carve_out == ("Contact the entity the payer refers to (the response names none)")


def test_sources_say_where_each_value_came_from():
    draft = line(ACTIVE_PLAN, eb("C", "30", time_period="23", amount=D("1500"), in_network="Y"))
    assert draft.sources == ("EB*1 IND 30", "EB*C IND 30 calendar year $1500 in network")


def test_procedure_specific_benefits_are_not_mapped_but_noted():
    benefit = eb("B", "CI", amount=D("5"), procedure="HC:H0015")
    assert line(ACTIVE_PLAN, benefit).copay is None
    assert "Not mapped: EB*B IND CI $5 applies only to procedure HC:H0015." in notes(benefit)


def test_unmapped_codes_messages_and_other_service_types_are_noted():
    other_payer = eb("R", "30", entities=(Entity("PRP", "SECOND PAYER INC", None),))
    benefits = (
        ACTIVE_PLAN,
        other_payer,
        eb("B", "98", "33", amount=D("35")),
        eb("1", "CI", messages=("CALL FOR AUTH",)),
        eb("F", "CI", delivery=("HSD*VS*12***22",)),
    )
    assert notes(*benefits) == (
        "Not mapped: EB*R IND 30, label R (SECOND PAYER INC).",
        "Payer message on EB*1 IND CI: CALL FOR AUTH",
        "Not mapped: EB*F IND CI, a limitation without days, visits or hours.",
        "Not mapped: delivery pattern HSD*VS*12***22 on EB*F IND CI.",
        (
            "Benefits for other service types were not mapped: 98 Professional (Physician) Visit - "
            "Office, 33 Chiropractic."
        ),
    )


def test_provenance_reads_like_the_segment():
    benefit = eb(
        "F", "CI", time_period="23", quantity_qualifier="DY", quantity=D("30"), in_network="Y", auth_required="Y"
    )
    assert provenance(benefit) == ("EB*F IND CI calendar year 30 Days in network authorization required")
    assert provenance(eb("1", level=None)) == "EB*1 (no service type)"


# --- status and plan facts ------------------------------------------------------------------

REJECTED = Rejection("subscriber", "72", "Invalid/Missing Subscriber/Insured ID", "C", "Please Correct and Resubmit")


@pytest.mark.parametrize(
    "benefits, rejections, status",
    [
        ((ACTIVE_PLAN,), (), "verified_active"),
        ((eb("3", "CI"),), (), "verified_active"),
        ((eb("6", "30"), eb("1", "88")), (), "verified_active"),
        ((eb("6", "30"),), (), "inactive"),
        ((eb("8", "30"),), (), "inactive"),
        ((eb("V", "30"),), (), "needs_information"),
        ((eb("B", "30", amount=D("5")),), (), "needs_information"),
        ((), (), "needs_information"),
        ((ACTIVE_PLAN,), (REJECTED,), "needs_information"),
    ],
)
def test_status(benefits, rejections, status):
    assert draft_from_271(response(*benefits, rejections=rejections)).status == status


def test_plan_facts_member_and_references():
    subscriber = member(
        dates={"346": (date(2026, 1, 1), None), "347": (date(2026, 12, 31), None)},
        trace_numbers=(TraceNumber("2", "OURS", "9000000001"), TraceNumber("1", "PAYER-REF", "9600540000")),
    )
    draft = draft_from_271(response(eb("B", "30", amount=D("5")), ACTIVE_PLAN, subscriber=subscriber))
    assert (draft.insurance_type, draft.plan_description) == ("PR", "GOLD")
    assert (draft.plan_begin, draft.plan_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (draft.member_id, draft.group_number) == ("M1", "G1")
    assert draft.payer_reference == "PAYER-REF"


@pytest.mark.parametrize(
    "dates, expected",
    [
        ({"291": (date(2026, 1, 1), date(2026, 12, 31))}, (date(2026, 1, 1), date(2026, 12, 31))),
        ({"356": (date(2025, 7, 1), None)}, (date(2025, 7, 1), None)),
        ({"307": (date(2026, 2, 1), date(2026, 2, 28))}, (date(2026, 2, 1), date(2026, 2, 28))),
        ({"472": (date(2026, 3, 10), None)}, (None, None)),
    ],
)
def test_plan_dates(dates, expected):
    draft = draft_from_271(response(subscriber=member(dates=dates)))
    assert (draft.plan_begin, draft.plan_end) == expected


def test_a_dependent_patient_uses_the_dependents_benefits_and_the_subscribers_member_id():
    child = member(member_id=None, group_number=None, trace_numbers=(TraceNumber("1", "CHILD-REF", None),))
    own = eb("1", "30", member_level="dependent")
    draft = draft_from_271(response(eb("6", "30"), own, dependent=child))
    assert draft.status == "verified_active"
    assert (draft.member_id, draft.group_number, draft.payer_reference) == ("M1", "G1", "CHILD-REF")
    assert ("1 benefit line(s) given for the subscriber were not used: the patient is the dependent.") in draft.notes


def test_rejections_read_as_sentences():
    unknown = replace(REJECTED, code="Q9", reason="Reject reason Q9", follow_up_code="Z", follow_up=None)
    draft = draft_from_271(response(rejections=(REJECTED, unknown)))
    assert draft.rejections == (
        ("Subscriber: Invalid/Missing Subscriber/Insured ID (AAA 72). Please Correct and Resubmit."),
        "Subscriber: Reject reason Q9 (AAA Q9). Follow-up code Z.",
    )


# --- fixtures end to end --------------------------------------------------------------------


def fixture_draft(name: str):
    return draft_from_271(parse_271((FIXTURES / f"{name}.x12").read_bytes()))


def test_active_ppo_draft():
    draft = fixture_draft("active_ppo")
    assert draft.status == "verified_active"
    assert (draft.insurance_type, draft.plan_description) == ("PR", "ACME PPO GOLD")
    assert (draft.plan_begin, draft.plan_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (draft.member_id, draft.group_number) == ("XJH123456789", "GRP-88120")
    assert draft.payer_reference == "ACME-7731-0042"
    residential = draft.lines[RESIDENTIAL]
    assert residential == replace(
        residential,
        covered=True,
        in_network_only=False,
        deductible_individual=D("1500"),
        deductible_individual_met=D("900"),
        deductible_family=D("3000"),
        deductible_family_met=D("900"),
        oop_individual=D("5000"),
        oop_individual_met=D("1250"),
        oop_family=D("10000"),
        oop_family_met=None,
        copay=D("25"),
        copay_per="visit",
        coinsurance_percent=D("20"),
        prior_auth_required=True,
        limit_quantity=30,
        limit_unit="days",
        limit_period="calendar year",
        carve_out=None,
    )
    outpatient = draft.lines[OUTPATIENT]
    assert (
        outpatient.copay,
        outpatient.coinsurance_percent,
        outpatient.limit_quantity,
        outpatient.prior_auth_required,
    ) == (D("25"), None, None, None)
    assert draft.lines[MENTAL].copay == D("30")
    assert (draft.lines[PHARMACY].copay, draft.lines[PHARMACY].copay_per) == (D("10"), "visit")
    assert draft.notes == (
        (
            "Payer message on EB*A IND CI 20% in network authorization required: PRIOR "
            "AUTHORIZATION REQUIRED BEFORE ADMISSION"
        ),
        ("Payer message on EB*B IND 88 visit $10 in network: GENERIC TIER 1; SPECIALTY DRUGS DIFFER"),
        ("Benefits for other service types were not mapped: 98 Professional (Physician) Visit - Office."),
    )
    assert draft.rejections == ()


def test_inactive_draft():
    draft = fixture_draft("inactive")
    assert draft.status == "inactive"
    assert {name: line.covered for name, line in draft.lines.items()} == dict.fromkeys(LINE_SOURCES, False)
    assert (draft.plan_begin, draft.plan_end) == (date(2023, 1, 1), date(2025, 12, 31))
    assert draft.payer_reference is None


def test_carve_out_draft():
    draft = fixture_draft("carve_out")
    contact = "Contact MINDBRIDGE BEHAVIORAL HEALTH, phone 888-555-0142, website WWW.MINDBRIDGE.EXAMPLE"
    assert draft.lines[RESIDENTIAL].carve_out == contact
    assert draft.lines[OUTPATIENT].carve_out == contact
    assert draft.lines[MENTAL].carve_out is None and draft.lines[PHARMACY].carve_out is None
    assert draft.insurance_type == "HM" and draft.payer_reference == "BV-20260312-55821"
    assert (
        "Carve-out: EB*U IND AI^CI^CJ; the payer refers these benefits to MINDBRIDGE "
        "BEHAVIORAL HEALTH, phone 888-555-0142, website WWW.MINDBRIDGE.EXAMPLE."
    ) in draft.notes


@pytest.mark.parametrize(
    "name, text",
    [
        ("rejected", ("Subscriber: Invalid/Missing Subscriber/Insured ID (AAA 72). Please Correct and Resubmit.")),
        ("rejected_payer", ("Payer: Unable to Respond at Current Time (AAA 42). Resubmission Allowed.")),
    ],
)
def test_rejected_drafts(name, text):
    draft = fixture_draft(name)
    assert draft.status == "needs_information"
    assert draft.rejections == (text,)
    assert all(line == LineDraft() for line in draft.lines.values())


def test_several_service_types_draft():
    draft = fixture_draft("several_service_types")
    assert draft.lines[RESIDENTIAL].coinsurance_percent == D("30")
    assert draft.lines[OUTPATIENT].coinsurance_percent == D("30")
    assert (
        draft.lines[OUTPATIENT].limit_quantity,
        draft.lines[OUTPATIENT].limit_unit,
        draft.lines[OUTPATIENT].limit_period,
    ) == (30, "visits", "service year")
    assert draft.lines[MENTAL].covered is True and draft.lines[MENTAL].copay == D("40")
    assert draft.lines[MENTAL].coinsurance_percent is None
    assert draft.lines[PHARMACY].copay is None and draft.lines[PHARMACY].covered is True


def test_family_and_dependent_draft():
    draft = fixture_draft("family_and_dependent")
    assert draft.payer_reference == "ACME-7731-0099" and draft.member_id == "XJH445566778"
    residential, outpatient = draft.lines[RESIDENTIAL], draft.lines[OUTPATIENT]
    assert (residential.deductible_individual, residential.deductible_individual_met) == (D("1500"), D("200"))
    assert (residential.deductible_family, residential.deductible_family_met) == (D("3000"), D("1700"))
    assert residential.in_network_only is True and residential.covered is True
    assert (outpatient.copay, outpatient.copay_per, outpatient.prior_auth_required) == (D("50"), "day", False)
