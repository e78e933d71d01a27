"""The JSON API: creating an inquiry, reading its status, keys, and a clear JSON answer to every mistake."""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordinator.contracts.admin import ApiClientInput
from coordinator.domain.intake import ActivityKind, Channel
from coordinator.extensions import db
from coordinator.models import ApiClient, AuditEvent, Inquiry, InquiryActivity, OpioidRegimenLine, User, utcnow
from coordinator.roles import Role
from coordinator.services import api_clients
from tests.fixtures.intake import spouse_call
from tests.fixtures.users import login_as

URL = "/api/v1/inquiries"
_names = itertools.count(1)


def api_payload(**overrides) -> dict:
    """The worried-spouse inquiry as a partner's system would send it (numbers as JSON numbers)."""
    data = spouse_call(regimen=[{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 3}])
    data.update(overrides)
    return data


def make_api_client(app, admin_id: int, name: str | None = None) -> tuple[int, str]:
    """Issue a key through the service, as the admin page does; returns (client id, full key)."""
    with app.app_context():
        data = ApiClientInput.parse({"name": name or f"Partner {next(_names)}"})
        issued = api_clients.create_client(db.session.get(User, admin_id), data)
        db.session.commit()
        return issued.client.id, issued.key


@pytest.fixture
def issue_key(app, create_user):
    admin = create_user(Role.ADMIN)

    def issue(name: str | None = None) -> tuple[int, str]:
        return make_api_client(app, admin.id, name)

    return issue


@pytest.fixture
def key(issue_key) -> str:
    return issue_key("Website")[1]


def auth(api_key: str) -> dict:
    return {"Authorization": f"Bearer {api_key}"}


def post(client, api_key: str | None, body, **kwargs):
    headers = auth(api_key) if api_key else {}
    if isinstance(body, (bytes, str)):
        kwargs.setdefault("content_type", "application/json")
        return client.post(URL, data=body, headers=headers, **kwargs)
    return client.post(URL, json=body, headers=headers, **kwargs)


def inquiry_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Inquiry))


def error_of(response) -> dict:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.json["error"]


# --- creating and reading ----------------------------------------------------------------------


def test_create_answers_201_with_location_and_saves_an_api_inquiry(client, app, issue_key):
    client_id, api_key = issue_key("Website")
    response = post(client, api_key, api_payload())
    assert response.status_code == 201, response.json
    body = response.json
    assert set(body) == {"public_id", "status", "status_label", "arrived_at", "status_changed_at", "updated_at"}
    assert body["status"] == "new" and body["status_label"]
    assert response.headers["Location"] == f"/api/v1/inquiries/{body['public_id']}"
    assert body["arrived_at"].endswith("Z")
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        assert inquiry.public_id == body["public_id"]
        assert (inquiry.channel, inquiry.api_client_id, inquiry.is_restricted) == (Channel.API, client_id, False)
        assert inquiry.mme_per_day == Decimal("90.0")  # 20 mg x 3 x 1.5
        line = db.session.scalars(sa.select(OpioidRegimenLine)).one()
        assert (line.drug, line.dose, line.doses_per_day) == ("oxycodone", Decimal("20"), 3)
        arrived = db.session.scalars(sa.select(InquiryActivity)).one()
        assert arrived.kind == ActivityKind.ARRIVED
        assert arrived.actor_label.startswith(f"api_client:{client_id}")
        created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "inquiry_created")).one()
        assert created.actor_label == f"api_client:{client_id}" and created.entity_id == str(inquiry.id)


def test_referrer_fields_are_kept_as_a_referrer_record(client, app, key):
    response = post(
        client,
        key,
        api_payload(
            referral_source="physician", referrer_name="Dr. Ruth Ames", referrer_organization="Eastside Pain Clinic"
        ),
    )
    assert response.status_code == 201, response.json
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry).options(sa.orm.joinedload(Inquiry.referrer))).one()
        assert inquiry.referrer.name == "Dr. Ruth Ames"


def test_status_read_answers_the_status_and_is_audited(client, app, issue_key):
    client_id, api_key = issue_key()
    created = post(client, api_key, api_payload()).json
    response = client.get(f"{URL}/{created['public_id']}", headers=auth(api_key))
    assert response.status_code == 200
    assert response.json == created
    with app.app_context():
        read = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "inquiry_status_read")).one()
        assert read.actor_label == f"api_client:{client_id}"


