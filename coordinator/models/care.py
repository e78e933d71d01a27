"""The care half: patients (the person), their ASAM assessments, placement decisions and the
level-of-care segments of each episode (an `Admission` is one episode, `models/programs.py`).

An inquiry is how someone arrived; a patient is the person, kept once however often they come
back. Everything clinical hangs off the patient and the episode, never the inquiry.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.care import AsamEdition, AssessmentOccasion, LevelOfCare, SegmentMove
from coordinator.domain.intake import Sex
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.models.users import User

DIMENSIONS = range(1, 7)


class MrnCounter(Base):
    """The last medical record number handed out (one row; incremented atomically)."""

    __tablename__ = "mrn_counter"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)


class Patient(Base):
    """One person in care, with the medical record number the clinic prints."""

    __tablename__ = "patient"
    __table_args__ = (
        sa.CheckConstraint("length(trim(full_name)) > 0", name="full_name_not_blank"),
        sa.Index("ix_patient_name_dob", "name_key", "dob"),
        # The patient list's order, and its substring search (migration 0022).
        sa.Index("ix_patient_name_id", "name_key", "id"),
        sa.Index(
            "ix_patient_name_key_trgm", "name_key", postgresql_using="gin", postgresql_ops={"name_key": "gin_trgm_ops"}
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(sa.String(20), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(160))
    name_key: Mapped[str] = mapped_column(sa.String(160))
    dob: Mapped[date | None] = mapped_column(sa.Date)
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, "patient_sex"))
    # The patient's own discreet flag, set on the patient page; any restricted inquiry of theirs
    # restricts them too (`patient_access.Guard`), so it is never copied from an inquiry.
    is_restricted: Mapped[bool] = mapped_column(default=False)
    # The last change of the own flag: its reason, who and when (migration 0022).
    restriction_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    restriction_changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    restriction_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:  # no names in reprs: they end up in logs
        return f"<Patient {self.id}>"


def _rating_checks():
    for n in DIMENSIONS:
        yield sa.CheckConstraint(f"rating_{n} BETWEEN 0 AND 4", name=f"rating_{n}_range")


class AsamAssessment(Base):
    """One ASAM Criteria assessment of an episode: six dimensions rated 0-4, with notes.

    `facts` keeps what intake knew when it was done (COWS, MME, flags, PHQ-9, GAD-7,
    substances), so the page shows what the clinician saw even after intake changes."""

    __tablename__ = "asam_assessment"
    __table_args__ = (
        *_rating_checks(),
        sa.Index("ix_asam_assessment_admission_time", "admission_id", "assessed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admission.id"))
    edition: Mapped[AsamEdition] = mapped_column(str_enum(AsamEdition, "asam_edition"))
    occasion: Mapped[AssessmentOccasion] = mapped_column(str_enum(AssessmentOccasion, "assessment_occasion"))
    rating_1: Mapped[int] = mapped_column(sa.SmallInteger)
    rating_2: Mapped[int] = mapped_column(sa.SmallInteger)
    rating_3: Mapped[int] = mapped_column(sa.SmallInteger)
    rating_4: Mapped[int] = mapped_column(sa.SmallInteger)
    rating_5: Mapped[int] = mapped_column(sa.SmallInteger)
    rating_6: Mapped[int] = mapped_column(sa.SmallInteger)
    notes_1: Mapped[str | None] = mapped_column(sa.Text)
    notes_2: Mapped[str | None] = mapped_column(sa.Text)
    notes_3: Mapped[str | None] = mapped_column(sa.Text)
    notes_4: Mapped[str | None] = mapped_column(sa.Text)
    notes_5: Mapped[str | None] = mapped_column(sa.Text)
    notes_6: Mapped[str | None] = mapped_column(sa.Text)
    facts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assessed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    assessed_by: Mapped[User | None] = relationship(lazy="raise")

    def ratings(self) -> dict[int, int]:
        return {n: getattr(self, f"rating_{n}") for n in DIMENSIONS}

    def notes(self) -> dict[int, str | None]:
        return {n: getattr(self, f"notes_{n}") for n in DIMENSIONS}


class PlacementDecision(Base):
    """The level and program a clinician chose after an assessment, beside what was recommended.

    Levels are stored with their ASAM edition (the assessment's); a choice that differs from the
    recommendation carries the reason."""

    __tablename__ = "placement_decision"
    __table_args__ = (
        sa.Index("ix_placement_decision_admission_time", "admission_id", "decided_at"),
        sa.CheckConstraint(
            "(chosen_level_of_care = recommended_level_of_care AND chosen_asam_level = recommended_asam_level)"
            " OR (detox_first AND chosen_level_of_care = 'partner_hospital_detox')"
            " OR length(trim(coalesce(reason, ''))) > 0",
            name="reason_when_differs",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admission.id"))
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("asam_assessment.id"), index=True)
    asam_edition: Mapped[AsamEdition] = mapped_column(str_enum(AsamEdition, "asam_edition"))
    recommended_level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, "recommended_level"))
    recommended_asam_level: Mapped[str] = mapped_column(sa.String(10))
    detox_first: Mapped[bool] = mapped_column(default=False)
    recommendation: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    chosen_level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, "chosen_level"))
    chosen_asam_level: Mapped[str] = mapped_column(sa.String(10))
    program_id: Mapped[int | None] = mapped_column(sa.ForeignKey("program.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship(lazy="raise")
    program = relationship("Program", lazy="raise")


_OPEN = sa.text("ends_on IS NULL")


class CareSegment(Base):
    """Days an episode spent at one level of care in one program, `starts_on` to `ends_on`, both
    included (`ends_on` None while it lasts): the semantics of `rules/level_moves`. A move on
    day D ends the current segment on D - 1; a discharge on D ends the last one on D. A leave of
    absence is a segment of its own at the level and program held, `on_leave`. The census of a
    day is the segments covering it."""

    __tablename__ = "care_segment"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_care_segment_admission_start", "admission_id", "starts_on"),
        sa.Index("ix_care_segment_level_dates", "level_of_care", "starts_on", "ends_on"),
        sa.Index("ix_care_segment_program_dates", "program_id", "starts_on", "ends_on"),
        sa.Index("uq_care_segment_one_open", "admission_id", unique=True, postgresql_where=_OPEN, sqlite_where=_OPEN),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    admission_id: Mapped[int] = mapped_column(sa.ForeignKey("admission.id"))
    level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, "level_of_care"))
    # A partner hospital is a program of level partner_hospital_detox.
    program_id: Mapped[int] = mapped_column(sa.ForeignKey("program.id"), index=True)
    on_leave: Mapped[bool] = mapped_column(default=False)
    move: Mapped[SegmentMove] = mapped_column(str_enum(SegmentMove, "segment_move"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    reason: Mapped[str | None] = mapped_column(sa.String(1000))
    # Partner-hospital detox: the hospital's name, whom to call, when the transfer is expected.
    hospital_name: Mapped[str | None] = mapped_column(sa.String(160))
    hospital_contact: Mapped[str | None] = mapped_column(sa.String(200))
    expected_transfer_on: Mapped[date | None] = mapped_column(sa.Date)
    # Moved into a full program: the clinical lead allowed it, with this reason.
    over_capacity_reason: Mapped[str | None] = mapped_column(sa.String(1000))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    program = relationship("Program", lazy="raise")
