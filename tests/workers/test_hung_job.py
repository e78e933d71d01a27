"""A work horse that hangs is abandoned and its reminders handed out again in about a minute
(issue 18, item 2), with a real forking worker, real Redis and PostgreSQL."""

from __future__ import annotations

import time

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import Reminder
from coordinator.roles import Role
from tests.workers.processes import start_worker, stop_worker, wait_for, worker_env
from tests.workers.test_steady_worker import make_due


def reminder_rows(app):
    with app.app_context():
        try:
            return db.session.execute(sa.select(Reminder.status, Reminder.attempts).order_by(Reminder.id)).all()
        finally:
            db.session.remove()


def test_a_hung_horse_is_stopped_and_its_reminders_sent_within_a_minute(
    app, database_url, create_user, smtp_server, tmp_path
):
    user = create_user(Role.ADMISSIONS)
    make_due(app, 3, user)
    # The horse hangs: the notification table is locked, so its first write waits (a stand-in for
    # any hang, like the inherited mapper lock of issue 18).
    engine = sa.create_engine(database_url)
    blocker = engine.connect()
    blocker.execute(sa.text("LOCK TABLE notification IN ACCESS EXCLUSIVE MODE"))
    # Job timeout: 20 messages x 1 s SMTP timeout + 5 s margin = 25 s.
    env = worker_env(database_url, smtp_server.port, SMTP_TIMEOUT_SECONDS="1", REMINDER_JOB_MARGIN_SECONDS="5")
    log_path = tmp_path / "worker.log"
    worker = start_worker(log_path, env)
    started = time.monotonic()
    try:
        # RQ stops the job at its timeout; the relay sees it failed and hands the reminders out
        # again at once (a try counted), not after the 10-minute lease.
        assert wait_for(lambda: all(r.attempts == 1 for r in reminder_rows(app)), 70), (
            f"{reminder_rows(app)}\n{log_path.read_text()[-4000:]}"
        )
        blocker.rollback()  # the hang is over
        assert wait_for(lambda: len(smtp_server.messages) == 3, 30), log_path.read_text()[-4000:]
        assert wait_for(lambda: [r.status.value for r in reminder_rows(app)] == ["sent"] * 3, 10)
        assert time.monotonic() - started < 90
        assert worker.poll() is None, log_path.read_text()[-4000:]
    finally:
        blocker.close()
        engine.dispose()
        code = stop_worker(worker)
    assert code == 0
    assert len(smtp_server.messages) == 3
