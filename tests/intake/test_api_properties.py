"""Random payloads at POST /api/v1/inquiries: only a JSON 2xx or 4xx ever comes back, and only a 201 saves."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coordinator.contracts.intake import NewInquiry
from coordinator.contracts.regimen import RegimenLineInput
from coordinator.extensions import db
from coordinator.models import Inquiry
from coordinator.roles import Role
from tests.intake.test_api import URL, api_payload, auth, make_api_client

EXPECTED = {201, 400, 413, 415, 422}
KNOWN_KEYS = sorted(NewInquiry.model_fields) + ["is_restricted", "assigned_to_id", "status", "id", "channel"]
LINE_KEYS = sorted(RegimenLineInput.model_fields) + ["strength", ""]
TRICKY_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "2026-02-30",
    "1975-04-12",
    "9999-12-31",
    "0001-01-01",
    "1e9999999",
    "-1",
    "NaN",
    "Infinity",
    "9" * 5000,
    "x" * 5000,
    "oxycodone",
    "fentanyl_transdermal",
    "mg",
    "mcg/hr",
    "oud",
    "pain",
    "phone",
    "email",
    "family",
    "self",
    "web",
    "urgent",
    "spouse_partner",
    "alcohol",
    "prescribed_opioids",
    "a@b.example",
    "+1 555 010 2233",
    "\ud800",
    "a\udfffb",
    "😀" * 50,
    "ﷺ",
    "\u202e",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
]
WEIRD_NUMBERS = [0, -1, 1, 24, 25, 10**18, -(10**18), 10**300, 0.1, 1e-320, 1e308, -0.0, 2.5]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from(WEIRD_NUMBERS),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=200),
    st.sampled_from(TRICKY_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
regimen_line = st.dictionaries(st.sampled_from(LINE_KEYS), json_values, max_size=6)
field_values = st.one_of(json_values, st.lists(regimen_line, max_size=12), st.lists(st.sampled_from(TRICKY_TEXT)))
random_object = st.dictionaries(st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=20)), field_values, max_size=10)
# Mostly-valid payloads with a few fields replaced: these get past the JSON checks into the service.
mutated_valid = st.builds(
    lambda changes, drops: {**{k: v for k, v in api_payload().items() if k not in drops}, **changes},
    st.dictionaries(st.sampled_from(sorted(NewInquiry.model_fields)), field_values, max_size=3),
    st.sets(st.sampled_from(sorted(NewInquiry.model_fields)), max_size=3),
)
any_json = st.one_of(random_object, mutated_valid, json_values)
raw_bodies = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8")))

PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def key(app, create_user) -> str:
    return make_api_client(app, create_user(Role.ADMIN).id)[1]


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry))


@pytest.fixture
def unlimited(app):
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the fixture restores the config afterwards
    return app


def check(app, client, key, body: bytes, content_type: str = "application/json"):
    before = count(app)
    response = client.post(URL, data=body, content_type=content_type, headers=auth(key))
    event(f"status {response.status_code}")
    assert response.status_code in EXPECTED, (response.status_code, body[:300])
    assert response.mimetype == "application/json"
    if response.status_code == 201:
        assert count(app) == before + 1
    else:
        assert set(response.json["error"]) >= {"code", "message", "status"}
        assert count(app) == before, "a refused request saved something"
    return response


@PROPERTY_SETTINGS
@given(payload=any_json)
def test_random_json_payloads_get_only_2xx_or_4xx(unlimited, client, key, payload):
    check(unlimited, client, key, json.dumps(payload, ensure_ascii=True).encode())


@PROPERTY_SETTINGS
@given(body=raw_bodies, content_type=st.sampled_from(["application/json", "text/plain", "application/json; charset=x"]))
def test_random_bytes_get_only_4xx(unlimited, client, key, body, content_type):
    response = check(unlimited, client, key, body, content_type)
    assert response.status_code != 201 or content_type == "application/json"
