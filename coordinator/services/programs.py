"""Programs: reference data kept by administrators (level of care, ASAM level and edition, capacity)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, AsamEdition, LevelOfCare
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Admission, Program, User
from coordinator.rules import asam
from coordinator.rules.errors import RuleError
from coordinator.services import audit

MAX_CAPACITY = 10000


def all_programs() -> list[Program]:
    return list(db.session.scalars(sa.select(Program).order_by(Program.is_active.desc(), sa.func.lower(Program.name))))


def active_programs() -> list[Program]:
    return list(
        db.session.scalars(sa.select(Program).where(Program.is_active.is_(True)).order_by(sa.func.lower(Program.name)))
    )


def census() -> dict[int, int]:
    """Active admissions per program id (one grouped query)."""
    rows = db.session.execute(
        sa.select(Admission.program_id, sa.func.count())
        .where(Admission.status == AdmissionStatus.ACTIVE)
        .group_by(Admission.program_id)
    )
    return dict(rows.all())


def _clean(data: Mapping, program: Program | None) -> dict:
    problems = []
    name = (data.get("name") or "").strip()
    if not name:
        problems.append(("name", "Enter the program's name."))
    elif len(name) > 120:
        problems.append(("name", "Use at most 120 characters."))
    else:
        clash = db.session.scalar(sa.select(Program.id).where(sa.func.lower(Program.name) == name.lower()))
        if clash is not None and (program is None or clash != program.id):
            problems.append(("name", "Another program already has this name."))
    care = data.get("level_of_care")
    edition = data.get("asam_edition")
    level = (data.get("asam_level") or "").strip()
    if care not in LevelOfCare._value2member_map_:
        problems.append(("level_of_care", "Choose the level of care."))
    if edition not in AsamEdition._value2member_map_:
        problems.append(("asam_edition", "Choose the ASAM Criteria edition."))
    if care in LevelOfCare._value2member_map_ and edition in AsamEdition._value2member_map_:
        try:
            asam.check_program_level(care, edition, level)
        except RuleError as err:
            problems.extend(err.errors)
    capacity = data.get("capacity")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(("capacity", f"Enter the number of places, from 1 to {MAX_CAPACITY}."))
    if problems:
        raise ValidationFailed(problems)
    return {
        "name": name,
        "level_of_care": LevelOfCare(care),
        "asam_edition": AsamEdition(edition),
        "asam_level": level,
        "capacity": capacity,
        "is_active": bool(data.get("is_active", True)),
    }


def create_program(actor: User, data: Mapping) -> Program:
    program = Program(**_clean(data, None))
    db.session.add(program)
    db.session.flush()
    audit.record(actor, AuditAction.PROGRAM_CREATED, "program", program.id)
    return program


def update_program(actor: User, program: Program, data: Mapping) -> Program:
    for field, value in _clean(data, program).items():
        setattr(program, field, value)
    db.session.flush()
    audit.record(actor, AuditAction.PROGRAM_UPDATED, "program", program.id)
    return program
