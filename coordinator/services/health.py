"""What /healthz reports: can we reach the database and (when configured) Redis, and are reminders late.

An unreachable Redis, and stuck, failed or late reminders (open and more than
REMINDER_LATE_SECONDS past due: workers down, or a queue lost and not yet caught up) make the
status "degraded" (still HTTP 200: pages work, but someone should look at /admin/reminders);
only an unreachable database is an "error" (503).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import redis
import sqlalchemy as sa
from flask import current_app

from coordinator.extensions import db
from coordinator.models import utcnow
from coordinator.services import reminder_admin

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    redis_configured: bool
    redis_ok: bool | None
    # None when they could not be counted (the database is down, or the query failed).
    reminders: reminder_admin.ProblemCounts | None = None

    @property
    def status(self) -> str:
        if not self.database_ok:
            return "error"
        if self.redis_configured and not self.redis_ok:
            return "degraded"  # pages work; reminders wait in the outbox until Redis is back
        if self.reminders is None or self.reminders.stuck or self.reminders.failed or self.reminders.late:
            return "degraded"  # late or failed reminders: staff see them on /admin/reminders
        return "ok"

    def as_dict(self) -> dict:
        reminders = self.reminders
        return {
            "status": self.status,
            "database": {"ok": self.database_ok},
            "redis": {"configured": self.redis_configured, "ok": self.redis_ok},
            "reminders": {
                "stuck": reminders.stuck if reminders else None,
                "failed": reminders.failed if reminders else None,
                "late": reminders.late if reminders else None,
            },
        }


def check(redis_url: str | None) -> HealthReport:
    """Probe the database and Redis with short timeouts; never raises."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database_ok = True
    except Exception:  # noqa: BLE001 - a health check reports, it does not crash
        log.exception("health check: database unreachable")
        db.session.rollback()
        database_ok = False
    redis_ok = None
    if redis_url:
        try:
            client = redis.Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)
            redis_ok = bool(client.ping())
            client.close()
        except redis.RedisError:
            log.warning("health check: redis unreachable")
            redis_ok = False
    return HealthReport(database_ok, bool(redis_url), redis_ok, _reminder_problems() if database_ok else None)


def _reminder_problems() -> reminder_admin.ProblemCounts | None:
    lease = timedelta(seconds=current_app.config["REMINDER_LEASE_SECONDS"])
    try:
        late_after = timedelta(seconds=current_app.config["REMINDER_LATE_SECONDS"])
        return reminder_admin.problem_counts(utcnow(), lease, late_after)
    except Exception:  # noqa: BLE001 - reported as unknown (degraded), never a crash
        log.exception("health check: could not count stuck and failed reminders")
        db.session.rollback()
        return None
