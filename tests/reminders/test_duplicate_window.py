"""The one window for a duplicate email, made as small as it can be (issue 18, item 3).

Each "sent" mark is committed as soon as the SMTP server accepted the message, before the next
message goes out; a resend after a crash in that window carries the same Message-ID.
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


def test_each_sent_mark_is_committed_before_the_next_message_goes_out(
    app, database_url, create_user, queue, smtp_server
):
    user = create_user(Role.ADMISSIONS)
    for _ in range(3):
        new_inquiry(app, user)
    engine = sa.create_engine(database_url)
    seen = []

    def count_marks():  # what another process sees in the database when the server gets DATA
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
        assert len(relay(app, queue)) == 3  # one job, one SMTP connection for the three
        work(app, queue)
    finally:
        engine.dispose()
    assert seen == [0, 1, 2]
    assert len(smtp_server.messages) == 3


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
