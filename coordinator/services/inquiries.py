"""Inquiries as records: the list and its search, the record page's parts, the timeline.

Who may open an inquiry (and break-the-glass) is `inquiry_access`; moving one along is
`pipeline`; duplicates as a reader sees them are `duplicates`, merges `merges`; taking one in is `intake`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_zone
from coordinator.contracts.pipeline import InquiryFilter
from coordinator.contracts.values.cursor import ListCursor
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind, InquirySort
from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, InquiryActivity, OpioidRegimenLine, User
from coordinator.roles import Role
from coordinator.rules.search_text import fold
from coordinator.services import audit, records
from coordinator.services.inquiry_access import can_see, hidden_condition, open_break_glass_ids, visible_condition
from coordinator.services.pagination import Part, SeekPage, capped_count, seek
from coordinator.services.user_directory import escape_like

# --- lists ------------------------------------------------------------------------------------

ASC, DESC = False, True

# Each sort's keys for the rows the reader may see; rows they may not see come after them as one
# block ordered by number only (`search`).
SORTS = {
    InquirySort.NEWEST: ((Inquiry.arrived_at, DESC), (Inquiry.id, DESC)),
    InquirySort.OLDEST: ((Inquiry.arrived_at, ASC), (Inquiry.id, ASC)),
    InquirySort.UPDATED: ((Inquiry.status_changed_at, DESC), (Inquiry.id, DESC)),
    InquirySort.NAME: ((Inquiry.patient_name_key, ASC), (Inquiry.id, ASC)),
    InquirySort.URGENCY: (
        (sa.case({"urgent": 0, "soon": 1}, value=Inquiry.urgency, else_=2), ASC),
        (Inquiry.arrived_at, ASC),
        (Inquiry.id, ASC),
    ),
}


@dataclass(frozen=True)
class ListRow:
    inquiry: Inquiry
    visible: bool


# The kinds of each sort's keys, as a cursor carries them (`contracts/values/cursor.py`).
KEY_KINDS = {
    InquirySort.NEWEST: ("time", "id"),
    InquirySort.OLDEST: ("time", "id"),
    InquirySort.UPDATED: ("time", "id"),
    InquirySort.NAME: ("text", "id"),
    InquirySort.URGENCY: ("id", "time", "id"),
}
_URGENCY_RANK = {"urgent": 0, "soon": 1}


def _keys_of(sort: InquirySort):
    if sort in (InquirySort.NEWEST, InquirySort.OLDEST):
        return lambda i: (i.arrived_at, i.id)
    if sort is InquirySort.UPDATED:
        return lambda i: (i.status_changed_at, i.id)
    if sort is InquirySort.NAME:
        return lambda i: (i.patient_name_key, i.id)
    return lambda i: (_URGENCY_RANK.get(i.urgency.value, 2), i.arrived_at, i.id)


def search(user: User, filters: InquiryFilter, per_page: int) -> tuple[SeekPage, list[ListRow]]:
    """One page of inquiries by keyset pagination; audited. Statements per page do not depend on
    the data: grants, a count capped at `COUNT_CAP`, the rows (and, for a reader with rows they
    may not see, a look into the next part of the list).

    Rows the reader may not see are listed (so they can break the glass) but never found by a
    search or a filter on their private columns, and come after the others as one block by number:
    the list is two parts, the visible rows by the sort, then the hidden ones by id, and a cursor
    says which part it is in. Each part's query is served by an index (migration 0011)."""
    zone = clinic_zone()
    glass_ids = open_break_glass_ids(user)
    visible = visible_condition(user, glass_ids)
    statement = sa.select(Inquiry).options(joinedload(Inquiry.assigned_to)).where(Inquiry.merged_into_id.is_(None))
    statement = _narrowed(statement, user, filters, zone)
    filtered = _filtered(filters)
    if filtered:
        # A restricted record never matches a search or filter by someone who may not see it:
        # whether it did would tell its name, phone, status, source, assignee or arrival.
        statement = statement.where(visible)
    total = capped_count(statement)
    parts = [
        Part("visible", statement.where(visible), SORTS[filters.sort], _keys_of(filters.sort), KEY_KINDS[filters.sort])
    ]
    if user.role != Role.ADMIN and not filtered:
        hidden = hidden_condition(user, glass_ids)
        parts.append(Part("hidden", statement.where(hidden), ((Inquiry.id, ASC),), lambda i: (i.id,), ("id",)))
    cursor = filters.cursor
    if cursor is None and filters.on_or_before and filters.sort is InquirySort.NEWEST:
        # Jump: the newest arrivals on or before that day (the key sorts just after its end).
        cursor = ListCursor(
            "visible", False, filters.sort.value, (_start_of(filters.on_or_before + timedelta(days=1), zone), 0)
        )
    page = seek(parts, cursor, per_page, sort=filters.sort.value, total=total)
    rows = [ListRow(inquiry, can_see(user, inquiry, glass_ids)) for inquiry in page.items]
    first = 1 if page.first is None else None  # later pages have no number, only a position
    audit.record_listing(user, AuditAction.INQUIRIES_LISTED, "inquiry", (r.inquiry.id for r in rows), page=first)
    return page, rows


