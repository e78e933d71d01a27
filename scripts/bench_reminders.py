"""Benchmark (not a test): N due reminders, K workers, a local SMTP sink; prints throughput,
due-to-sent latency (p50, p95), duplicates and losses.

    .venv/bin/python scripts/bench_reminders.py --reminders 2000 --workers 2 [--simple]
    .venv/bin/python scripts/bench_reminders.py --rate 200 --seconds 20 --workers 2

The first form is a backlog (all N due at once: how fast the workers drain it); the second
offers a steady load (RATE reminders falling due each second for SECONDS seconds: does the
service keep up, and how long does each wait). Latency is due time to the sink's receipt.

Needs PostgreSQL and Redis (COORDINATOR_TEST_DATABASE_URL, COORDINATOR_TEST_REDIS_URL, the
same defaults as `make test`). It makes a throwaway database and drops it afterwards, uses
Redis database 14 (flushed), starts an aiosmtpd sink on loopback and `python -m workers`
processes, runs the real relay, and waits until every reminder is sent or a timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
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


class Sink:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.received_at: list[float] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content)
        self.ids.append(message["Message-ID"])
        self.received_at.append(time.time())
        return "250 OK"


def _cpu_seconds(pid: int) -> float:
    """User and system time of a worker and its reaped work horses (Linux /proc), or 0."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--simple", action="store_true", help="workers run jobs in-process (no fork per job)")
    parser.add_argument("--rate", type=float, help="reminders falling due per second (a steady load, not a backlog)")
    parser.add_argument("--seconds", type=float, default=20, help="with --rate: for how long")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    if args.rate:
        args.reminders = int(args.rate * args.seconds)

    server = make_url(
        os.environ.get("COORDINATOR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    redis_url = os.environ.get("COORDINATOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    name = f"coordinator_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    database_url = server.set(database=name).render_as_string(hide_password=False)
    redis.Redis.from_url(redis_url).flushdb()
    sink = Sink()
    from tests.fixtures.smtp import free_port

    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_STARTTLS": "0",
        "LOG_LEVEL": "WARNING",
        "RELAY_INTERVAL_SECONDS": "1",
        "DIGEST_HOUR": "24",
        "COORDINATOR_ENV": "development",
    }
    os.environ.update(env)
    workers = []
    try:
        from flask_migrate import upgrade

        from coordinator import create_app
        from coordinator.domain.reminders import ReminderKind
        from coordinator.extensions import db
        from coordinator.models import Reminder, User, utcnow
        from coordinator.outbox.queues import REMINDERS
        from coordinator.roles import Role
        from coordinator.rules.reminder_lifecycle import ReminderStatus

        app = create_app({"PASSWORD_HASH_PROFILE": "fast-insecure-for-tests"})
        with app.app_context():
            upgrade()
            user = User(email="bench@example.org", full_name="Bench User", role=Role.ADMISSIONS, password_hash="x" * 20)
            db.session.add(user)
            db.session.flush()
            # Digests are sent only to someone with an overdue task: give the user one.
            from coordinator.contracts.intake import NewInquiry
            from coordinator.domain.intake import Channel
            from coordinator.models import FollowUpTask
            from coordinator.services import audit, intake

            inquiry = intake.create_inquiry(
                audit.CLI,
                NewInquiry.parse(
                    {"patient_name": "Benchmark", "referral_source": "self", "caller_phone": "555 010 0000"}
                ),
                channel=Channel.PHONE,
            )
            db.session.add(
                FollowUpTask(
                    inquiry_id=inquiry.id, title="Overdue", assigned_to_id=user.id, due_at=utcnow() - timedelta(days=1)
                )
            )
            db.session.execute(sa.delete(Reminder))  # only the benchmark's reminders below
            db.session.commit()
            user_id = user.id
        command = [sys.executable, "-m", "workers", REMINDERS] + (["--simple"] if args.simple else [])
        for _ in range(args.workers):
            workers.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL))
        from rq import Worker

        connection = redis.Redis.from_url(redis_url)
        while len(Worker.all(connection=connection)) < args.workers:  # timing starts once they are up
            time.sleep(0.1)
        with app.app_context():
            first_due = utcnow() + timedelta(seconds=2 if args.rate else 0)
            db.session.execute(
                sa.insert(Reminder),
                [
                    {
                        "kind": ReminderKind.DAILY_DIGEST,
                        "dedupe_key": f"bench-{i}",
                        "due_at": first_due + timedelta(seconds=i / args.rate if args.rate else 0),
                        "recipient_user_id": user_id,
                    }
                    for i in range(args.reminders)
                ],
            )
            db.session.commit()
            due_at = {r.id: r.due_at.timestamp() for r in db.session.execute(sa.select(Reminder.id, Reminder.due_at))}
        started = first_due.timestamp()
        load = f"{args.rate:.0f}/s falling due for {args.seconds:.0f} s" if args.rate else "all due now"
        print(
            f"{args.reminders} reminders ({load}); {args.workers} worker(s) running"
            f"{' (simple)' if args.simple else ' (fork per job)'}",
            flush=True,
        )
        with app.app_context():
            sent = 0
            while time.time() - started < args.timeout:
                sent = db.session.scalar(
                    sa.select(sa.func.count()).select_from(Reminder).where(Reminder.status == ReminderStatus.SENT)
                )
                db.session.rollback()
                if sent >= args.reminders:
                    break
                time.sleep(0.25)
            elapsed = max(sink.received_at, default=time.time()) - started
        latencies = sorted(
            at - due_at[int(message_id.split("-", 1)[1].split(".", 1)[0])]
            for message_id, at in zip(sink.ids, sink.received_at, strict=True)
        )
        rate_note = f" (offered {args.rate:.0f}/s)" if args.rate else ""
        print(
            f"sent:        {sent}/{args.reminders} in {elapsed:.1f} s  ->  {sent / elapsed:.0f} reminders/s{rate_note}"
        )
        if latencies:
            p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
            print(f"due-to-sent: p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s")
        duplicates = sum(count - 1 for count in Counter(sink.ids).values() if count > 1)
        lost = args.reminders - len(set(sink.ids))
        print(f"emails received: {len(sink.ids)}; duplicates: {duplicates}; lost: {lost}")
        cpu = sum(_cpu_seconds(worker.pid) for worker in workers)
        print(f"worker CPU:  {cpu:.1f} s ({1000 * cpu / max(len(sink.ids), 1):.1f} ms per email, work horses included)")
        return 0 if duplicates == 0 and lost == 0 else 1
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                worker.kill()
        controller.stop()
        from coordinator.extensions import db as _db

        with contextlib.suppress(Exception):
            _db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    sys.exit(main())
