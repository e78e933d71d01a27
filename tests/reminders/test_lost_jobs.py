"""Reminders whose RQ job is lost are re-queued at once, not after the lease (issue 18, items 1-2).

On real Redis: a job gone with a Redis flush, a failed job, a started job whose worker's
heartbeat expired, and a job running far past its timeout.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import redis as redis_lib
import sqlalchemy as sa
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery, User, utcnow
from coordinator.outbox.queues import REMINDERS
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_reminder_queue import new_inquiry, relay, work
from workers.relay import rq_dispatch, rq_find_lost


@pytest.fixture
def queue():
    conn = redis_lib.Redis.from_url(redis_url_for_tests())
    yield Queue(REMINDERS, connection=conn, serializer=JSONSerializer)
    conn.close()


def relay_finding_lost(app, queue, minutes_ahead=16):
    with app.app_context():
        try:
            return relay_once(
                rq_dispatch(queue), now=utcnow() + timedelta(minutes=minutes_ahead), find_lost=rq_find_lost(queue)
            )
        finally:
            db.session.remove()


def rows(app):
    with app.app_context():
        return db.session.execute(
            sa.select(Reminder.id, Reminder.status, Reminder.attempts, Reminder.job_id).order_by(Reminder.id)
        ).all()


def leave_a_claim(app, reminder_id: int) -> None:
    """What a job that died mid-send leaves: a delivery claimed "sending" just now."""
    with app.app_context():
        user_id = db.session.scalar(sa.select(User.id).where(User.role == Role.ADMISSIONS))
        db.session.add(
            ReminderDelivery(
                reminder_id=reminder_id,
                user_id=user_id,
                channel="email",
                status=DeliveryStatus.SENDING,
                claimed_at=utcnow() + timedelta(minutes=16),
            )
        )
        db.session.commit()


def test_a_job_gone_with_redis_is_handed_out_again_at_once_without_a_try(app, create_user, queue, smtp_server):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    new_inquiry(app, user)
    assert len(relay(app, queue)) == 2
    before = rows(app)
    assert all(r.status.value == "queued" and r.job_id for r in before)
    assert Job.exists(before[0].job_id, connection=queue.connection)
    queue.connection.flushdb()  # Redis restarted without persistence
    assert relay(app, queue) == []  # without the check: nothing until the lease (10 minutes)
    assert len(relay_finding_lost(app, queue)) == 2
    after = rows(app)
    assert [r.attempts for r in after] == [0, 0]  # nothing was attempted: no try counted
    assert all(r.job_id != before[0].job_id and Job.exists(r.job_id, connection=queue.connection) for r in after)
    work(app, queue)
    assert [r.status.value for r in rows(app)] == ["sent", "sent"]
    assert len(smtp_server.messages) == 2


def test_a_failed_job_is_handed_out_again_at_once_its_claim_freed_and_a_try_counted(
    app, create_user, queue, smtp_server
):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    relay(app, queue)
    (reminder,) = rows(app)
    job = Job.fetch(reminder.job_id, connection=queue.connection, serializer=JSONSerializer)
    queue.remove(job)  # a worker took it, claimed the email, and failed (e.g. its database connection was killed)
    job.set_status(JobStatus.FAILED)
    leave_a_claim(app, reminder.id)
    assert relay(app, queue) == []
    assert relay_finding_lost(app, queue) == [reminder.id]
    (again,) = rows(app)
    assert again.attempts == 1 and again.status.value == "queued" and again.job_id != reminder.job_id
    work(app, queue)  # the dead job's claim was freed: sent now, not after the lease
    assert rows(app)[0].status.value == "sent"
    assert len(smtp_server.messages) == 1


def test_a_started_job_whose_worker_is_gone_or_which_runs_past_its_timeout_is_lost(app, create_user, queue):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    new_inquiry(app, user)
    relay(app, queue, minutes_ahead=16)
    first, second = rows(app)
    registry = StartedJobRegistry(queue=queue)
    for reminder, heartbeat in ((first, time.time() - 5), (second, time.time() + 300)):
        job = Job.fetch(reminder.job_id, connection=queue.connection, serializer=JSONSerializer)
        queue.remove(job)
        job.set_status(JobStatus.STARTED)
        job.started_at = datetime.now(UTC) - timedelta(seconds=job.timeout + 60)
        job.save()
        queue.connection.zadd(registry.key, {f"{job.id}:execution": heartbeat})
    lost = rq_find_lost(queue)([first.job_id, second.job_id])
    assert lost == {first.job_id: "abandoned", second.job_id: "hung"}
    # A job still within its time, with a live heartbeat, is not lost.
    job = Job.fetch(second.job_id, connection=queue.connection, serializer=JSONSerializer)
    job.started_at = datetime.now(UTC)
    job.save()
    assert rq_find_lost(queue)([second.job_id]) == {}
