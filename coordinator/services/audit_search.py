"""Searching the audit log by actor, action, record and time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import AuditEvent, User
from coordinator.services.pagination import Page, paginate

ANONYMOUS_CHOICE = "label:anonymous"


@dataclass(frozen=True)
class AuditCriteria:
    actor_user_id: int | None = None
    actor_label: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    starts: datetime | None = None  # inclusive, UTC
    ends: datetime | None = None  # exclusive, UTC

    @classmethod
    def from_form(cls, data: dict, timezone_name: str) -> AuditCriteria:
        """Read validated filter-form data; dates are whole days in the clinic's time zone."""
        zone = ZoneInfo(timezone_name)
        actor = data.get("actor") or ""
        actor_user_id = int(actor[5:]) if actor.startswith("user:") and actor[5:].isdigit() else None
        actor_label = actor[6:] if actor.startswith("label:") else None
        return cls(
            actor_user_id=actor_user_id,
            actor_label=actor_label,
            action=(data.get("action") or "").strip() or None,
            entity_type=(data.get("entity_type") or "").strip() or None,
            entity_id=(data.get("entity_id") or "").strip() or None,
            starts=_day_start(data.get("date_from"), zone),
            ends=_day_start(data.get("date_to"), zone, next_day=True),
        )


def _day_start(day: date | None, zone: ZoneInfo, next_day: bool = False) -> datetime | None:
    if day is None:
        return None
    if next_day:
        day = day + timedelta(days=1)
    return datetime.combine(day, time.min, tzinfo=zone)


def search(criteria: AuditCriteria, page: int, per_page: int) -> Page:
    """Matching audit rows, newest first, each with its actor's name when it has one."""
    actor = aliased(User)
    statement = sa.select(AuditEvent, actor.full_name).outerjoin(actor, actor.id == AuditEvent.actor_user_id)
    if criteria.actor_user_id is not None:
        statement = statement.where(AuditEvent.actor_user_id == criteria.actor_user_id)
    if criteria.actor_label is not None:
        statement = statement.where(AuditEvent.actor_label == criteria.actor_label)
    if criteria.action:
        statement = statement.where(AuditEvent.action == criteria.action)
    if criteria.entity_type:
        statement = statement.where(AuditEvent.entity_type == criteria.entity_type)
    if criteria.entity_id:
        statement = statement.where(AuditEvent.entity_id == criteria.entity_id)
    if criteria.starts is not None:
        statement = statement.where(AuditEvent.occurred_at >= criteria.starts)
    if criteria.ends is not None:
        statement = statement.where(AuditEvent.occurred_at < criteria.ends)
    statement = statement.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    return paginate(statement, page, per_page, scalars=False)


def actor_choices() -> list[tuple[str, str]]:
    """Options for the actor filter: anyone, anonymous visitors, then every staff account."""
    users = db.session.execute(
        sa.select(User.id, User.full_name, User.email).order_by(sa.func.lower(User.full_name))
    ).all()
    return [("", "Anyone"), (ANONYMOUS_CHOICE, "Anonymous (failed sign-ins)")] + [
        (f"user:{uid}", f"{name} ({email})") for uid, name, email in users
    ]


def action_label(value: str) -> str:
    """How the audit page words a stored action (older rows may hold a name no longer in use)."""
    action = AuditAction.parse(value)
    return action.label if action is not None else value
