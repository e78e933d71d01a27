"""The patient list (`/care/patients`): every patient the care team works with, found by name
(accents and case ignored) or medical record number, filtered by current level of care and by
whether they are in care now. Who may open a patient is `patient_access`.

Built like the inquiry list (`services/inquiries.search`): keyset pages in two parts, the
patients the reader may open by name (the index `ix_patient_name_id`), then those they may not
as one block by number, with no name, level or date; a search or filter never matches a
patient the reader may not open (whether it did would tell their name, record number or
level). A count capped at `COUNT_CAP`; every page is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from coordinator.contracts.care import PatientFilter
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus, CareStatusFilter, LevelOfCare
from coordinator.errors import NotPermitted
from coordinator.extensions import db
from coordinator.models import Admission, CareSegment, Patient, Program, User
from coordinator.roles import Role
from coordinator.rules import level_moves
from coordinator.rules.search_text import fold
from coordinator.services import audit, inquiry_access, patient_access
from coordinator.services.pagination import Part, SeekPage, capped_count, seek
from coordinator.services.user_directory import escape_like

ASC = False
# The care roles: case managers, clinicians (the clinical lead's default role) and administrators.
# Admissions staff reach a patient from the inquiry they admitted; a clinical lead an
# administrator chose from another role is not given the list.
LISTERS = frozenset({Role.ADMIN, Role.CASE_MANAGER, Role.CLINICIAN})


@dataclass(frozen=True)
class Now:
    """Where a listed patient is: the active episode's open segment, or the last discharge."""

    level: LevelOfCare | None = None
    program: str | None = None
    on_leave: bool = False
    since: date | None = None  # the segment's first day
    discharged_on: date | None = None

    @property
    def aftercare_ends_on(self) -> date | None:
        return level_moves.aftercare_end(self.discharged_on) if self.discharged_on else None


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    visible: bool
    restricted: bool = False
    now: Now | None = None


def require_lister(user: User) -> None:
    if user.role not in LISTERS:
        raise NotPermitted("The patient list is for case managers, clinicians and administrators.")


def search(user: User, filters: PatientFilter, per_page: int) -> tuple[SeekPage, list[PatientRow]]:
    """One page of patients; audited. The statements per page do not depend on the data: the
    reader's grants, the capped count, the parts read, then one statement for the page's
    access and one for where its visible patients are now."""
    require_lister(user)
    glass_ids = inquiry_access.open_break_glass_ids(user)
    visible = patient_access.visible_condition(user, glass_ids)
    statement = _narrowed(sa.select(Patient), filters)
    filtered = _filtered(filters)
    if filtered:
        statement = statement.where(visible)
    total = capped_count(statement)
    parts = [
        Part(
            "visible",
            statement.where(visible),
            ((Patient.name_key, ASC), (Patient.id, ASC)),
            lambda p: (p.name_key, p.id),
            ("text", "id"),
        )
    ]
    if user.role != Role.ADMIN and not filtered:
        parts.append(Part("hidden", statement.where(~visible), ((Patient.id, ASC),), lambda p: (p.id,), ("id",)))
    page = seek(parts, filters.cursor, per_page, sort="name", total=total)
    ids = [p.id for p in page.items]
    access = _access(ids, visible)
    shown = [i for i in ids if access.get(i, (False, False))[0]]
    where = _where_now(shown)
    rows = [
        PatientRow(p, access[p.id][0], access[p.id][1], where.get(p.id, Now()) if access[p.id][0] else None)
        for p in page.items
    ]
    first = 1 if page.first is None else None
    audit.record_listing(user, AuditAction.PATIENTS_LISTED, "patient", ids, page=first)
    return page, rows


def _narrowed(statement, filters: PatientFilter):
    if filters.q and filters.q.strip():
        text = " ".join(filters.q.casefold().split())
        matches = [Patient.name_key.like(f"%{escape_like(fold(text))}%", escape="\\")]
        digits = "".join(ch for ch in text if ch.isdigit())
        if digits:
            # A record number as printed ("MRN-000042-2") or its digits ("42", "000042").
            if text.upper().startswith("MRN-"):
                matches.append(Patient.mrn.like(f"{escape_like(text.upper())}%", escape="\\"))
            else:
                matches.append(Patient.mrn.like(f"MRN-%{digits}%"))
        statement = statement.where(sa.or_(*matches))
    active = (
        sa.select(Admission.id)
        .where(Admission.patient_id == Patient.id, Admission.status == AdmissionStatus.ACTIVE)
        .correlate(Patient)
    )
    if filters.status is CareStatusFilter.IN_CARE:
        statement = statement.where(active.exists())
    elif filters.status is CareStatusFilter.DISCHARGED:
        statement = statement.where(~active.exists())
    if filters.level is not None:
        at_level = active.join(CareSegment, CareSegment.admission_id == Admission.id).where(
            CareSegment.ends_on.is_(None), CareSegment.level_of_care == filters.level
        )
        statement = statement.where(at_level.exists())
    return statement


def _filtered(filters: PatientFilter) -> bool:
    """Whether the list is narrowed by anything a hidden patient's facts could answer."""
    return bool((filters.q and filters.q.strip()) or filters.status or filters.level)


def _access(ids: list[int], visible) -> dict[int, tuple[bool, bool]]:
    """For the page's patients: (may the reader open them, are they restricted), one statement."""
    if not ids:
        return {}
    restricted = sa.or_(Patient.is_restricted, patient_access.restricted_inquiry_condition())
    rows = db.session.execute(
        sa.select(Patient.id, sa.case((visible, True), else_=False), sa.case((restricted, True), else_=False)).where(
            Patient.id.in_(ids)
        )
    )
    return {row[0]: (bool(row[1]), bool(row[2])) for row in rows}


def _where_now(ids: list[int]) -> dict[int, Now]:
    """Where each patient is now: the active episode's open segment, or the latest discharge
    (one statement for the page)."""
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(
            Admission.patient_id,
            Admission.status,
            Admission.discharged_on,
            CareSegment.level_of_care,
            CareSegment.on_leave,
            CareSegment.starts_on,
            Program.name,
        )
        .outerjoin(CareSegment, sa.and_(CareSegment.admission_id == Admission.id, CareSegment.ends_on.is_(None)))
        .outerjoin(Program, Program.id == CareSegment.program_id)
        .where(Admission.patient_id.in_(ids))
        .order_by(Admission.patient_id, Admission.admit_date, Admission.id)
    )
    found: dict[int, Now] = {}
    for patient_id, status, discharged_on, level, on_leave, since, program in rows:
        if status is AdmissionStatus.ACTIVE:
            found[patient_id] = Now(level, program, bool(on_leave), since)
        elif found.get(patient_id) is None or found[patient_id].level is None:
            found[patient_id] = Now(discharged_on=discharged_on)
    return found
