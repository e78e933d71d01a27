"""Fault injection (not a test): the issue 18 experiments on loopback, with their own Redis,
SMTP sink and a tiny supervisor; prints delivered, duplicates, lost, stuck and recovery time.

    .venv/bin/python scripts/faults.py [--only starts,redis,hung,kills] [--starts 20] [--kills 10]

Needs PostgreSQL (COORDINATOR_TEST_DATABASE_URL, as `make test`): it makes a throwaway
database and drops it afterwards. It starts its own `redis-server` (no persistence) on a free
loopback port, an aiosmtpd sink counting emails by reminder id (from the Message-ID), and
`python -m workers` processes that a supervisor thread restarts whenever they exit (like
systemd `Restart=always`). Experiments:

- starts: a worker started N times with jobs waiting and due reminders: does it ever hang
  (not all sent in 60 s) or quit on its own?
- redis:  Redis SIGKILLed mid-run and restarted 10 s later: time from Redis returning to the
  last reminder sent, and what /healthz said while it was down;
- hung:   a work horse hangs (a table it writes is locked for 40 s): time to the last send;
- kills:  a worker and its horse SIGKILLed N times during 1,000 reminders.

Duplicates are counted by reminder id (distinct Message-IDs per reminder and recipient);
lost = not received although the database no longer has it open; stuck = still open at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import redis
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REMINDER_IN_ID = re.compile(r"<reminder-(\d+)\.")


class Sink:
    def __init__(self) -> None:
        self.received: list[int] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        match = REMINDER_IN_ID.match(message_from_bytes(envelope.content)["Message-ID"] or "")
        with self.lock:
            self.received.append(int(match.group(1)) if match else -1)
        return "250 OK"


def descendants(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found += [int(entry.name), *descendants(int(entry.name))]
    return found


class Supervisor:
    """Keeps `count` workers running: any that exits is started again (Restart=always)."""

    def __init__(self, env: dict, count: int) -> None:
        self.env, self.count = env, count
        self.procs: list[subprocess.Popen] = []
        self.restarts = 0
        self.exits: list[int] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "workers"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def start(self) -> None:
        self.procs = [self._start() for _ in range(self.count)]
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.wait(0.2):
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None:
                    self.exits.append(proc.returncode)
                    self.restarts += 1
                    self.procs[i] = self._start()

    def kill_one(self, i: int) -> None:
        proc = self.procs[i % len(self.procs)]
        for pid in [proc.pid, *descendants(proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(5)
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_one(self.procs.index(proc))
                proc.wait(10)


class Lab:
    def __init__(self, app, sink: Sink, redis_port: int, user_id: int) -> None:
        self.app, self.sink, self.redis_port, self.user_id = app, sink, redis_port, user_id
        self.redis: subprocess.Popen | None = None

    # --- Redis -----------------------------------------------------------------------------
    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.redis_port, socket_connect_timeout=0.5)
        for _ in range(100):
            with contextlib.suppress(redis.RedisError):
                if client.ping():
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill_redis(self) -> None:
        if self.redis is not None:
            self.redis.kill()
            self.redis.wait(10)
            self.redis = None

    # --- reminders ---------------------------------------------------------------------------
    def reset(self) -> None:
        from coordinator.extensions import db
        from coordinator.models import Notification, Reminder, ReminderDelivery

        with self.app.app_context():
            for model in (Notification, ReminderDelivery, Reminder):
                db.session.execute(sa.delete(model))
            db.session.commit()
        with self.sink.lock:
            self.sink.received.clear()

    def add_due(self, count: int, prefix: str) -> None:
        from coordinator.domain.reminders import ReminderKind
        from coordinator.extensions import db
        from coordinator.models import Reminder, utcnow

        with self.app.app_context():
            db.session.execute(
                sa.insert(Reminder),
                [
                    {
                        "kind": ReminderKind.DAILY_DIGEST,
                        "dedupe_key": f"{prefix}-{uuid.uuid4().hex[:6]}-{i}",
                        "due_at": utcnow(),
                        "recipient_user_id": self.user_id,
                    }
                    for i in range(count)
                ],
            )
            db.session.commit()

    def open_count(self) -> int:
        from coordinator.extensions import db
        from coordinator.models import Reminder

        with self.app.app_context():
            try:
                return db.session.scalar(sa.select(sa.func.count()).where(Reminder.status.in_(("pending", "queued"))))
            finally:
                db.session.remove()

    def wait_all_sent(self, timeout: float) -> float | None:
        """Seconds until no reminder is open, or None after the timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.open_count() == 0:
                return time.monotonic() - started
            time.sleep(0.25)
        return None

    def tally(self, name: str, total: int, recovery: float | None, note: str = "") -> dict:
        from coordinator.extensions import db
        from coordinator.models import Reminder

        with self.sink.lock:
            counts = Counter(self.sink.received)
        with self.app.app_context():
            ids = set(db.session.scalars(sa.select(Reminder.id)))
            open_ids = set(db.session.scalars(sa.select(Reminder.id).where(Reminder.status.in_(("pending", "queued")))))
            db.session.remove()
        delivered = len(ids & set(counts))
        duplicates = sum(n - 1 for n in counts.values() if n > 1)
        lost = len(ids - set(counts) - open_ids)
        row = {
            "experiment": name,
            "reminders": total,
            "delivered": delivered,
            "duplicates": duplicates,
            "lost": lost,
            "stuck": len(open_ids),
            "recovery_s": None if recovery is None else round(recovery, 1),
            "note": note,
        }
        print(" | ".join(f"{k}: {v}" for k, v in row.items()), flush=True)
        return row

    def health(self, redis_url: str) -> str:
        from coordinator.services import health

        with self.app.app_context():
            try:
                return health.check(redis_url).status
            finally:
                from coordinator.extensions import db

                db.session.remove()


