"""Programs: reference data kept by administrators (level of care, ASAM level and edition, capacity)."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.contracts.base import problem
from coordinator.contracts.programs import ProgramInput
from coordinator.domain.audit import AuditAction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Program, User
from coordinator.services import audit, records


def all_programs() -> list[Program]:
    """Every program, those accepting admissions first, then by name."""
    return list(db.session.scalars(sa.select(Program).order_by(Program.is_active.desc(), sa.func.lower(Program.name))))


def active_programs() -> list[Program]:
    """The programs accepting admissions, by name."""
    return list(
        db.session.scalars(sa.select(Program).where(Program.is_active.is_(True)).order_by(sa.func.lower(Program.name)))
    )


def census() -> dict[int, int]:
    """Places taken today per program id: today's census from the level-of-care segments (a
    booking for next week is not a person in a bed yet; someone who stepped down counts where
    they are now). One grouped query."""
    from coordinator.services import census as census_service

    return census_service.census_counts(clinic_today())


def load(program_id: int) -> Program:
    """The program with this id, or NotFound."""
    return records.load(Program, program_id)


def _check_unique_name(data: ProgramInput, program: Program | None) -> None:
    clash = db.session.scalar(sa.select(Program.id).where(sa.func.lower(Program.name) == data.name.lower()))
    if clash is not None and (program is None or clash != program.id):
        raise ValidationFailed([problem("name", "program_name_taken")])


def create_program(actor: User, data: ProgramInput) -> Program:
    """Add a program (its name unique, in any case); the caller commits."""
    _check_unique_name(data, None)
    program = Program(**data.model_dump())
    db.session.add(program)
    db.session.flush()
    audit.record(actor, AuditAction.PROGRAM_CREATED, "program", program.id)
    return program


def update_program(actor: User, program: Program, data: ProgramInput) -> Program:
    """Change a program's details; the caller commits."""
    _check_unique_name(data, program)
    for field, value in data.model_dump().items():
        setattr(program, field, value)
    db.session.flush()
    audit.record(actor, AuditAction.PROGRAM_UPDATED, "program", program.id)
    return program