def test_another_clients_inquiry_is_404_exactly_like_an_unknown_one(client, issue_key, create_inquiry):
    _, first = issue_key()
    _, second = issue_key()
    public_id = post(client, first, api_payload()).json["public_id"]
    phone_inquiry = create_inquiry()  # taken by phone: no API client may read it
    answers = [
        client.get(f"{URL}/{pid}", headers=auth(second))
        for pid in (public_id, phone_inquiry.public_id, "no-such-inquiry", "x" * 200)
    ]
    for response in answers:
        assert response.status_code == 404
        error = error_of(response)
        assert (error["code"], error["message"]) == (error_of(answers[-1])["code"], error_of(answers[-1])["message"])


# --- keys ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token {key}",
        "Bearer {key}x",
        "Bearer {wrong_secret}",
        "Bearer coord_0000000000_" + "A" * 43,
    ],
    ids=lambda h: repr(h),
)
def test_a_missing_or_wrong_key_gets_401_json_and_saves_nothing(client, app, key, header):
    headers = {}
    if header is not None:
        wrong_secret = key[:-1] + ("A" if key[-1] != "A" else "B")  # the right prefix, a wrong secret
        headers["Authorization"] = header.format(key=key, wrong_secret=wrong_secret)
    response = client.post(URL, json=api_payload(), headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert error_of(response)["code"] == "unauthorized"
    assert inquiry_count(app) == 0


def test_the_bearer_scheme_is_case_insensitive(client, key):
    assert client.post(URL, json=api_payload(), headers={"Authorization": f"bearer {key}"}).status_code == 201


def test_a_revoked_key_gets_401(client, app, issue_key, create_user):
    client_id, api_key = issue_key()
    assert post(client, api_key, api_payload()).status_code == 201
    admin = create_user(Role.ADMIN)
    with app.app_context():
        api_clients.revoke_client(db.session.get(User, admin.id), db.session.get(ApiClient, client_id))
        db.session.commit()
    assert post(client, api_key, api_payload()).status_code == 401
    assert client.get(f"{URL}/anything", headers=auth(api_key)).status_code == 401
    assert inquiry_count(app) == 1


def test_a_staff_session_is_not_an_api_key(client, app, create_user):
    login_as(client, create_user(Role.ADMIN))
    response = client.post(URL, json=api_payload())
    assert response.status_code == 401 and inquiry_count(app) == 0
    assert "Set-Cookie" not in response.headers


def test_a_staff_session_sent_along_with_a_key_is_ignored(client, app, create_user, issue_key):
    client_id, api_key = issue_key()
    login_as(client, create_user(Role.ADMIN))
    response = post(client, api_key, api_payload())
    assert response.status_code == 201 and "Set-Cookie" not in response.headers
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        created = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "inquiry_created")).one()
    assert inquiry.created_by_id is None and inquiry.api_client_id == client_id
    assert created.actor_user_id is None and created.actor_label == f"api_client:{client_id}"


def test_the_key_is_stored_only_as_prefix_and_hash(app, issue_key):
    client_id, api_key = issue_key()
    scheme, prefix, secret = api_key.split("_", 2)
    assert scheme == "coord" and len(secret) >= 43
    with app.app_context():
        row = db.session.get(ApiClient, client_id)
        assert row.key_prefix == prefix
        assert row.key_hash == hashlib.sha256(api_key.encode()).hexdigest()
        dump = " ".join(str(v) for v in db.session.execute(sa.select(ApiClient.__table__)).one())
        audit_text = " ".join(str(v) for row in db.session.execute(sa.select(AuditEvent.__table__)) for v in row)
    assert secret not in dump and api_key not in dump
    assert secret not in audit_text


def test_last_used_at_is_set_on_use_and_written_at_most_once_a_minute(client, app, issue_key):
    client_id, api_key = issue_key()

    def last_used():
        with app.app_context():
            return db.session.get(ApiClient, client_id).last_used_at

    assert last_used() is None
    assert post(client, api_key, {"nonsense": 1}).status_code == 400  # a refused call is still a use
    first = last_used()
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    post(client, api_key, api_payload())
    assert last_used() == first
    with app.app_context():
        db.session.get(ApiClient, client_id).last_used_at = first - timedelta(minutes=5)
        db.session.commit()
    post(client, api_key, api_payload())
    assert last_used() > first


