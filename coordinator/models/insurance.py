"""Insurance: coverages on an inquiry, verifications of benefits, authorizations, clearance overrides.

An admission belongs to exactly one inquiry, so everything here hangs off the inquiry and
stays with the person from the first call through the admission. Insurance amounts are US
health-plan amounts: NUMERIC(12, 2) in the verification's currency (USD unless staff say
otherwise), never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import (
    AuthorizationUnit,
    CopayPer,
    CoverageRank,
    LimitUnit,
    NetworkStatus,
    PlanType,
    ServiceLine,
    SubscriberRelationship,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.domain.intake import Channel, Sex
from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.models.payers import Payer
from coordinator.models.users import User
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.verification_lifecycle import VerificationStage

Amount = sa.Numeric(12, 2)


class Coverage(Base):
    """One insurance policy the patient holds, as read from the card or told on the phone."""

    __tablename__ = "coverage"
    __table_args__ = (
        sa.UniqueConstraint("inquiry_id", "rank", name="uq_coverage_inquiry_rank"),
        sa.Index("ix_coverage_member_id", "member_id"),  # billing's search by member id (0016)
        sa.CheckConstraint("payer_id IS NOT NULL OR length(trim(coalesce(payer_name, ''))) > 0", name="payer_named"),
        sa.CheckConstraint(
            "effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from",
            name="effective_dates_ordered",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    rank: Mapped[CoverageRank] = mapped_column(str_enum(CoverageRank, "coverage_rank"))
    # A payer from the admin-kept list, or the insurer's name as the caller or visitor gave it.
    payer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payer.id"), index=True)
    payer_name: Mapped[str | None] = mapped_column(sa.String(120))
    plan_type: Mapped[PlanType | None] = mapped_column(str_enum(PlanType, "plan_type"))
    plan_name: Mapped[str | None] = mapped_column(sa.String(120))
    member_id: Mapped[str | None] = mapped_column(sa.String(80))
    group_number: Mapped[str | None] = mapped_column(sa.String(50))
    relationship_to_subscriber: Mapped[SubscriberRelationship] = mapped_column(
        str_enum(SubscriberRelationship, "subscriber_relationship"), default=SubscriberRelationship.SELF
    )
    # The primary insured, when it is not the patient.
    subscriber_name: Mapped[str | None] = mapped_column(sa.String(160))
    subscriber_dob: Mapped[date | None] = mapped_column(sa.Date)
    subscriber_sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, "subscriber_sex"))
    effective_from: Mapped[date | None] = mapped_column(sa.Date)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[Channel] = mapped_column(str_enum(Channel, "coverage_source"), default=Channel.PHONE)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    payer: Mapped[Payer | None] = relationship(lazy="raise")

    @property
    def insurer(self) -> str:
        """The insurer's name for display: the kept payer's name, else what was typed."""
        return self.payer.name if self.payer_id is not None and self.payer is not None else (self.payer_name or "")


def _default_stage(context) -> str:
    """A new row's stage from what it holds: confirmed when confirmed on creation, a draft when
    it came from a 271, else a request (services set it; this keeps direct inserts consistent)."""
    values = context.get_current_parameters()
    if values.get("confirmed_at") is not None:
        return VerificationStage.CONFIRMED.value
    if values.get("method") == "electronic_271":
        return VerificationStage.DRAFT.value
    return VerificationStage.REQUESTED.value


class BenefitVerification(Base):
    """One check of a coverage's benefits, by phone, on a portal or from an electronic 271.

    Its `stage` (rules/verification_lifecycle.py) says what it is: a request nobody has answered
    yet, a draft from a 271 to review, a confirmed verification (only these count toward
    financial clearance) or a discarded request or draft.
    """

    __tablename__ = "benefit_verification"
    __table_args__ = (
        sa.Index("ix_benefit_verification_coverage_created", "coverage_id", "created_at"),
        # Billing's queue of requests and drafts waiting for someone, oldest first (migration 0016).
        sa.Index(
            "ix_benefit_verification_unconfirmed",
            "created_at",
            "id",
            postgresql_where=sa.text("confirmed_at IS NULL"),
            sqlite_where=sa.text("confirmed_at IS NULL"),
        ),
        sa.CheckConstraint("length(currency) = 3", name="currency_code"),
        sa.CheckConstraint(
            "(stage = 'confirmed' AND confirmed_at IS NOT NULL) OR (stage <> 'confirmed' AND confirmed_at IS NULL)",
            name="stage_matches_confirmation",
        ),
        sa.CheckConstraint(
            "stage <> 'discarded' OR (discarded_at IS NOT NULL AND length(trim(coalesce(discard_reason, ''))) > 0)",
            name="discarded_with_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coverage_id: Mapped[int] = mapped_column(sa.ForeignKey("coverage.id"))
    stage: Mapped[VerificationStage] = mapped_column(
        str_enum(VerificationStage, "verification_stage"), default=_default_stage
    )
    status: Mapped[VerificationStatus] = mapped_column(
        str_enum(VerificationStatus, "verification_status"), default=VerificationStatus.REQUESTED
    )
    method: Mapped[VerificationMethod | None] = mapped_column(str_enum(VerificationMethod, "verification_method"))
    network_status: Mapped[NetworkStatus] = mapped_column(
        str_enum(NetworkStatus, "network_status"), default=NetworkStatus.UNKNOWN
    )
    out_of_network_benefits: Mapped[bool | None]
    payer_reference: Mapped[str | None] = mapped_column(sa.String(80))
    payer_contact: Mapped[str | None] = mapped_column(sa.String(120))
    plan_begin: Mapped[date | None] = mapped_column(sa.Date)
    plan_end: Mapped[date | None] = mapped_column(sa.Date)
    currency: Mapped[str] = mapped_column(sa.String(3), default="USD")
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # What a 271 said that does not fit a field: rejections, carve-outs, payer messages.
    findings: Mapped[list] = mapped_column(sa.JSON, default=list)
    source_271: Mapped[str | None] = mapped_column(sa.Text)
    # Who and which payer the 271 names (rules/verification_identity.to_json), compared with the
    # record each time the draft is shown or confirmed.
    identity_271: Mapped[dict | None] = mapped_column(sa.JSON)
    # Why staff confirmed a 271 that differs from the record (required then; kept and shown).
    mismatch_explanation: Mapped[str | None] = mapped_column(sa.Text)
    discard_reason: Mapped[str | None] = mapped_column(sa.Text)
    discarded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    coverage: Mapped[Coverage] = relationship(lazy="raise")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="raise")
    lines: Mapped[list[VerificationLine]] = relationship(
        back_populates="verification", order_by="VerificationLine.id", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def is_draft(self) -> bool:
        """A 271 draft to review (not a request, not discarded)."""
        return self.stage is VerificationStage.DRAFT

    @property
    def is_request(self) -> bool:
        return self.stage is VerificationStage.REQUESTED

    @property
    def is_confirmed(self) -> bool:
        return self.stage is VerificationStage.CONFIRMED

    @property
    def is_open(self) -> bool:
        """A request or a draft: something staff still have to act on."""
        return self.stage in (VerificationStage.REQUESTED, VerificationStage.DRAFT)


class VerificationLine(Base):
    """The benefits one verification found for one service line (residential SUD, outpatient, ...)."""

    __tablename__ = "verification_line"
    __table_args__ = (
        sa.UniqueConstraint("verification_id", "service_line", name="uq_verification_line_service"),
        sa.CheckConstraint(
            "coalesce(deductible_individual, 0) >= 0 AND coalesce(deductible_individual_met, 0) >= 0 AND "
            "coalesce(deductible_family, 0) >= 0 AND coalesce(deductible_family_met, 0) >= 0 AND "
            "coalesce(oop_individual, 0) >= 0 AND coalesce(oop_individual_met, 0) >= 0 AND "
            "coalesce(oop_family, 0) >= 0 AND coalesce(oop_family_met, 0) >= 0 AND coalesce(copay, 0) >= 0",
            name="amounts_not_negative",
        ),
        sa.CheckConstraint(
            "coinsurance_percent IS NULL OR (coinsurance_percent >= 0 AND coinsurance_percent <= 100)",
            name="coinsurance_range",
        ),
        sa.CheckConstraint("limit_quantity IS NULL OR limit_quantity > 0", name="limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(sa.ForeignKey("benefit_verification.id"), index=True)
    service_line: Mapped[ServiceLine] = mapped_column(str_enum(ServiceLine, "service_line"))
    covered: Mapped[bool | None]
    deductible_individual: Mapped[Decimal | None] = mapped_column(Amount)
    deductible_individual_met: Mapped[Decimal | None] = mapped_column(Amount)
    deductible_family: Mapped[Decimal | None] = mapped_column(Amount)
    deductible_family_met: Mapped[Decimal | None] = mapped_column(Amount)
    oop_individual: Mapped[Decimal | None] = mapped_column(Amount)
    oop_individual_met: Mapped[Decimal | None] = mapped_column(Amount)
    oop_family: Mapped[Decimal | None] = mapped_column(Amount)
    oop_family_met: Mapped[Decimal | None] = mapped_column(Amount)
    copay: Mapped[Decimal | None] = mapped_column(Amount)
    copay_per: Mapped[CopayPer | None] = mapped_column(str_enum(CopayPer, "copay_per"))
    coinsurance_percent: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    prior_auth_required: Mapped[bool | None]
    limit_quantity: Mapped[int | None]
    limit_unit: Mapped[LimitUnit | None] = mapped_column(str_enum(LimitUnit, "limit_unit"))
    limit_period: Mapped[str | None] = mapped_column(sa.String(60))
    carve_out: Mapped[str | None] = mapped_column(sa.String(300))
    notes: Mapped[str | None] = mapped_column(sa.String(500))

    verification: Mapped[BenefitVerification] = relationship(back_populates="lines", lazy="raise")


class Authorization(Base):
    """A payer's authorization for one level of care, and its utilization-review dates."""

    __tablename__ = "authorization"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("approved_units IS NULL OR approved_units >= 0", name="approved_not_negative"),
        sa.CheckConstraint("requested_units IS NULL OR requested_units > 0", name="requested_positive"),
        sa.Index("ix_authorization_inquiry_level", "inquiry_id", "level_of_care"),
        sa.Index("ix_authorization_end_id", "end_date", "id"),  # billing's "ending soon" queue (0016)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"))
    coverage_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coverage.id"), index=True)
    level_of_care: Mapped[LevelOfCare] = mapped_column(str_enum(LevelOfCare, "authorization_level"))
    status: Mapped[AuthorizationStatus] = mapped_column(
        str_enum(AuthorizationStatus, "authorization_status"), default=AuthorizationStatus.PENDING
    )
    auth_number: Mapped[str | None] = mapped_column(sa.String(50))
    unit: Mapped[AuthorizationUnit] = mapped_column(
        str_enum(AuthorizationUnit, "authorization_unit"), default=AuthorizationUnit.DAYS
    )
    requested_units: Mapped[int | None]
    approved_units: Mapped[int | None]
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    next_review_date: Mapped[date | None] = mapped_column(sa.Date)
    payer_contact: Mapped[str | None] = mapped_column(sa.String(120))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    coverage: Mapped[Coverage | None] = relationship(lazy="raise")
    reviews: Mapped[list[AuthorizationReview]] = relationship(
        back_populates="authorization", order_by="AuthorizationReview.id", lazy="raise", cascade="all, delete-orphan"
    )


class AuthorizationReview(Base):
    """One entry of an authorization's utilization-review history: who, when, what changed, notes."""

    __tablename__ = "authorization_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    authorization_id: Mapped[int] = mapped_column(sa.ForeignKey("authorization.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(sa.String(32))
    to_status: Mapped[str] = mapped_column(sa.String(32))
    approved_units: Mapped[int | None]
    next_review_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    note: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    authorization: Mapped[Authorization] = relationship(back_populates="reviews", lazy="raise")
    actor: Mapped[User | None] = relationship(lazy="raise")


class ClearanceOverride(Base):
    """An administrator's decision to admit without financial clearance, with the reason."""

    __tablename__ = "clearance_override"
    __table_args__ = (sa.CheckConstraint("length(trim(reason)) > 0", name="reason_not_blank"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiry.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    granted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    granted_by: Mapped[User] = relationship(lazy="raise")
