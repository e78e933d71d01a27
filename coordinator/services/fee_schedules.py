"""Fee schedules: what a program costs a private-pay patient, per currency, kept by administrators.

A program has at most one schedule per currency (280,000 THB a month and, separately,
8,500 USD a month); amounts are never converted between them. A quote copies the schedule's
amount, period and terms when it is issued, so changing a schedule later never changes a
quote already given.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from coordinator.contracts.base import problem
from coordinator.contracts.fee_schedules import FeeScheduleInput
from coordinator.domain.audit import AuditAction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import FeeSchedule, Program, User
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.rules.ledger import LEDGER_MAXIMUM
from coordinator.services import audit, records

# DOMAIN.md Part 1: what the program fee covers, and what is billed on top of it.
DEFAULT_INCLUDES = (
    "Accommodation, meals, therapy, routine psychiatric visits, activities, and two months of structured aftercare."
)
DEFAULT_BILLED_SEPARATELY = (
    "Medication (taper and non-opioid pain medicines), extra psychiatric consultations, hospital visits, and transport."
)


def all_schedules() -> list[FeeSchedule]:
    """Every schedule with its program (one query), active ones first, by program then currency."""
    return list(
        db.session.scalars(
            sa.select(FeeSchedule)
            .join(Program, Program.id == FeeSchedule.program_id)
            .options(joinedload(FeeSchedule.program))
            .order_by(FeeSchedule.is_active.desc(), sa.func.lower(Program.name), FeeSchedule.currency)
        )
    )


def load(schedule_id: int) -> FeeSchedule:
    """The schedule with its program, or NotFound."""
    schedule = records.load(FeeSchedule, schedule_id)
    db.session.refresh(schedule, ["program"])
    return schedule


def active_schedule(program_id: int, currency: str) -> FeeSchedule | None:
    """The program's schedule in `currency`, if there is one and it is in use."""
    return db.session.scalar(
        sa.select(FeeSchedule).where(
            FeeSchedule.program_id == program_id, FeeSchedule.currency == currency, FeeSchedule.is_active.is_(True)
        )
    )


def currencies_of(program_id: int) -> list[str]:
    """The currencies the program has an active schedule in, for messages."""
    return list(
        db.session.scalars(
            sa.select(FeeSchedule.currency)
            .where(FeeSchedule.program_id == program_id, FeeSchedule.is_active.is_(True))
            .order_by(FeeSchedule.currency)
        )
    )


def _checked(data: FeeScheduleInput, schedule: FeeSchedule | None) -> dict:
    """The schedule's columns from `data`, after the rules that need the database: the program
    exists (and accepts admissions, unless the schedule already belongs to it), the fee fits
    the currency, and the program has no other schedule in that currency."""
    problems: list = []
    program = records.find(Program, data.program_id)
    if program is None:
        problems.append(problem("program_id", "fee_program_required"))
    elif not program.is_active and (schedule is None or schedule.program_id != program.id):
        problems.append(problem("program_id", "fee_program_closed"))
    amount = None
    try:
        amount = money.parse_amount(data.amount, data.currency, "amount", maximum=LEDGER_MAXIMUM, label="fee")
    except RuleError as error:
        problems.extend(error.errors)
    deposit = None
    if data.deposit_amount is not None:
        try:
            deposit = money.parse_amount(
                data.deposit_amount, data.currency, "deposit_amount", maximum=LEDGER_MAXIMUM, label="deposit"
            )
        except RuleError as error:
            problems.extend(error.errors)
    if program is not None:
        clash = db.session.scalar(
            sa.select(FeeSchedule.id).where(FeeSchedule.program_id == program.id, FeeSchedule.currency == data.currency)
        )
        if clash is not None and (schedule is None or clash != schedule.id):
            problems.append(problem("currency", "fee_schedule_taken", program=program.name, currency=data.currency))
    if problems:
        raise ValidationFailed(problems)
    return {**data.model_dump(), "amount": amount, "deposit_amount": deposit}


def _flush_unique() -> None:
    """Flush; a schedule added for the same program and currency at the same moment is a form error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed(
            [problem("currency", "fee_schedule_taken", program="This program", currency="this currency")]
        ) from None


def create_schedule(actor: User, data: FeeScheduleInput) -> FeeSchedule:
    """Add a program's fee schedule in one currency; the caller commits."""
    schedule = FeeSchedule(**_checked(data, None))
    db.session.add(schedule)
    _flush_unique()
    audit.record(
        actor, AuditAction.FEE_SCHEDULE_CREATED, "fee_schedule", schedule.id, detail=f"program {schedule.program_id}"
    )
    return schedule


def update_schedule(actor: User, schedule: FeeSchedule, data: FeeScheduleInput) -> FeeSchedule:
    """Change a schedule (quotes already issued keep the terms they copied); the caller commits."""
    for field, value in _checked(data, schedule).items():
        setattr(schedule, field, value)
    _flush_unique()
    audit.record(
        actor, AuditAction.FEE_SCHEDULE_UPDATED, "fee_schedule", schedule.id, detail=f"program {schedule.program_id}"
    )
    return schedule
