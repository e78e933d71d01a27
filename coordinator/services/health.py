"""What /healthz reports: can we reach the database and (when configured) Redis."""
from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
import sqlalchemy as sa

from coordinator.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HealthReport:
    database_ok: bool
    redis_configured: bool
    redis_ok: bool | None

    @property
    def status(self) -> str:
        if not self.database_ok:
            return "error"
        if self.redis_configured and not self.redis_ok:
            return "degraded"  # pages work; reminders wait in the outbox until Redis is back
        return "ok"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "database": {"ok": self.database_ok},
            "redis": {"configured": self.redis_configured, "ok": self.redis_ok},
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
    return HealthReport(database_ok, bool(redis_url), redis_ok)
