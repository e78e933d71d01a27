"""Random form data at the staff intake and pipeline forms: only 2xx, 3xx or 4xx, never a 500."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

INTAKE_KEYS = [
    "caller_name",
    "caller_relationship",
    "caller_phone",
    "caller_email",
    "preferred_contact",
    "may_leave_message",
    "patient_name",
    "patient_dob",
    "patient_sex",
    "patient_location",
    "patient_phone",
    "patient_email",
    "referral_source",
    "referrer_name",
    "presenting_concerns",
    "substances",
    "urgency",
    "assigned_to_id",
    "is_restricted",
    "regimen-0-drug",
    "regimen-0-dose",
    "regimen-0-unit",
    "regimen-0-doses_per_day",
    "regimen-0-purpose",
    "regimen-99-dose",
    "regimen-x-dose",
    "unexpected",
]
ACTION_KEYS = [
    "action",
    "reason",
    "referred_out_to",
    "program_id",
    "admit_date",
    "direction",
    "outcome",
    "duration_minutes",
    "occurred_at",
    "note",
    "title",
    "due_at",
    "survivor_id",
]
TEXT = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "",
            "oxycodone",
            "mcg/hr",
            "mg",
            "1e309",
            "-1",
            "0",
            "99999999999999999999",
            "NaN",
            "2026-02-30",
            "1975-04-12",
            "9999-12-31T23:59",
            "record_contact",
            "admit",
            "refer_out",
            "reached",
            "outbound",
            "spouse_partner",
            "family",
            "y",
            "\x00",
            "🙂" * 10,
        ]
    ),
    st.text(min_size=4001, max_size=4100),
)


def form(keys):
    return st.dictionaries(st.sampled_from(keys), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=len(keys))


SETTINGS = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def signed_in(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    return client, client.csrf_token(), make_inquiry(app, user)


@SETTINGS
@given(data=form(INTAKE_KEYS))
def test_random_phone_intake_forms_never_fail(signed_in, data):
    client, token, _ = signed_in
    response = client.post("/inquiries/new", data={**data, "csrf_token": token})
    assert response.status_code < 500


@SETTINGS
@given(
    data=form(ACTION_KEYS), endpoint=st.sampled_from(["status", "calls", "emails", "notes", "tasks", "merge", "edit"])
)
def test_random_pipeline_forms_never_fail(signed_in, data, endpoint):
    client, token, inquiry = signed_in
    response = client.post(f"/inquiries/{inquiry.id}/{endpoint}", data={**data, "csrf_token": token})
    assert response.status_code < 500
