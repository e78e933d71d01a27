"""The pipeline board: one column per inquiry status, a card per inquiry (issue 13, item 10).

Reading only: moving a card is `pipeline.transition`, the same use case as the record page's
status form, so the lifecycle table and its reasons apply unchanged.

Costs do not grow with the data: a column shows at most `per_column` cards (the oldest arrival
first in open columns, the newest in closed ones), read by a LIMITed query that an index
serves (`ix_inquiry_live_status_arrived`, or the assignee / source variant when filtered:
migration 0017); the number of cards each column holds is counted up to `COLUMN_COUNT_CAP`
in one statement; the cards' next tasks are one statement. So a board is a fixed number of
statements whatever the number of inquiries (a query-count test holds it).

Restricted records the reader may not open are never cards: a card in a column would tell
its status (and its name, source, assignee and times). Like the inquiry list's hidden block,
they are listed apart by number only, with a link where the reader can break the glass, and
only on the unfiltered board (a filter must not tell whether a hidden record matches it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.contracts.pipeline import BoardFilter
from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, User
from coordinator.roles import Role
from coordinator.rules import inquiry_lifecycle as lifecycle
from coordinator.rules.inquiry_lifecycle import InquiryAction, InquiryStatus
from coordinator.services import audit, records
from coordinator.services.inquiry_access import hidden_condition, open_break_glass_ids, visible_condition

OPEN_COLUMNS = (
    InquiryStatus.NEW,
    InquiryStatus.CONTACTED,
    InquiryStatus.SCREENING,
    InquiryStatus.VERIFYING,
    InquiryStatus.PLACEMENT_OFFERED,
)
CLOSED_COLUMNS = (InquiryStatus.ADMITTED, InquiryStatus.DECLINED, InquiryStatus.REFERRED_OUT, InquiryStatus.LOST)
COLUMN_COUNT_CAP = 500
HIDDEN_SHOWN = 20
# Admitting needs a program, a date and financial clearance: the record page's admit box does it.
ON_RECORD_PAGE = frozenset({InquiryAction.ADMIT})


@dataclass(frozen=True)
class Card:
    inquiry: Inquiry
    next_task: FollowUpTask | None
    actions: tuple[InquiryAction, ...]  # what the card's "Move to…" menu offers

    @property
    def time_to_first_contact(self) -> timedelta | None:
        if self.inquiry.first_contact_at is None:
            return None
        return self.inquiry.first_contact_at - self.inquiry.arrived_at

    @property
    def reason_actions(self) -> tuple[InquiryAction, ...]:
        """The menu's actions that need a reason (exits and reopening): the form asks for one."""
        return tuple(a for a in self.actions if a in lifecycle.REASON_REQUIRED)

    @property
    def admit_on_record_page(self) -> bool:
        return InquiryAction.ADMIT in lifecycle.allowed_actions(self.inquiry.status)


@dataclass(frozen=True)
class Column:
    status: InquiryStatus
    cards: list[Card]
    total: int  # cards in this column, counted up to COLUMN_COUNT_CAP
    capped: bool  # more than `total`

    @property
    def more(self) -> int:
        """Cards in the column beyond those shown (at least this many when `capped`)."""
        return self.total - len(self.cards)


@dataclass(frozen=True)
class Board:
    columns: list[Column]
    hidden_ids: list[int]  # restricted records the reader may not open, by number
    hidden_total: int
    hidden_capped: bool


def target_of(status: InquiryStatus, action: InquiryAction) -> InquiryStatus:
    """Where `action` takes a card in `status` (for the menu's words: "Move to Screening")."""
    return lifecycle.TRANSITIONS[(status, action)]


