"""Finding staff accounts (read-only queries for the admin pages)."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import User, UserSession
from coordinator.roles import Role
from coordinator.services.pagination import Page, paginate


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_users(query: str | None, role: str | None, status: str | None, page: int, per_page: int) -> Page:
    """Users matching a name/email fragment, role and status, ordered by name."""
    statement = sa.select(User)
    if query and query.strip():
        pattern = f"%{escape_like(query.strip().lower())}%"
        statement = statement.where(
            sa.or_(
                sa.func.lower(User.full_name).like(pattern, escape="\\"),
                User.email.like(pattern, escape="\\"),
            )
        )
    if role:
        statement = statement.where(User.role == Role(role))
    if status == "active":
        statement = statement.where(User.is_active.is_(True))
    elif status == "inactive":
        statement = statement.where(User.is_active.is_(False))
    return paginate(statement.order_by(sa.func.lower(User.full_name), User.id), page, per_page)


def open_sessions(user_id: int) -> list[UserSession]:
    return list(
        db.session.execute(
            sa.select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
            .order_by(UserSession.created_at.desc())
        ).scalars()
    )
