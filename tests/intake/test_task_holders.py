"""Tasks go to any staff member who may open the record, billing and clinicians included, and
every role's home page has "My tasks" and the unassigned inquiries (issue 13, bug 8). A task on a
restricted record still goes only to those who may open it; someone who neither holds a task nor
works inquiries cannot touch it (it answers as if it did not exist)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, FollowUpTask
from coordinator.roles import Discipline, Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


def _due() -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")


def _task(client, inquiry_id: int, user_id: int, title: str = "Quote the private-pay caller"):
    return client.post_form(
        f"/inquiries/{inquiry_id}/tasks", {"title": title, "due_at": _due(), "assigned_to_id": str(user_id)}
    )


def _only_task(app) -> FollowUpTask:
    with app.app_context():
        return db.session.scalars(sa.select(FollowUpTask)).one()


def _my_tasks(body: str) -> str:
    start = body.index('data-testid="my-tasks"')
    return body[start : body.index("</ul>", start)]


@pytest.fixture
def people(create_user):
    return {
        "admissions": create_user(Role.ADMISSIONS, full_name="Ada Admissions"),
        "billing": create_user(Role.BILLING, full_name="Bea Billing"),
        "clinician": create_user(Role.CLINICIAN, full_name="Cal Clinician", discipline=Discipline.NURSE),
        "case_manager": create_user(Role.CASE_MANAGER, full_name="Cass Manager"),
    }


@pytest.fixture
def inquiry(app, people):
    return make_inquiry(
        app, people["admissions"], patient_name="Priya Privatepay", assigned_to_id=people["admissions"].id
    )


def test_the_task_form_offers_billing_and_clinicians(client, people, inquiry):
    login_as(client, people["admissions"])
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    select = page[page.index('name="assigned_to_id"') : page.index("</select>", page.index('name="assigned_to_id"'))]
    assert "Bea Billing (Billing)" in select and "Cal Clinician (Clinician)" in select


def test_admissions_gives_billing_a_task_that_billing_sees_and_finishes_from_home(
    app, client, new_client, people, inquiry
):
    login_as(client, people["admissions"])
    assert _task(client, inquiry.id, people["billing"].id).status_code == 302
    task = _only_task(app)
    assert task.assigned_to_id == people["billing"].id

    billing = login_as(new_client(), people["billing"])
    mine = _my_tasks(billing.get("/").get_data(as_text=True))
    # Billing opens the record by its finance page, never the clinical one it may not open.
    assert f'href="/finance/inquiry/{inquiry.id}">Quote the private-pay caller</a>' in mine
    assert f'href="/inquiries/{inquiry.id}"' not in mine
    done = billing.post_form(f"/inquiries/tasks/{task.id}/done", {"return_to": "home"})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert _only_task(app).completed_by_id == people["billing"].id
    with app.app_context():  # the read of the record, audited as billing reads it: its finances
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(inquiry.id))).all()
    assert "finances_task_viewed" in actions and "inquiry_task_viewed" not in actions


def test_a_clinician_holds_and_finishes_a_task(app, client, new_client, people, inquiry):
    login_as(client, people["admissions"])
    assert _task(client, inquiry.id, people["clinician"].id, title="Review the taper").status_code == 302
    task = _only_task(app)
    nurse = login_as(new_client(), people["clinician"])
    mine = _my_tasks(nurse.get("/").get_data(as_text=True))
    assert f'href="/inquiries/{inquiry.id}">Review the taper</a>' in mine
    done = nurse.post_form(f"/inquiries/tasks/{task.id}/done")
    assert done.status_code == 302 and done.headers["Location"] == f"/inquiries/{inquiry.id}"
    assert _only_task(app).completed_at is not None


@pytest.mark.parametrize("role", ["billing", "clinician"])
def test_someone_who_neither_holds_a_task_nor_works_inquiries_cannot_touch_it(
    app, client, new_client, people, inquiry, role
):
    login_as(client, people["admissions"])
    assert _task(client, inquiry.id, people["case_manager"].id).status_code == 302
    task = _only_task(app)
    other = login_as(new_client(), people[role])
    assert other.post_form(f"/inquiries/tasks/{task.id}/done").status_code == 404
    moved = other.post_form(f"/inquiries/tasks/{task.id}/reschedule", {"due_at": _due()})
    assert moved.status_code == 404
    after = _only_task(app)
    assert after.completed_at is None and after.due_at == task.due_at
    with app.app_context():
        refusals = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "task_refused")).all()
    assert len(refusals) == 2


def test_a_restricted_records_task_goes_only_to_those_who_may_open_it(app, client, people):
    ada = people["admissions"]
    secret = make_inquiry(app, ada, patient_name="Sam Secret", assigned_to_id=ada.id, is_restricted=True)
    login_as(client, ada)
    for role in ("billing", "clinician"):
        refused = _task(client, secret.id, people[role].id)
        assert refused.status_code == 400
        assert "a task on it can go only to its assignee or an administrator" in refused.get_data(as_text=True)
    page = client.get(f"/inquiries/{secret.id}").get_data(as_text=True)
    select = page[page.index('name="assigned_to_id"') : page.index("</select>", page.index('name="assigned_to_id"'))]
    assert "Bea Billing" not in select and "Cal Clinician" not in select
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask)) == 0


@pytest.mark.parametrize("role", ["admissions", "billing", "clinician", "case_manager"])
def test_every_roles_home_has_my_tasks_and_the_unassigned_queue(app, client, create_user, people, role):
    ada = people["admissions"]
    waiting = make_inquiry(app, ada, patient_name="Una Unassigned")
    make_inquiry(app, ada, patient_name="Otto Owned", assigned_to_id=ada.id)
    make_inquiry(app, ada, patient_name="Sam Secret", assigned_to_id=ada.id, is_restricted=True)
    login_as(client, people[role])
    body = client.get("/").get_data(as_text=True)
    assert 'data-testid="my-tasks"' in body
    start = body.index('data-testid="unassigned"')
    unassigned = body[start : body.index("</ul>", start)]
    assert "Una Unassigned" in unassigned and "Otto Owned" not in unassigned and "Sam Secret" not in unassigned
    link = f"/finance/inquiry/{waiting.id}" if role == "billing" else f"/inquiries/{waiting.id}"
    assert f'href="{link}"' in unassigned


def test_a_task_reminder_leads_billing_to_the_finance_page(app, client, people, inquiry):
    from coordinator.domain.reminders import ReminderKind
    from coordinator.models import Reminder, User
    from coordinator.outbox.compose import compose

    login_as(client, people["admissions"])
    assert _task(client, inquiry.id, people["billing"].id).status_code == 302
    with app.app_context():
        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.kind == ReminderKind.TASK_DUE)).one()
        assert compose(reminder, db.session.get(User, people["billing"].id)).path == f"/finance/inquiry/{inquiry.id}"
        assert compose(reminder, db.session.get(User, people["clinician"].id)).path == f"/inquiries/{inquiry.id}"
