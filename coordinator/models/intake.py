"""Inquiries and everything hanging off them: referrers, regimen, timeline, tasks, screenings.

An inquiry is the pre-admission record of one prospective patient. Columns ending in `_key`
or `_digits` are normalised copies kept only for search and duplicate detection.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.intake import (
    ActivityKind,
    BreakGlassScope,
    CallerRelationship,
    CallOutcome,
    Channel,
    ContactMethod,
    Direction,
    ReferralSource,
    Sex,
    Urgency,
)
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.models.users import User
from coordinator.rules.inquiry_lifecycle import InquiryStatus


class Referrer(Base):
    """A referring person or organization, kept once and reused for referral reporting."""

    __tablename__ = "referrer"
    __table_args__ = (sa.CheckConstraint("length(trim(name)) > 0", name="name_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferralSource] = mapped_column(str_enum(ReferralSource, "referrer_kind"))
    name: Mapped[str] = mapped_column(sa.String(160))
    organization: Mapped[str | None] = mapped_column(sa.String(160))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    name_key: Mapped[str] = mapped_column(sa.String(330), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


_LIVE = sa.text("merged_into_id IS NULL")
_RESTRICTED = sa.text("is_restricted AND merged_into_id IS NULL")
_UNASSIGNED = sa.text("assigned_to_id IS NULL AND merged_into_id IS NULL")
_SEARCHED = (
    "patient_name_key",
    "caller_name_key",
    "patient_email_key",
    "caller_email_key",
    "patient_phone_digits",
    "caller_phone_digits",
)


class Inquiry(Base):
    __tablename__ = "inquiry"
    __table_args__ = (
        sa.CheckConstraint("length(trim(patient_name)) > 0", name="patient_name_not_blank"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        sa.CheckConstraint("mme_per_day IS NULL OR mme_per_day >= 0", name="mme_not_negative"),
        sa.Index("ix_inquiry_status_arrived", "status", "arrived_at"),
        sa.Index("ix_inquiry_assigned_status", "assigned_to_id", "status"),
        # One partial index per list order (merged rows are never listed: migration 0011), and
        # trigram indexes for substring search on PostgreSQL (plain ones on SQLite).
        *(
            sa.Index(name, *columns, postgresql_where=_LIVE, sqlite_where=_LIVE)
            for name, columns in (
                ("ix_inquiry_live_arrived", ("arrived_at", "id")),
                ("ix_inquiry_live_status_arrived", ("status", "arrived_at", "id")),
                ("ix_inquiry_live_moved", ("status_changed_at", "id")),
                ("ix_inquiry_live_name", ("patient_name_key", "id")),
                # The pipeline board's columns filtered by assignee or by source (0017).
                ("ix_inquiry_live_assignee_status_arrived", ("assigned_to_id", "status", "arrived_at", "id")),
                ("ix_inquiry_live_source_status_arrived", ("referral_source", "status", "arrived_at", "id")),
            )
        ),
        sa.Index("ix_inquiry_live_restricted", "id", postgresql_where=_RESTRICTED, sqlite_where=_RESTRICTED),
        # The home pages' unassigned queue, newest first (migration 0016).
        sa.Index(
            "ix_inquiry_live_unassigned_arrived",
            "arrived_at",
            "id",
            postgresql_where=_UNASSIGNED,
            sqlite_where=_UNASSIGNED,
        ),
        *(
            sa.Index(
                f"ix_inquiry_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
            )
            for column in _SEARCHED
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Opaque id given to API clients and web visitors: never the sequential id.
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True)
    status: Mapped[InquiryStatus] = mapped_column(str_enum(InquiryStatus, "inquiry_status"), default=InquiryStatus.NEW)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel, "inquiry_channel"))
    referral_source: Mapped[ReferralSource] = mapped_column(str_enum(ReferralSource, "referral_source"))
    referrer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrer.id"), index=True)
    api_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_client.id"), index=True)

    caller_name: Mapped[str | None] = mapped_column(sa.String(160))
    caller_relationship: Mapped[CallerRelationship | None] = mapped_column(
        str_enum(CallerRelationship, "caller_relationship")
    )
    caller_phone: Mapped[str | None] = mapped_column(sa.String(40))
    caller_email: Mapped[str | None] = mapped_column(sa.String(254))
    preferred_contact: Mapped[ContactMethod | None] = mapped_column(str_enum(ContactMethod, "contact_method"))
    may_leave_message: Mapped[bool] = mapped_column(default=False)
    # What the caller asked about being reached ("please text, don't call at work").
    contact_instructions: Mapped[str | None] = mapped_column(sa.Text)

    patient_name: Mapped[str] = mapped_column(sa.String(160))
    patient_dob: Mapped[date | None] = mapped_column(sa.Date)
    patient_sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, "patient_sex"))
    patient_location: Mapped[str | None] = mapped_column(sa.String(160))
    patient_phone: Mapped[str | None] = mapped_column(sa.String(40))
    patient_email: Mapped[str | None] = mapped_column(sa.String(254))

    presenting_concerns: Mapped[str | None] = mapped_column(sa.Text)
    substances: Mapped[list] = mapped_column(sa.JSON, default=list)
    pain_conditions: Mapped[str | None] = mapped_column(sa.Text)
    prior_treatment: Mapped[str | None] = mapped_column(sa.Text)
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, "inquiry_urgency"), default=Urgency.ROUTINE)
    mme_per_day: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))

    assigned_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    is_restricted: Mapped[bool] = mapped_column(default=False)

    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    exit_reason: Mapped[str | None] = mapped_column(sa.String(500))
    referred_out_to: Mapped[str | None] = mapped_column(sa.String(200))
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # Normalised copies for search and duplicate detection.
    patient_name_key: Mapped[str] = mapped_column(sa.String(160), index=True)
    caller_name_key: Mapped[str | None] = mapped_column(sa.String(160), index=True)
    caller_phone_digits: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    patient_phone_digits: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    caller_email_key: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    patient_email_key: Mapped[str | None] = mapped_column(sa.String(254), index=True)

    assigned_to: Mapped[User | None] = relationship(foreign_keys=[assigned_to_id], lazy="raise")
    referrer: Mapped[Referrer | None] = relationship(lazy="raise")
    regimen: Mapped[list[OpioidRegimenLine]] = relationship(
        back_populates="inquiry", order_by="OpioidRegimenLine.position", lazy="raise", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:  # no names in reprs: they end up in logs
        return f"<Inquiry {self.id} {self.status}>"


class OpioidRegimenLine(Base):
    """One medicine of the current opioid regimen, as the caller reported it."""

    __tablename__ = "opioid_regimen_line"
    __table_args__ = (
        sa.UniqueConstraint("inquiry_id", "position", name="uq_opioid_regimen_line_position"),
        sa.CheckConstraint("dose > 0", name="dose_positive"),
        sa.CheckConstraint("doses_per_day IS NULL OR (doses_per_day BETWEEN 1 AND 24)", name="doses_per_day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id", ondelete="CASCADE"))
    position: Mapped[int]
    drug: Mapped[str] = mapped_column(sa.String(40))
    dose: Mapped[Decimal] = mapped_column(sa.Numeric(10, 3))
    unit: Mapped[str] = mapped_column(sa.String(10))
    doses_per_day: Mapped[int | None]
    purpose: Mapped[str] = mapped_column(sa.String(10), default="pain")

    inquiry: Mapped[Inquiry] = relationship(back_populates="regimen", lazy="raise")


class InquiryActivity(Base):
    """One entry of an inquiry's timeline: a call, an email, a note, a status change, ..."""

    __tablename__ = "inquiry_activity"
    __table_args__ = (
        sa.Index("ix_inquiry_activity_inquiry_time", "inquiry_id", "occurred_at"),
        sa.CheckConstraint("duration_minutes IS NULL OR duration_minutes BETWEEN 0 AND 600", name="duration_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"))
    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "activity_kind"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_label: Mapped[str | None] = mapped_column(sa.String(120))
    direction: Mapped[Direction | None] = mapped_column(str_enum(Direction, "activity_direction"))
    outcome: Mapped[CallOutcome | None] = mapped_column(str_enum(CallOutcome, "call_outcome"))
    duration_minutes: Mapped[int | None]
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str | None] = mapped_column(sa.String(32))
    summary: Mapped[str | None] = mapped_column(sa.String(200))
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="raise")


