"""Reminders through real Redis and RQ workers: nothing lost when Redis is down, nothing twice."""

import contextlib
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import redis as redis_lib
import sqlalchemy as sa
from rq import Queue, SimpleWorker
from rq.serializers import JSONSerializer

from coordinator import create_app
from coordinator.domain.intake import Channel
from coordinator.domain.reminders import DeliveryStatus
from coordinator.extensions import db
from coordinator.models import Inquiry, Reminder, ReminderDelivery, utcnow
from coordinator.outbox.queues import REMINDERS
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from coordinator.services import intake
from tests.fixtures.app import make_test_config, redis_url_for_tests
from tests.fixtures.intake import staff_inquiry
from tests.fixtures.users import login_as
from tests.support.client import CoordinatorClient
from workers.relay import RelayLoop, rq_dispatch

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_conn():
    conn = redis_lib.Redis.from_url(redis_url_for_tests())
    yield conn
    conn.close()


@pytest.fixture
def queue(redis_conn):
    return Queue(REMINDERS, connection=redis_conn, serializer=JSONSerializer)


def new_inquiry(app, user, **overrides) -> int:
    with app.app_context():
        inquiry = intake.create_inquiry(
            db.session.merge(user), staff_inquiry(user.id, **overrides), channel=Channel.PHONE
        )
        db.session.commit()
        return inquiry.id


def relay(app, queue_or_dispatch, minutes_ahead=16):
    dispatch = rq_dispatch(queue_or_dispatch) if isinstance(queue_or_dispatch, Queue) else queue_or_dispatch
    with app.app_context():
        try:
            return relay_once(dispatch, now=utcnow() + timedelta(minutes=minutes_ahead))
        finally:
            db.session.remove()


def work(app, queue):
    with app.app_context():
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(burst=True)


def statuses(app):
    with app.app_context():
        return [s.value for s in db.session.scalars(sa.select(Reminder.status).order_by(Reminder.id))]


def test_created_relayed_delivered_once(app, create_user, queue, smtp_server):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    assert len(relay(app, queue)) == 1
    assert statuses(app) == ["queued"]
    work(app, queue)
    assert statuses(app) == ["sent"]
    assert len(smtp_server.messages) == 1


def test_the_same_reminders_job_twice_sends_one_email(app, create_user, queue, smtp_server):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    with app.app_context():
        ids = relay_once(None, now=utcnow() + timedelta(minutes=16))
    rq_dispatch(queue)(ids)
    rq_dispatch(queue)(ids)  # e.g. a relay that crashed before its commit, then ran again
    assert queue.count == 2
    work(app, queue)
    assert len(smtp_server.messages) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderDelivery)) == 2  # email + in-app


def test_redis_down_while_an_inquiry_is_created_loses_nothing(database_url, app, create_user, queue, smtp_server):
    user = create_user(Role.ADMISSIONS)
    # A web process whose Redis is unreachable: the inquiry still saves, with its reminder.
    # (The rate limiter's storage is one object shared by every app in this process: keep it.)
    down = create_app(make_test_config(database_url, REDIS_URL=UNREACHABLE_REDIS))
    down.test_client_class = CoordinatorClient
    client = down.test_client()
    login_as(client, user)
    from tests.intake.test_phone_intake import form_data

    response = client.post_form("/inquiries/new", form_data(assigned_to_id=str(user.id)))
    assert response.status_code == 302
    assert statuses(app) == ["pending"]
    # The relay cannot reach Redis: its transaction rolls back and the row stays pending.
    dead_queue = Queue(
        REMINDERS,
        connection=redis_lib.Redis.from_url(UNREACHABLE_REDIS, socket_timeout=1, socket_connect_timeout=1),
        serializer=JSONSerializer,
    )
    with pytest.raises(redis_lib.exceptions.ConnectionError):
        relay(app, dead_queue)
    assert statuses(app) == ["pending"]
    # Redis is back: the next tick hands it out and it is delivered, once.
    relay(app, queue)
    work(app, queue)
    assert statuses(app) == ["sent"] and len(smtp_server.messages) == 1