def read_board(user: User, filters: BoardFilter, per_column: int) -> Board:
    """The board as `user` may see it, filtered; audited as a listing of the cards shown."""
    glass_ids = open_break_glass_ids(user)
    base = sa.select(Inquiry).where(Inquiry.merged_into_id.is_(None), visible_condition(user, glass_ids))
    base = _filtered(base, user, filters)
    statuses = OPEN_COLUMNS + (CLOSED_COLUMNS if filters.closed else ())
    counts = _column_counts(base, statuses)
    columns_rows = {status: _column_rows(base, status, per_column) for status in statuses}
    shown = [inquiry for rows in columns_rows.values() for inquiry in rows]
    tasks = _next_tasks([i.id for i in shown if i.status not in lifecycle.TERMINAL])
    columns = []
    for status in statuses:
        total, capped = counts[status]
        cards = [Card(i, tasks.get(i.id), _menu(i.status)) for i in columns_rows[status]]
        columns.append(Column(status, cards, max(total, len(cards)), capped))
    hidden_ids, hidden_total, hidden_capped = [], 0, False
    if user.role != Role.ADMIN and not _is_filtered(filters):
        hidden_ids, hidden_total, hidden_capped = _hidden(user, glass_ids)
    audit.record_listing(user, AuditAction.PIPELINE_BOARD_VIEWED, "inquiry", [i.id for i in shown] + hidden_ids)
    return Board(columns, hidden_ids, hidden_total, hidden_capped)


def _menu(status: InquiryStatus) -> tuple[InquiryAction, ...]:
    return tuple(a for a in lifecycle.allowed_actions(status) if a not in ON_RECORD_PAGE)


def _is_filtered(filters: BoardFilter) -> bool:
    return bool(filters.assignee or filters.source)


def _filtered(statement, user: User, filters: BoardFilter):
    if filters.source:
        statement = statement.where(Inquiry.referral_source == filters.source)
    if filters.assignee == "me":
        statement = statement.where(Inquiry.assigned_to_id == user.id)
    elif filters.assignee == "none":
        statement = statement.where(Inquiry.assigned_to_id.is_(None))
    elif filters.assignee and filters.assignee.isdecimal() and records.valid_id(int(filters.assignee)):
        statement = statement.where(Inquiry.assigned_to_id == int(filters.assignee))
    return statement


def _column_rows(base, status: InquiryStatus, limit: int) -> list[Inquiry]:
    """A column's first cards: open columns oldest arrival first (who has waited longest),
    closed ones newest first; one LIMITed, index-ordered query."""
    newest_first = status in CLOSED_COLUMNS
    order = (Inquiry.arrived_at.desc(), Inquiry.id.desc()) if newest_first else (Inquiry.arrived_at, Inquiry.id)
    statement = (
        base.where(Inquiry.status == status).options(joinedload(Inquiry.assigned_to)).order_by(*order).limit(limit)
    )
    return list(db.session.scalars(statement))


def _column_counts(base, statuses) -> dict[InquiryStatus, tuple[int, bool]]:
    """Each column's number of cards, counted no further than the cap, in one statement."""
    cap = COLUMN_COUNT_CAP
    counts = [
        sa.select(sa.func.count())
        .select_from(base.where(Inquiry.status == status).with_only_columns(sa.literal(1)).limit(cap + 1).subquery())
        .scalar_subquery()
        for status in statuses
    ]
    row = db.session.execute(sa.select(*counts)).one()
    return {status: (min(n, cap), n > cap) for status, n in zip(statuses, row, strict=True)}


def _next_tasks(inquiry_ids: list[int]) -> dict[int, FollowUpTask]:
    """Each inquiry's open task due soonest, in one statement."""
    if not inquiry_ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(partition_by=FollowUpTask.inquiry_id, order_by=(FollowUpTask.due_at, FollowUpTask.id))
        .label("rank")
    )
    ranked = (
        sa.select(FollowUpTask.id, rank)
        .where(FollowUpTask.inquiry_id.in_(inquiry_ids), FollowUpTask.completed_at.is_(None))
        .subquery()
    )
    statement = sa.select(FollowUpTask).join(ranked, ranked.c.id == FollowUpTask.id).where(ranked.c.rank == 1)
    return {task.inquiry_id: task for task in db.session.scalars(statement)}


def _hidden(user: User, glass_ids: frozenset[int]) -> tuple[list[int], int, bool]:
    """The restricted records `user` may not open: the first by number and how many (capped)."""
    hidden = sa.select(Inquiry.id).where(Inquiry.merged_into_id.is_(None), hidden_condition(user, glass_ids))
    cap = COLUMN_COUNT_CAP
    count = sa.select(sa.func.count()).select_from(hidden.limit(cap + 1).subquery()).scalar_subquery()
    rows = db.session.execute(sa.select(hidden.order_by(Inquiry.id).limit(HIDDEN_SHOWN).subquery().c.id, count)).all()
    total = rows[0][1] if rows else 0
    return [r[0] for r in rows], min(total, cap), total > cap
