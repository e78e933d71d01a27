"""Moving an inquiry through the pipeline: the lifecycle table, the timeline, tasks, admission."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import Admission, AuditEvent, FollowUpTask, Inquiry, InquiryActivity
from coordinator.roles import Role
from tests.fixtures.intake import make_program, record_deposit
from tests.fixtures.users import login_as


def reload(app, inquiry_id) -> Inquiry:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        db.session.expunge(inquiry)
        return inquiry


def timeline(app, inquiry_id) -> list[tuple[str, str | None]]:
    with app.app_context():
        return [
            (a.kind.value, a.summary)
            for a in db.session.scalars(
                sa.select(InquiryActivity).where(InquiryActivity.inquiry_id == inquiry_id).order_by(InquiryActivity.id)
            )
        ]


@pytest.fixture
def worker(app, client, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    login_as(client, user)
    return user


def test_an_inquiry_moves_from_new_to_admitted_with_who_when_and_why(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker, assigned_to_id=worker.id)
    program = make_program(app, name="Residential Chiang Mai")
    record_deposit(app, inquiry.id)
    steps = [
        ("record_contact", {}),
        ("start_screening", {}),
        ("start_verification", {}),
        ("offer_placement", {}),
        ("admit", {"program_id": str(program.id), "admit_date": date.today().isoformat()}),
    ]
    for action, extra in steps:
        response = client.post_form(f"/inquiries/{inquiry.id}/status", {"action": action, **extra})
        assert response.status_code == 302, (action, response.get_data(as_text=True)[:2000])
    final = reload(app, inquiry.id)
    assert final.status.value == "admitted"
    assert final.first_contact_at is not None
    with app.app_context():
        admission = db.session.scalars(sa.select(Admission)).one()
        assert (admission.inquiry_id, admission.program_id, admission.admit_date) == (
            inquiry.id,
            program.id,
            date.today(),
        )
        changes = db.session.scalars(
            sa.select(InquiryActivity).where(InquiryActivity.kind == "status_change").order_by(InquiryActivity.id)
        ).all()
        assert [(c.from_status, c.to_status) for c in changes] == [
            ("new", "contacted"),
            ("contacted", "screening"),
            ("screening", "verifying"),
            ("verifying", "placement_offered"),
            ("placement_offered", "admitted"),
        ]
        assert {c.actor_id for c in changes} == {worker.id}
        assert changes[-1].summary == "Admitted to Residential Chiang Mai"
        audited = db.session.scalars(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "inquiry_status_changed")
        ).all()
        assert "placement_offered -> admitted" in audited
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Residential Chiang Mai" in page and "Admitted" in page


def test_a_move_the_table_does_not_allow_is_refused_and_changes_nothing(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    response = client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "admit"})
    assert response.status_code == 400
    assert "Cannot admit an inquiry whose status is New" in response.get_data(as_text=True)
    assert reload(app, inquiry.id).status.value == "new"
    assert timeline(app, inquiry.id) == [("arrived", "Arrived by phone")]


@pytest.mark.parametrize(
    "action, extra, message",
    [
        ("decline", {}, "needs a reason"),
        ("mark_lost", {"reason": "   "}, "needs a reason"),
        ("refer_out", {}, "Say to whom"),
    ],
)
def test_exits_need_a_reason(app, client, worker, create_inquiry, action, extra, message):
    inquiry = create_inquiry(worker)
    client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "record_contact"})
    response = client.post_form(f"/inquiries/{inquiry.id}/status", {"action": action, **extra})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert reload(app, inquiry.id).status.value == "contacted"


def test_exit_reasons_are_kept_and_reopen_clears_them(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "record_contact"})
    client.post_form(
        f"/inquiries/{inquiry.id}/status", {"action": "refer_out", "referred_out_to": "Dr. Osei, OTP downtown"}
    )
    referred = reload(app, inquiry.id)
    assert (referred.status.value, referred.referred_out_to) == ("referred_out", "Dr. Osei, OTP downtown")
    assert referred.exit_reason == "Referred to Dr. Osei, OTP downtown"
    # referred_out is terminal
    assert (
        client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "reopen", "reason": "called back"}).status_code
        == 400
    )

    other = create_inquiry(worker)
    client.post_form(f"/inquiries/{other.id}/status", {"action": "mark_lost", "reason": "No answer after 5 attempts"})
    assert reload(app, other.id).exit_reason == "No answer after 5 attempts"
    client.post_form(f"/inquiries/{other.id}/status", {"action": "reopen", "reason": "She called back today"})
    reopened = reload(app, other.id)
    assert (reopened.status.value, reopened.exit_reason) == ("contacted", None)


def test_admit_needs_a_program_and_a_sensible_date(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    for action in ("record_contact", "start_screening", "start_verification", "offer_placement"):
        client.post_form(f"/inquiries/{inquiry.id}/status", {"action": action})
    response = client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "admit", "admit_date": "2020-01-01"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the program" in body and "within the last 30 days" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Admission)) == 0
    assert reload(app, inquiry.id).status.value == "placement_offered"


def test_a_reached_call_is_first_contact_and_moves_a_new_inquiry_on(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    response = client.post_form(
        f"/inquiries/{inquiry.id}/calls", {"direction": "outbound", "outcome": "no_answer", "duration_minutes": "1"}
    )
    assert response.status_code == 302
    assert reload(app, inquiry.id).first_contact_at is None
    client.post_form(
        f"/inquiries/{inquiry.id}/calls",
        {"direction": "outbound", "outcome": "reached", "duration_minutes": "25", "note": "Spoke with Maria"},
    )
    contacted = reload(app, inquiry.id)
    assert contacted.status.value == "contacted"
    assert timedelta(0) <= contacted.first_contact_at - contacted.arrived_at < timedelta(minutes=1)
    kinds = [kind for kind, _ in timeline(app, inquiry.id)]
    assert kinds == ["arrived", "call", "call", "status_change"]
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Spoke with Maria" in page and "25 min" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"direction": "outbound", "outcome": ""}, "Choose the call"),
        ({"direction": "sideways", "outcome": "reached"}, "Choose one of the listed options"),
        ({"direction": "outbound", "outcome": "reached", "duration_minutes": "-3"}, "from 0 to 600"),
        ({"direction": "outbound", "outcome": "reached", "occurred_at": "2099-01-01T10:00"}, "cannot be in the future"),
        ({"direction": "outbound", "outcome": "reached", "note": "n" * 4001}, "4000"),
    ],
)
def test_bad_call_logs_are_refused(app, client, worker, create_inquiry, data, message):
    inquiry = create_inquiry(worker)
    response = client.post_form(f"/inquiries/{inquiry.id}/calls", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert timeline(app, inquiry.id) == [("arrived", "Arrived by phone")]


def test_emails_and_notes_join_the_timeline(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    assert (
        client.post_form(
            f"/inquiries/{inquiry.id}/emails", {"direction": "inbound", "note": "Sent insurance card"}
        ).status_code
        == 302
    )
    assert client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "Prefers calls after 6 pm"}).status_code == 302
    assert client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "  "}).status_code == 400
    assert [k for k, _ in timeline(app, inquiry.id)] == ["arrived", "email", "note"]
    assert reload(app, inquiry.id).first_contact_at is not None  # an inbound email is contact


def test_tasks_show_on_my_home_page_and_can_be_completed(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    due = (datetime.now(UTC) + timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")
    response = client.post_form(
        f"/inquiries/{inquiry.id}/tasks",
        {"title": "Call back after work", "due_at": due, "assigned_to_id": str(worker.id)},
    )
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Call back after work" in home and inquiry.patient_name in home
    with app.app_context():
        task = db.session.scalars(sa.select(FollowUpTask)).one()
    assert client.post_form(f"/inquiries/tasks/{task.id}/done", {"return_to": "home"}).headers["Location"] == "/"
    assert "No open tasks" in client.get("/").get_data(as_text=True)
    assert [s for _, s in timeline(app, inquiry.id)][-2:] == [
        "Task added: Call back after work",
        "Task done: Call back after work",
    ]


def test_bad_tasks_are_refused(app, client, worker, create_inquiry, create_user):
    inquiry = create_inquiry(worker)
    clinician = create_user(Role.CLINICIAN)
    response = client.post_form(
        f"/inquiries/{inquiry.id}/tasks", {"title": "", "due_at": "", "assigned_to_id": str(clinician.id)}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Say what needs doing" in body and "Enter when it is due" in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask)) == 0


def test_clinicians_read_but_do_not_change_inquiries(app, client, create_user, create_inquiry):
    inquiry = create_inquiry()
    login_as(client, create_user(Role.CLINICIAN))
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 200
    assert client.post_form(f"/inquiries/{inquiry.id}/status", {"action": "record_contact"}).status_code == 403
    assert client.post_form(f"/inquiries/{inquiry.id}/notes", {"note": "hi"}).status_code == 403
    assert reload(app, inquiry.id).status.value == "new"


def test_billing_has_no_access_to_inquiries(client, create_user, create_inquiry):
    inquiry = create_inquiry()
    login_as(client, create_user(Role.BILLING))
    assert client.get("/inquiries/").status_code == 403
    assert client.get(f"/inquiries/{inquiry.id}").status_code == 403


def test_every_read_of_an_inquiry_is_audited(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker)
    client.get(f"/inquiries/{inquiry.id}")
    client.get(f"/inquiries/{inquiry.id}/edit")
    with app.app_context():
        actions = db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.entity_type == "inquiry",
                AuditEvent.entity_id == str(inquiry.id),
                AuditEvent.actor_user_id == worker.id,
            )
        ).all()
    assert "inquiry_viewed" in actions and "inquiry_opened_for_edit" in actions


def test_editing_details_keeps_the_record_and_recomputes_mme(app, client, worker, create_inquiry):
    inquiry = create_inquiry(worker, assigned_to_id=worker.id)
    page = client.get(f"/inquiries/{inquiry.id}/edit").get_data(as_text=True)
    assert 'value="20"' in page  # the saved regimen is shown for editing
    from tests.intake.test_phone_intake import form_data

    data = form_data(patient_name="Daniel R.", assigned_to_id=str(worker.id), **{"regimen-0-dose": "10"})
    assert client.post_form(f"/inquiries/{inquiry.id}/edit", data).status_code == 302
    edited = reload(app, inquiry.id)
    assert edited.patient_name == "Daniel R." and edited.mme_per_day == 45