def test_the_relay_loop_only_runs_where_it_holds_the_lock(app, create_user, queue, redis_conn):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    with app.app_context():
        db.session.execute(sa.update(Reminder).values(due_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    first = RelayLoop(app, redis_conn, queue, interval=5)
    second = RelayLoop(app, redis_conn, queue, interval=5)
    assert first.run_once() == 1
    assert second.run_once() == 0  # the lock is held by the first
    first.stop()
    assert second.holds_lock()
    second.stop()
    unreachable = RelayLoop(app, redis_lib.Redis.from_url(UNREACHABLE_REDIS, socket_connect_timeout=1), queue, 5)
    assert unreachable.run_once() == 0  # logs and waits: nothing raised, nothing lost


def test_no_patient_data_reaches_redis(app, create_user, queue, redis_conn, smtp_server):
    user = create_user(Role.ADMISSIONS)
    inquiry_id = new_inquiry(
        app,
        user,
        patient_name="Zebulon Quixote",
        caller_name="Xanthe Quixote",
        caller_email="xanthe.q@example.org",
        caller_phone="+1 555 867 5309",
    )
    relay(app, queue)
    work(app, queue)
    secrets = [b"Zebulon", b"Quixote", b"xanthe", b"8675309", b"555 867", b"oxycodone", b"spouse_partner"]
    for key in redis_conn.scan_iter("*"):
        kind = redis_conn.type(key)
        values = [key]
        if kind == b"string":
            values.append(redis_conn.get(key))
        elif kind == b"hash":
            values += [v for pair in redis_conn.hgetall(key).items() for v in pair]
        elif kind == b"list":
            values += redis_conn.lrange(key, 0, -1)
        elif kind == b"zset":
            values += redis_conn.zrange(key, 0, -1)
        elif kind == b"set":
            values += list(redis_conn.smembers(key))
        for value in values:
            for secret in secrets:
                assert secret not in (value or b""), (key, secret)
    assert inquiry_id


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_tree(pid: int) -> None:
    for child in children_of(pid):
        kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def test_a_worker_killed_mid_send_still_ends_with_exactly_one_email(
    app, database_url, create_user, queue, smtp_server, tmp_path
):
    user = create_user(Role.ADMISSIONS)
    new_inquiry(app, user)
    relay(app, queue)
    smtp_server.stall_seconds = 30  # the worker hangs in the SMTP conversation
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url_for_tests(),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_STARTTLS": "0",
        "SMTP_TIMEOUT_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
        "COORDINATOR_ENV": "development",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers", "reminders", "--no-relay"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "worker.log").open("w"),
    )
    try:
        assert smtp_server.rcpt_seen.wait(60), (
            "the worker never reached the SMTP server:\n" + (tmp_path / "worker.log").read_text()[-3000:]
        )
        assert children_of(worker.pid), "expected a work horse running the job"
    finally:
        kill_tree(worker.pid)  # the worker and its work horse (RQ puts the horse in its own session)
        worker.wait(10)
    smtp_server.stall_seconds = 0
    assert smtp_server.messages == []
    with app.app_context():
        claim = db.session.scalars(sa.select(ReminderDelivery).where(ReminderDelivery.channel == "email")).one()
        assert claim.status is DeliveryStatus.SENDING
    # After the lease the relay hands the stuck reminder out again; the dead claim is taken over.
    app.config["REMINDER_LEASE_SECONDS"] = 5
    with app.app_context():
        db.session.execute(sa.update(ReminderDelivery).values(claimed_at=utcnow() - timedelta(seconds=10)))
        db.session.execute(sa.update(Reminder).values(queued_at=utcnow() - timedelta(seconds=10)))
        db.session.commit()
    assert queue.count == 0  # the dead worker had taken its job off the queue
    assert len(relay(app, queue, minutes_ahead=0)) == 1
    work(app, queue)
    assert statuses(app) == ["sent"]
    assert len(smtp_server.messages) == 1
    with app.app_context():
        assert db.session.get(Inquiry, db.session.scalar(sa.select(Reminder.inquiry_id))).first_contact_at is None
