"""Managing staff accounts: create, edit, deactivate, reactivate, reset and change passwords.

Each use case takes its contract (`contracts/accounts.py`) and keeps the rules that need the
database or the account itself: one account per email, always one active administrator, the
password policy against the person's own email and name, the current password.
"""

from __future__ import annotations

import sqlalchemy as sa

from coordinator import sign_in_throttle
from coordinator.contracts.accounts import ChangePasswordInput, NewUserInput, ResetPasswordInput, UserDetailsInput
from coordinator.contracts.base import problem
from coordinator.domain.audit import AuditAction
from coordinator.errors import Problem, ValidationFailed
from coordinator.extensions import db
from coordinator.models import User, utcnow
from coordinator.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, password_problems, verify_password
from coordinator.roles import Role
from coordinator.services import audit
from coordinator.services.audit import SystemActor
from coordinator.services.authentication import end_all_sessions, normalise_email


def _check_password(password: str, email: str, full_name: str, field: str) -> list[Problem]:
    return [
        problem(field, code, minimum=MIN_LENGTH, maximum=MAX_LENGTH)
        for code in password_problems(password, email=email, full_name=full_name)
    ]


def _refuse(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed(problems)


def _active_admin_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
    )


def create_user(
    actor: User | SystemActor, data: NewUserInput, *, profile: str, must_change_password: bool = True
) -> User:
    """Create a staff account (unique email, password policy); the caller commits."""
    email = normalise_email(data.email)
    problems = []
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        problems.append(problem("email", "email_taken"))
    problems += _check_password(data.password, email, data.full_name, "password")
    _refuse(problems)
    user = User(
        email=email,
        full_name=data.full_name,
        role=data.role,
        discipline=data.discipline,
        password_hash=hash_password(data.password, profile),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, AuditAction.USER_CREATED, "user", user.id, detail=f"role {data.role.value}")
    return user


def update_user(actor: User, user: User, data: UserDetailsInput) -> User:
    """Change a user's name, role or discipline (a new role ends their sessions); the caller commits."""
    if user.role == Role.ADMIN and data.role != Role.ADMIN and user.is_active and _active_admin_count() <= 1:
        raise ValidationFailed([problem("role", "last_admin_role")])
    role_changed = user.role != data.role
    changes = []
    if role_changed:
        changes.append(f"role {user.role.value} -> {data.role.value}")
    if user.discipline != data.discipline:
        changes.append("discipline changed")
    if user.full_name != data.full_name:
        changes.append("name changed")
    user.full_name, user.role, user.discipline = data.full_name, data.role, data.discipline
    if changes:
        audit.record(actor, AuditAction.USER_UPDATED, "user", user.id, detail="; ".join(changes))
    if role_changed:
        # A new role means new permissions: make them sign in again under it.
        end_all_sessions(user, "role_changed")
    db.session.flush()
    return user


def deactivate_user(actor: User, user: User) -> None:
    """Deactivate an account and end its sessions (accounts are never deleted); the caller commits.

    Refusals are ValidationFailed, not NotPermitted: the administrator may do this in general,
    this account's state forbids it now, and they read why on the page they were on."""
    if user.id == actor.id:
        raise ValidationFailed([problem(None, "own_account_deactivation")])
    if not user.is_active:
        raise ValidationFailed([problem(None, "account_already_inactive")])
    if user.role == Role.ADMIN and _active_admin_count() <= 1:
        raise ValidationFailed([problem(None, "last_admin_deactivation")])
    user.is_active = False
    user.deactivated_at = utcnow()
    end_all_sessions(user, "deactivated")
    audit.record(actor, AuditAction.USER_DEACTIVATED, "user", user.id)
    db.session.flush()


def reactivate_user(actor: User, user: User) -> None:
    """Let a deactivated account sign in again; the caller commits."""
    if user.is_active:
        raise ValidationFailed([problem(None, "account_already_active")])
    user.is_active = True
    user.deactivated_at = None
    audit.record(actor, AuditAction.USER_REACTIVATED, "user", user.id)
    db.session.flush()


def reset_password(actor: User, user: User, data: ResetPasswordInput, *, profile: str) -> None:
    """Set a temporary password the user must change at next sign-in and end their sessions; the caller commits."""
    _refuse(_check_password(data.password, user.email, user.full_name, "password"))
    user.password_hash = hash_password(data.password, profile)
    user.must_change_password = True
    end_all_sessions(user, "password_reset")
    audit.record(actor, AuditAction.PASSWORD_RESET, "user", user.id)
    db.session.flush()


def change_own_password(
    user: User, data: ChangePasswordInput, *, profile: str, current_token: str | None = None
) -> None:
    """Change one's own password after proving the current one; other sessions end. The caller commits."""
    problems = []
    if not verify_password(user.password_hash, data.current_password, profile):
        problems.append(problem("current_password", "password_not_current"))
    problems += _check_password(data.new_password, user.email, user.full_name, "new_password")
    if verify_password(user.password_hash, data.new_password, profile):
        problems.append(problem("new_password", "password_unchanged"))
    _refuse(problems)
    user.password_hash = hash_password(data.new_password, profile)
    user.must_change_password = False
    end_all_sessions(user, "password_changed", keep_token=current_token)
    audit.record(user, AuditAction.PASSWORD_CHANGED, "user", user.id)
    db.session.flush()


def unlock_sign_in(actor: User, user: User) -> None:
    """Lift the failed-sign-in limits of an account, from every address; the caller commits the
    audit row. The limits live in Redis (or memory), not the database: they are lifted at once."""
    audit.record(actor, AuditAction.SIGN_IN_UNLOCKED, "user", user.id)
    db.session.flush()
    if not sign_in_throttle.unlock(user.email):
        raise ValidationFailed([problem(None, "sign_in_unlock_unavailable")])
