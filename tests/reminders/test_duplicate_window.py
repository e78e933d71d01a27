"""The one window for a duplicate email, made as small as it can be (issue 18, item 3).

Each acceptance by the SMTP server is recorded in the sent journal (Redis) before the next
message goes out, and the batch's "sent" marks are committed together (issue 12, item 5);
without Redis each mark is committed at once. A resend after a crash in that window carries
the same Message-ID.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import redis as redis_lib
import sqlalchemy as sa
from rq import Queue
from rq.serializers import JSONSerializer

from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery, utcnow
from coordinator.outbox.queues import REMINDERS
from coordinator.roles import Role
from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_reminder_queue import new_inquiry, relay, work


@pytest.fixture
def queue():
    conn = redis_lib.Redis.from_url(redis_url_for_tests())
    yield Queue(REMINDERS, connection=conn, serializer=JSONSerializer)
    conn.close()


def test_each_acceptance_is_journaled_before_the_next_message_goes_out_and_the_marks_committed_together(
    app, database_url, create_user, queue, smtp_server
):
    user = create_user(Role.ADMISSIONS)
    for _ in range(3):
        new_inquiry(app, user)
    engine = sa.create_engine(database_url)
    seen = []

    def look():  # what another process sees (Redis, the database) when the server gets DATA
        with engine.connect() as connection:
            committed = connection.scalar(
                sa.select(sa.func.count())
                .select_from(ReminderDelivery)
                .where(ReminderDelivery.channel == "email", ReminderDelivery.status == DeliveryStatus.SENT)
            )
        seen.append((len(queue.connection.keys("coordinator:sent:*")), committed))

    smtp_server.on_data = look
    try:
        assert len(relay(app, queue)) == 3  # one job, one SMTP connection for the three
        work(app, queue)
    finally:
        engine.dispose()
    assert seen == [(0, 0), (1, 0), (2, 0)]  # journaled one by one, committed as one batch
    assert len(smtp_server.messages) == 3
    assert queue.connection.keys("coordinator:sent:*") == []  # dropped once the batch committed
    with app.app_context():
        assert set(db.session.scalars(sa.select(ReminderDelivery.status))) == {DeliveryStatus.SENT}


def test_without_a_journal_each_sent_mark_is_committed_before_the_next_message_goes_out(
    app, database_url, create_user, smtp_server
):
    from coordinator.outbox.delivery import deliver_many
    from coordinator.outbox.relay import relay_once

    user = create_user(Role.ADMISSIONS)
    for _ in range(3):
        new_inquiry(app, user)
    engine = sa.create_engine(database_url)
    seen = []

    def count_marks():
        with engine.connect() as connection:
            seen.append(
                connection.scalar(
                    sa.select(sa.func.count())
                    .select_from(ReminderDelivery)
                    .where(ReminderDelivery.channel == "email", ReminderDelivery.status == DeliveryStatus.SENT)
                )
            )

    smtp_server.on_data = count_marks
    try:
        with app.app_context():
            ids = relay_once(None, now=utcnow() + timedelta(minutes=16))
            assert set(deliver_many(ids, journal=None).values()) == {"sent"}
    finally:
        engine.dispose()
    assert seen == [0, 1, 2]


def test_a_resend_after_a_crash_in_the_window_carries_the_same_message_id(app, create_user, queue, smtp_server):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    relay(app, queue)
    work(app, queue)
    # As if the worker had died after the server's acceptance and before the mark committed.
    app.config["REMINDER_LEASE_SECONDS"] = 5
    with app.app_context():
        earlier = utcnow() - timedelta(seconds=10)
        db.session.execute(
            sa.update(ReminderDelivery)
            .where(ReminderDelivery.channel == "email")
            .values(status=DeliveryStatus.SENDING, sent_at=None, claimed_at=earlier)
        )
        db.session.execute(sa.update(Reminder).values(status="queued", sent_at=None, queued_at=earlier))
        reminder_id = db.session.scalar(sa.select(Reminder.id))
        db.session.commit()
    assert len(relay(app, queue, minutes_ahead=0)) == 1
    work(app, queue)
    first, second = smtp_server.messages
    assert re.fullmatch(rf"<reminder-{reminder_id}\.[0-9a-f]{{16}}@[a-z0-9.-]+>", first["Message-ID"])
    assert second["Message-ID"] == first["Message-ID"]  # a duplicate, and recognisably one
    assert user.email.split("@")[0] not in first["Message-ID"]
