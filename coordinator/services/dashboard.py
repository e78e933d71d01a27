"""What each user sees on their home page."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, User
from coordinator.roles import Role


@dataclass
class HomeSummary:
    user: User
    idle_minutes: int
    active_users_by_role: dict[str, int] = field(default_factory=dict)
    inactive_users: int = 0
    recent_events: list[AuditEvent] = field(default_factory=list)


def home_summary(user: User, config) -> HomeSummary:
    """Gather the home page's numbers; administrators also see accounts and recent activity."""
    summary = HomeSummary(user=user, idle_minutes=int(config["IDLE_TIMEOUT"].total_seconds() // 60))
    if user.role == Role.ADMIN:
        rows = db.session.execute(
            sa.select(User.role, User.is_active, sa.func.count()).group_by(User.role, User.is_active)
        ).all()
        for role, active, count in rows:
            if active:
                summary.active_users_by_role[Role(role).label] = count
            else:
                summary.inactive_users += count
        summary.recent_events = list(db.session.execute(
            sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(8)
        ).scalars())
    return summary