def _narrowed(statement, user: User, filters: InquiryFilter, zone):
    if filters.q and filters.q.strip():
        text = " ".join(filters.q.casefold().split())
        pattern = f"%{escape_like(text)}%"
        # Names are stored folded (accents and case ignored) and searched folded, so "Zoe" finds
        # "Zoë"; the trigram indexes on the key columns serve both (migrations 0012 and 0018).
        name_pattern = f"%{escape_like(fold(text))}%"
        matches = [
            Inquiry.patient_name_key.like(name_pattern, escape="\\"),
            Inquiry.caller_name_key.like(name_pattern, escape="\\"),
            Inquiry.caller_email_key.like(pattern, escape="\\"),
            Inquiry.patient_email_key.like(pattern, escape="\\"),
        ]
        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) >= 4:
            digit_pattern = f"%{digits}%"
            matches += [
                Inquiry.caller_phone_digits.like(digit_pattern),
                Inquiry.patient_phone_digits.like(digit_pattern),
            ]
        statement = statement.where(sa.or_(*matches))
    if filters.status:
        statement = statement.where(Inquiry.status == filters.status)
    if filters.source:
        statement = statement.where(Inquiry.referral_source == filters.source)
    if filters.assignee == "me":
        statement = statement.where(Inquiry.assigned_to_id == user.id)
    elif filters.assignee == "none":
        statement = statement.where(Inquiry.assigned_to_id.is_(None))
    elif filters.assignee and filters.assignee.isdecimal() and records.valid_id(int(filters.assignee)):
        statement = statement.where(Inquiry.assigned_to_id == int(filters.assignee))
    if filters.arrived_from:
        statement = statement.where(Inquiry.arrived_at >= _start_of(filters.arrived_from, zone))
    if filters.arrived_to:
        statement = statement.where(Inquiry.arrived_at < _start_of(filters.arrived_to + timedelta(days=1), zone))
    return statement


def _filtered(filters: InquiryFilter) -> bool:
    """Whether the list is narrowed by anything a hidden row's private columns could answer."""
    return bool(
        (filters.q and filters.q.strip())
        or filters.status
        or filters.source
        or filters.assignee
        or filters.arrived_from
        or filters.arrived_to
    )


def _start_of(day: date, zone) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def assignable_users() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role.in_([Role.ADMISSIONS, Role.CASE_MANAGER, Role.ADMIN]))
            .order_by(sa.func.lower(User.full_name))
        )
    )


# --- the record page ----------------------------------------------------------------------------


def add_activity(inquiry: Inquiry, actor: User, kind: ActivityKind, **fields) -> InquiryActivity:
    """Add an entry to the inquiry's timeline (the caller commits)."""
    activity = InquiryActivity(inquiry_id=inquiry.id, kind=kind, actor_id=actor.id, **fields)
    db.session.add(activity)
    return activity


def timeline(inquiry: Inquiry) -> list[InquiryActivity]:
    return list(
        db.session.scalars(
            sa.select(InquiryActivity)
            .options(joinedload(InquiryActivity.actor))
            .where(InquiryActivity.inquiry_id == inquiry.id)
            .order_by(InquiryActivity.occurred_at.desc(), InquiryActivity.id.desc())
        )
    )


def regimen_of(inquiry: Inquiry) -> list[OpioidRegimenLine]:
    return list(
        db.session.scalars(
            sa.select(OpioidRegimenLine)
            .where(OpioidRegimenLine.inquiry_id == inquiry.id)
            .order_by(OpioidRegimenLine.position)
        )
    )


def admission_of(inquiry: Inquiry) -> Admission | None:
    return db.session.scalar(
        sa.select(Admission)
        .options(joinedload(Admission.program), joinedload(Admission.patient))
        .where(Admission.inquiry_id == inquiry.id)
    )


def time_to_first_contact(inquiry: Inquiry) -> timedelta | None:
    if inquiry.first_contact_at is None:
        return None
    return inquiry.first_contact_at - inquiry.arrived_at
