"""Issue 14, item 8: the JSON API reads an episode's current level for the clinic's own systems —
only with a key an administrator allowed to read episodes, audited, a restricted patient the
same 404 as an unknown number, hostile record numbers a 4xx, and in the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.contracts.admin import ApiClientInput
from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import Admission, AuditEvent, Patient, User
from coordinator.roles import Role
from coordinator.rules.level_moves import aftercare_end
from coordinator.services import api_clients
from tests.care.helpers import discharge_directly
from tests.fixtures.intake import make_inquiry, make_program
from tests.intake.test_api_openapi import schema_validator
from tests.support.care_records import admit_directly


def issue(app, admin_id: int, name: str, reads_episodes: bool) -> tuple[int, str]:
    with app.app_context():
        data = ApiClientInput.parse({"name": name, "reads_episodes": reads_episodes})
        issued = api_clients.create_client(db.session.get(User, admin_id), data)
        db.session.commit()
        return issued.client.id, issued.key


@pytest.fixture
def admin(create_user):
    return create_user(Role.ADMIN)


@pytest.fixture
def ehr(app, admin):
    return issue(app, admin.id, "Clinic EHR", True)


def today(app):
    with app.app_context():
        return clinic_today()


@pytest.fixture
def episode(app, admin):
    program = make_program(app, name="Residential North")
    inquiry = make_inquiry(app, admin)
    return admit_directly(app, admin, inquiry.id, program.id, admit_date=today(app) - timedelta(days=4))


def get(client, key: str, mrn: str):
    return client.get(f"/api/v1/patients/{mrn}/episode", headers={"Authorization": f"Bearer {key}"})


def test_the_current_level_is_read_and_audited(app, client, ehr, episode):
    response = get(client, ehr[1], episode["mrn"])
    assert response.status_code == 200, response.json
    body = response.json
    start = today(app) - timedelta(days=4)
    assert body == {
        "mrn": episode["mrn"],
        "episode_id": episode["episode"],
        "status": "active",
        "admitted_on": start.isoformat(),
        "level_of_care": "residential",
        "level_of_care_label": LevelOfCare.RESIDENTIAL.label,
        "program": "Residential North",
        "on_leave": False,
        "level_since": start.isoformat(),
        "days_in_level": 5,
        "next_review_on": (start + timedelta(days=7)).isoformat(),
        "planned_discharge_on": None,
        "discharged_on": None,
        "aftercare_ends_on": None,
    }
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "episode_read_by_api")).all()
        assert [(r.actor_label, r.entity_id) for r in rows] == [(f"api_client:{ehr[0]}", str(episode["episode"]))]


def test_a_discharged_episode_shows_its_discharge_and_aftercare_end(app, client, ehr, episode):
    day = today(app)
    discharge_directly(app, episode["episode"], day)
    body = get(client, ehr[1], episode["mrn"]).json
    assert body["status"] == "discharged" and body["discharged_on"] == day.isoformat()
    assert body["aftercare_ends_on"] == aftercare_end(day).isoformat()
    assert body["next_review_on"] is None


def test_a_key_not_allowed_to_read_episodes_is_refused_403(app, client, admin, episode):
    _, website = issue(app, admin.id, "Website", False)
    response = get(client, website, episode["mrn"])
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    assert "Residential" not in response.get_data(as_text=True)
    with app.app_context():  # the refusal is kept, naming the key, not the patient
        refused = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "episode_refused_to_api")).one()
        assert refused.entity_type == "api_client" and refused.detail == "key may not read episodes"


def test_no_key_is_401(client, episode):
    response = client.get(f"/api/v1/patients/{episode['mrn']}/episode")
    assert response.status_code == 401 and response.mimetype == "application/json"


@pytest.mark.parametrize("how", ["inquiry", "patient"])
def test_a_restricted_patient_is_the_same_404_as_an_unknown_number_and_the_refusal_is_audited(
    app, client, ehr, episode, how
):
    with app.app_context():
        admission = db.session.get(Admission, episode["episode"])
        if how == "patient":
            db.session.get(Patient, admission.patient_id).is_restricted = True
        else:
            from coordinator.models import Inquiry

            db.session.get(Inquiry, admission.inquiry_id).is_restricted = True
        db.session.commit()
    refused = get(client, ehr[1], episode["mrn"])
    unknown = get(client, ehr[1], "MRN-999999-4" if episode["mrn"] != "MRN-999999-4" else "MRN-999998-6")
    assert refused.status_code == unknown.status_code == 404
    assert refused.json["error"]["message"] == unknown.json["error"]["message"]
    with app.app_context():
        assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "episode_refused_to_api")).all()
        assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "episode_read_by_api")).all()


@pytest.mark.parametrize(
    "mrn",
    ["MRN-000001-0", "nonsense", "MRN-0000012", "%00", "MRN-000001-2%00", "x" * 5000, "2147483648", "MRN-%E2%80%AE"],
)
def test_hostile_or_wrong_record_numbers_get_a_json_404(client, ehr, episode, mrn):
    if mrn == episode["mrn"]:
        pytest.skip("a real number")
    response = get(client, ehr[1], mrn)
    assert response.status_code == 404 and response.mimetype == "application/json"


def test_a_patient_with_no_episode_is_404(app, client, ehr, admin):
    with app.app_context():
        from coordinator.services import patients

        patient = Patient(mrn=patients.next_mrn(), full_name="Nobody Yet", name_key="nobody yet")
        db.session.add(patient)
        db.session.commit()
        mrn = patient.mrn
    assert get(client, ehr[1], mrn).status_code == 404


def test_the_answer_matches_the_openapi_document(client, ehr, episode):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/patients/{mrn}/episode"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    schema_validator(document, "EpisodeLevel").validate(get(client, ehr[1], episode["mrn"]).json)
    schema_validator(document, "Error").validate(get(client, ehr[1], "nonsense").json)


def test_the_admin_form_issues_a_key_that_reads_episodes_only_when_ticked(app, client, admin):
    from tests.fixtures.users import login_as

    login_as(client, admin)
    assert client.post_form("/admin/api-clients/new", {"name": "Bed board", "reads_episodes": "y"}).status_code == 200
    assert client.post_form("/admin/api-clients/new", {"name": "Website"}).status_code == 200
    with app.app_context():
        from coordinator.models import ApiClient

        flags = dict(db.session.execute(sa.select(ApiClient.name, ApiClient.reads_episodes)).all())
    assert flags == {"Bed board": True, "Website": False}
