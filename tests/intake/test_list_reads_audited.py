"""Reads of patient lists are audited (issue 11, item 8): the inquiry list, billing's finance
worklist and the home page's task list each write one audit row per page read (not one per row),
naming the records shown."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from coordinator.contracts.pipeline import TaskInput
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, User, utcnow
from coordinator.roles import Role
from coordinator.services import audit, tasks
from tests.fixtures.intake import make_inquiry, record_deposit
from tests.fixtures.users import login_as


def listed(app, action: str) -> list[tuple[int | None, str | None, str | None]]:
    with app.app_context():
        return [
            (e.actor_user_id, e.entity_type, e.detail)
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        ]


def test_the_finance_worklist_read_is_audited_once_naming_the_inquiries_shown(app, client, create_user):
    desk = create_user(Role.ADMISSIONS)
    older = make_inquiry(app, desk, patient_name="Older Person")
    newer = make_inquiry(app, desk, patient_name="Newer Person")
    make_inquiry(app, desk, patient_name="Not In Finance")  # no coverage, no account: not listed
    for inquiry in (older, newer):
        record_deposit(app, inquiry.id)
    billing = create_user(Role.BILLING)
    login_as(client, billing)
    page = client.get("/finance/").get_data(as_text=True)
    assert "Older Person" in page and "Newer Person" in page
    assert listed(app, "finance_worklist_listed") == [(billing.id, "inquiry", f"page 1, 2 rows: {newer.id},{older.id}")]
    client.get("/finance/?view=balance_due")
    assert listed(app, "finance_worklist_listed")[-1] == (billing.id, "inquiry", "page 1, 0 rows")


def test_the_home_pages_task_list_read_is_audited_once_naming_the_inquiries(app, client, create_user):
    worker = create_user(Role.CASE_MANAGER)
    first = make_inquiry(app, worker, patient_name="First Person")
    second = make_inquiry(app, worker, patient_name="Second Person")
    with app.app_context():
        actor = db.session.get(User, worker.id)
        for inquiry_id, hours in ((second.id, 1), (first.id, 2), (second.id, 3)):
            tasks.create_task(
                actor,
                db.session.get(Inquiry, inquiry_id),
                TaskInput.parse(
                    {"title": "Call back", "due_at": utcnow() + timedelta(hours=hours), "assigned_to_id": worker.id}
                ),
            )
        db.session.commit()
    login_as(client, worker)
    before = len(listed(app, "tasks_listed"))  # signing in lands on the home page too
    home = client.get("/").get_data(as_text=True)
    assert "First Person" in home and "Second Person" in home
    rows = listed(app, "tasks_listed")
    assert len(rows) == before + 1
    assert rows[-1] == (worker.id, "inquiry", f"2 rows: {second.id},{first.id}")


def test_the_inquiry_list_names_the_inquiries_it_showed(app, client, create_user):
    desk = create_user(Role.ADMISSIONS)
    a = make_inquiry(app, desk, patient_name="Alpha Person")
    b = make_inquiry(app, desk, patient_name="Beta Person")
    login_as(client, desk)
    client.get("/inquiries/?sort=oldest")
    assert listed(app, "inquiries_listed") == [(desk.id, "inquiry", f"page 1, 2 rows: {a.id},{b.id}")]


def test_a_long_list_continues_in_another_row_rather_than_cutting_an_id_off(app, create_user):
    user = create_user(Role.ADMIN)
    ids = [1_000_000_000 + n for n in range(60)]  # 60 ten-digit ids: more than one row's detail
    with app.app_context():
        events = audit.record_listing(
            db.session.get(User, user.id), audit.AuditAction.TASKS_LISTED, "inquiry", ids, page=3
        )
        db.session.commit()
        details = [e.detail for e in events]
    assert len(details) == 2 and all(len(d) <= audit.DETAIL_MAX for d in details)
    assert details[0].startswith("page 3, 60 rows: ") and details[1].startswith("page 3, continued: ")
    named = ",".join(d.split(": ", 1)[1] for d in details).split(",")
    assert named == [str(i) for i in ids]