def test_api_answers_set_no_cookie_and_need_no_csrf_token(client, key):
    response = post(client, key, api_payload())
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_calls_are_rate_limited_per_key(client, app, issue_key):
    app.config["API_RATE_LIMIT"] = "2 per minute"
    _, first = issue_key()
    _, second = issue_key()
    assert post(client, first, api_payload()).status_code == 201
    assert client.get(f"{URL}/unknown", headers=auth(first)).status_code == 404
    limited = post(client, first, api_payload())
    assert limited.status_code == 429
    assert error_of(limited)["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert post(client, second, api_payload()).status_code == 201
    assert inquiry_count(app) == 2


# --- bad requests: a clear JSON answer and nothing saved ----------------------------------------


@pytest.mark.parametrize(
    "body, code",
    [
        (b"{not json", "malformed_json"),
        (b"", "malformed_json"),
        (b'{"patient_name": "A", "patient_name": "B"}', "malformed_json"),
        (b'{"caller_phone": NaN}', "malformed_json"),
        (b'{"patient_name": "\\ud800"}', "malformed_json"),
        (b"\xff\xfe{}", "malformed_json"),
        (b"[" * 5000 + b"]" * 5000, "malformed_json"),
        (b'{"x": ' + b"9" * 5000 + b"}", "malformed_json"),
        (b"[]", "invalid_body"),
        (json.dumps([spouse_call()]).encode(), "invalid_body"),
        (b'"a string"', "invalid_body"),
        (b"null", "invalid_body"),
        (b"42", "invalid_body"),
    ],
    ids=lambda v: v[:30] if isinstance(v, bytes) else v,
)
def test_malformed_or_non_object_bodies_get_400(client, app, key, body, code):
    response = post(client, key, body)
    assert response.status_code == 400
    assert error_of(response)["code"] == code
    assert inquiry_count(app) == 0


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"is_restricted": True}, "is_restricted"),
        ({"assigned_to_id": 1}, "assigned_to_id"),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 3, "colour": "red"}]},
            "regimen-0-colour",
        ),
    ],
)
def test_unknown_fields_get_400_naming_them(client, app, key, extra, field):
    response = post(client, key, api_payload(**extra))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unknown_fields" and field in error["fields"]
    assert inquiry_count(app) == 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"patient_name": 5}, "patient_name"),
        ({"caller_phone": ["555"]}, "caller_phone"),
        ({"may_leave_message": "maybe"}, "may_leave_message"),
        ({"may_leave_message": 1}, "may_leave_message"),
        ({"substances": "alcohol"}, "substances"),
        ({"substances": [1, 2]}, "substances"),
        ({"regimen": {"drug": "oxycodone"}}, "regimen"),
        ({"regimen": ["oxycodone 20 mg"]}, "regimen-0"),
        ({"regimen": [{"drug": "oxycodone", "dose": "20", "unit": "mg", "doses_per_day": 3}]}, "regimen-0-dose"),
        ({"regimen": [{"drug": "oxycodone", "dose": True, "unit": "mg", "doses_per_day": 3}]}, "regimen-0-dose"),
        ({"regimen": [{"drug": "oxycodone", "dose": 1e400, "unit": "mg", "doses_per_day": 3}]}, "regimen-0-dose"),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 2.5}]},
            "regimen-0-doses_per_day",
        ),
        ({"patient_dob": 19750412}, "patient_dob"),
    ],
)
def test_wrong_json_types_get_422_naming_the_field(client, app, key, overrides, field):
    body = api_payload(**overrides)
    raw = json.dumps(body).replace("Infinity", "1e400").encode()  # json.dumps writes inf as Infinity
    response = post(client, key, raw)
    assert response.status_code == 422, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed" and field in error["fields"], error
    assert inquiry_count(app) == 0


