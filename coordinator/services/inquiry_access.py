"""Who may open an inquiry's clinical record.

Admins, admissions, case managers and clinicians work with inquiries. A restricted inquiry is
visible only to its assignee and admins; anyone else in those roles must "break the glass" for
the clinical record with a typed reason (`services/break_glass.py`), which grants a time-limited
look, is audited and is listed for admins to review.
Every read of a person's record writes an audit row; every refusal too (kept even though the
refused request is rolled back). Anything that shows one record's facts on another page checks
`can_see` first.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import BreakGlassScope
from coordinator.errors import NotFound, NotPermitted, RestrictedRecord
from coordinator.extensions import db
from coordinator.models import BreakGlassAccess, Inquiry, User, utcnow
from coordinator.roles import Role
from coordinator.services import audit, records

READERS = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER, Role.CLINICIAN})
EDITORS = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER})


def can_see(
    user: User, inquiry: Inquiry, glass_ids: frozenset[int] = frozenset(), *, readers: frozenset[Role] = READERS
) -> bool:
    """Whether `user` may open `inquiry` now (`glass_ids`: inquiries they broke the glass on;
    `readers`: the roles admitted to this kind of record — the finance pages pass their own)."""
    if user.role not in readers:
        return False
    if not inquiry.is_restricted or user.role == Role.ADMIN or inquiry.assigned_to_id == user.id:
        return True
    return inquiry.id in glass_ids


def open_break_glass_ids(user: User, scope: BreakGlassScope = BreakGlassScope.CLINICAL) -> frozenset[int]:
    """Inquiries this user currently holds a break-the-glass grant for, of that scope (one query):
    a grant opens only what it was asked for (`services/break_glass.py`)."""
    return frozenset(
        db.session.scalars(
            sa.select(BreakGlassAccess.inquiry_id).where(
                BreakGlassAccess.user_id == user.id,
                BreakGlassAccess.scope == scope,
                BreakGlassAccess.expires_at > utcnow(),
            )
        )
    )


def visible_condition(user: User, glass_ids: frozenset[int]):
    """SQL: the inquiries `user` may see (for searches, counts and anything listing them)."""
    if user.role == Role.ADMIN:
        return sa.true()
    return sa.or_(
        Inquiry.is_restricted.is_(False), Inquiry.assigned_to_id == user.id, Inquiry.id.in_(glass_ids or {-1})
    )


def hidden_condition(user: User, glass_ids: frozenset[int]):
    """SQL: the inquiries `user` may not see (exactly those `visible_condition` leaves out,
    including restricted rows nobody is assigned to); the partial index
    `ix_inquiry_live_restricted` serves it."""
    if user.role == Role.ADMIN:
        return sa.false()
    return sa.and_(
        Inquiry.is_restricted,
        sa.or_(Inquiry.assigned_to_id.is_(None), Inquiry.assigned_to_id != user.id),
        Inquiry.id.not_in(glass_ids or {-1}),
    )


def load(inquiry_id: int) -> Inquiry:
    """The inquiry with its assignee and referrer, or NotFound."""
    inquiry = records.find(Inquiry, inquiry_id, options=[joinedload(Inquiry.assigned_to), joinedload(Inquiry.referrer)])
    if inquiry is None:
        raise NotFound("No such inquiry.")
    return inquiry


@dataclass(frozen=True)
class Access:
    inquiry: Inquiry
    visible: bool
    needs_break_glass: bool


def open_for(user: User, inquiry_id: int, *, purpose: str = "viewed") -> Access:
    """Load an inquiry for `user`, auditing the read; restricted ones may need the glass broken."""
    inquiry = load(inquiry_id)
    if user.role not in READERS:
        raise NotPermitted("Your role does not give access to inquiries.")
    visible = can_see(user, inquiry, open_break_glass_ids(user))
    if visible:
        audit.record(user, AuditAction(f"inquiry_{purpose}"), "inquiry", inquiry.id)
    else:
        audit.record_refusal(user, AuditAction.RESTRICTED_INQUIRY_REFUSED, "inquiry", inquiry.id)
    return Access(inquiry, visible, needs_break_glass=not visible)


def require_visible(user: User, inquiry_id: int, *, purpose: str = "viewed", edit: bool = False) -> Inquiry:
    """The inquiry if `user` may see it (and edit it, when asked); NotPermitted otherwise."""
    access = open_for(user, inquiry_id, purpose=purpose)
    if not access.visible:
        raise RestrictedRecord(
            "This inquiry is restricted. Break the glass with a reason to open it.",
            area="inquiry",
            record_id=inquiry_id,
        )
    if edit and user.role not in EDITORS:
        raise NotPermitted("Your role can read inquiries but not change them.")
    if edit and access.inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; work on that one instead.")
    return access.inquiry
