"""The insurance input contracts: tables of good and bad input for coverages, verifications of
benefits (header and service lines), 271-draft corrections, estimates and authorizations."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coordinator.contracts.authorization import AuthorizationInput
from coordinator.contracts.coverage import CoverageInput
from coordinator.contracts.verification import (
    DraftVerificationInput,
    StayEstimateInput,
    VerificationInput,
)
from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import (
    AuthorizationUnit,
    CopayPer,
    CoverageRank,
    NetworkStatus,
    ServiceLine,
    SubscriberRelationship,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.errors import ValidationFailed
from coordinator.rules.authorization_lifecycle import AuthorizationStatus

TODAY = date(2026, 6, 15)
ZONE = ZoneInfo("America/New_York")


def parse(contract, data, source="form"):
    return contract.parse(data, source=source, today=TODAY, zone=ZONE)


def problems(contract, data, source="form") -> dict:
    with pytest.raises(ValidationFailed) as refused:
        parse(contract, data, source)
    return {problem.field: (problem.code, problem.message) for problem in refused.value.problems}


# --- coverage ------------------------------------------------------------------------------------

COVERAGE = {"rank": "primary", "payer_name": "Acme Health", "member_id": "XYZ 1234 5678", "group_number": "GRP-1"}


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, {"member_id": "XYZ12345678", "group_number": "GRP-1", "payer_name": "Acme Health"}),
        ({"member_id": " xyz 1234  5678 "}, {"member_id": "xyz12345678"}),
        ({"payer_id": "7", "payer_name": ""}, {"payer_id": 7, "payer_name": None}),
        ({"relationship_to_subscriber": ""}, {"relationship_to_subscriber": SubscriberRelationship.SELF}),
        (
            {
                "relationship_to_subscriber": "spouse",
                "subscriber_name": "Maria Example",
                "subscriber_dob": "1977-09-30",
            },
            {"subscriber_dob": date(1977, 9, 30), "relationship_to_subscriber": SubscriberRelationship.SPOUSE},
        ),
        ({"effective_from": "2026-01-01", "effective_to": "2026-01-01"}, {"effective_to": date(2026, 1, 1)}),
        ({"rank": "secondary", "plan_type": "ppo"}, {"rank": CoverageRank.SECONDARY}),
        ({"notes": "line one\nline two"}, {"notes": "line one\nline two"}),
    ],
)
def test_good_coverages(given, expected):
    parsed = parse(CoverageInput, {**COVERAGE, **given})
    for name, value in expected.items():
        assert getattr(parsed, name) == value, name


@pytest.mark.parametrize(
    "given, field, code",
    [
        ({"rank": ""}, "rank", "coverage_rank_required"),
        ({"rank": "tertiary"}, "rank", "choice_unknown"),
        ({"payer_name": ""}, "payer_id", "coverage_payer_required"),
        ({"payer_id": "abc"}, "payer_id", "choice_required"),
        ({"payer_id": "99999999999"}, "payer_id", "choice_required"),
        ({"payer_name": "x" * 121}, "payer_name", "text_too_long"),
        ({"plan_type": "wizard"}, "plan_type", "choice_unknown"),
        ({"member_id": "XYZ*123"}, "member_id", "identifier_invalid"),
        ({"member_id": "X"}, "member_id", "coverage_member_id_short"),
        ({"member_id": "A" * 81}, "member_id", "text_too_long"),
        ({"group_number": "G~1"}, "group_number", "identifier_invalid"),
        ({"relationship_to_subscriber": "cousin"}, "relationship_to_subscriber", "choice_unknown"),
        ({"relationship_to_subscriber": "spouse"}, "subscriber_name", "coverage_subscriber_name_required"),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Maria Example"},
            "subscriber_dob",
            "coverage_subscriber_dob_required",
        ),
        ({"subscriber_dob": "2026-06-16"}, "subscriber_dob", "date_in_future"),
        ({"subscriber_dob": "1899-12-31"}, "subscriber_dob", "date_too_early"),
        ({"subscriber_dob": "1980-02-30"}, "subscriber_dob", "date_invalid"),
        ({"member_id": "xyz\t1234"}, "member_id", "text_control_character"),
        ({"subscriber_dob": "1980-02-30"}, "subscriber_dob", "date_invalid"),
        ({"effective_from": "2026-06-01", "effective_to": "2026-05-31"}, "effective_to", "coverage_ends_before_start"),
        ({"effective_from": "tomorrow"}, "effective_from", "date_invalid"),
        ({"plan_name": "Gold\x00PPO"}, "plan_name", "text_control_character"),
        ({"notes": "n" * 2001}, "notes", "text_too_long"),
        ({"source": "web_form"}, "source", "unknown_field"),
    ],
)
def test_bad_coverages(given, field, code):
    found = problems(CoverageInput, {**COVERAGE, **given})
    assert found[field][0] == code, found


def test_coverage_messages_read_plainly():
    found = problems(CoverageInput, {**COVERAGE, "member_id": "XYZ*1", "relationship_to_subscriber": "spouse"})
    assert found["member_id"][1] == (
        "Enter the member id as printed on the card: letters, numbers, dashes and spaces only."
    )
    found = problems(CoverageInput, {**COVERAGE, "relationship_to_subscriber": "spouse"})
    assert found["subscriber_name"][1] == "Enter the insured person's name: the patient is not the policy holder."


def test_coverage_from_json_is_strict_about_types():
    assert parse(CoverageInput, {**COVERAGE, "payer_id": 3}, "json").payer_id == 3
    assert problems(CoverageInput, {**COVERAGE, "member_id": 12345}, "json")["member_id"][0] == "json_string"


# --- verification --------------------------------------------------------------------------------

CHECK = {"status": "verified_active", "method": "phone", "network_status": "in_network", "currency": "USD"}
LINE = {"covered": "yes", "deductible_individual": "1,500", "deductible_individual_met": "600.50", "copay": "25"}
LINE_WITH_UNIT = {**LINE, "copay_per": "day"}


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, {"status": VerificationStatus.VERIFIED_ACTIVE, "method": VerificationMethod.PHONE, "currency": "USD"}),
        ({"currency": ""}, {"currency": "USD"}),
        ({"currency": " thb "}, {"currency": "THB"}),
        ({"network_status": ""}, {"network_status": NetworkStatus.UNKNOWN}),
        ({"out_of_network_benefits": ""}, {"out_of_network_benefits": None}),
        ({"out_of_network_benefits": "no"}, {"out_of_network_benefits": False}),
        ({"payer_reference": "REF-2026/0042 #7"}, {"payer_reference": "REF-2026/0042 #7"}),
        ({"plan_begin": "2026-01-01", "plan_end": "2026-12-31"}, {"plan_end": date(2026, 12, 31)}),
    ],
)
def test_good_verification_headers(given, expected):
    parsed = parse(VerificationInput, {**CHECK, **given})
    for name, value in expected.items():
        assert getattr(parsed, name) == value, name
    assert parsed.lines() == {}


def test_lines_are_nested_per_service_line_and_blank_ones_are_dropped():
    blank = dict.fromkeys(LINE_WITH_UNIT, "")
    parsed = parse(
        VerificationInput,
        {**CHECK, "sud_residential": LINE_WITH_UNIT, "pharmacy": blank, "mental_health": {"covered": "no"}},
    )
    lines = parsed.lines()
    assert list(lines) == [ServiceLine.SUD_RESIDENTIAL, ServiceLine.MENTAL_HEALTH]
    residential = lines[ServiceLine.SUD_RESIDENTIAL]
    assert (residential.covered, residential.deductible_individual, residential.deductible_individual_met) == (
        True,
        Decimal("1500"),
        Decimal("600.50"),
    )
    assert (residential.copay, residential.copay_per) == (Decimal("25"), CopayPer.DAY)
    assert lines[ServiceLine.MENTAL_HEALTH].covered is False


@pytest.mark.parametrize(
    "given, field, code",
    [
        ({"status": ""}, "status", "verification_status_required"),
        ({"status": "great"}, "status", "choice_unknown"),
        ({"method": ""}, "method", "verification_method_required"),
        ({"method": "electronic_271"}, "method", "verification_method_electronic"),
        ({"network_status": "maybe"}, "network_status", "choice_unknown"),
        ({"out_of_network_benefits": "perhaps"}, "out_of_network_benefits", "yes_no_unknown"),
        ({"payer_reference": "REF*1~"}, "payer_reference", "verification_payer_reference_invalid"),
        ({"plan_begin": "2026-12-31", "plan_end": "2026-01-01"}, "plan_end", "verification_plan_year_order"),
        ({"plan_end": "31/12/2026"}, "plan_end", "date_invalid"),
        ({"currency": "XYZ"}, "currency", "verification_currency_unknown"),
        ({"currency": "BHD"}, "currency", "verification_currency_precision"),
        ({"dental": {"covered": "yes"}}, "dental", "unknown_field"),
        (
            {"sud_residential": {**LINE_WITH_UNIT, "deductible_individual_met": "2000"}},
            "sud_residential.deductible_individual_met",
            "verification_met_exceeds_total",
        ),
        (
            {"sud_residential": {"oop_individual": "5000", "oop_individual_met": "5000.01"}},
            "sud_residential.oop_individual_met",
            "verification_met_exceeds_total",
        ),
        ({"sud_residential": {"copay": "-5"}}, "sud_residential.copay", "amount_invalid"),
        ({"sud_residential": {"copay": "ten dollars"}}, "sud_residential.copay", "amount_invalid"),
        ({"sud_residential": {"copay": "25"}}, "sud_residential.copay_per", "verification_copay_per_required"),
        ({"pharmacy": {"coinsurance_percent": "120"}}, "pharmacy.coinsurance_percent", "percent_invalid"),
        ({"pharmacy": {"coinsurance_percent": "twenty"}}, "pharmacy.coinsurance_percent", "percent_invalid"),
        (
            {"pharmacy": {"coinsurance_percent": "12.345"}},
            "pharmacy.coinsurance_percent",
            "verification_percent_precision",
        ),
        ({"pharmacy": {"limit_quantity": "0"}}, "pharmacy.limit_quantity", "whole_number_invalid"),
        ({"pharmacy": {"limit_quantity": "30"}}, "pharmacy.limit_unit", "verification_limit_unit_required"),
        ({"pharmacy": {"covered": "maybe"}}, "pharmacy.covered", "yes_no_unknown"),
        ({"pharmacy": {"carve_out": "c" * 301}}, "pharmacy.carve_out", "text_too_long"),
        ({"pharmacy": {"limit_period": "calendar\x00year"}}, "pharmacy.limit_period", "text_control_character"),
        ({"pharmacy": {"seats": "2"}}, "pharmacy.seats", "unknown_field"),
    ],
)
def test_bad_verifications(given, field, code):
    found = problems(VerificationInput, {**CHECK, **given})
    assert found[field][0] == code, found


def test_verification_messages_name_the_amount_and_the_currency():
    found = problems(
        VerificationInput,
        {**CHECK, "sud_residential": {"deductible_individual": "1500", "deductible_individual_met": "2000"}},
    )
    assert found["sud_residential.deductible_individual_met"][1] == (
        "The amount met cannot be more than the deductible itself (1,500.00 USD)."
    )
    found = problems(VerificationInput, {**CHECK, "currency": "BHD"})
    assert (
        found["currency"][1] == "Benefit amounts are kept to the cent; BHD uses 3 decimal places. Record them in USD."
    )
    found = problems(VerificationInput, {**CHECK, "sud_residential": {"copay": "ten"}})
    assert found["sud_residential.copay"][1] == "Enter the co-pay as an amount such as 1500 or 1,500.50."


def test_a_draft_correction_has_no_method():
    parsed = parse(DraftVerificationInput, {"status": "inactive", "sud_outpatient": {"covered": "no"}})
    assert parsed.status is VerificationStatus.INACTIVE and list(parsed.lines()) == [ServiceLine.SUD_OUTPATIENT]
    assert problems(DraftVerificationInput, {"status": "inactive", "method": "phone"})["method"][0] == "unknown_field"


# --- estimate ------------------------------------------------------------------------------------

STAY = {"service_line": "sud_residential", "daily_rate": "1,000", "days": "14", "authorized_days": "14"}


def test_a_good_stay():
    stay = parse(StayEstimateInput, STAY)
    assert (stay.service_line, stay.daily_rate, stay.days, stay.authorized_days) == (
        ServiceLine.SUD_RESIDENTIAL,
        Decimal("1000"),
        14,
        14,
    )
    assert parse(StayEstimateInput, {**STAY, "authorized_days": ""}).authorized_days is None


@pytest.mark.parametrize(
    "given, field, code",
    [
        ({"service_line": ""}, "service_line", "estimate_service_line_required"),
        ({"service_line": "dental"}, "service_line", "choice_unknown"),
        ({"daily_rate": ""}, "daily_rate", "amount_required"),
        ({"daily_rate": "-5"}, "daily_rate", "amount_invalid"),
        ({"days": ""}, "days", "estimate_days_required"),
        ({"days": "0"}, "days", "whole_number_invalid"),
        ({"days": "366"}, "days", "whole_number_invalid"),
        ({"days": "a week"}, "days", "whole_number_invalid"),
        ({"authorized_days": "-1"}, "authorized_days", "whole_number_invalid"),
    ],
)
def test_bad_stays(given, field, code):
    found = problems(StayEstimateInput, {**STAY, **given})
    assert found[field][0] == code, found


def test_stay_messages():
    assert problems(StayEstimateInput, {**STAY, "days": "0"})["days"][1] == (
        "Enter the length of stay in days as a whole number from 1 to 365."
    )
    assert problems(StayEstimateInput, {**STAY, "daily_rate": ""})["daily_rate"][1] == "Enter the daily rate."


# --- authorization -------------------------------------------------------------------------------

APPROVAL = {
    "level_of_care": "residential",
    "status": "approved",
    "auth_number": "AUTH-5521",
    "unit": "days",
    "requested_units": "14",
    "approved_units": "14",
    "start_date": "2026-06-15",
    "next_review_date": "2026-06-22",
    "note": "Approved on the first call.",
}


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, {"status": AuthorizationStatus.APPROVED, "last_covered_day": date(2026, 6, 28), "end_date": None}),
        ({"unit": ""}, {"unit": AuthorizationUnit.DAYS}),
        (
            {"end_date": "2026-06-20", "requested_units": "6", "approved_units": "6", "next_review_date": "2026-06-18"},
            {"last_covered_day": date(2026, 6, 20)},
        ),
        ({"unit": "visits"}, {"last_covered_day": None}),
        (
            {"status": "partially_approved", "approved_units": "7", "next_review_date": "2026-06-20"},
            {"last_covered_day": date(2026, 6, 21), "approved_units": 7},
        ),
        (
            {"status": "pending", "auth_number": "", "approved_units": "", "start_date": ""},
            {"last_covered_day": None, "auth_number": None},
        ),
        ({"status": "denied", "approved_units": ""}, {"last_covered_day": None}),
        ({"coverage_id": "12"}, {"coverage_id": 12, "level_of_care": LevelOfCare.RESIDENTIAL}),
        ({"next_review_date": "2026-06-28"}, {"next_review_date": date(2026, 6, 28)}),
        ({"end_date": "2026-06-28", "next_review_date": "2026-06-28"}, {"last_covered_day": date(2026, 6, 28)}),
        ({"note": ""}, {"note": None}),
    ],
)
def test_good_authorizations(given, expected):
    parsed = parse(AuthorizationInput, {**APPROVAL, **given})
    for name, value in expected.items():
        assert getattr(parsed, name) == value, name


@pytest.mark.parametrize(
    "given, field, code",
    [
        ({"level_of_care": ""}, "level_of_care", "authorization_level_required"),
        ({"level_of_care": "spa"}, "level_of_care", "choice_unknown"),
        ({"status": ""}, "status", "authorization_status_required"),
        ({"unit": "hours"}, "unit", "choice_unknown"),
        ({"coverage_id": "none"}, "coverage_id", "choice_required"),
        ({"auth_number": ""}, "auth_number", "authorization_number_required"),
        ({"auth_number": "A" * 51}, "auth_number", "text_too_long"),
        ({"approved_units": ""}, "approved_units", "authorization_approved_required"),
        ({"approved_units": "0"}, "approved_units", "authorization_approved_zero"),
        ({"approved_units": "abc"}, "approved_units", "whole_number_invalid"),
        ({"requested_units": "0"}, "requested_units", "whole_number_invalid"),
        ({"requested_units": "99999999"}, "requested_units", "whole_number_invalid"),
        ({"start_date": ""}, "start_date", "authorization_start_required"),
        ({"start_date": "2026-13-01"}, "start_date", "date_invalid"),
        (
            {"status": "partially_approved", "requested_units": ""},
            "requested_units",
            "authorization_requested_required",
        ),
        ({"status": "partially_approved"}, "approved_units", "authorization_partial_not_fewer"),
        ({"approved_units": "7"}, "status", "authorization_fewer_than_requested"),
        ({"status": "denied"}, "approved_units", "authorization_denial_approves"),
        ({"end_date": "2000-01-01"}, "end_date", "authorization_dates_order"),
        ({"next_review_date": "2000-01-01"}, "next_review_date", "authorization_review_before_start"),
        ({"next_review_date": "2026-06-29"}, "next_review_date", "authorization_review_too_late"),
        ({"approved_units": "15"}, "approved_units", "authorization_more_than_requested"),
        ({"approved_units": "15", "requested_units": "abc"}, "requested_units", "whole_number_invalid"),
        (
            {"end_date": "2026-06-20", "requested_units": "14", "approved_units": "14"},
            "approved_units",
            "authorization_more_days_than_dates",
        ),
        (
            {"status": "partially_approved", "approved_units": "20"},
            "approved_units",
            "authorization_more_than_requested",
        ),
        ({"payer_contact": "x" * 121}, "payer_contact", "text_too_long"),
        ({"note": "n" * 2001}, "note", "text_too_long"),
    ],
)
def test_bad_authorizations(given, field, code):
    found = problems(AuthorizationInput, {**APPROVAL, **given})
    assert found[field][0] == code, found


@pytest.mark.parametrize(
    "given, field, message",
    [
        ({"approved_units": ""}, "approved_units", "Enter how many days were approved."),
        (
            {"approved_units": "0", "unit": "visits"},
            "approved_units",
            "An approval is for at least one visit; choose “Denied” if nothing was approved.",
        ),
        (
            {"status": "partially_approved"},
            "approved_units",
            "A partial approval is fewer days than requested (14); choose “Approved” if all were granted.",
        ),
        (
            {"approved_units": "7"},
            "status",
            "Fewer days were approved (7) than requested (14): choose “Partially approved”.",
        ),
        (
            {"next_review_date": (TODAY + timedelta(days=60)).isoformat()},
            "next_review_date",
            "The next review cannot be after the last covered day (" + f"{TODAY + timedelta(days=13):%d %b %Y}).",
        ),
    ],
)
def test_authorization_messages(given, field, message):
    assert problems(AuthorizationInput, {**APPROVAL, **given})[field][1] == message
