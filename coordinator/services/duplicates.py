"""Possible duplicates as a reader sees them: a match to a record they may not open says only
that it exists ("matches a record you cannot see"), never its number, status, dates or name.

A flag is written when an inquiry arrives (`intake.flag_possible_duplicates`, audited as
`possible_duplicate_flagged` on the earlier record). Every time a record page shows its flags,
each one shown is audited on the other record: `possible_duplicate_shown` when the reader saw
its number, status and arrival, `possible_duplicate_withheld` when it was shown as a record they
cannot see. Dismissing and merging are `merges`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import Inquiry, PossibleDuplicate, User
from coordinator.services import audit
from coordinator.services.inquiry_access import can_see, open_break_glass_ids


@dataclass(frozen=True)
class DuplicateRow:
    """One open flag on a record page; `visible` False means: show nothing of the other record."""

    flag: PossibleDuplicate
    visible: bool


def shown_on(user: User, inquiry: Inquiry) -> list[DuplicateRow]:
    """The inquiry's open possible-duplicate flags as `user` may see them (two queries: grants,
    flags with the other inquiry); each one shown is audited on the other record."""
    glass_ids = open_break_glass_ids(user)
    flags = db.session.scalars(
        sa.select(PossibleDuplicate)
        .options(joinedload(PossibleDuplicate.other))
        .where(PossibleDuplicate.inquiry_id == inquiry.id, PossibleDuplicate.dismissed_at.is_(None))
        .order_by(PossibleDuplicate.other_inquiry_id)
    )
    rows = [DuplicateRow(flag, can_see(user, flag.other, glass_ids)) for flag in flags]
    rows.sort(key=lambda row: not row.visible)  # the ones the reader cannot see last, placed by nothing
    for row in rows:
        action = AuditAction.POSSIBLE_DUPLICATE_SHOWN if row.visible else AuditAction.POSSIBLE_DUPLICATE_WITHHELD
        audit.record(user, action, "inquiry", row.flag.other_inquiry_id, detail=f"on inquiry {inquiry.id}")
    return rows


def first_visible_match(rows: list[DuplicateRow]) -> int | None:
    """The number of the first match the reader may see (the merge form's suggestion), if any."""
    return next((row.flag.other_inquiry_id for row in rows if row.visible), None)
