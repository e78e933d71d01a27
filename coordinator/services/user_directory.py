"""Finding staff accounts for the admin pages: the searchable list and one account (both audited)."""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa

from coordinator.contracts.accounts import AccountStatus, UserFilterInput
from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import User, UserSession
from coordinator.services import audit, records
from coordinator.services.pagination import Part, SeekPage, capped_count, seek


def load_user(user_id: int) -> User:
    """The account with this id, or NotFound."""
    return records.load(User, user_id)


def open_user(actor: User, user_id: int) -> User:
    """The account with this id for an administrator to look at (audited), or NotFound; the caller commits."""
    user = load_user(user_id)
    audit.record(actor, AuditAction.USER_VIEWED, "user", user.id)
    return user


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_users(actor: User, criteria: UserFilterInput, per_page: int) -> SeekPage:
    """One page of accounts matching a name/email fragment, role and status, by name then id, by
    keyset pages and a capped count (`pagination.seek`: the same statements on any page, however
    many accounts); audited; the caller commits."""
    sort_name = sa.func.lower(User.full_name)
    statement = sa.select(User, sort_name.label("sort_name"))
    if criteria.q:
        pattern = f"%{escape_like(criteria.q.lower())}%"
        statement = statement.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if criteria.role is not None:
        statement = statement.where(User.role == criteria.role)
    if criteria.status is not None:
        statement = statement.where(User.is_active.is_(criteria.status == AccountStatus.ACTIVE))
    part = Part("all", statement, ((sort_name, False), (User.id, False)), _keys_of, ("text", "id"), scalars=False)
    page = seek([part], criteria.cursor, per_page, sort="name", total=capped_count(statement))
    audit.record(actor, AuditAction.USERS_LISTED, "user", None)
    return dataclasses.replace(page, items=[user for user, _ in page.items])


def _keys_of(row) -> tuple:
    return (row.sort_name, row[0].id)  # the database's lower(), so the next page starts where this ended


def open_sessions(user_id: int) -> list[UserSession]:
    """The account's sessions that have not ended, newest first."""
    return list(
        db.session.execute(
            sa.select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        ).scalars()
    )
