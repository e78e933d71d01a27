"""Managing staff accounts: create, edit, deactivate, reset and change passwords."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import User, utcnow
from coordinator.passwords import hash_password, password_problems, verify_password
from coordinator.roles import Discipline, Role
from coordinator.services import audit
from coordinator.services.authentication import end_all_sessions, normalise_email


def _check_discipline(role: Role, discipline: Discipline | None) -> list[tuple[str, str]]:
    if role == Role.CLINICIAN and discipline is None:
        return [("discipline", "Choose the clinician's discipline.")]
    if role != Role.CLINICIAN and discipline is not None:
        return [("discipline", "Only clinicians have a discipline; leave it empty for this role.")]
    return []


def _check_password(password: str, email: str, full_name: str, field: str) -> list[tuple[str, str]]:
    return [(field, problem) for problem in password_problems(password, email=email, full_name=full_name)]


def _active_admin_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(User).where(User.role == Role.ADMIN, User.is_active.is_(True))
    )


def create_user(
    actor,
    *,
    email: str,
    full_name: str,
    role: Role,
    discipline: Discipline | None,
    password: str,
    profile: str,
    must_change_password: bool = True,
) -> User:
    """Create a staff account; the caller commits. Raises ValidationFailed on any problem."""
    email = normalise_email(email)
    full_name = (full_name or "").strip()
    problems = _check_discipline(role, discipline)
    if not full_name:
        problems.append(("full_name", "Enter the person's full name."))
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        problems.append(("email", "An account with this email already exists."))
    problems += _check_password(password, email, full_name, "password")
    if problems:
        raise ValidationFailed(problems)
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        discipline=discipline,
        password_hash=hash_password(password, profile),
        must_change_password=must_change_password,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, AuditAction.USER_CREATED, "user", user.id, detail=f"role {role.value}")
    return user


def update_user(actor: User, user: User, *, full_name: str, role: Role, discipline: Discipline | None) -> User:
    """Change a user's name, role or discipline; the caller commits."""
    full_name = (full_name or "").strip()
    problems = _check_discipline(role, discipline)
    if not full_name:
        problems.append(("full_name", "Enter the person's full name."))
    if user.role == Role.ADMIN and role != Role.ADMIN and user.is_active and _active_admin_count() <= 1:
        problems.append(("role", "This is the last active administrator; make someone else an administrator first."))
    if problems:
        raise ValidationFailed(problems)
    changes = []
    if user.role != role:
        changes.append(f"role {user.role.value} -> {role.value}")
    if user.discipline != discipline:
        changes.append("discipline changed")
    if user.full_name != full_name:
        changes.append("name changed")
    user.full_name, user.role, user.discipline = full_name, role, discipline
    if changes:
        audit.record(actor, AuditAction.USER_UPDATED, "user", user.id, detail="; ".join(changes))
        if any(c.startswith("role") for c in changes):
            # A new role means new permissions: make them sign in again under it.
            end_all_sessions(user, "role_changed")
    db.session.flush()
    return user


def deactivate_user(actor: User, user: User) -> None:
    """Deactivate an account and end its sessions (accounts are never deleted)."""
    if user.id == actor.id:
        raise NotPermitted("You cannot deactivate your own account.")
    if not user.is_active:
        raise NotPermitted("This account is already deactivated.")
    if user.role == Role.ADMIN and _active_admin_count() <= 1:
        raise NotPermitted("This is the last active administrator.")
    user.is_active = False
    user.deactivated_at = utcnow()
    end_all_sessions(user, "deactivated")
    audit.record(actor, AuditAction.USER_DEACTIVATED, "user", user.id)
    db.session.flush()


def reactivate_user(actor: User, user: User) -> None:
    """Let a deactivated account sign in again."""
    if user.is_active:
        raise NotPermitted("This account is already active.")
    user.is_active = True
    user.deactivated_at = None
    audit.record(actor, AuditAction.USER_REACTIVATED, "user", user.id)
    db.session.flush()


def reset_password(actor: User, user: User, new_password: str, profile: str) -> None:
    """Set a temporary password the user must change at next sign-in; ends their sessions."""
    problems = _check_password(new_password, user.email, user.full_name, "password")
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new_password, profile)
    user.must_change_password = True
    end_all_sessions(user, "password_reset")
    audit.record(actor, AuditAction.PASSWORD_RESET, "user", user.id)
    db.session.flush()


def change_own_password(
    user: User, current_password: str, new_password: str, profile: str, current_token: str | None = None
) -> None:
    """Change one's own password after proving the current one; other sessions end."""
    problems = []
    if not verify_password(user.password_hash, current_password, profile):
        problems.append(("current_password", "That is not your current password."))
    problems += _check_password(new_password, user.email, user.full_name, "new_password")
    if verify_password(user.password_hash, new_password, profile):
        problems.append(("new_password", "Choose a password different from the current one."))
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(new_password, profile)
    user.must_change_password = False
    end_all_sessions(user, "password_changed", keep_token=current_token)
    audit.record(user, AuditAction.PASSWORD_CHANGED, "user", user.id)
    db.session.flush()