class FollowUpTask(Base):
    """Something someone must do for an inquiry by a given time."""

    __tablename__ = "follow_up_task"
    __table_args__ = (
        sa.Index("ix_follow_up_task_assignee_open", "assigned_to_id", "completed_at", "due_at"),
        sa.CheckConstraint("length(trim(title)) > 0", name="title_not_blank"),
        sa.CheckConstraint("(completed_at IS NULL) = (completed_by_id IS NULL)", name="completed_by_iff_completed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    assigned_to_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    assigned_to: Mapped[User] = relationship(foreign_keys=[assigned_to_id], lazy="raise")
    inquiry: Mapped[Inquiry] = relationship(lazy="raise")


class Screening(Base):
    """One administration of a screening instrument; repeatable, newest first on the page.

    `answers` holds what was asked and answered; `total`, `band` and `flags` are what the
    pure rule computed from them at the time, kept so history never changes with the code.
    """

    __tablename__ = "screening"
    __table_args__ = (sa.Index("ix_screening_inquiry_kind_time", "inquiry_id", "kind", "administered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    answers: Mapped[dict] = mapped_column(sa.JSON)
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 1))
    band: Mapped[str | None] = mapped_column(sa.String(40))
    flags: Mapped[list] = mapped_column(sa.JSON, default=list)
    administered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="raise")


class PossibleDuplicate(Base):
    """A pair flagged when an inquiry arrived: same phone, same email, or same name and birth date."""

    __tablename__ = "possible_duplicate"
    __table_args__ = (
        sa.UniqueConstraint("inquiry_id", "other_inquiry_id", name="uq_possible_duplicate_pair"),
        sa.CheckConstraint("inquiry_id <> other_inquiry_id", name="distinct_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    other_inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    matched_on: Mapped[str] = mapped_column(sa.String(80))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    other: Mapped[Inquiry] = relationship(foreign_keys=[other_inquiry_id], lazy="raise")


class BreakGlassAccess(Base):
    """A staff member opened a restricted inquiry they are not assigned to, with a typed reason.

    `scope` is what the grant opens: the clinical record or the insurance and payment pages,
    never both (a second grant is asked for the other part)."""

    __tablename__ = "break_glass_access"
    __table_args__ = (
        sa.Index("ix_break_glass_user_inquiry", "user_id", "inquiry_id", "expires_at"),
        sa.CheckConstraint("length(trim(reason)) >= 10", name="reason_meaningful"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    scope: Mapped[BreakGlassScope] = mapped_column(str_enum(BreakGlassScope, "break_glass_scope"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")
