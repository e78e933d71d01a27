"""An episode over time: moving it between levels of care (step down or up, transfer, leave,
return) and discharging it. Each function flushes; the caller commits.

What may follow what, and the date checks, are `rules/level_moves` (one rule table): the service
turns the stored segments into the rule's, asks it for the episode after the move, and writes
back only the difference (the current segment closed, a new one opened). The episode row is
locked first (`FOR UPDATE` on PostgreSQL), so two moves at once are taken one after the other.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.care import HospitalDetailsInput, MoveInput, PlannedDischargeInput
from coordinator.contracts.messages import define
from coordinator.contracts.rule_problems import rule_failure
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, LevelOfCare, SegmentMove
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Admission, CareSegment, Program, User
from coordinator.roles import Role
from coordinator.rules import level_moves
from coordinator.rules.errors import RuleError
from coordinator.rules.level_moves import MoveKind
from coordinator.services import audit, care_reminders, census, clinical_lead, places, records

MOVERS = frozenset({Role.CASE_MANAGER, Role.CLINICIAN})

define(
    {
        "move_program_unknown": "Choose an active program.",
        "move_program_level": "That program is not a {level} program; choose one that is.",
        "move_hospital_required": "Name the partner hospital.",
        "move_hospital_only_for_detox": "Hospital details go only with a move into partner-hospital detox.",
        "move_transfer_before_move": "The expected transfer date cannot be before the move.",
        "hospital_details_only_for_detox": "Hospital details go only on a partner-hospital detox segment.",
        "hospital_transfer_before_start": "The expected transfer date cannot be before the detox began.",
        "planned_discharge_before_admission": "The planned discharge date cannot be before the admission ({admitted}).",
        "planned_discharge_episode_closed": "This episode is discharged; its planned discharge date no longer changes.",
    }
)


def can_move(user: User) -> bool:
    """Case managers and clinicians (and the clinical lead) move patients between levels."""
    if user.role in MOVERS:
        return True
    lead = clinical_lead.current()
    return lead.user.id == user.id if lead.user is not None else user.role == lead.role


def require_mover(user: User) -> None:
    if not can_move(user):
        raise NotPermitted("Only case managers, clinicians and the clinical lead move patients between levels of care.")


def segments_of(admission_id: int) -> list[CareSegment]:
    return list(
        db.session.scalars(
            sa.select(CareSegment)
            .where(CareSegment.admission_id == admission_id)
            .order_by(CareSegment.starts_on, CareSegment.id)
        )
    )


def as_rule_segments(segments: list[CareSegment]) -> tuple[level_moves.Segment, ...]:
    return tuple(
        level_moves.Segment(
            level=s.level_of_care,
            program=s.program_id,
            start=s.starts_on,
            end=s.ends_on,
            on_leave=s.on_leave,
            episode=s.admission_id,
        )
        for s in segments
    )


def allowed_moves(admission: Admission, segments: list[CareSegment]):
    """What may happen next to the episode (the rule table's answer), for the page's form."""
    if admission.status is not AdmissionStatus.ACTIVE:
        return ()
    return level_moves.allowed_moves(as_rule_segments(segments))


def days_in_level(segments: list[CareSegment], today: date) -> int:
    return level_moves.days_in_level(as_rule_segments(segments), today)


def move(actor: User, admission_id: int, data: MoveInput) -> Admission:
    """Move the episode (or discharge it) on `data.on`, audited; nothing changes when the rule
    table, the dates or the program refuse. The caller commits."""
    require_mover(actor)
    admission = records.load(Admission, admission_id)
    db.session.refresh(admission, with_for_update=True)
    segments = segments_of(admission.id)
    program = _program_for(data)
    _check_hospital(data)
    proposed = level_moves.Move(
        kind=data.kind,
        on=data.on,
        reason=data.reason or "",
        level=data.level_of_care,
        program=program.id if program else None,
        discharge_kind=data.discharge_kind,
    )
    try:
        after = level_moves.apply_move(as_rule_segments(segments), proposed)
        level_moves.check_episode(after, admission.admit_date)
    except RuleError as err:
        raise rule_failure(err).renamed(lambda field: _FIELDS.get(field, field)) from None
    current = segments[-1]
    if data.kind is MoveKind.DISCHARGE:
        current.ends_on = after[-1].end
        admission.status = AdmissionStatus.DISCHARGED
        admission.discharged_on, admission.discharge_kind = data.on, data.discharge_kind
        admission.discharge_reason, admission.discharged_by_id = data.reason, actor.id
        db.session.flush()
        places.leave_program(actor, admission.id, current.program_id, data.on)
        audit.record(actor, AuditAction.EPISODE_DISCHARGED, "admission", admission.id, detail=data.discharge_kind.value)
        care_reminders.episode_changed(admission)
        return admission
    new = after[-1]
    over_capacity = None
    if new.program != current.program_id:
        # Into another program: it must have room on the day (the clinical lead may override).
        over_capacity = census.check_capacity(
            actor, program, new.start, data.over_capacity_reason, excluding=admission.id
        )
    current.ends_on = after[-2].end
    db.session.flush()  # the current segment is closed before the next opens (one open per episode)
    if new.program != current.program_id:
        # The bed held in the program left behind is freed; the waitlist hears of the place.
        places.leave_program(actor, admission.id, current.program_id, after[-2].end)
    db.session.add(
        CareSegment(
            admission_id=admission.id,
            level_of_care=new.level,
            program_id=new.program,
            on_leave=new.on_leave,
            move=SegmentMove(data.kind.value),
            starts_on=new.start,
            reason=data.reason,
            hospital_name=data.hospital_name,
            hospital_contact=data.hospital_contact,
            expected_transfer_on=data.expected_transfer_on,
            over_capacity_reason=over_capacity,
            created_by_id=actor.id,
        )
    )
    db.session.flush()
    audit.record(
        actor,
        AuditAction.LEVEL_OF_CARE_MOVED,
        "admission",
        admission.id,
        detail=f"{data.kind.value}: {current.level_of_care.value} -> {new.level.value}",
    )
    if over_capacity is not None:
        audit.record(
            actor, AuditAction.OVER_CAPACITY_ALLOWED, "program", program.id, detail=f"admission {admission.id}"
        )
    care_reminders.episode_changed(admission)
    return admission


def set_planned_discharge(actor: User, admission: Admission, planned_on) -> Admission:
    """Set (or clear, with None) the planned end of an active episode's stay, audited; its
    discharge-planning reminder follows. The caller commits."""
    if admission.status is not AdmissionStatus.ACTIVE:
        raise ValidationFailed([problem("planned_discharge_on", "planned_discharge_episode_closed")])
    if planned_on is not None and planned_on < admission.admit_date:
        raise ValidationFailed(
            [
                problem(
                    "planned_discharge_on",
                    "planned_discharge_before_admission",
                    admitted=admission.admit_date.strftime("%d %b %Y"),
                )
            ]
        )
    admission.planned_discharge_on = planned_on
    db.session.flush()
    audit.record(
        actor,
        AuditAction.PLANNED_DISCHARGE_SET,
        "admission",
        admission.id,
        detail=planned_on.isoformat() if planned_on else "cleared",
    )
    care_reminders.episode_changed(admission)
    return admission


def plan_discharge(actor: User, admission_id: int, data: PlannedDischargeInput) -> Admission:
    """The patient page's form: movers set the planned discharge date (see set_planned_discharge)."""
    require_mover(actor)
    admission = records.load(Admission, admission_id)
    db.session.refresh(admission, with_for_update=True)
    return set_planned_discharge(actor, admission, data.planned_discharge_on)


# The rule's field names, as the form's.
_FIELDS = {"level": "level_of_care", "program": "program_id", "start": "on", "end": "on"}


def _program_for(data: MoveInput) -> Program | None:
    if data.program_id is None:
        return None
    program = records.find(Program, data.program_id)
    if program is None or not program.is_active:
        raise ValidationFailed([problem("program_id", "move_program_unknown")])
    if data.level_of_care is not None and program.level_of_care is not data.level_of_care:
        raise ValidationFailed([problem("program_id", "move_program_level", level=data.level_of_care.label.lower())])
    return program


def _check_hospital(data: MoveInput) -> None:
    into_detox = data.level_of_care is LevelOfCare.PARTNER_HOSPITAL_DETOX and data.kind in (
        MoveKind.STEP_UP,
        MoveKind.TRANSFER,
    )
    given = data.hospital_name or data.hospital_contact or data.expected_transfer_on
    if into_detox and not data.hospital_name:
        raise ValidationFailed([problem("hospital_name", "move_hospital_required")])
    if given and not into_detox:
        raise ValidationFailed([problem("hospital_name", "move_hospital_only_for_detox")])
    if data.expected_transfer_on is not None and data.expected_transfer_on < data.on:
        raise ValidationFailed([problem("expected_transfer_on", "move_transfer_before_move")])


def record_hospital_details(actor: User, segment_id: int, data: HospitalDetailsInput) -> CareSegment:
    """Record or correct the partner hospital's name, contact and expected transfer date on a
    detox segment (e.g. the first one, when the admission went straight into the partner-hospital
    program), audited. The episode row is locked as for a move. The caller commits."""
    require_mover(actor)
    segment = records.load(CareSegment, segment_id)
    db.session.refresh(records.load(Admission, segment.admission_id), with_for_update=True)
    if segment.level_of_care is not LevelOfCare.PARTNER_HOSPITAL_DETOX:
        raise ValidationFailed([problem("hospital_name", "hospital_details_only_for_detox")])
    if data.expected_transfer_on is not None and data.expected_transfer_on < segment.starts_on:
        raise ValidationFailed([problem("expected_transfer_on", "hospital_transfer_before_start")])
    segment.hospital_name, segment.hospital_contact = data.hospital_name, data.hospital_contact
    segment.expected_transfer_on = data.expected_transfer_on
    db.session.flush()
    audit.record(
        actor,
        AuditAction.CARE_SEGMENT_HOSPITAL_DETAILS_CHANGED,
        "admission",
        segment.admission_id,
        detail=f"segment {segment.id}",
    )
    return segment
