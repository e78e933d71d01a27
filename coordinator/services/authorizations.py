"""Authorizations and utilization review: what a payer approved, per level of care, and when
it looks again.

Every create and update appends an `AuthorizationReview` (the history: from/to status, approved
units, dates, note, who) and reschedules the billing reminders (`reminders.authorization_changed`)
in the same transaction. The caller checks access and commits.

Rules a reader needs to know:
- Approved and partially approved authorizations need an authorization number, the approved
  units and a first covered day. "Partially approved" means fewer units than requested (so
  the requested units are needed too); "approved" with fewer units than requested is refused
  with a hint to choose "partially approved". A denial carries no approved units.
- When the unit is days and no end date is given, the last covered day is worked out as
  start + approved days - 1 (day one is the start date).
- The next review date may not fall before the first covered day, nor more than
  REVIEW_GRACE_DAYS after the last one (a retrospective review or an appeal can be booked a
  little after coverage ends; later than that is a typing mistake).
- An update that changes nothing and carries no note is refused, so the history never fills
  with empty entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordinator.domain.audit import AuditAction
from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import AuthorizationUnit
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Authorization, AuthorizationReview, Coverage, Inquiry, User
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.services import audit, reminders
from coordinator.services.insurance import NOTES_LIMIT, _choice, _date, _int, _text

GRANTED = (AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIALLY_APPROVED)
REVIEW_GRACE_DAYS = 30
MAX_UNITS = 10_000
AUTH_NUMBER_LIMIT = 50
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


def load_authorization(authorization_id: int) -> Authorization | None:
    return db.session.scalar(
        sa.select(Authorization)
        .where(Authorization.id == authorization_id)
        .options(
            joinedload(Authorization.coverage).joinedload(Coverage.payer),
            selectinload(Authorization.reviews).joinedload(AuthorizationReview.actor),
        )
    )


def _clean(data: Mapping, inquiry_id: int) -> dict:
    problems: list = []
    level = _choice(data, "level_of_care", LevelOfCare, problems, required="Choose the level of care authorized.")
    status = _choice(data, "status", AuthorizationStatus, problems, required="Choose the authorization's status.")
    unit = _choice(data, "unit", AuthorizationUnit, problems, default=AuthorizationUnit.DAYS)

    coverage_id = None
    raw = data.get("coverage_id")
    if raw not in (None, ""):
        candidate = None
        if isinstance(raw, int) and not isinstance(raw, bool):
            candidate = raw
        elif isinstance(raw, str) and raw.strip().isdecimal() and len(raw.strip()) < 10:
            candidate = int(raw.strip())
        found = (
            db.session.scalar(sa.select(Coverage.id).where(Coverage.id == candidate, Coverage.inquiry_id == inquiry_id))
            if candidate
            else None
        )
        if found is None:
            problems.append(("coverage_id", "Choose one of this inquiry's coverages, or none."))
        coverage_id = found

    auth_number = _text(data, "auth_number", AUTH_NUMBER_LIMIT, problems)
    requested = _int(data, "requested_units", problems, "number requested", minimum=1, maximum=MAX_UNITS)
    approved = _int(data, "approved_units", problems, "number approved", minimum=0, maximum=MAX_UNITS)
    start = _date(data, "start_date", problems, "first covered day")
    end = _date(data, "end_date", problems, "last covered day")
    review = _date(data, "next_review_date", problems, "next review date")
    payer_contact = _text(data, "payer_contact", 120, problems)
    failed = {field for field, _ in problems}
    units = unit.value if unit else "units"

    if status in GRANTED:
        if auth_number is None and "auth_number" not in failed:
            problems.append(("auth_number", "Enter the authorization number the payer gave."))
        if approved is None and "approved_units" not in failed:
            problems.append(("approved_units", f"Enter how many {units} were approved."))
        elif approved == 0:
            problems.append(
                (
                    "approved_units",
                    f"An approval is for at least one {units.rstrip('s')}; choose “Denied” if nothing was approved.",
                )
            )
        if start is None and "start_date" not in failed:
            problems.append(("start_date", "Enter the first covered day."))
    if status is AuthorizationStatus.PARTIALLY_APPROVED and approved:
        if requested is None and "requested_units" not in failed:
            problems.append(
                (
                    "requested_units",
                    f"Enter how many {units} were requested: a partial approval is fewer than requested.",
                )
            )
        elif requested is not None and approved >= requested:
            problems.append(
                (
                    "approved_units",
                    f"A partial approval is fewer {units} than requested ({requested}); "
                    f"choose “Approved” if all were granted.",
                )
            )
    if status is AuthorizationStatus.APPROVED and approved and requested is not None and approved < requested:
        problems.append(
            (
                "status",
                f"Fewer {units} were approved ({approved}) than requested ({requested}): choose “Partially approved”.",
            )
        )
    if status is AuthorizationStatus.DENIED and approved:
        problems.append(("approved_units", "A denial approves nothing: leave the approved number empty."))

    if (
        end is None
        and start is not None
        and status in GRANTED
        and unit is AuthorizationUnit.DAYS
        and approved
        and not problems
    ):
        end = start + timedelta(days=approved - 1)
    if start and end and end < start:
        problems.append(("end_date", "The last covered day cannot be before the first."))
    if review and start and review < start:
        problems.append(("next_review_date", "The next review cannot be before the first covered day."))
    elif review and end and review > end + timedelta(days=REVIEW_GRACE_DAYS):
        problems.append(
            (
                "next_review_date",
                f"The next review cannot be more than {REVIEW_GRACE_DAYS} days after the last covered day.",
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return {
        "level_of_care": level,
        "coverage_id": coverage_id,
        "status": status,
        "auth_number": auth_number,
        "unit": unit,
        "requested_units": requested,
        "approved_units": approved,
        "start_date": start,
        "end_date": end,
        "next_review_date": review,
        "payer_contact": payer_contact,
    }


def _note(note, problems: list) -> str | None:
    return _text({"note": note}, "note", NOTES_LIMIT, problems, multiline=True)


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


def record_authorization(actor: User, inquiry: Inquiry, data: Mapping, today: date) -> Authorization:
    problems: list = []
    note = _note(data.get("note"), problems)
    try:
        clean = _clean(data, inquiry.id)
    except ValidationFailed as failure:
        raise ValidationFailed(failure.reasons + problems) from None
    if problems:
        raise ValidationFailed(problems)
    auth = Authorization(inquiry_id=inquiry.id, created_by_id=actor.id, **clean)
    db.session.add(auth)
    db.session.flush()
    _review(auth, actor, None, note)
    db.session.flush()
    reminders.authorization_changed(auth, today)
    audit.record(
        actor,
        AuditAction.AUTHORIZATION_RECORDED,
        "authorization",
        auth.id,
        detail=f"inquiry {inquiry.id}, {auth.level_of_care}, status {auth.status}",
    )
    return auth


def update_authorization(actor: User, auth: Authorization, data: Mapping, note, today: date) -> Authorization:
    problems: list = []
    clean_note = _note(note, problems)
    try:
        clean = _clean(data, auth.inquiry_id)
    except ValidationFailed as failure:
        raise ValidationFailed(failure.reasons + problems) from None
    if problems:
        raise ValidationFailed(problems)
    changed = [name for name in TRACKED if getattr(auth, name) != clean[name]]
    if not changed and clean_note is None:
        raise ValidationFailed.single("note", "Nothing changed: change a field or add a review note.")
    from_status = auth.status
    for name, value in clean.items():
        setattr(auth, name, value)
    _review(auth, actor, from_status, clean_note)
    db.session.flush()
    reminders.authorization_changed(auth, today)
    audit.record(
        actor,
        AuditAction.AUTHORIZATION_UPDATED,
        "authorization",
        auth.id,
        detail=f"inquiry {auth.inquiry_id}, status {from_status} -> {auth.status}; "
        f"changed: {', '.join(changed) or 'note only'}",
    )
    return auth
