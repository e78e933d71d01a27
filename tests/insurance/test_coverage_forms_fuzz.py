"""Random form data at the coverage, verification, authorization and estimate forms, and random
bytes at the 271 upload: only 2xx, 3xx or 4xx, never a 500."""

from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.contracts.verification import ServiceLineInput
from coordinator.domain.insurance import ServiceLine
from tests.insurance.conftest import make_coverage
from tests.insurance.test_verification import make_draft

COVERAGE_KEYS = [
    "rank",
    "payer_id",
    "payer_name",
    "plan_type",
    "plan_name",
    "member_id",
    "group_number",
    "relationship_to_subscriber",
    "subscriber_name",
    "subscriber_dob",
    "subscriber_sex",
    "effective_from",
    "effective_to",
    "notes",
    "unexpected",
]
VERIFICATION_KEYS = [
    "status",
    "method",
    "network_status",
    "out_of_network_benefits",
    "payer_reference",
    "payer_contact",
    "plan_begin",
    "plan_end",
    "currency",
    "notes",
] + [
    f"{line.value}__{name}"
    for line in (ServiceLine.SUD_RESIDENTIAL, ServiceLine.PHARMACY)
    for name in ServiceLineInput.model_fields
]
AUTHORIZATION_KEYS = [
    "level_of_care",
    "coverage_id",
    "status",
    "auth_number",
    "unit",
    "requested_units",
    "approved_units",
    "start_date",
    "end_date",
    "next_review_date",
    "payer_contact",
    "note",
]
ESTIMATE_KEYS = ["service_line", "daily_rate", "days", "authorized_days"]
TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "primary",
            "secondary",
            "self",
            "spouse",
            "ppo",
            "yes",
            "no",
            "phone",
            "electronic_271",
            "verified_active",
            "in_network",
            "USD",
            "BHD",
            "XXX",
            "approved",
            "partially_approved",
            "denied",
            "residential",
            "days",
            "visit",
            "sud_residential",
            "14",
            "0",
            "-1",
            "1e309",
            "NaN",
            "99999999999999999999",
            "1,500.00",
            "2026-02-30",
            "1975-04-12",
            "9999-12-31",
            "\x00",
            "1",
            "🙂" * 10,
            "1" * 41,
        ]
    ),
    st.text(min_size=2001, max_size=2100),
)


def form(keys):
    return st.dictionaries(st.sampled_from(keys), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=len(keys))


SETTINGS = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def signed_in(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    return editor_client, editor_client.csrf_token(), inquiry.id, coverage_id, make_draft(app, coverage_id)


@SETTINGS
@given(data=form(COVERAGE_KEYS), edit=st.booleans())
def test_random_coverage_forms_never_fail(signed_in, data, edit):
    client, token, inquiry_id, coverage_id, _ = signed_in
    url = f"/finance/coverages/{coverage_id}/edit" if edit else f"/finance/inquiry/{inquiry_id}/coverages/new"
    assert client.post(url, data={**data, "csrf_token": token}).status_code < 500


@SETTINGS
@given(data=form(VERIFICATION_KEYS), draft=st.booleans())
def test_random_verification_forms_never_fail(signed_in, data, draft):
    client, token, _, coverage_id, draft_id = signed_in
    url = f"/finance/verifications/{draft_id}/edit" if draft else f"/finance/coverages/{coverage_id}/verifications/new"
    assert client.post(url, data={**data, "csrf_token": token}).status_code < 500


@SETTINGS
@given(data=form(AUTHORIZATION_KEYS))
def test_random_authorization_forms_never_fail(signed_in, data):
    client, token, inquiry_id, _, _ = signed_in
    response = client.post(f"/finance/inquiry/{inquiry_id}/authorizations/new", data={**data, "csrf_token": token})
    assert response.status_code < 500


@SETTINGS
@given(data=form(ESTIMATE_KEYS))
def test_random_estimates_never_fail(signed_in, data):
    client, token, _, _, draft_id = signed_in
    response = client.post(f"/finance/verifications/{draft_id}/estimate", data={**data, "csrf_token": token})
    assert response.status_code < 500


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: ("ISA*" + t).encode())))
def test_random_271_uploads_never_fail(signed_in, content):
    client, token, _, coverage_id, _ = signed_in
    response = client.post(
        f"/finance/coverages/{coverage_id}/271",
        data={"file": (BytesIO(content), "x.x12"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.status_code < 500
