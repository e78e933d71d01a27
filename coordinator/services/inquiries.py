"""Working an inquiry: who may see it, finding it, its timeline, the pipeline, tasks, merges.

Visibility: admins, admissions, case managers and clinicians work with inquiries. A restricted
inquiry is visible only to its assignee and admins; anyone else in those roles must "break
the glass" with a typed reason, which grants a time-limited look, is audited and is listed
for admins to review. Every read of a person's record writes an audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus
from coordinator.domain.intake import ActivityKind, CallOutcome, Direction, ReferralSource
from coordinator.errors import NotFound, NotPermitted, RestrictedRecord, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    BreakGlassAccess,
    FollowUpTask,
    Inquiry,
    InquiryActivity,
    OpioidRegimenLine,
    PossibleDuplicate,
    Program,
    Screening,
    User,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules import inquiry_lifecycle as lifecycle
from coordinator.rules.errors import RuleError
from coordinator.rules.inquiry_lifecycle import InquiryAction, InquiryStatus
from coordinator.services import audit, clearance, reminders
from coordinator.services.pagination import Page, paginate
from coordinator.services.user_directory import escape_like

READERS = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER, Role.CLINICIAN})
EDITORS = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER})
NOTE_LIMIT = 4000
REASON_LIMIT = 500
MIN_BREAK_GLASS_REASON = 10


# --- visibility -------------------------------------------------------------------------------


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


def open_break_glass_ids(user: User) -> frozenset[int]:
    """Inquiries this user currently holds a break-the-glass grant for (one query)."""
    return frozenset(
        db.session.scalars(
            sa.select(BreakGlassAccess.inquiry_id).where(
                BreakGlassAccess.user_id == user.id, BreakGlassAccess.expires_at > utcnow()
            )
        )
    )


def _visible_condition(user: User, glass_ids: frozenset[int]):
    if user.role == Role.ADMIN:
        return sa.true()
    return sa.or_(
        Inquiry.is_restricted.is_(False), Inquiry.assigned_to_id == user.id, Inquiry.id.in_(glass_ids or {-1})
    )


def load(inquiry_id: int) -> Inquiry:
    inquiry = db.session.get(
        Inquiry, inquiry_id, options=[joinedload(Inquiry.assigned_to), joinedload(Inquiry.referrer)]
    )
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


def survivor_of(inquiry: Inquiry, max_hops: int = 10) -> Inquiry:
    """The inquiry this one was merged into (following chains of merges), or itself."""
    current = inquiry
    for _ in range(max_hops):
        if current.merged_into_id is None:
            return current
        current = db.session.get(Inquiry, current.merged_into_id)
    return current


def break_glass(user: User, inquiry_id: int, reason: str, hours: int) -> BreakGlassAccess:
    """Grant `user` a time-limited look at a restricted inquiry, with a typed reason.

    Billing may break the glass too: the grant opens the inquiry's insurance and payment
    pages only (billing never reads the clinical record)."""
    inquiry = load(inquiry_id)
    if user.role not in READERS | {Role.BILLING}:
        raise NotPermitted("Your role does not give access to inquiries.")
    reason = (reason or "").strip()
    if len(reason) < MIN_BREAK_GLASS_REASON:
        raise ValidationFailed.single(
            "reason", f"Say why you need this record (at least {MIN_BREAK_GLASS_REASON} characters)."
        )
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed.single("reason", f"Use at most {REASON_LIMIT} characters.")
    now = utcnow()
    grant = BreakGlassAccess(
        inquiry_id=inquiry.id, user_id=user.id, reason=reason, created_at=now, expires_at=now + timedelta(hours=hours)
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(user, AuditAction.BREAK_GLASS, "inquiry", inquiry.id, detail=f"grant {grant.id} for {hours} h")
    return grant


def break_glass_log(page: int, per_page: int, unreviewed_only: bool) -> Page:
    statement = (
        sa.select(BreakGlassAccess)
        .options(joinedload(BreakGlassAccess.user))
        .order_by(BreakGlassAccess.created_at.desc(), BreakGlassAccess.id.desc())
    )
    if unreviewed_only:
        statement = statement.where(BreakGlassAccess.reviewed_at.is_(None))
    return paginate(statement, page, per_page)


def mark_break_glass_reviewed(admin: User, grant_id: int) -> None:
    grant = db.session.get(BreakGlassAccess, grant_id)
    if grant is None:
        raise NotFound("No such break-the-glass entry.")
    if grant.reviewed_at is None:
        grant.reviewed_at, grant.reviewed_by_id = utcnow(), admin.id
        audit.record(admin, AuditAction.BREAK_GLASS_REVIEWED, "break_glass_access", grant.id)


# --- lists ------------------------------------------------------------------------------------

SORTS = {
    "newest": (Inquiry.arrived_at.desc(), Inquiry.id.desc()),
    "oldest": (Inquiry.arrived_at.asc(), Inquiry.id.asc()),
    "updated": (Inquiry.status_changed_at.desc(), Inquiry.id.desc()),
    "name": (Inquiry.patient_name_key.asc(), Inquiry.id.asc()),
    "urgency": (
        sa.case({"urgent": 0, "soon": 1}, value=Inquiry.urgency, else_=2),
        Inquiry.arrived_at.asc(),
        Inquiry.id.asc(),
    ),
}


@dataclass(frozen=True)
class InquiryFilters:
    q: str | None = None
    status: str | None = None
    source: str | None = None
    assignee: str | None = None  # a user id, "me" or "none"
    arrived_from: date | None = None
    arrived_to: date | None = None
    sort: str = "newest"
    page: int = 1


@dataclass(frozen=True)
class ListRow:
    inquiry: Inquiry
    visible: bool


def search(user: User, filters: InquiryFilters, per_page: int, zone) -> tuple[Page, list[ListRow]]:
    """One page of inquiries (three queries whatever the data: grants, count, rows)."""
    glass_ids = open_break_glass_ids(user)
    statement = sa.select(Inquiry).options(joinedload(Inquiry.assigned_to)).where(Inquiry.merged_into_id.is_(None))
    if filters.q and filters.q.strip():
        text = " ".join(filters.q.casefold().split())
        pattern = f"%{escape_like(text)}%"
        matches = [
            Inquiry.patient_name_key.like(pattern, escape="\\"),
            Inquiry.caller_name_key.like(pattern, escape="\\"),
            Inquiry.caller_email_key.like(pattern, escape="\\"),
            Inquiry.patient_email_key.like(pattern, escape="\\"),
        ]
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            digit_pattern = f"%{digits}%"
            matches += [
                Inquiry.caller_phone_digits.like(digit_pattern),
                Inquiry.patient_phone_digits.like(digit_pattern),
            ]
        # A restricted record never matches a search by someone who may not see it.
        statement = statement.where(sa.or_(*matches), _visible_condition(user, glass_ids))
    if filters.status:
        statement = statement.where(Inquiry.status == InquiryStatus(filters.status))
    if filters.source:
        statement = statement.where(Inquiry.referral_source == ReferralSource(filters.source))
    if filters.assignee == "me":
        statement = statement.where(Inquiry.assigned_to_id == user.id)
    elif filters.assignee == "none":
        statement = statement.where(Inquiry.assigned_to_id.is_(None))
    elif filters.assignee:
        statement = statement.where(Inquiry.assigned_to_id == int(filters.assignee))
    if filters.arrived_from:
        statement = statement.where(Inquiry.arrived_at >= _start_of(filters.arrived_from, zone))
    if filters.arrived_to:
        statement = statement.where(Inquiry.arrived_at < _start_of(filters.arrived_to + timedelta(days=1), zone))
    page = paginate(statement.order_by(*SORTS.get(filters.sort, SORTS["newest"])), filters.page, per_page)
    rows = [ListRow(inquiry, can_see(user, inquiry, glass_ids)) for inquiry in page.items]
    audit.record(user, AuditAction.INQUIRIES_LISTED, "inquiry", None, detail=f"page {page.page}, {len(rows)} rows")
    return page, rows


def _start_of(day: date, zone) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def assignable_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_([Role.ADMISSIONS, Role.CASE_MANAGER, Role.ADMIN]))
            .order_by(sa.func.lower(User.full_name))
        )
    )


# --- the record page ----------------------------------------------------------------------------


def timeline(inquiry: Inquiry) -> list[InquiryActivity]:
    return list(
        db.session.scalars(
            sa.select(InquiryActivity)
            .options(joinedload(InquiryActivity.actor))
            .where(InquiryActivity.inquiry_id == inquiry.id)
            .order_by(InquiryActivity.occurred_at.desc(), InquiryActivity.id.desc())
        )
    )


def duplicates_of(inquiry: Inquiry) -> list[PossibleDuplicate]:
    return list(
        db.session.scalars(
            sa.select(PossibleDuplicate)
            .options(joinedload(PossibleDuplicate.other))
            .where(PossibleDuplicate.inquiry_id == inquiry.id, PossibleDuplicate.dismissed_at.is_(None))
            .order_by(PossibleDuplicate.other_inquiry_id)
        )
    )


def regimen_of(inquiry: Inquiry) -> list[OpioidRegimenLine]:
    return list(
        db.session.scalars(
            sa.select(OpioidRegimenLine)
            .where(OpioidRegimenLine.inquiry_id == inquiry.id)
            .order_by(OpioidRegimenLine.position)
        )
    )


def admission_of(inquiry: Inquiry) -> Admission | None:
    return db.session.scalar(
        sa.select(Admission).options(joinedload(Admission.program)).where(Admission.inquiry_id == inquiry.id)
    )


def time_to_first_contact(inquiry: Inquiry) -> timedelta | None:
    if inquiry.first_contact_at is None:
        return None
    return inquiry.first_contact_at - inquiry.arrived_at


# --- pipeline -----------------------------------------------------------------------------------


def add_activity(inquiry: Inquiry, actor: User, kind: ActivityKind, **fields) -> InquiryActivity:
    activity = InquiryActivity(inquiry_id=inquiry.id, kind=kind, actor_id=actor.id, **fields)
    db.session.add(activity)
    return activity


def _mark_first_contact(inquiry: Inquiry, when: datetime) -> None:
    if inquiry.first_contact_at is None or when < inquiry.first_contact_at:
        inquiry.first_contact_at = max(when, inquiry.arrived_at)
    reminders.inquiry_contacted(inquiry)


def transition(
    actor: User,
    inquiry: Inquiry,
    action: str,
    reason: str | None = None,
    *,
    referred_out_to: str | None = None,
    program_id: int | None = None,
    admit_date: date | None = None,
    today: date | None = None,
    override_reason: str | None = None,
) -> InquiryStatus:
    """Move the inquiry through the lifecycle table, recording who, when and why; caller commits."""
    reason = (reason or "").strip() or None
    if reason and len(reason) > REASON_LIMIT:
        raise ValidationFailed.single("reason", f"Use at most {REASON_LIMIT} characters.")
    try:
        act = InquiryAction(action)
    except ValueError:
        raise ValidationFailed.single("action", "Unknown action.") from None
    if act is InquiryAction.REFER_OUT:
        referred_out_to = (referred_out_to or "").strip()
        if not referred_out_to:
            raise ValidationFailed.single("referred_out_to", "Say to whom the person was referred.")
        if len(referred_out_to) > 200:
            raise ValidationFailed.single("referred_out_to", "Use at most 200 characters.")
        reason = reason or f"Referred to {referred_out_to}"
    try:
        target = lifecycle.next_status(inquiry.status, act, reason)
    except RuleError as err:
        raise ValidationFailed(list(err.errors)) from None
    admission = None
    if act is InquiryAction.ADMIT:
        admission = _admit(actor, inquiry, program_id, admit_date, today, override_reason)
    previous = inquiry.status
    now = utcnow()
    inquiry.status, inquiry.status_changed_at = target, now
    if target in lifecycle.EXITS or target is InquiryStatus.ADMITTED:
        reminders.inquiry_closed(inquiry, f"inquiry {target.label.lower()}")
    if target in lifecycle.EXITS:
        inquiry.exit_reason = reason
    elif act is InquiryAction.REOPEN:
        inquiry.exit_reason = None
    if act is InquiryAction.REFER_OUT:
        inquiry.referred_out_to = referred_out_to
    if act is InquiryAction.RECORD_CONTACT:
        _mark_first_contact(inquiry, now)
    summary = act.label if admission is None else f"Admitted to {admission.program.name}"
    add_activity(
        inquiry,
        actor,
        ActivityKind.STATUS_CHANGE,
        occurred_at=now,
        from_status=previous.value,
        to_status=target.value,
        summary=summary[:200],
        note=reason,
    )
    audit.record(
        actor, AuditAction.INQUIRY_STATUS_CHANGED, "inquiry", inquiry.id, detail=f"{previous.value} -> {target.value}"
    )
    return target


def _admit(actor: User, inquiry: Inquiry, program_id, admit_date, today, override_reason) -> Admission:
    problems = []
    program = db.session.get(Program, program_id) if isinstance(program_id, int) else None
    if program is None or not program.is_active:
        problems.append(("program_id", "Choose the program the person is admitted to."))
    if admit_date is None:
        problems.append(("admit_date", "Enter the admission date."))
    elif today is not None and not (today - timedelta(days=30) <= admit_date <= today + timedelta(days=90)):
        problems.append(("admit_date", "The admission date must be within the last 30 days or the next 90."))
    if problems:
        raise ValidationFailed(problems)
    basis, override = _financial_clearance(actor, inquiry, program, admit_date, override_reason)
    admission = Admission(
        inquiry_id=inquiry.id,
        program_id=program.id,
        admit_date=admit_date,
        status=AdmissionStatus.ACTIVE,
        admitted_by_id=actor.id,
        clearance_basis=basis[:300],
        clearance_override_id=override.id if override else None,
    )
    admission.program = program
    db.session.add(admission)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.ADMISSION_CREATED,
        "admission",
        admission.id,
        detail=f"inquiry {inquiry.id}; cleared by {'override' if override else 'clearance'}",
    )
    return admission


def _financial_clearance(
    actor: User, inquiry: Inquiry, program: Program, admit_date: date, override_reason: str | None
):
    """How the admission is cleared: the clearance's summary, or an administrator's override
    given now with a reason (audited). Anyone else is told what is missing."""
    result = clearance.clearance_for(inquiry, admit_date, program.level_of_care)
    if result.cleared:
        return result.summary, None
    missing = " ".join(result.missing)
    if actor.role is not Role.ADMIN:
        raise ValidationFailed.single(
            None,
            f"Not financially cleared to admit. {missing} An administrator can admit with an override and a reason.",
        )
    if not (override_reason or "").strip():
        raise ValidationFailed.single(
            "override_reason",
            f"Not financially cleared to admit. {missing} To admit anyway, give the reason for the override.",
        )
    override = clearance.grant_override(actor, inquiry, override_reason)
    return f"Administrator override: {override.reason}", override


def log_call(
    actor: User,
    inquiry: Inquiry,
    *,
    direction: str,
    outcome: str,
    duration_minutes: int | None,
    note: str | None,
    occurred_at: datetime,
) -> InquiryActivity:
    """Record a call; a call that reached someone counts as first contact (and moves a new inquiry on)."""
    problems = []
    try:
        direction_value = Direction(direction)
    except ValueError:
        problems.append(("direction", "Choose inbound or outbound."))
    try:
        outcome_value = CallOutcome(outcome)
    except ValueError:
        problems.append(("outcome", "Choose the call's outcome."))
    if duration_minutes is not None and not 0 <= duration_minutes <= 600:
        problems.append(("duration_minutes", "Enter a duration from 0 to 600 minutes."))
    problems += _check_note(note, required=False)
    problems += _check_time(occurred_at, inquiry, "occurred_at")
    if problems:
        raise ValidationFailed(problems)
    activity = add_activity(
        inquiry,
        actor,
        ActivityKind.CALL,
        occurred_at=occurred_at,
        direction=direction_value,
        outcome=outcome_value,
        duration_minutes=duration_minutes,
        note=(note or "").strip() or None,
        summary=f"{direction_value.label} call: {outcome_value.label.lower()}",
    )
    if outcome_value is CallOutcome.REACHED:
        _mark_first_contact(inquiry, occurred_at)
        if inquiry.status is InquiryStatus.NEW:
            transition(actor, inquiry, InquiryAction.RECORD_CONTACT.value, "Call reached the caller")
            inquiry.first_contact_at = min(inquiry.first_contact_at, occurred_at)
    audit.record(actor, AuditAction.INQUIRY_CALL_LOGGED, "inquiry", inquiry.id)
    return activity


def log_email(
    actor: User, inquiry: Inquiry, *, direction: str, note: str | None, occurred_at: datetime
) -> InquiryActivity:
    problems = []
    try:
        direction_value = Direction(direction)
    except ValueError:
        problems.append(("direction", "Choose inbound or outbound."))
    problems += _check_note(note, required=True)
    problems += _check_time(occurred_at, inquiry, "occurred_at")
    if problems:
        raise ValidationFailed(problems)
    activity = add_activity(
        inquiry,
        actor,
        ActivityKind.EMAIL,
        occurred_at=occurred_at,
        direction=direction_value,
        note=note.strip(),
        summary=f"{direction_value.label} email",
    )
    if direction_value is Direction.INBOUND:
        _mark_first_contact(inquiry, occurred_at)
    audit.record(actor, AuditAction.INQUIRY_EMAIL_LOGGED, "inquiry", inquiry.id)
    return activity


def add_note(actor: User, inquiry: Inquiry, note: str) -> InquiryActivity:
    problems = _check_note(note, required=True)
    if problems:
        raise ValidationFailed(problems)
    activity = add_activity(inquiry, actor, ActivityKind.NOTE, occurred_at=utcnow(), note=note.strip(), summary="Note")
    audit.record(actor, AuditAction.INQUIRY_NOTE_ADDED, "inquiry", inquiry.id)
    return activity


def _check_note(note: str | None, required: bool) -> list:
    text = (note or "").strip()
    if required and not text:
        return [("note", "Write the note.")]
    if len(text) > NOTE_LIMIT:
        return [("note", f"Use at most {NOTE_LIMIT} characters (this has {len(text)}).")]
    return []


def _check_time(when: datetime | None, inquiry: Inquiry, field: str) -> list:
    if when is None:
        return [(field, "Enter when it happened.")]
    if when > utcnow() + timedelta(minutes=5):
        return [(field, "This cannot be in the future.")]
    if when < inquiry.arrived_at - timedelta(days=1):
        return [(field, "This is before the inquiry arrived.")]
    return []


# --- duplicates and merging --------------------------------------------------------------------


def dismiss_duplicate(actor: User, inquiry: Inquiry, flag_id: int) -> None:
    flag = db.session.get(PossibleDuplicate, flag_id)
    if flag is None or flag.inquiry_id != inquiry.id:
        raise NotFound("No such possible duplicate.")
    flag.dismissed_at = utcnow()
    audit.record(
        actor, AuditAction.DUPLICATE_DISMISSED, "inquiry", inquiry.id, detail=f"not the same as {flag.other_inquiry_id}"
    )


def merge(actor: User, duplicate: Inquiry, survivor_id: int) -> Inquiry:
    """Fold `duplicate` into the survivor: its timeline, tasks and screenings move; it stays as a record."""
    survivor = require_visible(actor, survivor_id, purpose="viewed_for_merge", edit=True)
    if survivor.id == duplicate.id:
        raise ValidationFailed.single("survivor_id", "Choose a different inquiry to merge into.")
    if duplicate.merged_into_id is not None:
        raise ValidationFailed.single("survivor_id", "This inquiry has already been merged.")
    if duplicate.status is InquiryStatus.ADMITTED:
        raise ValidationFailed.single(
            "survivor_id", "An admitted inquiry cannot be merged away; merge the other one into it."
        )
    for model in (InquiryActivity, FollowUpTask, Screening):
        db.session.execute(sa.update(model).where(model.inquiry_id == duplicate.id).values(inquiry_id=survivor.id))
    db.session.execute(
        sa.update(PossibleDuplicate)
        .where(
            sa.or_(
                sa.and_(
                    PossibleDuplicate.inquiry_id == duplicate.id, PossibleDuplicate.other_inquiry_id == survivor.id
                ),
                sa.and_(
                    PossibleDuplicate.inquiry_id == survivor.id, PossibleDuplicate.other_inquiry_id == duplicate.id
                ),
            )
        )
        .values(dismissed_at=utcnow())
    )
    duplicate.merged_into_id = survivor.id
    reminders.inquiry_closed(duplicate, "merged into another inquiry")
    if survivor.first_contact_at is None or (
        duplicate.first_contact_at and duplicate.first_contact_at < survivor.first_contact_at
    ):
        survivor.first_contact_at = duplicate.first_contact_at or survivor.first_contact_at
    now = utcnow()
    add_activity(
        survivor, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Inquiry #{duplicate.id} merged into this one"
    )
    add_activity(duplicate, actor, ActivityKind.MERGE, occurred_at=now, summary=f"Merged into inquiry #{survivor.id}")
    audit.record(actor, AuditAction.INQUIRY_MERGED, "inquiry", duplicate.id, detail=f"into {survivor.id}")
    return survivor
