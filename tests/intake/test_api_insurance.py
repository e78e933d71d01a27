"""The optional "insurance" object of POST /api/v1/inquiries: the same details and rules as the web form,
unknown keys refused, errors as `insurance.<field>`, documented in OpenAPI, and never read back."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from openapi_spec_validator import validate

from coordinator.contracts.intake import INSURANCE_TEXT_LIMITS, InsuranceDetails, NewInquiry
from coordinator.domain.insurance import CoverageRank, PlanType, SubscriberRelationship, VerificationStatus
from coordinator.domain.intake import Channel
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import AuditEvent, BenefitVerification, Coverage, Inquiry
from coordinator.roles import Role
from coordinator.services import intake
from tests.intake.test_api import URL, api_payload, auth, error_of, make_api_client, post
from tests.intake.test_api_openapi import schema_validator

CARD = {
    "insurer_name": "Aetna",
    "member_id": "W123456789",
    "group_number": "0876543-010-00001",
    "plan_type": "ppo",
    "relationship_to_subscriber": "self",
    "subscriber_name": None,
    "subscriber_birth_date": None,
    "verification_requested": False,
}
FUTURE = (date.today() + timedelta(days=3)).isoformat()


def with_insurance(**insurance) -> dict:
    return api_payload(insurance={**CARD, **insurance})


@pytest.fixture
def key(app, create_user) -> str:
    return make_api_client(app, create_user(Role.ADMIN).id)[1]


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Inquiry, Coverage, BenefitVerification)
        )


def rows(app, model) -> list:
    with app.app_context():
        return list(db.session.scalars(sa.select(model)))


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- saving -------------------------------------------------------------------------------------


def test_insurance_becomes_the_primary_coverage_from_the_api(client, app, key):
    response = post(client, key, with_insurance())
    assert response.status_code == 201, response.json
    [inquiry] = rows(app, Inquiry)
    [coverage] = rows(app, Coverage)
    assert coverage.inquiry_id == inquiry.id
    assert (coverage.rank, coverage.source, coverage.created_by_id) == (CoverageRank.PRIMARY, Channel.API, None)
    assert (coverage.payer_id, coverage.payer_name, coverage.member_id) == (None, "Aetna", "W123456789")
    assert (coverage.group_number, coverage.plan_type) == ("0876543-010-00001", PlanType.PPO)
    assert coverage.relationship_to_subscriber == SubscriberRelationship.SELF
    assert (coverage.subscriber_name, coverage.subscriber_dob) == (None, None)
    assert rows(app, BenefitVerification) == []
    [created] = audit_rows(app, "coverage_created")
    assert created.actor_label == f"api_client:{inquiry.api_client_id}" and created.entity_id == str(coverage.id)
    assert "Aetna" not in created.detail and "W123" not in created.detail


def test_verification_requested_adds_a_requested_check_with_no_method(client, app, key):
    response = post(
        client,
        key,
        with_insurance(
            verification_requested=True,
            relationship_to_subscriber="child",
            subscriber_name="Rosa Example",
            subscriber_birth_date="1950-01-02",
            plan_type=None,
            group_number=None,
        ),
    )
    assert response.status_code == 201, response.json
    [coverage] = rows(app, Coverage)
    assert coverage.relationship_to_subscriber == SubscriberRelationship.CHILD
    assert (coverage.subscriber_name, coverage.subscriber_dob) == ("Rosa Example", date(1950, 1, 2))
    assert (coverage.plan_type, coverage.group_number) == (None, None)
    [verification] = rows(app, BenefitVerification)
    assert (verification.coverage_id, verification.status, verification.method) == (
        coverage.id,
        VerificationStatus.REQUESTED,
        None,
    )
    assert verification.confirmed_at is None and verification.verified_by_id is None
    [requested] = audit_rows(app, "benefit_verification_requested")
    assert requested.entity_id == str(verification.id)


def test_relationship_defaults_to_self_and_text_is_trimmed(client, app, key):
    response = post(client, key, api_payload(insurance={"insurer_name": "  Cigna ", "member_id": " U 1234-56 "}))
    assert response.status_code == 201, response.json
    [coverage] = rows(app, Coverage)
    assert (coverage.payer_name, coverage.member_id) == ("Cigna", "U1234-56")  # kept as the 271 writes it
    assert coverage.relationship_to_subscriber == SubscriberRelationship.SELF


@pytest.mark.parametrize(
    "insurance",
    [
        None,
        {},
        {"verification_requested": False},
        {"verification_requested": None},
        {name: None for name in list(InsuranceDetails.model_fields)},
        {
            "insurer_name": "",
            "member_id": "  ",
            "plan_type": "",
            "relationship_to_subscriber": "",
            "subscriber_birth_date": "",
        },
    ],
)
def test_no_insurance_details_write_nothing_insurance_related(client, app, key, insurance):
    body = api_payload() if insurance is None else api_payload(insurance=insurance)
    response = post(client, key, body)
    assert response.status_code == 201, response.json
    assert counts(app) == (1, 0, 0)


def test_the_status_answers_never_carry_insurance(client, app, key):
    created = post(client, key, with_insurance(verification_requested=True))
    assert created.status_code == 201
    read = client.get(f"{URL}/{created.json['public_id']}", headers=auth(key))
    assert read.status_code == 200
    for answer in (created, read):
        assert set(answer.json) == {
            "public_id",
            "status",
            "status_label",
            "arrived_at",
            "status_changed_at",
            "updated_at",
        }
        text = answer.get_data(as_text=True)
        for secret in ("Aetna", "W123456789", "0876543", "ppo", "insurance", "verif", "coverage"):
            assert secret not in text, secret


# --- refusing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "insurance, field",
    [
        ({**CARD, "payer_id": 3}, "insurance.payer_id"),
        ({**CARD, "member_number": "W1"}, "insurance.member_number"),
        ({**CARD, "source": "phone"}, "insurance.source"),
        ({**CARD, "x" * 100: 1}, "insurance." + "x" * 64 + "…"),
    ],
)
def test_unknown_insurance_keys_get_400_naming_them(client, app, key, insurance, field):
    response = post(client, key, api_payload(insurance=insurance))
    assert response.status_code == 400, response.json
    error = error_of(response)
    assert error["code"] == "unknown_fields" and field in error["fields"], error
    assert counts(app) == (0, 0, 0)


def test_an_unknown_key_beside_insurance_is_still_refused(client, app, key):
    response = post(client, key, api_payload(insurance=CARD, insurrance={"insurer_name": "Aetna"}))
    assert response.status_code == 400 and "insurrance" in error_of(response)["fields"]
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize(
    "insurance, field, message",
    [
        ("Aetna", "insurance", "JSON object"),
        (["Aetna"], "insurance", "JSON object"),
        (True, "insurance", "JSON object"),
        ({**CARD, "member_id": 123456}, "insurance.member_id", "string"),
        ({**CARD, "insurer_name": ["Aetna"]}, "insurance.insurer_name", "string"),
        ({**CARD, "plan_type": 1}, "insurance.plan_type", "string"),
        ({**CARD, "subscriber_birth_date": 19500102}, "insurance.subscriber_birth_date", "string"),
        ({**CARD, "verification_requested": "yes"}, "insurance.verification_requested", "true or false"),
        ({**CARD, "verification_requested": 1}, "insurance.verification_requested", "true or false"),
    ],
)
def test_wrong_json_types_in_insurance_get_422_naming_the_field(client, app, key, insurance, field, message):
    response = post(client, key, api_payload(insurance=insurance))
    assert response.status_code == 422, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert any(message in m for m in error["fields"][field]), error["fields"]
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize(
    "changes, field, fragment",
    [
        ({"insurer_name": None}, "insurance.insurer_name", "insurance company's name as printed on the card"),
        ({"insurer_name": "  "}, "insurance.insurer_name", "insurance company's name as printed on the card"),
        ({"insurer_name": "A" * 121}, "insurance.insurer_name", "Use at most 120 characters (this has 121)"),
        ({"insurer_name": "Aetna\x00"}, "insurance.insurer_name", "not allowed"),
        ({"insurer_name": "Aetna\n"}, "insurance.insurer_name", None),  # stripped: fine
        ({"member_id": "W123/456"}, "insurance.member_id", "letters, numbers, dashes and spaces only"),
        ({"member_id": "W12\u0663"}, "insurance.member_id", "letters, numbers, dashes and spaces only"),
        ({"member_id": "- -"}, "insurance.member_id", "letters, numbers, dashes and spaces only"),
        ({"member_id": "9" * 81}, "insurance.member_id", "Use at most 80 characters"),
        ({"group_number": "9" * 51}, "insurance.group_number", "Use at most 50 characters"),
        ({"group_number": "G\x1bH"}, "insurance.group_number", "not allowed"),
        ({"plan_type": "PPO"}, "insurance.plan_type", "Choose one of the listed options (ppo, hmo"),
        (
            {"relationship_to_subscriber": "18"},
            "insurance.relationship_to_subscriber",
            "Choose one of the listed options (self, spouse, child, other)",
        ),
        (
            {"relationship_to_subscriber": "spouse", "subscriber_birth_date": "1977-09-30"},
            "insurance.subscriber_name",
            "Enter the insured person's name",
        ),
        (
            {"relationship_to_subscriber": "other", "subscriber_name": "Rosa"},
            "insurance.subscriber_birth_date",
            "Enter the insured person's date of birth",
        ),
        (
            {"relationship_to_subscriber": None, "subscriber_name": "Rosa"},
            "insurance.relationship_to_subscriber",
            "Say how the patient is related to the insured person",
        ),
        (
            {"relationship_to_subscriber": "self", "subscriber_birth_date": "1950-01-02"},
            "insurance.subscriber_birth_date",
            "Leave this empty when the patient is the insured person",
        ),
        (
            {
                "relationship_to_subscriber": "child",
                "subscriber_name": "R" * 161,
                "subscriber_birth_date": "1950-01-02",
            },
            "insurance.subscriber_name",
            "Use at most 160 characters",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": "1950-13-01"},
            "insurance.subscriber_birth_date",
            "real date (YYYY-MM-DD)",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": FUTURE},
            "insurance.subscriber_birth_date",
            "cannot be in the future",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": "1899-12-31"},
            "insurance.subscriber_birth_date",
            "cannot be before 1900",
        ),
    ],
)
def test_invalid_insurance_values_get_422_with_field_paths_and_save_nothing(client, app, key, changes, field, fragment):
    response = post(client, key, with_insurance(**changes))
    if fragment is None:
        assert response.status_code == 201, response.json
        assert rows(app, Coverage)[0].payer_name == "Aetna"
        return
    assert response.status_code == 422, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert any(fragment in message for message in error["fields"][field]), error["fields"]
    assert counts(app) == (0, 0, 0)


def test_only_asking_for_a_check_still_needs_the_insurer(client, app, key):
    response = post(client, key, api_payload(insurance={"verification_requested": True}))
    assert response.status_code == 422
    assert list(error_of(response)["fields"]) == ["insurance.insurer_name"]
    assert counts(app) == (0, 0, 0)


def test_inquiry_and_insurance_problems_are_reported_together(client, app, key):
    response = post(
        client,
        key,
        api_payload(
            patient_dob="1975-13-01",
            referral_source="",
            insurance={"member_id": "#1", "relationship_to_subscriber": "spouse"},
        ),
    )
    assert response.status_code == 422
    fields = error_of(response)["fields"]
    assert {
        "patient_dob",
        "referral_source",
        "insurance.insurer_name",
        "insurance.member_id",
        "insurance.subscriber_name",
        "insurance.subscriber_birth_date",
    } <= set(fields)
    assert counts(app) == (0, 0, 0)


def test_a_failure_after_the_coverage_is_written_leaves_nothing_behind(client, app, key, monkeypatch):
    real_record = intake.audit.record

    def failing(actor, action, *args, **kwargs):
        if action == "benefit_verification_requested":
            raise RuntimeError("the database went away")
        return real_record(actor, action, *args, **kwargs)

    monkeypatch.setattr(intake.audit, "record", failing)
    response = post(client, key, with_insurance(verification_requested=True))
    assert response.status_code == 500 and error_of(response)["code"]
    assert counts(app) == (0, 0, 0)
    assert audit_rows(app, "inquiry_created") == audit_rows(app, "coverage_created") == []


# --- the one validator --------------------------------------------------------------------------


CALENDAR = {"today": date.today(), "zone": ZoneInfo("UTC")}


def test_insurance_details_say_nothing_when_nothing_is_given():
    for nothing in ({}, {"verification_requested": "off"}, {"plan_type": "", "insurer_name": "  "}):
        assert InsuranceDetails.parse(nothing, **CALENDAR).is_empty()
    base = {"patient_name": "A", "referral_source": "self", "caller_phone": "5550100200"}
    for nothing in (None, {}):
        assert NewInquiry.parse({**base, "insurance": nothing}, source="json", **CALENDAR).insurance_given is None


def test_insurance_details_read_form_and_json_answers_alike():
    from_json = InsuranceDetails.parse(
        {
            "insurer_name": "Aetna",
            "verification_requested": True,
            "subscriber_birth_date": "1950-01-02",
            "subscriber_name": "Rosa",
            "relationship_to_subscriber": "other",
        },
        source="json",
        **CALENDAR,
    )
    from_form = InsuranceDetails.parse(
        {
            "insurer_name": "Aetna",
            "verification_requested": "y",
            "subscriber_birth_date": "1950-01-02",
            "subscriber_name": "Rosa",
            "relationship_to_subscriber": "other",
            "plan_type": "",
            "member_id": "",
            "group_number": "",
        },
        **CALENDAR,
    )
    assert from_json == from_form
    assert from_json.verification_requested is True
    assert from_json.relationship_to_subscriber is SubscriberRelationship.OTHER


def test_insurance_that_is_not_a_set_of_fields_is_refused():
    base = {"patient_name": "A", "referral_source": "self", "caller_phone": "5550100200"}
    with pytest.raises(ValidationFailed) as failure:
        NewInquiry.parse({**base, "insurance": ["Aetna"]}, source="json", **CALENDAR)
    assert failure.value.reasons[0][0] == "insurance"


def test_the_phone_form_path_writes_no_coverage(app):
    from tests.fixtures.intake import make_inquiry

    make_inquiry(app)
    assert counts(app) == (1, 0, 0)


# --- the OpenAPI document -----------------------------------------------------------------------


def test_the_document_still_validates_and_lists_the_insurance_details(document):
    validate(document)
    schemas = document["components"]["schemas"]
    assert schemas["InquiryCreate"]["properties"]["insurance"]["anyOf"][0] == {
        "$ref": "#/components/schemas/InsuranceDetails"
    }
    details = schemas["InsuranceDetails"]
    assert details["additionalProperties"] is False
    assert (
        set(details["properties"])
        == set(list(InsuranceDetails.model_fields))
        == {
            "insurer_name",
            "member_id",
            "group_number",
            "plan_type",
            "relationship_to_subscriber",
            "subscriber_name",
            "subscriber_birth_date",
            "verification_requested",
        }
    )
    assert details["properties"]["plan_type"]["enum"] == [p.value for p in PlanType] + [None]
    assert details["properties"]["relationship_to_subscriber"]["enum"] == [r.value for r in SubscriberRelationship] + [
        None
    ]
    for name, limit in INSURANCE_TEXT_LIMITS.items():
        assert details["properties"][name]["maxLength"] == limit
    assert "insurance.<field>" in schemas["Error"]["properties"]["error"]["properties"]["fields"]["description"]
    status = schemas["InquiryStatus"]["properties"]
    assert not any("insur" in name or "coverage" in name for name in status)


def test_documented_insurance_payloads_pass_the_schema_and_the_api(client, app, key, document):
    create = schema_validator(document, "InquiryCreate")
    for insurance in (
        CARD,
        {
            "insurer_name": "Aetna",
            "relationship_to_subscriber": "spouse",
            "subscriber_name": "Maria",
            "subscriber_birth_date": "1977-09-30",
            "verification_requested": True,
        },
        None,
        {},
    ):
        payload = api_payload(insurance=insurance)
        create.validate(payload)
        assert post(client, key, payload).status_code == 201
    with pytest.raises(ValidationError):  # what the API refuses, the schema refuses too
        create.validate(api_payload(insurance={**CARD, "colour": "blue"}))
    with pytest.raises(ValidationError):
        create.validate(api_payload(insurance={**CARD, "relationship_to_subscriber": "spouse"}))
    refused = post(client, key, api_payload(insurance={**CARD, "relationship_to_subscriber": "spouse"}))
    assert refused.status_code == 422
    schema_validator(document, "Error").validate(refused.json)


# --- random insurance objects -------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\x00",
    "\ud800",
    "self",
    "spouse",
    "child",
    "other",
    "ppo",
    "medicaid",
    "gold",
    "1975-04-12",
    "2026-02-30",
    "9999-12-31",
    "1899-12-31",
    "W123 456-78",
    "---",
    "A" * 200,
    "😀" * 30,
    "\u202e",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10, max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=60),
    st.sampled_from(TRICKY),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
insurance_objects = st.one_of(
    st.dictionaries(st.sampled_from(list(list(InsuranceDetails.model_fields))), values, max_size=8),
    st.dictionaries(
        st.one_of(st.sampled_from(list(list(InsuranceDetails.model_fields))), st.text(max_size=12)), scalars, max_size=5
    ),
    st.builds(
        lambda changes: {**CARD, **changes},
        st.dictionaries(st.sampled_from(list(list(InsuranceDetails.model_fields))), scalars, max_size=3),
    ),
    values,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(insurance=insurance_objects)
def test_random_insurance_objects_get_only_201_400_or_422_and_never_half_save(app, client, key, insurance):
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the app fixture restores the config afterwards
    before = counts(app)
    body = json.dumps(api_payload(insurance=insurance), ensure_ascii=True).encode()
    response = client.post(URL, data=body, content_type="application/json", headers=auth(key))
    event(f"status {response.status_code}")
    assert response.status_code in (201, 400, 422), (response.status_code, body[:300])
    assert response.mimetype == "application/json"
    inquiries, covered, checks = (after - first for after, first in zip(counts(app), before, strict=True))
    if response.status_code == 201:
        assert inquiries == 1 and covered in (0, 1) and checks <= covered
    else:
        assert (inquiries, covered, checks) == (0, 0, 0)
