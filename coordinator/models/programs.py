"""Programs (reference data kept by admins) and admissions (episodes of care)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.care import AdmissionStatus, AsamEdition, LevelOfCare
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow


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


class Admission(Base):
    """An episode of care, created when an inquiry is admitted to a program."""

    __tablename__ = "admission"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), unique=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"), index=True)
    admit_date: Mapped[date]
    status: Mapped[AdmissionStatus] = mapped_column(
        str_enum(AdmissionStatus, "admission_status"), default=AdmissionStatus.ACTIVE
    )
    admitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # How the admission was financially cleared, in words, as it stood at the moment of admission.
    clearance_basis: Mapped[str | None] = mapped_column(sa.String(300))
    clearance_override_id: Mapped[int | None] = mapped_column(sa.ForeignKey("clearance_override.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program: Mapped[Program] = relationship(lazy="raise")
