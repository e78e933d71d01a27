"""A real forking worker with the relay thread on stays up and sends everything (issue 18, item 5)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import redis as redis_lib
import sqlalchemy as sa
from rq import Queue, Worker
from rq.serializers import JSONSerializer

from coordinator.extensions import db
from coordinator.models import Reminder, utcnow
from coordinator.outbox.queues import REMINDERS
from coordinator.roles import Role
from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_reminder_queue import new_inquiry, relay
from tests.workers.processes import OwnRedis, start_worker, stop_worker, wait_for, worker_env
from workers.relay import RELAY_SOCKET_TIMEOUT
from workers.runner import WORKER_SOCKET_TIMEOUT


@pytest.fixture
def queue():
    conn = redis_lib.Redis.from_url(redis_url_for_tests())
    yield Queue(REMINDERS, connection=conn, serializer=JSONSerializer)
    conn.close()


def make_due(app, count: int, user) -> None:
    ids = [new_inquiry(app, user) for _ in range(count)]
    with app.app_context():
        db.session.execute(
            sa.update(Reminder).where(Reminder.inquiry_id.in_(ids)).values(due_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def sent_count(app) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).where(Reminder.status == "sent"))
        finally:
            db.session.remove()


def test_the_socket_timeouts_fit_rq(queue):
    # RQ blocks up to worker_ttl - 15 s and wants 10 s more on the socket: ours is longer, so RQ
    # never changes the pool under a connection already made with a shorter timeout.
    worker = Worker([queue], connection=queue.connection)
    assert worker.connection_timeout < WORKER_SOCKET_TIMEOUT
    assert RELAY_SOCKET_TIMEOUT < 10


def test_a_forking_worker_with_the_relay_on_and_jobs_waiting_stays_up(
    app, database_url, create_user, queue, smtp_server, tmp_path
):
    user = create_user(Role.ADMISSIONS)
    for _ in range(12):
        new_inquiry(app, user)
    assert len(relay(app, queue)) == 12  # jobs wait in Redis before the worker starts
    make_due(app, 12, user)  # and due reminders for the relay thread's first tick
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, worker_env(database_url, smtp_server.port))
    try:
        assert wait_for(lambda: len(smtp_server.messages) >= 24, 60), log_path.read_text()[-4000:]
        time.sleep(RELAY_SOCKET_TIMEOUT + 4)  # idle for longer than the relay's socket timeout
        assert worker.poll() is None, log_path.read_text()[-4000:]
        make_due(app, 6, user)
        assert wait_for(lambda: len(smtp_server.messages) >= 30, 30), log_path.read_text()[-4000:]
        assert wait_for(lambda: sent_count(app) == 30, 10)
        assert worker.poll() is None, log_path.read_text()[-4000:]
        assert len(Worker.all(connection=queue.connection)) == 1
    finally:
        code = stop_worker(worker)
    assert code == 0  # a stop signal is the only clean exit
    assert len(smtp_server.messages) == 30


@pytest.fixture
def own_redis():
    server = OwnRedis()
    yield server
    server.kill()


def test_a_worker_waits_for_redis_rides_out_a_restart_and_registers_again(
    app, database_url, create_user, smtp_server, own_redis, tmp_path
):
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, worker_env(database_url, smtp_server.port, redis_url=own_redis.url))
    try:
        # Started while Redis is unreachable: it waits and tries again instead of exiting.
        assert wait_for(lambda: "Redis unreachable" in log_path.read_text(), 20), log_path.read_text()[-3000:]
        time.sleep(2)
        assert worker.poll() is None, log_path.read_text()[-3000:]
        own_redis.start()
        client = redis_lib.Redis.from_url(own_redis.url)
        assert wait_for(lambda: len(Worker.all(connection=client)) == 1, 40), log_path.read_text()[-3000:]
        # Redis restarts without persistence: the registration is gone, the worker registers again.
        own_redis.kill()
        time.sleep(3)
        own_redis.start()
        assert Worker.all(connection=client) == []
        assert wait_for(lambda: len(Worker.all(connection=client)) == 1, 60), log_path.read_text()[-3000:]
        assert worker.poll() is None, log_path.read_text()[-3000:]
        # And it still works: a reminder due now is relayed and sent through the new Redis.
        make_due(app, 1, create_user(Role.ADMISSIONS))
        assert wait_for(lambda: len(smtp_server.messages) == 1, 30), log_path.read_text()[-3000:]
        client.close()
    finally:
        code = stop_worker(worker)
    assert code == 0
