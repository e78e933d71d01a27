"""Break-the-glass: a time-limited, scoped look at a restricted record, with a typed reason.

A grant names its scope — the clinical record (the inquiry, its notes, screenings, tasks and
timeline) or its insurance and payment pages — and opens only that (`inquiry_access` reads
clinical grants, `finance_access` finance ones). Each role may ask only for what its role reads:
billing for finances, clinicians for the clinical record. A grant is audited, tells
administrators and the record's assignee (a reminder through the outbox: in-app and email,
naming no patient), and waits in the review list; a refused attempt — a reason too short, a
scope the role may not ask for, a record that does not exist — is audited too, durably.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.contracts.pipeline import BreakGlassInput
from coordinator.contracts.values.cursor import ListCursor
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import BreakGlassScope
from coordinator.domain.reminders import ReminderKind
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import BreakGlassAccess, Inquiry, User, utcnow
from coordinator.roles import Role
from coordinator.services import audit, finance_access, inquiry_access, records, reminders
from coordinator.services.pagination import Part, SeekPage, capped_count, seek

# Who may ask for which part: the roles that read that part of an unrestricted record.
SCOPE_READERS = {
    BreakGlassScope.CLINICAL: inquiry_access.READERS,
    BreakGlassScope.FINANCE: finance_access.READERS,
}


def scopes_for(user: User) -> list[BreakGlassScope]:
    """The scopes `user`'s role may ask for, in the enum's order."""
    return [scope for scope, roles in SCOPE_READERS.items() if user.role in roles]


def grant(user: User, inquiry_id: int, data: BreakGlassInput, *, hours: int) -> BreakGlassAccess:
    """Grant `user` `hours` of access to one part of a restricted inquiry; the caller commits.

    Refused (and audited, kept even though the request is rolled back) when the inquiry does
    not exist or the user's role may not ask for that scope."""
    inquiry = records.find(Inquiry, inquiry_id)
    if inquiry is None:
        audit.record_refusal(user, AuditAction.BREAK_GLASS_REFUSED, "inquiry", inquiry_id, detail="no such inquiry")
        raise NotFound("No such inquiry.")
    if user.role not in SCOPE_READERS[data.scope]:
        audit.record_refusal(
            user, AuditAction.BREAK_GLASS_REFUSED, "inquiry", inquiry.id, detail=f"{data.scope.value}: role not allowed"
        )
        raise NotPermitted(f"Your role does not open this part of a record: {data.scope.label.lower()}.")
    now = utcnow()
    access = BreakGlassAccess(
        inquiry_id=inquiry.id,
        user_id=user.id,
        scope=data.scope,
        reason=data.reason,
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    db.session.add(access)
    db.session.flush()
    audit.record(
        user,
        AuditAction.BREAK_GLASS,
        "inquiry",
        inquiry.id,
        detail=f"grant {access.id}, {data.scope.value}, for {hours} h",
    )
    reminders.schedule(
        ReminderKind.BREAK_GLASS, now, f"break-glass-{access.id}", inquiry_id=inquiry.id, break_glass_id=access.id
    )
    return access


def attempt_refused(user: User, inquiry_id: int, failure: ValidationFailed) -> None:
    """Audit an attempt the form refused (no reason, too short, no scope): the codes, never the text."""
    codes = ", ".join(sorted({p.code for p in failure.problems}))
    audit.record_refusal(user, AuditAction.BREAK_GLASS_REFUSED, "inquiry", inquiry_id, detail=f"refused: {codes}")


def open_grant(user: User, inquiry: Inquiry, scope: BreakGlassScope) -> BreakGlassAccess | None:
    """The grant through which `user` sees this part of `inquiry` now, the one ending last; None
    when they see it without one (not restricted, an administrator, the assignee) or not at all."""
    if not inquiry.is_restricted or user.role == Role.ADMIN or inquiry.assigned_to_id == user.id:
        return None
    if user.role not in SCOPE_READERS[scope]:
        return None
    return db.session.scalar(
        sa.select(BreakGlassAccess)
        .where(
            BreakGlassAccess.user_id == user.id,
            BreakGlassAccess.inquiry_id == inquiry.id,
            BreakGlassAccess.scope == scope,
            BreakGlassAccess.expires_at > utcnow(),
        )
        .order_by(BreakGlassAccess.expires_at.desc())
        .limit(1)
    )


# --- review by administrators -------------------------------------------------------------------


def log(cursor: ListCursor | None, per_page: int, unreviewed_only: bool) -> SeekPage:
    """The grants, newest first, by keyset pages and a count capped at 1,000 (`pagination.seek`)."""
    statement = sa.select(BreakGlassAccess).options(joinedload(BreakGlassAccess.user))
    if unreviewed_only:
        statement = statement.where(BreakGlassAccess.reviewed_at.is_(None))
    part = Part(
        "all",
        statement,
        ((BreakGlassAccess.created_at, True), (BreakGlassAccess.id, True)),
        lambda g: (g.created_at, g.id),
        ("time", "id"),
    )
    sort = "unreviewed" if unreviewed_only else "all"
    return seek([part], cursor, per_page, sort=sort, total=capped_count(statement))


def unreviewed_count() -> int:
    """How many grants no administrator has reviewed yet (one COUNT)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BreakGlassAccess).where(BreakGlassAccess.reviewed_at.is_(None))
        )
        or 0
    )


def mark_reviewed(admin: User, grant_id: int) -> None:
    """Note that an administrator has reviewed a break-the-glass grant; the caller commits."""
    access = records.load(BreakGlassAccess, grant_id)
    if access.reviewed_at is None:
        access.reviewed_at, access.reviewed_by_id = utcnow(), admin.id
        audit.record(admin, AuditAction.BREAK_GLASS_REVIEWED, "break_glass_access", access.id)
