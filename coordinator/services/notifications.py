"""In-app notifications, read by their owner only: the bell's count, the list, marking as read.

Every function takes the user whose notifications it touches and filters on it in SQL, so
an id belonging to someone else behaves exactly like an id that does not exist (no IDOR).
Notifications are written by the outbox's in-app channel (coordinator/outbox/); their
texts name no patient and no clinical detail, only what needs doing and a link.
"""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.contracts.notifications import NotificationFilterInput, NotificationShow
from coordinator.errors import NotFound
from coordinator.extensions import db
from coordinator.models import Notification, User, utcnow
from coordinator.services.pagination import Part, SeekPage, capped_count, seek


def unread_count(user_id: int) -> int:
    """How many of this user's notifications are unread: one indexed COUNT."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def list_for(user: User, criteria: NotificationFilterInput, per_page: int) -> SeekPage:
    """One page of the user's notifications, unread first, each newest first, by keyset pages
    (`pagination.seek`: two parts, unread then read) and a count capped at 1,000."""
    statement = sa.select(Notification).where(Notification.user_id == user.id)
    unread = Notification.read_at.is_(None)
    keys = ((Notification.created_at, True), (Notification.id, True))

    def part(name: str, condition) -> Part:
        return Part(name, statement.where(condition), keys, lambda n: (n.created_at, n.id), ("time", "id"))

    parts = [part("unread", unread)]
    if criteria.show == NotificationShow.UNREAD:
        statement = statement.where(unread)
    else:
        parts.append(part("read", ~unread))
    return seek(parts, criteria.cursor, per_page, sort=criteria.show.value, total=capped_count(statement))


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (idempotent); NotFound for anyone else's. Caller commits."""
    notification = db.session.scalar(
        sa.select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    )
    if notification is None:
        raise NotFound("No such notification.")
    if notification.read_at is None:
        notification.read_at = utcnow()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read in one UPDATE; returns how many. Caller commits."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