@pytest.mark.parametrize(
    "overrides, field, fragment",
    [
        (
            {"regimen": [{"drug": "unobtainium", "dose": 20, "unit": "mg", "doses_per_day": 3}]},
            "regimen-0-drug",
            "Unknown medicine",
        ),
        (
            {"regimen": [{"drug": "oxycodone", "dose": -5, "unit": "mg", "doses_per_day": 3}]},
            "regimen-0-dose",
            "more than 0",
        ),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 0, "unit": "mg", "doses_per_day": 3}]},
            "regimen-0-dose",
            "more than 0",
        ),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 5000, "unit": "mg", "doses_per_day": 3}]},
            "regimen-0-dose",
            "plausible",
        ),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 10**100, "unit": "mg", "doses_per_day": 3}]},
            "regimen-0-dose",
            "plausible",
        ),
        ({"regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mcg/hr"}]}, "regimen-0-unit", "mg"),
        (
            {"regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 99}]},
            "regimen-0-doses_per_day",
            "1 to 24",
        ),
        ({"regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 3}] * 11}, "regimen", "at most"),
        ({"patient_dob": "2026-02-30"}, "patient_dob", "real date"),
        ({"patient_dob": (date.today() + timedelta(days=400)).isoformat()}, "patient_dob", "future"),
        ({"substances": ["prescribed_opioids", "moonshine"]}, "substances", "moonshine"),
        ({"presenting_concerns": "x" * 5000}, "presenting_concerns", "at most 4000"),
        ({"patient_name": "  "}, "patient_name", "name"),
        ({"referral_source": "carrier pigeon"}, "referral_source", "listed options"),
        ({"caller_phone": None, "caller_email": None}, "caller_phone", "phone number or email"),
        ({"caller_email": "not-an-email"}, "caller_email", "email address"),
        ({"caller_name": "Maria\x00"}, "caller_name", "not allowed"),
    ],
)
def test_invalid_values_get_422_with_the_intake_message_and_save_nothing(client, app, key, overrides, field, fragment):
    response = post(client, key, api_payload(**overrides))
    assert response.status_code == 422, response.json
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert any(fragment in message for message in error["fields"][field]), error["fields"]
    assert inquiry_count(app) == 0


def test_several_problems_are_reported_together(client, key):
    response = post(
        client,
        key,
        api_payload(
            patient_dob="1975-13-01",
            referral_source="",
            regimen=[
                {"drug": "oxycodone", "dose": -1, "unit": "mg", "doses_per_day": 3},
                {"drug": "morphine", "dose": 30, "unit": "mg", "doses_per_day": 2},
                {"drug": "bogus", "dose": 1, "unit": "mg", "doses_per_day": 1},
            ],
        ),
    )
    fields = error_of(response)["fields"]
    assert {"patient_dob", "referral_source", "regimen-0-dose", "regimen-2-drug"} <= set(fields)
    assert "regimen-1-dose" not in fields


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json; charset=latin-1",
        None,
    ],
)
def test_a_body_that_is_not_json_gets_415(client, app, key, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post(URL, data=json.dumps(api_payload()), headers=auth(key), **kwargs)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert inquiry_count(app) == 0


def test_json_with_a_utf8_charset_is_fine(client, key):
    response = client.post(
        URL, data=json.dumps(api_payload()), headers=auth(key), content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


def test_an_oversized_body_gets_413_json(client, app, key):
    limit = app.config["API_MAX_BODY_BYTES"]
    body = json.dumps(api_payload(presenting_concerns="x" * limit)).encode()
    response = post(client, key, body)
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert inquiry_count(app) == 0


def test_a_body_over_the_app_wide_limit_is_still_413_json(client, app, key):
    body = b'{"a": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10) + b'"}'
    response = post(client, key, body)
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"


def test_a_wrong_method_gets_405_json_with_allow(client, key):
    response = client.put(URL, json=api_payload(), headers=auth(key))
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "POST" in response.headers["Allow"]


def test_an_unknown_api_address_gets_404_json(client, key):
    response = client.get("/api/v1/patients", headers=auth(key))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_merged_inquiry_reports_only_its_own_fields_never_the_survivors(
    client, app, issue_key, create_user, create_inquiry
):
    # Issue 11, item 4: merged into a restricted record, the client learns "merged" and when,
    # never the other record's status or dates.
    from coordinator.contracts.pipeline import MergeInput, TransitionInput
    from coordinator.services import merges, pipeline

    _, api_key = issue_key()
    created = post(client, api_key, api_payload()).json
    staff = create_user(Role.ADMISSIONS)
    original = create_inquiry(staff, assigned_to_id=staff.id, is_restricted=True)
    with app.app_context():
        actor = db.session.merge(staff)
        contact = TransitionInput.parse({"action": "record_contact"})
        survivor = db.session.get(Inquiry, original.id)
        pipeline.transition(actor, survivor, contact)
        survivor.status_changed_at = survivor.arrived_at = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
        duplicate = db.session.scalars(sa.select(Inquiry).where(Inquiry.public_id == created["public_id"])).one()
        merges.merge(actor, duplicate, MergeInput.parse({"survivor_id": original.id}))
        db.session.commit()
    body = client.get(f"{URL}/{created['public_id']}", headers=auth(api_key)).json
    assert (body["public_id"], body["status"], body["status_label"]) == (
        created["public_id"],
        "merged",
        "Merged into another inquiry",
    )
    assert body["arrived_at"] == created["arrived_at"]
    assert "2020-01-02" not in str(body)


@pytest.mark.parametrize("public_id", ["a%00b", "%00", "x" * 33, "a.b", "%E2%80%AE"])
def test_an_odd_inquiry_id_in_the_path_is_simply_not_found(client, issue_key, public_id):
    _, api_key = issue_key()
    response = client.get(f"{URL}/{public_id}", headers=auth(api_key))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
