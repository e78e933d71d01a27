"""Beds and the waitlist of a program (issue 14, item 6). Census itself is no table: it is the
level-of-care segments covering a day (`services/census.py`)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.labelled import LabelledStrEnum
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow


class WaitlistOutcome(LabelledStrEnum):
    ACCEPTED = "accepted", "Accepted the place"
    DECLINED = "declined", "Declined the place"
    WITHDRAWN = "withdrawn", "Withdrawn from the waitlist"


class Bed(Base):
    """A named bed of a (residential) program, kept by administrators."""

    __tablename__ = "bed"
    __table_args__ = (
        sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),
        sa.UniqueConstraint("program_id", "name", name="uq_bed_program_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"))
    name: Mapped[str] = mapped_column(sa.String(60))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_HELD = sa.text("ends_on IS NULL")


class BedAssignment(Base):
    """An episode in a bed from `starts_on` until `ends_on` (None while it lasts). One occupant
    per bed and one bed per episode at a time: two partial unique indexes."""

    __tablename__ = "bed_assignment"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.Index("uq_bed_assignment_one_occupant", "bed_id", unique=True, postgresql_where=_HELD, sqlite_where=_HELD),
        sa.Index("uq_bed_assignment_one_bed", "admission_id", unique=True, postgresql_where=_HELD, sqlite_where=_HELD),
        sa.Index("ix_bed_assignment_bed_dates", "bed_id", "starts_on", "ends_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_id: Mapped[int] = mapped_column(sa.ForeignKey("bed.id"))
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admission.id"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bed: Mapped[Bed] = relationship(lazy="raise")


_WAITING = sa.text("outcome IS NULL")


class WaitlistEntry(Base):
    """Someone waiting for a place in a program: a patient, or an inquiry not admitted yet.
    Their position is their rank among the entries still waiting, oldest first."""

    __tablename__ = "waitlist_entry"
    __table_args__ = (
        sa.CheckConstraint("(patient_id IS NULL) <> (inquiry_id IS NULL)", name="patient_or_inquiry"),
        sa.CheckConstraint("(outcome IS NULL) = (outcome_on IS NULL)", name="outcome_and_date"),
        sa.Index(
            "ix_waitlist_entry_waiting",
            "program_id",
            "added_at",
            "id",
            postgresql_where=_WAITING,
            sqlite_where=_WAITING,
        ),
        sa.Index("ix_waitlist_entry_patient", "patient_id"),
        sa.Index("ix_waitlist_entry_inquiry", "inquiry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"))
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patient.id"))
    inquiry_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inquiry.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    offered_on: Mapped[date | None] = mapped_column(sa.Date)
    offered_bed_id: Mapped[int | None] = mapped_column(sa.ForeignKey("bed.id"))
    outcome: Mapped[WaitlistOutcome | None] = mapped_column(str_enum(WaitlistOutcome, "waitlist_outcome"))
    outcome_on: Mapped[date | None] = mapped_column(sa.Date)
    outcome_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
