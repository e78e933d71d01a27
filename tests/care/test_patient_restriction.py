"""A patient's own restriction: raised or lowered on the patient page with a reason (audited)
by who may change an inquiry's restriction; the patient stays restricted while any inquiry of
theirs is, and lifting the inquiry's restriction lifts a patient admitted restricted."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, Patient
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly


def admitted(app, owner, *, restricted: bool, name: str = "Discreet Dana") -> dict:
    inquiry = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=restricted, patient_name=name)
    return admit_directly(app, owner, inquiry.id, make_program(app).id)


def patient_row(app, patient_id: int) -> Patient:
    with app.app_context():
        row = db.session.get(Patient, patient_id)
        db.session.expunge(row)
        return row


def actions(app, patient_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action).where(
                    AuditEvent.entity_type == "patient", AuditEvent.entity_id == str(patient_id)
                )
            )
        )


def test_lifting_the_inquiry_restriction_lifts_a_patient_admitted_restricted(app, new_client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    made = admitted(app, owner, restricted=True)
    reader = login_as(new_client(), create_user(Role.CLINICIAN))
    assert reader.get(f"/care/patients/{made['patient']}").status_code == 403
    owner_client = login_as(new_client(), owner)
    page = owner_client.get(f"/inquiries/{made['admitted_inquiry']}/edit").get_data(as_text=True)
    assert "is_restricted" in page
    with app.app_context():
        db.session.get(Inquiry, made["admitted_inquiry"]).is_restricted = False
        db.session.commit()
    assert reader.get(f"/care/patients/{made['patient']}").status_code == 200


def test_a_case_manager_raises_and_lowers_the_patients_restriction_with_a_reason(app, client, new_client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    made = admitted(app, owner, restricted=False)
    login_as(client, owner)
    path = f"/care/patients/{made['patient']}"
    assert 'data-testid="restriction"' in client.get(path).get_data(as_text=True)
    raised = client.post_form(
        f"{path}/restriction",
        {"restriction-restricted": "y", "restriction-reason": "Public figure, asked for discretion"},
    )
    assert raised.status_code == 302
    row = patient_row(app, made["patient"])
    assert row.is_restricted and row.restriction_reason == "Public figure, asked for discretion"
    assert row.restriction_changed_by_id == owner.id and row.restriction_changed_at is not None
    assert "patient_restriction_changed" in actions(app, made["patient"])
    with app.app_context():
        detail = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "patient_restriction_changed")
        ).one()
    assert "Public figure" not in detail  # the reason stays on the patient, not in the log
    reader = login_as(new_client(), create_user(Role.CLINICIAN))
    assert reader.get(path).status_code == 403
    assert 'data-testid="restricted"' in client.get(path).get_data(as_text=True)
    lowered = client.post_form(f"{path}/restriction", {"restriction-reason": "Patient agreed to the usual access"})
    assert lowered.status_code == 302 and not patient_row(app, made["patient"]).is_restricted
    assert reader.get(path).status_code == 200


def test_lowering_is_refused_while_an_inquiry_of_theirs_is_restricted(app, client, create_user):
    admin = create_user(Role.ADMIN)
    owner = create_user(Role.CASE_MANAGER)
    made = admitted(app, owner, restricted=True)
    with app.app_context():
        db.session.get(Patient, made["patient"]).is_restricted = True
        db.session.commit()
    login_as(client, admin)
    response = client.post_form(
        f"/care/patients/{made['patient']}/restriction", {"restriction-reason": "Trying to lift it from here"}
    )
    assert response.status_code == 400
    assert f"while inquiry #{made['admitted_inquiry']} is" in response.get_data(as_text=True)
    assert patient_row(app, made["patient"]).is_restricted


def test_a_restriction_needs_an_assignee_who_can_open_it(app, client, create_user):
    admin = create_user(Role.ADMIN)
    inquiry = make_inquiry(app, admin, patient_name="Nobody Assigned")
    made = admit_directly(app, admin, inquiry.id, make_program(app).id)
    login_as(client, admin)
    response = client.post_form(
        f"/care/patients/{made['patient']}/restriction", {"restriction-restricted": "y", "restriction-reason": "x"}
    )
    assert response.status_code == 400 and not patient_row(app, made["patient"]).is_restricted


@pytest.mark.parametrize(
    "data",
    [
        {"restriction-restricted": "y"},
        {"restriction-restricted": "y", "restriction-reason": "   "},
        {"restriction-restricted": "y", "restriction-reason": "x" * 100_000},
        {"restriction-restricted": "y", "restriction-reason": "bad\x00reason"},
        {"restriction-reason": "It is not restricted already"},  # unchanged
    ],
)
def test_bad_restriction_changes_are_refused_and_change_nothing(app, client, create_user, data):
    owner = create_user(Role.CASE_MANAGER)
    made = admitted(app, owner, restricted=False)
    login_as(client, owner)
    response = client.post_form(f"/care/patients/{made['patient']}/restriction", data)
    assert response.status_code == 400
    assert not patient_row(app, made["patient"]).is_restricted
    assert "patient_restriction_changed" not in actions(app, made["patient"])


def test_clinicians_cannot_change_a_restriction(app, client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    made = admitted(app, owner, restricted=False)
    login_as(client, create_user(Role.CLINICIAN))
    assert 'data-testid="restriction"' not in client.get(f"/care/patients/{made['patient']}").get_data(as_text=True)
    response = client.post_form(
        f"/care/patients/{made['patient']}/restriction", {"restriction-restricted": "y", "restriction-reason": "x"}
    )
    assert response.status_code == 403 and not patient_row(app, made["patient"]).is_restricted


def test_unknown_patients_are_not_found(app, client, create_user):
    login_as(client, create_user(Role.ADMIN))
    for patient_id in (999999, 2147483648):
        response = client.post_form(
            f"/care/patients/{patient_id}/restriction", {"restriction-restricted": "y", "restriction-reason": "x"}
        )
        assert response.status_code == 404
