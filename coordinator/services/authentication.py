"""Signing in and out: credential checks and server-side login sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from coordinator.contracts import values
from coordinator.contracts.accounts import SignInInput
from coordinator.contracts.messages import message
from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import User, UserSession, utcnow
from coordinator.passwords import burn_verification_time, hash_password, needs_rehash, verify_password
from coordinator.services import audit

# last_seen_at is written at most this often (or half the idle timeout, if that is shorter), so
# a busy session costs one UPDATE a minute rather than one per request.
TOUCH_INTERVAL = timedelta(seconds=60)


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome of a sign-in: the user it opens, or None and the one answer every refusal gets."""

    user: User | None

    @property
    def refusal(self) -> str | None:
        """What the sign-in page says when it refused (the same whatever the reason)."""
        return None if self.user is not None else message("sign_in_failed")


def hash_token(token: str) -> str:
    """The stored fingerprint of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """An email as accounts are looked up by: trimmed, lower case, an internationalized domain in
    its display form whether it was typed so or sent as punycode (a browser's email input)."""
    return values.display_domain((email or "").strip().lower())


def authenticate(data: SignInInput, *, profile: str) -> SignInAttempt:
    """Check the credentials and audit the attempt either way; the caller commits.

    A refusal is an outcome, not an error: its `login_failed` row must be committed with the page
    that says so. Unknown emails cost the same hashing time as known ones, and every failure gives
    the same answer, so the sign-in page does not reveal who has an account.
    """
    email = normalise_email(data.email)
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is None:
        burn_verification_time(data.password, profile)
        audit.record(audit.ANONYMOUS, AuditAction.LOGIN_FAILED, detail="unknown account")
        return SignInAttempt(None)
    if not verify_password(user.password_hash, data.password, profile):
        audit.record(audit.ANONYMOUS, AuditAction.LOGIN_FAILED, "user", user.id, detail="wrong password")
        return SignInAttempt(None)
    if not user.is_active:
        audit.record(audit.ANONYMOUS, AuditAction.LOGIN_FAILED, "user", user.id, detail="account deactivated")
        return SignInAttempt(None)
    if needs_rehash(user.password_hash, profile):
        user.password_hash = hash_password(data.password, profile)
    return SignInAttempt(user)


def user_awaiting_code(user_id: int) -> User | None:
    """The account a half sign-in names, if it is still active and still has a second factor."""
    user = db.session.get(User, user_id)
    return user if user is not None and user.is_active and user.has_mfa else None


def open_session(user: User, ip: str | None, user_agent: str | None) -> str:
    """Start a login session for the user and return its secret token (only its hash is kept); the caller commits."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            ip=(ip or "")[:45] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    user.last_login_at = now
    audit.record(user, AuditAction.LOGIN, "user", user.id)
    db.session.flush()
    return token


@dataclass(frozen=True)
class SessionCheck:
    """Whose session a browser's token is, or why a session that existed has ended."""

    user: User | None
    ended_reason: str | None = None  # why a session that existed is no longer valid


def check_session(
    token: str, user_id: str, idle_timeout: timedelta, lifetime: timedelta, now: datetime | None = None
) -> SessionCheck:
    """Validate a browser's session token; ends it (flushes) if it has expired. Called inside
    `transaction.durable` (see `sessions.load_user`), so it must only write what it means to keep."""
    now = now or utcnow()
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == hash_token(token))
    ).scalar_one_or_none()
    if row is None or row.ended_at is not None or str(row.user_id) != str(user_id):
        return SessionCheck(None)
    if not row.user.is_active:
        return SessionCheck(None, _end(row, "deactivated", now))
    if now - row.created_at >= lifetime:
        return SessionCheck(None, _end(row, "expired", now))
    if now - row.last_seen_at >= idle_timeout:
        return SessionCheck(None, _end(row, "idle", now))
    if now - row.last_seen_at >= min(TOUCH_INTERVAL, idle_timeout / 2):
        row.last_seen_at = now
    return SessionCheck(row.user)


def _end(row: UserSession, reason: str, now: datetime) -> str:
    row.ended_at = now
    row.end_reason = reason
    audit.record(row.user, AuditAction.SESSION_ENDED, "user", row.user_id, detail=reason)
    db.session.flush()
    return reason


def close_session(token: str) -> None:
    """End the session this token belongs to (logout); the caller commits."""
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == hash_token(token), UserSession.ended_at.is_(None))
    ).scalar_one_or_none()
    if row is not None:
        row.ended_at = utcnow()
        row.end_reason = "logout"
        audit.record(row.user, AuditAction.LOGOUT, "user", row.user_id)
        db.session.flush()


def end_all_sessions(user: User, reason: str, keep_token: str | None = None) -> int:
    """End every open session of a user but `keep_token`'s; returns how many ended. The caller commits."""
    condition = sa.and_(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep_token:
        condition = sa.and_(condition, UserSession.token_hash != hash_token(keep_token))
    result = db.session.execute(sa.update(UserSession).where(condition).values(ended_at=utcnow(), end_reason=reason))
    return result.rowcount or 0
