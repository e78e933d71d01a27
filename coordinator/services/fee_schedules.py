"""Fee schedules: what a program costs a private-pay patient, per currency, kept by administrators.

A program has at most one schedule per currency (280,000 THB a month and, separately,
8,500 USD a month); amounts are never converted between them. A quote copies the schedule's
amount, period and terms when it is issued, so changing a schedule later never changes a
quote already given.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import FeePeriod
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import FeeSchedule, Program, User
from coordinator.rules import money
from coordinator.rules.errors import RuleError
from coordinator.rules.ledger import LEDGER_MAXIMUM
from coordinator.services import audit

TERMS_LIMIT = 2000

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


def load(schedule_id: int) -> FeeSchedule | None:
    return db.session.get(FeeSchedule, schedule_id, options=[joinedload(FeeSchedule.program)])


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


def _int_or_none(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 10:
        return int(value.strip())
    return None


def _terms(data: Mapping, name: str, problems: list) -> str | None:
    text = (data.get(name) or "").strip() or None
    if text and len(text) > TERMS_LIMIT:
        problems.append((name, f"Use at most {TERMS_LIMIT} characters (this has {len(text)})."))
    return text


def _clean(data: Mapping, schedule: FeeSchedule | None) -> dict:
    problems: list[tuple[str, str]] = []
    program_id = _int_or_none(data.get("program_id"))
    program = db.session.get(Program, program_id) if program_id is not None else None
    if program is None:
        problems.append(("program_id", "Choose a program."))
    elif not program.is_active and (schedule is None or schedule.program_id != program.id):
        problems.append(("program_id", "This program no longer accepts admissions; choose an active one."))
    code = None
    try:
        code = money.currency(data.get("currency") or "").code
    except RuleError as error:
        problems.append(("currency", error.message))
    amount = None
    if code is not None:
        try:
            amount = money.parse_amount(
                data.get("amount") if data.get("amount") is not None else "",
                code,
                "amount",
                maximum=LEDGER_MAXIMUM,
                label="fee",
            )
        except RuleError as error:
            problems.extend(error.errors)
    period = data.get("period")
    if period not in FeePeriod._value2member_map_:
        problems.append(("period", "Choose per day, week, month or episode."))
    includes = _terms(data, "includes", problems)
    billed_separately = _terms(data, "billed_separately", problems)
    if program is not None and code is not None:
        clash = db.session.scalar(
            sa.select(FeeSchedule.id).where(FeeSchedule.program_id == program.id, FeeSchedule.currency == code)
        )
        if clash is not None and (schedule is None or clash != schedule.id):
            problems.append(
                ("currency", f"{program.name} already has a fee schedule in {code}; edit that one instead.")
            )
    if problems:
        raise ValidationFailed(problems)
    return {
        "program_id": program.id,
        "currency": code,
        "amount": amount,
        "period": FeePeriod(period),
        "includes": includes,
        "billed_separately": billed_separately,
        "is_active": bool(data.get("is_active", True)),
    }


def _flush_unique() -> None:
    """Flush; a schedule added for the same program and currency at the same moment is a form error."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ValidationFailed.single(
            "currency", "This program already has a fee schedule in this currency; edit that one instead."
        ) from None


def create_schedule(actor: User, data: Mapping) -> FeeSchedule:
    schedule = FeeSchedule(**_clean(data, None))
    db.session.add(schedule)
    _flush_unique()
    audit.record(
        actor, AuditAction.FEE_SCHEDULE_CREATED, "fee_schedule", schedule.id, detail=f"program {schedule.program_id}"
    )
    return schedule


def update_schedule(actor: User, schedule: FeeSchedule, data: Mapping) -> FeeSchedule:
    """Change a schedule. Quotes already issued keep the terms they copied."""
    for field, value in _clean(data, schedule).items():
        setattr(schedule, field, value)
    _flush_unique()
    audit.record(
        actor, AuditAction.FEE_SCHEDULE_UPDATED, "fee_schedule", schedule.id, detail=f"program {schedule.program_id}"
    )
    return schedule
