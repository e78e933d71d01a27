"""Staff accounts and their login sessions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordinator.models.base import Base, UTCDateTime, str_enum, utcnow
from coordinator.roles import Discipline, Role


class User(Base):
    """A staff account. Never deleted: deactivated, so the audit trail keeps its actor."""

    __tablename__ = "user_account"
    __table_args__ = (
        # Only clinicians carry a discipline, and every clinician has one.
        sa.CheckConstraint("(role = 'clinician') = (discipline IS NOT NULL)", name="discipline_iff_clinician"),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("length(trim(full_name)) > 0", name="full_name_not_blank"),
        sa.CheckConstraint(
            "(is_active AND deactivated_at IS NULL) OR (NOT is_active AND deactivated_at IS NOT NULL)",
            name="deactivated_at_iff_inactive",
        ),
        sa.CheckConstraint("totp_enabled_at IS NULL OR totp_secret IS NOT NULL", name="totp_enabled_has_secret"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    discipline: Mapped[Discipline | None] = mapped_column(str_enum(Discipline, "user_discipline"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Multi-factor sign-in (services/mfa.py): the TOTP secret sealed with the app's key
    # (coordinator/secret_box.py), set at enrolment and confirmed when totp_enabled_at is set;
    # the last time step a code was accepted for, so each code works once.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Speed to lead (services/round_robin.py): an admissions user taking new inquiries now, and
    # when the round-robin last gave them one (the next goes to whoever waited longest).
    on_duty: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    round_robin_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sessions: Mapped[list[UserSession]] = relationship(back_populates="user", lazy="raise")

    # Flask-Login protocol. The id it stores is only a hint: the session row decides.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def has_mfa(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def must_enrol_mfa(self) -> bool:
        """Administrators must sign in with a second factor: until they enrol, nothing else opens."""
        return self.role == Role.ADMIN and not self.has_mfa

    def __repr__(self) -> str:  # no names or emails in reprs: they end up in logs
        return f"<User {self.id} {self.role}>"


class UserSession(Base):
    """One login. The browser holds a random token; we keep only its hash.

    Logging out, going idle past the timeout, reaching the absolute lifetime, being
    deactivated or having the password reset ends the row, so a copied cookie stops working.
    """

    __tablename__ = "user_session"
    __table_args__ = (
        sa.CheckConstraint("(ended_at IS NULL) = (end_reason IS NULL)", name="end_reason_iff_ended"),
        sa.Index("ix_user_session_user_open", "user_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(32))
    ip: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str | None] = mapped_column(sa.String(200))

    user: Mapped[User] = relationship(back_populates="sessions", lazy="joined")


class RecoveryCode(Base):
    """One of the ten single-use codes given at multi-factor enrolment, for a lost phone. Only a
    SHA-256 of it is kept: the codes are random (60 bits) and attempts are throttled."""

    __tablename__ = "mfa_recovery_code"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash", name="uq_mfa_recovery_code_user_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
