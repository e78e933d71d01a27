"""Speed to lead: who is on duty for new inquiries, and the round-robin that gives each new
web or API inquiry to one of them in turn (issue 13, item 11).

The desk hears of a new web or API inquiry at once through the outbox (`reminders.inquiry_announced`,
a "new inquiry" reminder due now), so a failed Redis or SMTP loses nothing. When an administrator
turns the round-robin on, the inquiry is also assigned to the admissions user on duty who was
given one longest ago. Picking locks that user's row (`FOR UPDATE SKIP LOCKED` on PostgreSQL), so
two inquiries arriving together go to two different people, never both to the same one; SQLite
(laptops) serialises writers anyway. Nothing here commits.
"""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import Inquiry, User, utcnow
from coordinator.roles import Role
from coordinator.services import audit, settings

ON = "on"


def round_robin_enabled() -> bool:
    """Whether new web and API inquiries are assigned in turn (an administrator's setting)."""
    return settings.get_value(settings.ROUND_ROBIN) == ON


def set_round_robin(actor: User, enabled: bool) -> None:
    """Turn the round-robin on or off (audited as a setting change); the caller commits."""
    settings.set_value(actor, settings.ROUND_ROBIN, ON if enabled else None)


def set_on_duty(user: User, on_duty: bool) -> None:
    """An admissions user starts or ends taking new inquiries (audited); the caller commits."""
    user.on_duty = on_duty
    audit.record(user, AuditAction.ON_DUTY_CHANGED, "user", user.id, detail="on duty" if on_duty else "off duty")


def on_duty_users() -> list[User]:
    """Active admissions users on duty, by name."""
    return list(
        db.session.scalars(
            sa.select(User).where(*_on_duty_conditions()).order_by(sa.func.lower(User.full_name), User.id)
        )
    )


def _on_duty_conditions():
    return (User.role == Role.ADMISSIONS, User.is_active.is_(True), User.on_duty.is_(True))


def _next_in_turn(*, skip_locked: bool) -> User | None:
    statement = (
        sa.select(User)
        .where(*_on_duty_conditions())
        .order_by(User.round_robin_at.asc().nulls_first(), User.id)
        .limit(1)
        .with_for_update(skip_locked=skip_locked)
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(statement).first()


def assign_in_turn(actor, inquiry: Inquiry) -> User | None:
    """Give a new, unassigned inquiry to the on-duty admissions user whose last turn is oldest
    (never given one: first), when the round-robin is on; returns them, or None. `actor` is who
    sent the inquiry (the audit row's actor). The caller commits."""
    if inquiry.assigned_to_id is not None or inquiry.is_restricted or not round_robin_enabled():
        return None
    # Rows locked by a concurrent pick are skipped, so simultaneous arrivals go to different
    # people; only when every on-duty user is being picked right now does it wait its turn.
    user = _next_in_turn(skip_locked=True) or _next_in_turn(skip_locked=False)
    if user is None:
        return None
    user.round_robin_at = utcnow()
    inquiry.assigned_to_id = user.id
    audit.record(actor, AuditAction.INQUIRY_ASSIGNED_ROUND_ROBIN, "inquiry", inquiry.id, detail=f"to user {user.id}")
    return user
