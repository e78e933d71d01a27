"""A forking worker killed in the middle of a batch: nothing lost, nothing sent twice (issue 12,
item 5). The batch's "sent" marks are committed only at its end; what the SMTP server had
accepted before the kill is in the sent journal, which the relay reads before it frees the dead
job's claims. Real `python -m workers`, Redis, PostgreSQL and SMTP."""

from __future__ import annotations

import time
from collections import Counter

import redis as redis_lib
import sqlalchemy as sa
from rq import Queue
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import Reminder, ReminderDelivery
from coordinator.outbox.queues import REMINDERS
from coordinator.roles import Role
from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_lost_jobs import relay_finding_lost
from tests.reminders.test_reminder_queue import relay, work
from tests.workers.processes import children_of, kill_tree, start_worker, worker_env
from tests.workers.test_steady_worker import make_due


def statuses(app) -> list[str]:
    with app.app_context():
        try:
            return [s.value for s in db.session.scalars(sa.select(Reminder.status).order_by(Reminder.id))]
        finally:
            db.session.remove()


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    app, database_url, create_user, smtp_server, tmp_path
):
    connection = redis_lib.Redis.from_url(redis_url_for_tests())
    queue = Queue(REMINDERS, connection=connection, serializer=JSONSerializer)
    user = create_user(Role.ADMISSIONS)
    make_due(app, 5, user)
    assert len(relay(app, queue, minutes_ahead=0)) == 5  # one job for the five
    smtp_server.stall_after, smtp_server.stall_seconds = 2, 30  # the third message hangs at RCPT
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, worker_env(database_url, smtp_server.port, SMTP_TIMEOUT_SECONDS="60"), "--no-relay")
    try:
        assert smtp_server.stalled.wait(60), (
            "the worker never reached its third message:\n" + log_path.read_text()[-3000:]
        )
        assert children_of(worker.pid), "expected a work horse running the job"
    finally:
        kill_tree(worker.pid)  # the worker and its work horse
        worker.wait(10)
    smtp_server.stall_seconds = 0
    assert len(smtp_server.messages) == 2
    assert len(connection.keys("coordinator:sent:*")) == 2  # accepted, journaled
    with app.app_context():
        claims = list(db.session.scalars(sa.select(ReminderDelivery.status).where(ReminderDelivery.channel == "email")))
    assert claims == [DeliveryStatus.SENDING] * 5  # nothing of the batch committed after the claims
    assert statuses(app) == ["queued"] * 5
    # RQ notices the dead horse when its heartbeat expires; make that now rather than in minutes.
    registry = StartedJobRegistry(queue=queue)
    for entry in connection.zrange(registry.key, 0, -1):
        connection.zadd(registry.key, {entry: time.time() - 5})
    assert len(relay_finding_lost(app, queue, minutes_ahead=0)) == 5  # all handed out again at once
    work(app, queue)
    assert statuses(app) == ["sent"] * 5
    counts = Counter(m["Message-ID"] for m in smtp_server.messages)
    assert len(counts) == 5 and set(counts.values()) == {1}  # every reminder once, none twice
    connection.close()
