"""Reminders: written with their cause, cancelled when it resolves, delivered exactly once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.contracts.intake import NewInquiry
from coordinator.contracts.pipeline import RescheduleInput, TaskInput
from coordinator.contracts.screening import Phq9Input
from coordinator.domain.intake import Channel
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import Inquiry, Notification, Reminder, ReminderDelivery, Screening, utcnow
from coordinator.outbox.delivery import deliver, deliver_many
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import intake, reminder_admin, reminders, screenings, settings, tasks
from tests.fixtures.intake import spouse_call, staff_inquiry


def reminders_of(app, **where):
    with app.app_context():
        rows = db.session.scalars(sa.select(Reminder).filter_by(**where).order_by(Reminder.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def relay_and_deliver(app, minutes_ahead: float = 0) -> list[str]:
    """One relay round as of `minutes_ahead`, then deliver what it handed out (in-process mode)."""
    with app.app_context():
        ids = relay_once(None, now=utcnow() + timedelta(minutes=minutes_ahead))
        outcomes = [deliver(i) for i in ids]
        db.session.remove()
        return outcomes


@pytest.fixture
def desk(create_user):
    return create_user(Role.ADMISSIONS, full_name="Ana Admissions", email="ana@example.org")


@pytest.fixture
def inquiry(app, desk):
    with app.app_context():
        actor = db.session.merge(desk)
        # A callback request taken by phone: a web or API inquiry would also tell the desk at once
        # (tests/reminders/test_speed_to_lead.py).
        created = intake.create_inquiry(actor, staff_inquiry(actor.id), channel=Channel.PHONE)
        db.session.commit()
        return created.id


def test_a_new_inquiry_gets_a_first_contact_reminder_in_the_same_transaction(app, inquiry):
    (reminder,) = reminders_of(app, inquiry_id=inquiry)
    with app.app_context():
        arrived = db.session.get(Inquiry, inquiry).arrived_at
    assert reminder.kind is ReminderKind.FIRST_CONTACT_DUE and reminder.status is ReminderStatus.PENDING
    assert reminder.due_at - arrived == timedelta(minutes=15)


def test_a_rolled_back_inquiry_leaves_no_reminder(app, desk):
    with app.app_context():
        intake.create_inquiry(db.session.merge(desk), staff_inquiry(), channel=Channel.PHONE)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 0


def test_nothing_is_relayed_before_it_is_due(app, inquiry):
    assert relay_and_deliver(app, minutes_ahead=14) == []
    assert reminders_of(app)[0].status is ReminderStatus.PENDING


def test_a_due_reminder_reaches_the_assignee_by_email_and_in_app_exactly_once(app, inquiry, desk, smtp_server):
    assert relay_and_deliver(app, minutes_ahead=16) == ["sent"]
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["To"].endswith("<ana@example.org>")
    assert email["Subject"] == "Coordinator: an inquiry is waiting for first contact"
    body = email.get_payload()
    assert f"/inquiries/{inquiry}" in body
    with app.app_context():
        patient = db.session.get(Inquiry, inquiry)
        for secret in (patient.patient_name, patient.caller_name, "oxycodone", "opioid", "Residential"):
            assert secret not in body and secret not in email["Subject"]
        notes = db.session.scalars(sa.select(Notification)).all()
        assert [(n.user_id, n.link) for n in notes] == [(desk.id, f"/inquiries/{inquiry}")]
        reminder_id = db.session.scalar(sa.select(Reminder.id))
        # The same job again (RQ may run a job twice): nothing more is sent.
        assert deliver(reminder_id) == "sent"
    assert len(smtp_server.messages) == 1
    assert relay_and_deliver(app, minutes_ahead=60) == []


def test_a_second_run_of_a_job_that_died_after_claiming_sends_nothing_until_the_lease_ends(app, inquiry, smtp_server):
    from coordinator.outbox import claims
    from coordinator.outbox.channels import channels_for

    with app.app_context():
        reminder_id = relay_once(None, now=utcnow() + timedelta(minutes=16))[0]
        email = channels_for(app.config)[1]
        user_id = db.session.get(Inquiry, inquiry).assigned_to_id
        assert claims.claim(reminder_id, user_id, email)  # a worker claimed, then died
        db.session.commit()
        assert deliver(reminder_id) == "busy"
        assert len(smtp_server.messages) == 0
        db.session.execute(sa.update(ReminderDelivery).values(claimed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        assert deliver(reminder_id) == "sent"
    assert len(smtp_server.messages) == 1


def test_first_contact_cancels_the_reminder_and_it_is_never_sent(app, client, inquiry, desk, smtp_server):
    from tests.fixtures.users import login_as

    login_as(client, desk)
    client.post_form(f"/inquiries/{inquiry}/calls", {"direction": "outbound", "outcome": "reached"})
    (reminder,) = reminders_of(app)
    assert (reminder.status, reminder.cancel_reason) == (ReminderStatus.CANCELLED, "first contact made")
    assert relay_and_deliver(app, minutes_ahead=60) == []
    assert smtp_server.messages == []


def test_a_reminder_whose_condition_resolved_after_queueing_is_cancelled_at_send_time(app, inquiry, desk, smtp_server):
    with app.app_context():
        reminder_id = relay_once(None, now=utcnow() + timedelta(minutes=16))[0]
        # Contact recorded without the hook (e.g. by an older release): the send-time check still holds.
        db.session.get(Inquiry, inquiry).first_contact_at = utcnow()
        db.session.commit()
        assert deliver(reminder_id) == "cancelled"
    assert smtp_server.messages == []


def test_tasks_get_due_and_overdue_reminders_cancelled_when_done(app, desk, inquiry):
    with app.app_context():
        actor = db.session.merge(desk)
        task = tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse(
                {"title": "Call back after work", "due_at": utcnow() + timedelta(hours=2), "assigned_to_id": actor.id}
            ),
        )
        db.session.commit()
        kinds = sorted(
            (r.kind.value, r.due_at - task.due_at)
            for r in db.session.scalars(sa.select(Reminder).where(Reminder.task_id == task.id))
        )
        assert kinds == [("task_due", timedelta(0)), ("task_overdue", timedelta(minutes=60))]
        tasks.complete_task(actor, task.id)
        db.session.commit()
        assert set(db.session.scalars(sa.select(Reminder.status).where(Reminder.task_id == task.id))) == {
            ReminderStatus.CANCELLED
        }


def test_a_rescheduled_task_moves_its_reminders(app, desk, inquiry):
    with app.app_context():
        actor = db.session.merge(desk)
        task = tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse({"title": "Call", "due_at": utcnow() + timedelta(hours=2), "assigned_to_id": actor.id}),
        )
        db.session.flush()
        task.due_at = task.due_at + timedelta(days=1)
        reminders.task_rescheduled(task)
        db.session.commit()
        open_rows = db.session.scalars(
            sa.select(Reminder).where(Reminder.task_id == task.id, Reminder.status == ReminderStatus.PENDING)
        ).all()
        assert sorted(r.due_at - task.due_at for r in open_rows) == [timedelta(0), timedelta(minutes=60)]


def test_a_phq9_item_9_answer_alerts_the_clinical_lead_at_once(app, desk, inquiry, create_user, smtp_server):
    lead = create_user(Role.CLINICIAN, full_name="Dr. Lead", email="lead@example.org")
    create_user(Role.CLINICIAN, email="other.clinician@example.org")
    with app.app_context():
        admin = db.session.merge(create_user(Role.ADMIN))
        settings.set_value(admin, settings.CLINICAL_LEAD_USER, str(lead.id))
        answers = {key: "0" for key, _ in screenings.phq9.ITEMS} if hasattr(screenings, "phq9") else {}
        from coordinator.rules import phq9

        answers = {key: "0" for key, _ in phq9.ITEMS}
        answers["self_harm"] = "1"
        screening = screenings.record(
            db.session.merge(desk), db.session.get(Inquiry, inquiry), Phq9Input.parse(answers)
        )
        db.session.commit()
        screening_id = screening.id
    assert relay_and_deliver(app) == ["sent"]
    recipients = [m["To"] for m in smtp_server.messages]
    assert len(recipients) == 1 and recipients[0].endswith("<lead@example.org>")
    assert "PHQ" not in smtp_server.messages[0].get_payload() and "self" not in smtp_server.messages[0]["Subject"]
    with app.app_context():
        note = db.session.scalars(sa.select(Notification).where(Notification.user_id == lead.id)).one()
        assert note.link.endswith(f"/{screening_id}")
        assert db.session.get(Screening, screening_id) is not None


def test_smtp_refusing_retries_with_backoff_then_fails_visibly(app, inquiry, smtp_server):
    smtp_server.refuse_with = "451 4.3.0 Mailbox temporarily unavailable"
    app.config["REMINDER_MAX_ATTEMPTS"] = 3
    assert relay_and_deliver(app, minutes_ahead=16) == ["retrying"]
    (reminder,) = reminders_of(app)
    assert (reminder.status, reminder.attempts, reminder.last_error) == (ReminderStatus.PENDING, 1, "SMTP 451")
    assert timedelta(seconds=25) < reminder.due_at - utcnow() <= timedelta(seconds=30)
    assert relay_and_deliver(app, minutes_ahead=1) == ["retrying"]
    assert relay_and_deliver(app, minutes_ahead=5) == ["failed"]
    (reminder,) = reminders_of(app)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 3)
    assert reminder.failed_at is not None
    assert smtp_server.messages == []
    with app.app_context():
        # The in-app notification went out on the first try and is not repeated.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    # Staff retry once SMTP is back: the email goes, the in-app note is not sent again.
    smtp_server.refuse_with = None
    with app.app_context():
        reminder_admin.retry(db.session.merge(reminder_owner(app)), reminder_admin.load_reminder(reminder.id))
        db.session.commit()
    assert relay_and_deliver(app) == ["sent"]
    assert len(smtp_server.messages) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1


def reminder_owner(app):
    from coordinator.models import User

    with app.app_context():
        user = db.session.scalars(sa.select(User).order_by(User.id)).first()
        db.session.expunge(user)
        return user


def test_an_unassigned_inquiry_alerts_the_whole_admissions_desk(app, create_user):
    a = create_user(Role.ADMISSIONS)
    b = create_user(Role.ADMISSIONS)
    create_user(Role.ADMISSIONS, active=False)
    create_user(Role.BILLING)
    with app.app_context():
        from coordinator.services import audit

        intake.create_inquiry(audit.ANONYMOUS, NewInquiry.parse(spouse_call()), channel=Channel.WEB_FORM)
        db.session.commit()
    assert relay_and_deliver(app) == ["sent"]  # a web inquiry tells the desk at once (issue 13, item 11)
    assert relay_and_deliver(app, minutes_ahead=16) == ["sent"]  # then that first contact is due
    with app.app_context():
        assert sorted(db.session.scalars(sa.select(Notification.user_id))) == sorted([a.id, a.id, b.id, b.id])


def test_daily_digest_once_per_user_per_day_after_the_digest_hour(app, desk, inquiry):
    from zoneinfo import ZoneInfo

    with app.app_context():
        actor = db.session.merge(desk)
        tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse(
                {"title": "Overdue call", "due_at": utcnow() - timedelta(hours=3), "assigned_to_id": actor.id}
            ),
        )
        db.session.commit()
        zone = ZoneInfo("UTC")
        now = utcnow()
        early = now.replace(hour=5, minute=0) if now.hour >= 5 else now
        later = max(now, now.replace(hour=9, minute=0))
        assert reminders.schedule_daily_digests(early, zone) == 0
        assert reminders.schedule_daily_digests(later, zone) == 1
        assert reminders.schedule_daily_digests(later + timedelta(hours=3), zone) == 0
        db.session.commit()
        digest = db.session.scalars(sa.select(Reminder).where(Reminder.kind == ReminderKind.DAILY_DIGEST)).one()
        assert digest.recipient_user_id == desk.id


def test_the_laptop_runner_delivers_through_the_same_code_without_redis(app, inquiry, caplog):
    from coordinator.outbox.inprocess import InProcessReminders

    app.config.update(SMTP_HOST=None, REDIS_URL=None)
    with app.app_context():
        db.session.execute(sa.update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    with caplog.at_level("INFO", logger="coordinator.channels"):
        assert InProcessReminders(app).run_once() == 1
    assert [r.status for r in reminders_of(app)] == [ReminderStatus.SENT]
    logged = [r.getMessage() for r in caplog.records if r.name == "coordinator.channels"]
    assert len(logged) == 1 and f"/inquiries/{inquiry}" in logged[0]
    with app.app_context():
        patient = db.session.get(Inquiry, inquiry)
        assert patient.patient_name not in logged[0]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
    assert InProcessReminders(app).run_once() == 0


def test_task_reminders_never_repeat_the_free_text_title(app, desk, inquiry, smtp_server):
    with app.app_context():
        actor = db.session.merge(desk)
        tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse(
                {
                    "title": "Ask Daniel about his oxycodone refills",
                    "due_at": utcnow() + timedelta(minutes=5),
                    "assigned_to_id": actor.id,
                }
            ),
        )
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.kind == ReminderKind.FIRST_CONTACT_DUE)
            .values(status=ReminderStatus.CANCELLED)
        )
        db.session.commit()
    assert relay_and_deliver(app, minutes_ahead=6) == ["sent"]
    with app.app_context():
        (note,) = db.session.scalars(sa.select(Notification)).all()
        assert note.body == f"A follow-up task is due (inquiry #{inquiry})."
    assert (
        "oxycodone" not in smtp_server.messages[0].as_string() and "Daniel" not in smtp_server.messages[0].as_string()
    )


def test_a_due_reminder_sent_late_gives_way_to_the_overdue_one(app, desk, inquiry):
    with app.app_context():
        actor = db.session.merge(desk)
        tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse({"title": "Call", "due_at": utcnow() - timedelta(hours=2), "assigned_to_id": actor.id}),
        )
        db.session.execute(
            sa.update(Reminder)
            .where(Reminder.kind == ReminderKind.FIRST_CONTACT_DUE)
            .values(status=ReminderStatus.CANCELLED)
        )
        db.session.commit()
    assert sorted(relay_and_deliver(app)) == ["cancelled", "sent"]
    with app.app_context():
        assert [n.title for n in db.session.scalars(sa.select(Notification))] == ["Task overdue"]


def test_moving_a_task_moves_its_reminders_and_is_recorded(app, client, desk, inquiry):
    from tests.fixtures.users import login_as

    login_as(client, desk)
    with app.app_context():
        task = tasks.create_task(
            db.session.merge(desk),
            db.session.get(Inquiry, inquiry),
            TaskInput.parse({"title": "Call back", "due_at": utcnow() + timedelta(hours=1), "assigned_to_id": desk.id}),
        )
        db.session.commit()
        task_id = task.id
    new_local = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    response = client.post_form(
        f"/inquiries/tasks/{task_id}/reschedule", {"due_at": new_local.strftime("%Y-%m-%dT%H:%M")}
    )  # the clinic's zone is UTC here
    assert response.status_code == 302
    pending = [r for r in reminders_of(app, task_id=task_id) if r.status is ReminderStatus.PENDING]
    assert sorted((r.kind.value, r.due_at) for r in pending) == [
        ("task_due", new_local),
        ("task_overdue", new_local + timedelta(minutes=60)),
    ]
    assert client.post_form(f"/inquiries/tasks/{task_id}/reschedule", {"due_at": "2020-01-01T10:00"}).status_code == 302
    assert "must be from now to a year ahead" in client.get("/").get_data(as_text=True)
    assert client.post_form(f"/inquiries/tasks/{task_id}/reschedule", {"due_at": "soon"}).status_code == 302
    assert "Enter the new due time as a date and time" in client.get("/").get_data(as_text=True)
    assert len([r for r in reminders_of(app, task_id=task_id) if r.status is ReminderStatus.PENDING]) == 2


def test_a_task_moved_away_and_back_gets_its_reminders_back(app, desk, inquiry):
    with app.app_context():
        actor = db.session.merge(desk)
        due = (utcnow() + timedelta(hours=3)).replace(microsecond=0)
        task = tasks.create_task(
            actor,
            db.session.get(Inquiry, inquiry),
            TaskInput.parse({"title": "Call", "due_at": due, "assigned_to_id": actor.id}),
        )
        db.session.commit()
        tasks.reschedule_task(actor, task, RescheduleInput.parse({"due_at": due + timedelta(hours=1)}))
        tasks.reschedule_task(actor, task, RescheduleInput.parse({"due_at": due}))
        db.session.commit()
        open_rows = db.session.scalars(
            sa.select(Reminder).where(Reminder.task_id == task.id, Reminder.status == ReminderStatus.PENDING)
        ).all()
        assert sorted((r.kind.value, r.due_at) for r in open_rows) == [
            ("task_due", due),
            ("task_overdue", due + timedelta(minutes=60)),
        ]


def test_a_reminder_no_worker_ever_finishes_ends_as_failed_not_in_a_loop(app, inquiry):
    app.config.update(REMINDER_MAX_ATTEMPTS=3, REMINDER_LEASE_SECONDS=60)
    handed = []
    with app.app_context():
        start = utcnow() + timedelta(minutes=16)
        for round_ in range(4):  # each time a worker takes it and dies (nothing is delivered)
            handed.append(len(relay_once(None, now=start + timedelta(minutes=2 * round_))))
    assert handed == [1, 1, 1, 0]
    (reminder,) = reminders_of(app)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 3)
    assert reminder.last_error == "not finished by a worker (timed out or crashed)"


def test_reminders_about_a_restricted_inquiry_go_only_to_people_who_may_open_it(app, create_user, smtp_server):
    gone = create_user(Role.ADMISSIONS)
    desk_colleague = create_user(Role.ADMISSIONS)
    boss = create_user(Role.ADMIN)
    with app.app_context():
        intake.create_inquiry(db.session.merge(gone), staff_inquiry(gone.id, is_restricted=True), channel=Channel.PHONE)
        db.session.commit()
        from coordinator.models import User

        leaver = db.session.get(User, gone.id)
        leaver.is_active, leaver.deactivated_at = False, utcnow()
        db.session.commit()
    assert relay_and_deliver(app, minutes_ahead=16) == ["sent"]
    with app.app_context():
        assert list(db.session.scalars(sa.select(Notification.user_id))) == [boss.id]
    assert desk_colleague.id != boss.id and len(smtp_server.messages) == 1


def test_a_digest_with_nothing_overdue_any_more_is_not_sent(app, desk):
    with app.app_context():
        reminders.schedule(ReminderKind.DAILY_DIGEST, utcnow(), "digest-test", recipient_user_id=desk.id)
        db.session.commit()
    assert relay_and_deliver(app) == ["cancelled"]


def test_after_a_connection_failure_the_rest_of_the_batch_waits_without_trying(app, create_user):
    user = create_user(Role.ADMISSIONS)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_TIMEOUT_SECONDS=2)  # nothing listens there
    with app.app_context():
        for _n in range(3):
            intake.create_inquiry(db.session.merge(user), staff_inquiry(user.id), channel=Channel.PHONE)
        db.session.commit()
    with app.app_context():
        ids = relay_once(None, now=utcnow() + timedelta(minutes=16))
        assert list(deliver_many(ids).values()) == ["retrying"] * 3  # one job: the first refusal, the rest wait
    rows = reminders_of(app)
    assert {(r.status, r.attempts) for r in rows} == {(ReminderStatus.PENDING, 1)}
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(ReminderDelivery).where(ReminderDelivery.channel == "email")
            )
            == 0
        )  # every claim released
