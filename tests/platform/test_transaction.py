"""One commit per request (coordinator/transaction.py), seen from outside through real pages.

- a page that answers normally commits its work once, its reads' audit rows included;
- a refused form undoes the use case only (a savepoint), the page's reads still commit;
- a refusal (403/404) rolls the request back but keeps the audit row saying who was refused;
- an error in the middle of a use case leaves nothing half-written.
"""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, InquiryActivity
from coordinator.roles import Role
from coordinator.services import audit, pipeline
from coordinator.transaction import durable
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


def actions(app, inquiry_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_type == "inquiry", AuditEvent.entity_id == str(inquiry_id))
                .order_by(AuditEvent.id)
            )
        )


def notes(app, inquiry_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(InquiryActivity)
            .where(InquiryActivity.inquiry_id == inquiry_id, InquiryActivity.kind == "note")
        )


def test_a_change_and_its_audit_rows_commit_together(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    inquiry = make_inquiry(app, user, assigned_to_id=user.id)
    login_as(client, user)
    assert client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "Called the GP"}).status_code == 302
    assert notes(app, inquiry.id) == 1
    assert actions(app, inquiry.id)[-2:] == ["inquiry_opened_for_change", "inquiry_note_added"]


def test_a_refused_form_undoes_the_change_but_keeps_the_read(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    inquiry = make_inquiry(app, user, assigned_to_id=user.id)
    login_as(client, user)
    response = client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "  "})
    assert response.status_code == 400 and "Write the note." in response.get_data(as_text=True)
    assert notes(app, inquiry.id) == 0
    assert actions(app, inquiry.id)[-1] == "inquiry_opened_for_change"  # the page was shown: audited


def test_a_refusal_rolls_back_but_its_audit_row_stays(app, client, create_user):
    owner = create_user(Role.ADMISSIONS)
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    login_as(client, create_user(Role.ADMISSIONS))
    response = client.post_form(f"/inquiries/{restricted.id}/notes", {"note": "Not mine to write"})
    assert response.status_code == 403
    assert notes(app, restricted.id) == 0
    assert actions(app, restricted.id)[-1] == "restricted_inquiry_refused"


def test_a_refusal_met_inside_a_form_is_still_recorded(app, client, create_user):
    # Merging into a restricted record: the service meets the refusal inside the form's savepoint,
    # which is undone; the refusal's audit row is written again when the request commits.
    owner = create_user(Role.ADMISSIONS)
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    user = create_user(Role.ADMISSIONS)
    duplicate = make_inquiry(app, user, assigned_to_id=user.id)
    login_as(client, user)
    response = client.post_form(f"/inquiries/{duplicate.id}/merge", {"survivor_id": str(restricted.id)})
    assert response.status_code == 400 and "restricted" in response.get_data(as_text=True)
    assert actions(app, restricted.id)[-1] == "restricted_inquiry_refused"
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "inquiry_merged")
            )
            == 0
        )


def test_an_error_in_the_middle_of_a_use_case_leaves_nothing(app, client, create_user, monkeypatch):
    user = create_user(Role.ADMISSIONS)
    inquiry = make_inquiry(app, user, assigned_to_id=user.id)
    login_as(client, user)
    real = pipeline.add_activity

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        db.session.flush()
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(pipeline, "add_activity", write_then_fail)
    response = client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "Half a note"})
    assert response.status_code == 500
    assert notes(app, inquiry.id) == 0
    assert "inquiry_opened_for_change" not in actions(app, inquiry.id)  # nothing of the request stays


def test_a_role_refusal_is_recorded_even_though_the_request_is_refused(app, client, create_user):
    clinician = create_user(Role.CLINICIAN)
    login_as(client, clinician)
    assert client.get("/admin/users").status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "access_denied", AuditEvent.actor_user_id == clinician.id)
            )
            == 1
        )


def test_outside_a_request_a_durable_write_runs_once_and_the_caller_commits(app):
    with app.app_context():
        durable(lambda: audit.record(audit.CLI, audit.AuditAction.SETTING_CHANGED, "setting", "x"))
        db.session.commit()
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.entity_id == "x"))
            == 1
        )
