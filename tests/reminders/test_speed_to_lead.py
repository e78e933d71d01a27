"""Speed to lead (issue 13, item 11): a new web or API inquiry tells the admissions desk at once
(in the app, and by email with no patient detail) through the outbox; an optional round-robin
gives it to the next admissions user on duty, fairly and without two picks colliding; the
inquiry list shows how long an inquiry has waited for a first contact."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from coordinator.contracts.intake import NewInquiry
from coordinator.domain.intake import Channel
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, Notification, Reminder, User, utcnow
from coordinator.outbox.delivery import deliver
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import audit, intake, settings, speed_to_lead
from tests.fixtures.intake import make_inquiry, spouse_call
from tests.fixtures.users import login_as
from tests.intake.test_public_form import URL as PUBLIC_FORM
from tests.intake.test_public_form import visitor_answers


def relay_now(app) -> list[str]:
    """One relay round now, then deliver what it handed out (what the worker does each minute)."""
    with app.app_context():
        outcomes = [deliver(i) for i in relay_once(None, now=utcnow())]
        db.session.remove()
        return outcomes


def web_inquiry(app, **overrides) -> int:
    with app.app_context():
        inquiry = intake.create_inquiry(
            audit.ANONYMOUS, NewInquiry.parse(spouse_call(**overrides)), channel=Channel.WEB_FORM
        )
        db.session.commit()
        return inquiry.id


def set_on_duty(app, *users: User) -> None:
    with app.app_context():
        for user in users:
            db.session.get(User, user.id).on_duty = True
        db.session.commit()


def round_robin_on(app, admin: User) -> None:
    with app.app_context():
        speed_to_lead.set_round_robin(db.session.get(User, admin.id), True)
        db.session.commit()


def assignee_of(app, inquiry_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Inquiry, inquiry_id).assigned_to_id


def test_a_web_inquiry_reaches_the_desk_at_once_in_app_and_by_email_without_patient_details(
    app, client, new_client, create_user, smtp_server
):
    ana = create_user(Role.ADMISSIONS, full_name="Ana Admissions", email="ana@example.org")
    ben = create_user(Role.ADMISSIONS, full_name="Ben Admissions", email="ben@example.org")
    create_user(Role.BILLING)
    create_user(Role.ADMISSIONS, active=False)
    answers = visitor_answers()
    assert client.post_form(PUBLIC_FORM, answers).status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.kind == ReminderKind.NEW_INQUIRY)).one()
        assert reminder.due_at == inquiry.arrived_at  # due now, not in 15 minutes
    assert relay_now(app) == ["sent"]  # the next relay round (every minute at most) sends it
    with app.app_context():
        notified = {n.user_id: n for n in db.session.scalars(sa.select(Notification))}
    assert set(notified) == {ana.id, ben.id}
    assert notified[ana.id].link == f"/inquiries/{inquiry.id}"
    assert len(smtp_server.messages) == 2
    for message in smtp_server.messages:
        text = f"{message['Subject']} {message.get_payload()}"
        assert f"#{inquiry.id}" in text
        for private in (answers["patient_name"], answers.get("caller_name"), "oxycodone", "Family"):
            assert not private or private not in text
    page = login_as(new_client(), ana).get("/notifications/").get_data(as_text=True)
    assert "New inquiry" in page
    board = login_as(new_client(), ben).get("/board/").get_data(as_text=True)
    assert f'id="card-{inquiry.id}"' in board


def test_an_api_inquiry_is_announced_too_and_a_phone_one_is_not(app, create_user):
    create_user(Role.ADMISSIONS)
    web = web_inquiry(app)
    with app.app_context():
        api = intake.create_inquiry(audit.ANONYMOUS, NewInquiry.parse(spouse_call()), channel=Channel.API).id
        db.session.commit()
    phone = make_inquiry(app).id
    with app.app_context():
        announced = set(
            db.session.scalars(sa.select(Reminder.inquiry_id).where(Reminder.kind == ReminderKind.NEW_INQUIRY))
        )
    assert announced == {web, api} and phone not in announced


def test_only_the_desk_on_duty_is_told_when_someone_is_on_duty(app, create_user):
    on = create_user(Role.ADMISSIONS)
    create_user(Role.ADMISSIONS)
    set_on_duty(app, on)
    web_inquiry(app)
    assert relay_now(app) == ["sent"]
    with app.app_context():
        assert list(db.session.scalars(sa.select(Notification.user_id))) == [on.id]


def test_a_first_contact_before_the_relay_round_cancels_the_announcement(app, create_user):
    desk = create_user(Role.ADMISSIONS)
    inquiry_id = web_inquiry(app)
    with app.app_context():
        from coordinator.rules.inquiry_lifecycle import InquiryAction
        from coordinator.services import pipeline

        pipeline.move(db.session.get(User, desk.id), db.session.get(Inquiry, inquiry_id), InquiryAction.RECORD_CONTACT)
        db.session.commit()
        statuses = set(db.session.scalars(sa.select(Reminder.status).where(Reminder.inquiry_id == inquiry_id)))
    assert statuses == {ReminderStatus.CANCELLED}
    assert relay_now(app) == []


def test_without_the_round_robin_a_web_inquiry_stays_unassigned(app, create_user):
    set_on_duty(app, create_user(Role.ADMISSIONS))
    assert assignee_of(app, web_inquiry(app)) is None


def test_the_round_robin_gives_each_on_duty_user_a_turn_in_order(app, create_user):
    admin = create_user(Role.ADMIN)
    first, second, third = (create_user(Role.ADMISSIONS) for _ in range(3))
    off_duty = create_user(Role.ADMISSIONS)
    case_manager = create_user(Role.CASE_MANAGER)
    set_on_duty(app, first, second, third)
    with app.app_context():  # only admissions users can be on duty for the round-robin
        db.session.get(User, case_manager.id).on_duty = True
        db.session.commit()
    round_robin_on(app, admin)
    given = [assignee_of(app, web_inquiry(app)) for _ in range(6)]
    assert given == [first.id, second.id, third.id, first.id, second.id, third.id]
    assert off_duty.id not in given and case_manager.id not in given
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "inquiry_assigned_round_robin")
        ).all()
        assert len(rows) == 6


def test_someone_coming_on_duty_gets_the_next_turn(app, create_user):
    admin = create_user(Role.ADMIN)
    early, late = create_user(Role.ADMISSIONS), create_user(Role.ADMISSIONS)
    set_on_duty(app, early)
    round_robin_on(app, admin)
    assert assignee_of(app, web_inquiry(app)) == early.id
    set_on_duty(app, late)
    assert assignee_of(app, web_inquiry(app)) == late.id  # never given one: goes first
    assert assignee_of(app, web_inquiry(app)) == early.id


def test_the_assignee_picked_is_told_even_when_off_the_desks_list(app, create_user):
    admin = create_user(Role.ADMIN)
    picked = create_user(Role.ADMISSIONS)
    set_on_duty(app, picked)
    round_robin_on(app, admin)
    web_inquiry(app)
    relay_now(app)
    with app.app_context():
        assert list(db.session.scalars(sa.select(Notification.user_id))) == [picked.id]


def test_two_inquiries_arriving_together_go_to_two_people(app, create_user):
    """Race safety: while one transaction holds its pick (not yet committed), a second arrival
    skips the locked user and takes the next, instead of both going to the same person."""
    admin = create_user(Role.ADMIN)
    first, second = create_user(Role.ADMISSIONS), create_user(Role.ADMISSIONS)
    set_on_duty(app, first, second)
    round_robin_on(app, admin)
    picked, may_commit, done = threading.Event(), threading.Event(), []

    def slow_arrival():
        with app.app_context():
            inquiry = intake.create_inquiry(audit.ANONYMOUS, NewInquiry.parse(spouse_call()), channel=Channel.WEB_FORM)
            picked.set()
            may_commit.wait(timeout=30)
            db.session.commit()
            done.append(inquiry.id)
            db.session.remove()

    thread = threading.Thread(target=slow_arrival)
    thread.start()
    assert picked.wait(timeout=30)
    try:
        other = web_inquiry(app)
    finally:
        may_commit.set()
        thread.join(timeout=30)
    assert {assignee_of(app, done[0]), assignee_of(app, other)} == {first.id, second.id}


def test_the_administrator_turns_the_round_robin_on_and_off(app, client, create_user):
    admin = create_user(Role.ADMIN)
    on = create_user(Role.ADMISSIONS, full_name="Dana Duty")
    set_on_duty(app, on)
    login_as(client, admin)
    page = client.get("/admin/reminders/settings").get_data(as_text=True)
    assert "Round-robin assignment is <strong>off</strong>" in page and "Dana Duty" in page
    assert client.post_form("/admin/reminders/round-robin", {"enabled": "on"}).status_code == 302
    with app.app_context():
        assert settings.get_value(settings.ROUND_ROBIN) == "on"
    assert "Round-robin assignment is <strong>on</strong>" in client.get("/admin/reminders/settings").get_data(
        as_text=True
    )
    client.post_form("/admin/reminders/round-robin", {"enabled": "bogus\x00"})
    with app.app_context():
        assert settings.get_value(settings.ROUND_ROBIN) == "on"  # refused, unchanged
    client.post_form("/admin/reminders/round-robin", {"enabled": "off"})
    with app.app_context():
        assert settings.get_value(settings.ROUND_ROBIN) is None


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.CLINICIAN, Role.BILLING, Role.ADMIN])
def test_only_admissions_users_go_on_duty(app, client, create_user, role):
    user = create_user(role)
    login_as(client, user)
    assert client.post_form("/board/on-duty", {"on_duty": "on"}).status_code == 403
    with app.app_context():
        assert db.session.get(User, user.id).on_duty is False


def test_the_inquiry_list_shows_how_long_an_inquiry_has_waited_for_first_contact(app, client, create_user):
    desk = create_user(Role.ADMISSIONS)
    waiting = web_inquiry(app)
    live = make_inquiry(app, desk, assigned_to_id=desk.id, caller_on_line=True).id
    login_as(client, desk)
    page = client.get("/inquiries/").get_data(as_text=True)
    cells = dict(
        zip(
            [f"/inquiries/{i}" for i in (waiting, live)],
            [page[page.index(f'href="/inquiries/{i}"') :] for i in (waiting, live)],
            strict=True,
        )
    )
    waiting_cell = cells[f"/inquiries/{waiting}"]
    waiting_cell = waiting_cell[waiting_cell.index('data-testid="first-contact"') :][:200]
    assert "waiting" in waiting_cell
    live_cell = cells[f"/inquiries/{live}"]
    live_cell = live_cell[live_cell.index('data-testid="first-contact"') :][:200]
    assert "after 0 s" in live_cell
