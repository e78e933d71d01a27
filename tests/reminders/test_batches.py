"""A send job delivers a batch: its "sent" marks are committed together, its acceptances kept in
the sent journal meanwhile, so a failure or a crash in the batch neither loses nor repeats a
message (issue 12, item 5). Real PostgreSQL, Redis and SMTP; the real-fork crash is in
tests/workers/test_killed_mid_batch.py."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import redis as redis_lib
import sqlalchemy as sa
from rq import Queue
from rq.serializers import JSONSerializer

from coordinator.domain.reminders import DeliveryStatus, ReminderKind
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Reminder, ReminderDelivery, utcnow
from coordinator.outbox import recipients
from coordinator.outbox.journal import SentJournal
from coordinator.outbox.queues import REMINDERS
from coordinator.roles import Role
from coordinator.services import reminders as reminder_service
from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_reminder_queue import new_inquiry, relay, work


@pytest.fixture
def queue():
    conn = redis_lib.Redis.from_url(redis_url_for_tests())
    yield Queue(REMINDERS, connection=conn, serializer=JSONSerializer)
    conn.close()


def rows(app):
    with app.app_context():
        try:
            return db.session.execute(
                sa.select(Reminder.id, Reminder.status, Reminder.attempts).order_by(Reminder.id)
            ).all()
        finally:
            db.session.remove()


def received(smtp_server) -> Counter:
    return Counter(m["Message-ID"] for m in smtp_server.messages)


def test_one_refused_message_in_a_batch_is_retried_and_the_others_are_sent_once(app, create_user, queue, smtp_server):
    users = [create_user(Role.ADMISSIONS) for _ in range(3)]
    for user in users:
        new_inquiry(app, user)
    smtp_server.refuse_rcpt = {users[1].email: "450 4.2.1 mailbox busy, try later"}
    assert len(relay(app, queue)) == 3  # one job for the three
    work(app, queue)
    first, refused, third = rows(app)
    assert (first.status.value, third.status.value) == ("sent", "sent")
    assert (refused.status.value, refused.attempts) == ("pending", 1)
    assert sorted(m["To"].split("<")[1].rstrip(">") for m in smtp_server.messages) == sorted(
        [users[0].email, users[2].email]
    )
    with app.app_context():
        claims = {
            (d.reminder_id, d.status)
            for d in db.session.scalars(sa.select(ReminderDelivery).where(ReminderDelivery.channel == "email"))
        }
    assert claims == {(first.id, DeliveryStatus.SENT), (third.id, DeliveryStatus.SENT)}  # the refused one freed
    # The server takes mail again; the refused reminder's backoff is over.
    smtp_server.refuse_rcpt = {}
    with app.app_context():
        db.session.execute(sa.update(Reminder).where(Reminder.id == refused.id).values(due_at=utcnow()))
        db.session.commit()
    assert relay(app, queue, minutes_ahead=1) == [refused.id]
    work(app, queue)
    assert [r.status.value for r in rows(app)] == ["sent"] * 3
    assert len(smtp_server.messages) == 3 and set(received(smtp_server).values()) == {1}


def test_a_job_that_died_after_journaling_part_of_its_batch_sends_only_the_rest(app, create_user, queue, smtp_server):
    """What a worker killed mid-batch leaves: every claim "sending", the messages the server had
    accepted in the journal, nothing committed. After the lease the next job marks the journaled
    ones sent and sends only the others."""
    user = create_user(Role.ADMISSIONS)
    ids = [new_inquiry(app, user) for _ in range(4)]
    assert len(relay(app, queue)) == 4
    journal = SentJournal(queue.connection)
    earlier = utcnow() - timedelta(minutes=20)
    with app.app_context():
        reminder_ids = list(db.session.scalars(sa.select(Reminder.id).order_by(Reminder.id)))
        db.session.add_all(
            ReminderDelivery(
                reminder_id=rid, user_id=user.id, channel="email", status=DeliveryStatus.SENDING, claimed_at=earlier
            )
            for rid in reminder_ids
        )
        db.session.execute(sa.update(Reminder).values(queued_at=earlier))
        db.session.commit()
    for rid in reminder_ids[:2]:  # accepted by the server before the crash
        journal.record((rid, user.id, "email"), f"<reminder-{rid}.x@example.org>")
    queue.empty()  # the dead worker had taken its job
    assert len(relay(app, queue, minutes_ahead=0)) == 4  # the lease is over: handed out again
    work(app, queue)
    assert [r.status.value for r in rows(app)] == ["sent"] * 4
    sent_to = sorted(int(m["Message-ID"].split("-")[1].split(".")[0]) for m in smtp_server.messages)
    assert sent_to == reminder_ids[2:]  # only the two the server never took
    with app.app_context():
        refs = dict(
            db.session.execute(
                sa.select(ReminderDelivery.reminder_id, ReminderDelivery.provider_ref).where(
                    ReminderDelivery.channel == "email"
                )
            ).all()
        )
    assert refs[reminder_ids[0]] == f"<reminder-{reminder_ids[0]}.x@example.org>"
    assert len(ids) == 4


def test_a_batch_of_digests_counts_overdue_tasks_in_one_query(app, create_user, smtp_server, count_queries):
    from coordinator.outbox.delivery import deliver_many

    users = [create_user(Role.ADMISSIONS) for _ in range(2)]
    inquiry_id = new_inquiry(app, users[0])
    with app.app_context():
        now = utcnow()
        for n, user in enumerate(users):
            for _ in range(n + 1):
                db.session.add(
                    FollowUpTask(
                        inquiry_id=inquiry_id,
                        title="Call back",
                        assigned_to_id=user.id,
                        due_at=now - timedelta(hours=2),
                    )
                )
        db.session.commit()

    def digests(count: int) -> list[int]:
        with app.app_context():
            made = [
                reminder_service.schedule(
                    ReminderKind.DAILY_DIGEST, utcnow(), f"digest-{count}-{i}", recipient_user_id=users[i % 2].id
                ).id
                for i in range(count)
            ]
            db.session.commit()
            return made

    def statements(count: int) -> int:
        ids = digests(count)
        with app.app_context(), count_queries() as queries:
            assert set(deliver_many(ids).values()) == {"sent"}
        return queries.count

    assert statements(2) == statements(10)  # per batch, not per reminder
    bodies = Counter(m.get_payload().split(".")[0] for m in smtp_server.messages)
    assert bodies == {"You have 1 overdue follow-up task": 6, "You have 2 overdue follow-up tasks": 6}


def test_the_batch_reads_each_kind_of_row_once(app, create_user):
    user = create_user(Role.ADMISSIONS)
    ids = [new_inquiry(app, user) for _ in range(3)]
    with app.app_context():
        batch = recipients.load_batch(list(db.session.scalars(sa.select(Reminder.id))))
        assert {r.inquiry_id for r in batch.reminders.values()} == set(ids)
        assert batch.users_in_role(Role.ADMISSIONS) is not batch.users_in_role(Role.ADMISSIONS)  # copies
