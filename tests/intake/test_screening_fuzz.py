"""Random form data thrown at every screening endpoint answers 2xx, 3xx or 4xx, never 5xx."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.roles import Role
from coordinator.services import screenings
from tests.fixtures.users import login_as

KINDS = [kind for kind, _ in screenings.KINDS]
KNOWN_KEYS = sorted(
    {key for keys in screenings.SCORED_ITEMS.values() for key in keys}
    | {
        "criteria",
        "behaviours",
        "taken_as_prescribed_under_supervision",
        "flags",
        "last_overdose_on",
        "mme_per_day",
        "administered_at",
    }
    | {
        f"regimen-{i}-{name}"
        for i in (0, 1, 9, 10, 99)
        for name in ("drug", "dose", "unit", "doses_per_day", "purpose")
    }
)
PLAUSIBLE = [
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "yes",
    "no",
    "tolerance",
    "craving",
    "hiding_use",
    "pregnancy",
    "oxycodone",
    "fentanyl_transdermal",
    "buprenorphine",
    "mg",
    "mcg",
    "mcg/hr",
    "pain",
    "oud",
    "2024-01-01",
    "2099-12-31",
    "2024-02-30",
    "2025-01-01T10:00",
    "9999-12-31T23:59",
    "NaN",
    "Infinity",
    "-1",
    "1e999",
    "0.0001",
    "٣",
    "３",
    "²",
    " 2 ",
    "9" * 5000,
]

values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.text(max_size=60),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
forms = st.dictionaries(
    st.one_of(st.sampled_from(KNOWN_KEYS), st.text(min_size=1, max_size=30)).filter(lambda k: k != "csrf_token"),
    st.one_of(values, st.lists(values, max_size=6)),
    max_size=14,
)
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def clinician(client, create_user, create_inquiry):
    login_as(client, create_user(Role.CLINICIAN))
    return client, client.csrf_token(), create_inquiry().id


@pytest.mark.parametrize("kind", KINDS)
@FUZZ
@given(data=forms)
def test_record_answers_without_server_errors(clinician, kind, data):
    client, token, inquiry_id = clinician
    response = client.post(f"/screening/inquiry/{inquiry_id}/record/{kind}", data=data | {"csrf_token": token})
    assert response.status_code < 500, response.get_data(as_text=True)[:500]


@pytest.mark.parametrize("kind", ["mme"] + KINDS)
@FUZZ
@given(data=forms)
def test_preview_answers_without_server_errors(clinician, kind, data):
    client, token, _ = clinician
    response = client.post(
        f"/screening/preview/{kind}", data=data | {"csrf_token": token}, headers={"X-Requested-With": "fetch"}
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


@pytest.fixture
def editor(new_client, create_user, create_inquiry):
    client = login_as(new_client(), create_user(Role.ADMISSIONS))
    return client, client.csrf_token(), create_inquiry().id


@FUZZ
@given(data=forms)
def test_regimen_answers_without_server_errors(editor, data):
    client, token, inquiry_id = editor
    response = client.post(f"/screening/inquiry/{inquiry_id}/regimen", data=data | {"csrf_token": token})
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:500]
