"""Multi-factor sign-in with time-based codes (TOTP, `coordinator/totp.py`): enrolment, the code
step of signing in, recovery codes, switching it off, and an administrator's reset.

The shared secret is stored sealed (`coordinator/secret_box.py`) and shown only while enrolling;
recovery codes are shown once, when made, and stored as SHA-256 hashes. Each accepted code moves
the account's `totp_last_step` on with a conditional UPDATE, so a code (or an earlier one) never
works twice, even for two requests at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from coordinator import totp
from coordinator.contracts.base import problem
from coordinator.contracts.mfa import CodeInput, DisableMfaInput, SignInCodeInput
from coordinator.domain.audit import AuditAction
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import RecoveryCode, User, utcnow
from coordinator.passwords import verify_password
from coordinator.roles import Role
from coordinator.secret_box import SecretUnreadable, seal, unseal
from coordinator.services import audit
from coordinator.services.authentication import end_all_sessions

RECOVERY_CODE_COUNT = 10
# 31 letters and digits that cannot be mistaken for one another; 12 of them are about 59 bits.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 12
_PURPOSE = "totp-secret"


@dataclass(frozen=True)
class Enrolment:
    """What the enrolment page shows: the secret as typed into an app, and as its QR code's URI."""

    secret: str
    uri: str


def _key_material() -> str:
    return current_app.config.get("MFA_ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]


def secret_of(user: User) -> str | None:
    """The account's TOTP secret, unsealed (None when there is none or it cannot be read)."""
    if user.totp_secret is None:
        return None
    try:
        return unseal(user.totp_secret, _key_material(), _PURPOSE)
    except (SecretUnreadable, ValueError):
        return None


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def start_enrolment(user: User) -> Enrolment:
    """The pending secret of an account that is enrolling (made on first call); the caller commits."""
    if user.has_mfa:
        raise ValidationFailed([problem(None, "mfa_already_enabled")])
    secret = secret_of(user)
    if secret is None:
        secret = totp.new_secret()
        user.totp_secret = seal(secret, _key_material(), _PURPOSE)
        db.session.flush()
    issuer = current_app.config.get("CLINIC_NAME") or "Coordinator"
    return Enrolment(secret, totp.provisioning_uri(secret, user.email, issuer))


def restart_enrolment(user: User) -> None:
    """Forget a pending secret (say, scanned into the wrong app); the next page makes a new one."""
    if user.has_mfa:
        raise ValidationFailed([problem(None, "mfa_already_enabled")])
    user.totp_secret = None
    db.session.flush()


def _claim(user: User, code: str, now: float | None) -> bool:
    """Accept a TOTP code once: its step must be newer than the last used one, atomically."""
    secret = secret_of(user)
    if secret is None:
        return False
    step = totp.matching_step(secret, code, time.time() if now is None else now, after=user.totp_last_step)
    if step is None:
        return False
    claimed = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        set_committed_value(user, "totp_last_step", step)
    return bool(claimed)


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(code)) for code in codes)
    db.session.flush()
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in codes]


def confirm_enrolment(user: User, data: CodeInput, *, now: float | None = None) -> list[str]:
    """Switch multi-factor sign-in on once a code from the app proves the secret was taken; returns
    the ten recovery codes to show once. The caller commits."""
    if user.has_mfa:
        raise ValidationFailed([problem(None, "mfa_already_enabled")])
    if not _claim(user, data.compact, now):
        raise ValidationFailed([problem("code", "mfa_code_wrong")])
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    audit.record(user, AuditAction.MFA_ENABLED, "user", user.id)
    db.session.flush()
    return codes


def check_sign_in_code(user: User, data: SignInCodeInput, *, now: float | None = None) -> bool:
    """The code step of signing in: a current code from the app, or an unused recovery code. A
    wrong one is audited and answered False (the caller commits the page with its audit row)."""
    code = data.compact
    if user.has_mfa and user.is_active:
        if code.isdigit() and _claim(user, code, now):
            return True
        if len(code) == RECOVERY_CODE_LENGTH and _use_recovery_code(user, code):
            return True
    audit.record(audit.ANONYMOUS, AuditAction.MFA_CODE_FAILED, "user", user.id)
    return False


def _use_recovery_code(user: User, code: str) -> bool:
    used = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if used:
        audit.record(
            audit.ANONYMOUS,
            AuditAction.MFA_RECOVERY_CODE_USED,
            "user",
            user.id,
            detail=f"{recovery_codes_left(user)} left",
        )
    return bool(used)


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def regenerate_recovery_codes(user: User, data: CodeInput, *, now: float | None = None) -> list[str]:
    """Ten new recovery codes (the old ones stop working), after a current code; the caller commits."""
    if not user.has_mfa:
        raise ValidationFailed([problem(None, "mfa_not_enabled")])
    if not _claim(user, data.compact, now):
        raise ValidationFailed([problem("code", "mfa_code_wrong")])
    codes = _new_recovery_codes(user)
    audit.record(user, AuditAction.MFA_RECOVERY_CODES_RENEWED, "user", user.id)
    return codes


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()


def disable(user: User, data: DisableMfaInput, *, profile: str, now: float | None = None) -> None:
    """Switch one's own multi-factor sign-in off with a current code or one's password (never for an
    administrator: it is mandatory for them). The caller commits."""
    if not user.has_mfa:
        raise ValidationFailed([problem(None, "mfa_not_enabled")])
    if user.role == Role.ADMIN:
        raise ValidationFailed([problem(None, "mfa_required_for_admins")])
    if data.code:
        if not _claim(user, data.compact, now):
            raise ValidationFailed([problem("code", "mfa_code_wrong")])
    elif not verify_password(user.password_hash, data.password or "", profile):
        raise ValidationFailed([problem("password", "mfa_password_wrong")])
    _clear(user)
    audit.record(user, AuditAction.MFA_DISABLED, "user", user.id)


def reset_by_admin(actor: User | audit.SystemActor, user: User) -> None:
    """An administrator (or `flask reset-mfa` on the server) removes someone's second factor (a lost
    phone): their sessions end, and they enrol again (administrators at their next sign-in, others
    when they choose). The caller commits."""
    if user.totp_secret is None:
        raise ValidationFailed([problem(None, "mfa_not_enabled")])
    _clear(user)
    end_all_sessions(user, "mfa_reset")
    audit.record(actor, AuditAction.MFA_RESET, "user", user.id)
