"""Moving an inquiry along: status changes (with admission and its financial clearance), calls,
emails and notes. Each writes a timeline entry and an audit row; the caller commits."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coordinator.clock import clinic_today
from coordinator.contracts.base import problem
from coordinator.contracts.clearance import ClearanceOverrideInput
from coordinator.contracts.messages import define
from coordinator.contracts.pipeline import CallInput, EmailInput, NoteInput, TransitionInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus
from coordinator.domain.intake import ActivityKind, CallOutcome, Direction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, InquiryActivity, Program, User, utcnow
from coordinator.roles import Role
from coordinator.rules import inquiry_lifecycle as lifecycle
from coordinator.rules.errors import RuleError
from coordinator.rules.inquiry_lifecycle import InquiryAction, InquiryStatus
from coordinator.services import audit, care_reminders, clearance, patients, records, reminders
from coordinator.services.inquiries import add_activity

ADMIT_DAYS_BACK = 30
ADMIT_DAYS_AHEAD = 90

define(
    {
        "admit_program_required": "Choose the program the person is admitted to.",
        "admit_date_required": "Enter the admission date.",
        "admit_date_out_of_window": "The admission date must be within the last 30 days or the next 90.",
        "activity_in_future": "This cannot be in the future.",
        "activity_before_arrival": "This is before the inquiry arrived.",
    }
)


def _mark_first_contact(inquiry: Inquiry, when: datetime) -> None:
    if inquiry.first_contact_at is None or when < inquiry.first_contact_at:
        inquiry.first_contact_at = max(when, inquiry.arrived_at)
    reminders.inquiry_contacted(inquiry)


def transition(actor: User, inquiry: Inquiry, data: TransitionInput) -> InquiryStatus:
    """Move the inquiry through the lifecycle table, recording who, when and why; caller commits."""
    return move(
        actor,
        inquiry,
        data.action,
        data.reason,
        referred_out_to=data.referred_out_to,
        program_id=data.program_id,
        admit_date=data.admit_date,
        override_reason=data.override_reason,
        patient_choice=data.patient_choice,
        over_capacity_reason=data.over_capacity_reason,
    )


def move(
    actor: User,
    inquiry: Inquiry,
    act: InquiryAction,
    reason: str | None = None,
    *,
    referred_out_to: str | None = None,
    program_id: int | None = None,
    admit_date: date | None = None,
    override_reason: str | None = None,
    patient_choice: str | None = None,
    over_capacity_reason: str | None = None,
) -> InquiryStatus:
    """The move itself, for `transition` and for the services that move an inquiry on their own
    (a reached call records contact); the caller commits."""
    if act is InquiryAction.REFER_OUT:
        reason = reason or f"Referred to {referred_out_to}"
    try:
        target = lifecycle.next_status(inquiry.status, act, reason)
    except RuleError as err:
        raise ValidationFailed(list(err.errors)) from None
    admission = None
    if act is InquiryAction.ADMIT:
        admission = _admit(
            actor, inquiry, program_id, admit_date, override_reason, patient_choice, over_capacity_reason
        )
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


def _admit(
    actor: User, inquiry: Inquiry, program_id, admit_date, override_reason, patient_choice, over_capacity_reason=None
) -> Admission:
    """Admit: the patient (new, or the returning person staff confirmed), the episode and its
    first level-of-care segment."""
    problems = []
    program = records.find(Program, program_id)
    if program is None or not program.is_active:
        problems.append(problem("program_id", "admit_program_required"))
    today = clinic_today()
    if admit_date is None:
        problems.append(problem("admit_date", "admit_date_required"))
    elif not today - timedelta(days=ADMIT_DAYS_BACK) <= admit_date <= today + timedelta(days=ADMIT_DAYS_AHEAD):
        problems.append(problem("admit_date", "admit_date_out_of_window"))
    if problems:
        raise ValidationFailed(problems)
    from coordinator.services import census  # census reads patients, which imports intake, which imports us

    over_capacity = census.check_capacity(actor, program, admit_date, over_capacity_reason)
    basis, override = _financial_clearance(actor, inquiry, program, admit_date, override_reason)
    patient = patients.patient_for_admission(actor, inquiry, patient_choice)
    admission = Admission(
        inquiry_id=inquiry.id,
        patient_id=patient.id,
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
    patients.open_first_segment(actor, admission, program).over_capacity_reason = over_capacity
    if over_capacity is not None:
        audit.record(
            actor, AuditAction.OVER_CAPACITY_ALLOWED, "program", program.id, detail=f"admission {admission.id}"
        )
    care_reminders.episode_changed(admission)
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
    # The reason typed on the admit form is an override's reason: the override's contract checks it.
    override = clearance.grant_override(
        actor, inquiry, ClearanceOverrideInput.parse({"override_reason": override_reason})
    )
    return f"Administrator override: {override.reason}", override


def log_call(actor: User, inquiry: Inquiry, data: CallInput) -> InquiryActivity:
    """Record a call; a call that reached someone counts as first contact (and moves a new inquiry on).
    The caller commits."""
    occurred_at = _checked_time(data.occurred_at, inquiry)
    direction_value, outcome_value = data.direction, data.outcome
    activity = add_activity(
        inquiry,
        actor,
        ActivityKind.CALL,
        occurred_at=occurred_at,
        direction=direction_value,
        outcome=outcome_value,
        duration_minutes=data.duration_minutes,
        note=data.note,
        summary=f"{direction_value.label} call: {outcome_value.label.lower()}",
    )
    if outcome_value is CallOutcome.REACHED:
        _mark_first_contact(inquiry, occurred_at)
        if inquiry.status is InquiryStatus.NEW:
            move(actor, inquiry, InquiryAction.RECORD_CONTACT, "Call reached the caller")
            inquiry.first_contact_at = min(inquiry.first_contact_at, occurred_at)
    audit.record(actor, AuditAction.INQUIRY_CALL_LOGGED, "inquiry", inquiry.id)
    return activity


def log_email(actor: User, inquiry: Inquiry, data: EmailInput) -> InquiryActivity:
    """Record an email sent or received; an inbound one counts as first contact. The caller commits."""
    occurred_at = _checked_time(data.occurred_at, inquiry)
    direction_value = data.direction
    activity = add_activity(
        inquiry,
        actor,
        ActivityKind.EMAIL,
        occurred_at=occurred_at,
        direction=direction_value,
        note=data.note,
        summary=f"{direction_value.label} email",
    )
    if direction_value is Direction.INBOUND:
        _mark_first_contact(inquiry, occurred_at)
    audit.record(actor, AuditAction.INQUIRY_EMAIL_LOGGED, "inquiry", inquiry.id)
    return activity


def add_note(actor: User, inquiry: Inquiry, data: NoteInput) -> InquiryActivity:
    """Add a note to the timeline; the caller commits."""
    activity = add_activity(inquiry, actor, ActivityKind.NOTE, occurred_at=utcnow(), note=data.note, summary="Note")
    audit.record(actor, AuditAction.INQUIRY_NOTE_ADDED, "inquiry", inquiry.id)
    return activity


def _checked_time(when: datetime | None, inquiry: Inquiry) -> datetime:
    """When a call or email happened (blank: now), not in the future nor before the inquiry."""
    if when is None:
        return utcnow()
    if when > utcnow() + timedelta(minutes=5):
        raise ValidationFailed([problem("occurred_at", "activity_in_future")])
    if when < inquiry.arrived_at - timedelta(days=1):
        raise ValidationFailed([problem("occurred_at", "activity_before_arrival")])
    return when