def experiment_starts(lab: Lab, env: dict, trials: int) -> dict:
    from rq import Queue
    from rq.serializers import JSONSerializer

    from coordinator.outbox.queues import REMINDERS
    from coordinator.outbox.relay import relay_once
    from workers.relay import rq_dispatch

    lab.reset()
    queue = Queue(REMINDERS, connection=redis.Redis(port=lab.redis_port), serializer=JSONSerializer)
    hangs = quits = bad_exits = 0
    for _ in range(trials):
        lab.add_due(20, "start-job")
        with lab.app.app_context():
            relay_once(rq_dispatch(queue))  # jobs waiting in Redis before the worker starts
        lab.add_due(20, "start-due")  # and due reminders for its relay thread's first tick
        proc = subprocess.Popen(
            [sys.executable, "-m", "workers"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if lab.wait_all_sent(60) is None:
            hangs += 1
        time.sleep(6)  # idle longer than redis-py's default 5 s socket timeout
        if proc.poll() is not None:
            quits += 1
        else:
            proc.send_signal(signal.SIGTERM)
            bad_exits += proc.wait(30) != 0
    note = f"{trials} starts with jobs waiting: {hangs} hung, {quits} quit on their own, {bad_exits} bad exit codes"
    return lab.tally("starts", 40 * trials, None, note)


def experiment_redis(lab: Lab, env: dict, redis_url: str) -> dict:
    lab.reset()
    sup = Supervisor(env, 2)
    sup.start()
    try:
        time.sleep(3)
        lab.add_due(1000, "redis")
        time.sleep(1.0)
        lab.kill_redis()
        lab.add_due(200, "redis-down")  # created while Redis is down: they wait in the database
        time.sleep(3)
        while_down = lab.health(redis_url)
        time.sleep(7)
        lab.start_redis()
        recovery = lab.wait_all_sent(180)
        note = f"/healthz while down: {while_down}; worker restarts by the supervisor: {sup.restarts}"
        return lab.tally("redis", 1200, recovery, note)
    finally:
        sup.stop()


def experiment_hung(lab: Lab, env: dict, database_url: str) -> dict:
    lab.reset()
    redis.Redis(port=lab.redis_port).flushdb()
    engine = sa.create_engine(database_url)
    blocker = engine.connect()
    blocker.execute(sa.text("LOCK TABLE notification IN ACCESS EXCLUSIVE MODE"))
    sup = Supervisor(env, 1)
    sup.start()
    try:
        lab.add_due(20, "hung")
        started = time.monotonic()
        time.sleep(40)
        blocker.rollback()
        lab.wait_all_sent(180)
        recovery = time.monotonic() - started
        return lab.tally("hung", 20, recovery, "horse blocked 40 s; job timeout 25 s; recovery counted from the hang")
    finally:
        blocker.close()
        engine.dispose()
        sup.stop()


def experiment_kills(lab: Lab, env: dict, kills: int) -> dict:
    lab.reset()
    redis.Redis(port=lab.redis_port).flushdb()
    sup = Supervisor(env, 2)
    sup.start()
    try:
        time.sleep(3)
        lab.add_due(1000, "kill")
        for i in range(kills):
            time.sleep(0.7)
            sup.kill_one(i)
        recovery = lab.wait_all_sent(240)
        return lab.tally(
            "kills", 1000, recovery, f"{kills} SIGKILLs of a worker and its horse; recovery after the last"
        )
    finally:
        sup.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="starts,redis,hung,kills")
    parser.add_argument("--starts", type=int, default=20)
    parser.add_argument("--kills", type=int, default=10)
    args = parser.parse_args()

    from tests.fixtures.smtp import free_port

    server = make_url(
        os.environ.get("COORDINATOR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    name = f"coordinator_faults_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = server.set(database=name).render_as_string(hide_password=False)
    redis_port, smtp_port = free_port(), free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "0",
        "SMTP_TIMEOUT_SECONDS": "1",
        "REMINDER_JOB_MARGIN_SECONDS": "5",
        "LOG_LEVEL": "WARNING",
        "RELAY_INTERVAL_SECONDS": "1",
        "DIGEST_HOUR": "24",
        "COORDINATOR_ENV": "development",
    }
    os.environ.update(env)
    lab = None
    try:
        from flask_migrate import upgrade

        from coordinator import create_app
        from coordinator.contracts.intake import NewInquiry
        from coordinator.domain.intake import Channel
        from coordinator.extensions import db
        from coordinator.models import FollowUpTask, User, utcnow
        from coordinator.roles import Role
        from coordinator.services import audit, intake

        app = create_app({"PASSWORD_HASH_PROFILE": "fast-insecure-for-tests"})
        with app.app_context():
            upgrade()
            user = User(
                email="faults@example.org", full_name="Fault User", role=Role.ADMISSIONS, password_hash="x" * 20
            )
            db.session.add(user)
            db.session.flush()
            inquiry = intake.create_inquiry(
                audit.CLI,
                NewInquiry.parse({"patient_name": "Faults", "referral_source": "self", "caller_phone": "555 010 0000"}),
                channel=Channel.PHONE,
            )
            db.session.add(  # digests go only to someone with an overdue task
                FollowUpTask(
                    inquiry_id=inquiry.id, title="Overdue", assigned_to_id=user.id, due_at=utcnow() - timedelta(days=1)
                )
            )
            db.session.commit()
            user_id = user.id
        lab = Lab(app, sink, redis_port, user_id)
        lab.start_redis()
        chosen = args.only.split(",")
        if "starts" in chosen:
            experiment_starts(lab, env, args.starts)
        if "redis" in chosen:
            experiment_redis(lab, env, redis_url)
        if "hung" in chosen:
            experiment_hung(lab, env, database_url)
        if "kills" in chosen:
            experiment_kills(lab, env, args.kills)
        return 0
    finally:
        if lab is not None:
            lab.kill_redis()
        controller.stop()
        from coordinator.extensions import db as _db

        with contextlib.suppress(Exception):
            _db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    sys.exit(main())
