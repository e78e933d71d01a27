"""Programs (reference data kept by admins) and admissions (episodes of care)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.care import AdmissionStatus, AsamEdition, LevelOfCare
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.rules.level_moves import DischargeKind


class Program(Base):
    __tablename__ = "program"
    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.CheckConstraint("capacity > 0 AND capacity <= 10000", name="capacity_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, "level_of_care"))
    asam_edition: Mapped[AsamEdition] = mapped_column(str_enum(AsamEdition, "asam_edition"))
    asam_level: Mapped[str] = mapped_column(sa.String(10))
    capacity: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


_ACTIVE = sa.text("status = 'active'")


class Admission(Base):
    """An episode of care of a patient, created when an inquiry is admitted to a program.

    A patient has at most one active episode (a partial unique index); a discharge closes it
    with a date that opens the two-month aftercare period."""

    __tablename__ = "admission"
    __table_args__ = (
        sa.Index(
            "uq_admission_one_active_per_patient",
            "patient_id",
            unique=True,
            postgresql_where=_ACTIVE,
            sqlite_where=_ACTIVE,
        ),
        # Admissions discharged before episodes kept a date (none were) would have neither.
        sa.CheckConstraint("(discharged_on IS NULL) = (discharge_kind IS NULL)", name="discharge_date_and_kind"),
        sa.CheckConstraint("discharged_on IS NULL OR status = 'discharged'", name="discharge_only_when_discharged"),
        sa.CheckConstraint("discharged_on IS NULL OR discharged_on >= admit_date", name="discharge_after_admit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"), index=True)
    admit_date: Mapped[date]
    status: Mapped[AdmissionStatus] = mapped_column(
        str_enum(AdmissionStatus, "admission_status"), default=AdmissionStatus.ACTIVE
    )
    admitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # How the admission was financially cleared, in words, as it stood at the moment of admission.
    clearance_basis: Mapped[str | None] = mapped_column(sa.String(300))
    clearance_override_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clearance_override.id"))
    # The planned end of the stay: discharge planning is reminded of before it (migration 0021).
    planned_discharge_on: Mapped[date | None] = mapped_column(sa.Date)
    discharged_on: Mapped[date | None] = mapped_column(sa.Date)
    discharge_kind: Mapped[DischargeKind | None] = mapped_column(str_enum(DischargeKind, "discharge_kind"))
    discharge_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    discharged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(lazy="raise")
    patient = relationship("Patient", lazy="raise")
