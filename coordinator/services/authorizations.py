"""Authorizations and utilization review: what a payer approved, per level of care, and when
it looks again.

Every create and update appends an `AuthorizationReview` (the history: from/to status, approved
units, dates, note, who) and reschedules the billing reminders (`reminders.authorization_changed`)
in the same transaction. The caller checks access and commits.

The form's own rules (what an approval needs, the worked-out last day, review dates) are in
`contracts/authorization.py`; here are the ones that need the record or the database:
- the coverage named must be one of the inquiry's;
- a status change must be a move `rules/authorization_lifecycle.py` allows (keeping the status
  while changing other fields is always allowed);
- an update that changes nothing and carries no note is refused, so the history never fills
  with empty entries.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordinator.clock import clinic_today
from coordinator.contracts.authorization import AuthorizationInput
from coordinator.contracts.base import problem
from coordinator.domain.audit import AuditAction
from coordinator.errors import Problem, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Authorization, AuthorizationReview, Coverage, Inquiry, User
from coordinator.rules.authorization_lifecycle import LIFECYCLE
from coordinator.rules.errors import InvalidTransition
from coordinator.services import audit, care_reminders, records, reminders

# Fields an update compares to decide whether anything changed.
TRACKED = (
    "level_of_care",
    "coverage_id",
    "status",
    "auth_number",
    "unit",
    "requested_units",
    "approved_units",
    "start_date",
    "end_date",
    "next_review_date",
    "payer_contact",
)


def authorizations_for(inquiry: Inquiry) -> list[Authorization]:
    """The inquiry's authorizations, newest first, with coverage, payer and review history
    (three queries whatever the count)."""
    return list(
        db.session.scalars(
            sa.select(Authorization)
            .where(Authorization.inquiry_id == inquiry.id)
            .options(
                joinedload(Authorization.coverage).joinedload(Coverage.payer),
                selectinload(Authorization.reviews).joinedload(AuthorizationReview.actor),
            )
            .order_by(Authorization.created_at.desc(), Authorization.id.desc())
        )
    )


def load_authorization(authorization_id: int) -> Authorization:
    """The authorization with its coverage (and payer) and review history, or NotFound."""
    auth = records.load(Authorization, authorization_id)
    related = [
        joinedload(Authorization.coverage).joinedload(Coverage.payer),
        selectinload(Authorization.reviews).joinedload(AuthorizationReview.actor),
    ]
    return db.session.get(Authorization, auth.id, options=related, populate_existing=True)


def _stored(data: AuthorizationInput, inquiry_id: int) -> dict:
    """The column values for `data`, once its coverage is known to be the inquiry's."""
    if data.coverage_id is not None:
        found = db.session.scalar(
            sa.select(Coverage.id).where(Coverage.id == data.coverage_id, Coverage.inquiry_id == inquiry_id)
        )
        if found is None:
            raise ValidationFailed([problem("coverage_id", "authorization_coverage_unknown")])
    values = data.model_dump(exclude={"note"})
    values["end_date"] = data.last_covered_day
    return values


def _review(auth: Authorization, actor: User, from_status, note: str | None) -> AuthorizationReview:
    entry = AuthorizationReview(
        authorization_id=auth.id,
        from_status=from_status.value if from_status else None,
        to_status=auth.status.value,
        approved_units=auth.approved_units,
        next_review_date=auth.next_review_date,
        end_date=auth.end_date,
        note=note,
        actor_id=actor.id,
    )
    db.session.add(entry)
    return entry


def record_authorization(
    actor: User, inquiry: Inquiry, data: AuthorizationInput, today: date | None = None
) -> Authorization:
    """Record a payer's authorization with its first history entry and reminders; the caller commits."""
    auth = Authorization(inquiry_id=inquiry.id, created_by_id=actor.id, **_stored(data, inquiry.id))
    db.session.add(auth)
    db.session.flush()
    _review(auth, actor, None, data.note)
    db.session.flush()
    reminders.authorization_changed(auth, today or clinic_today())
    care_reminders.authorizations_changed(auth.inquiry_id, today)
    audit.record(
        actor,
        AuditAction.AUTHORIZATION_RECORDED,
        "authorization",
        auth.id,
        detail=f"inquiry {inquiry.id}, {auth.level_of_care}, status {auth.status}",
    )
    return auth


def update_authorization(
    actor: User, auth: Authorization, data: AuthorizationInput, today: date | None = None
) -> Authorization:
    """Change an authorization (a move the lifecycle allows) and re-plan its reminders; the caller commits."""
    values = _stored(data, auth.inquiry_id)
    if data.status is not auth.status:
        try:
            LIFECYCLE.next(auth.status, data.status)
        except InvalidTransition as refusal:
            raise ValidationFailed([Problem(refusal.field, refusal.message, "invalid_transition")]) from None
    changed = [name for name in TRACKED if getattr(auth, name) != values[name]]
    if not changed and data.note is None:
        raise ValidationFailed([problem("note", "authorization_unchanged")])
    from_status = auth.status
    for name, value in values.items():
        setattr(auth, name, value)
    _review(auth, actor, from_status, data.note)
    db.session.flush()
    reminders.authorization_changed(auth, today or clinic_today())
    care_reminders.authorizations_changed(auth.inquiry_id, today)
    audit.record(
        actor,
        AuditAction.AUTHORIZATION_UPDATED,
        "authorization",
        auth.id,
        detail=f"inquiry {auth.inquiry_id}, status {from_status} -> {auth.status}; "
        f"changed: {', '.join(changed) or 'note only'}",
    )
    return auth
