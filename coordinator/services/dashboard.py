"""What each user sees on their home page."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, User, utcnow
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import break_glass, finance_access, inquiry_access, tasks, work_queue

SPEED_TO_LEAD_DAYS = 30


@dataclass
class HomeSummary:
    """The home page's numbers; which panels show follows the user's role, decided here."""

    user: User
    idle_minutes: int
    shows_accounts: bool = False
    shows_work_queue: bool = False  # billing's sections and search
    active_users_by_role: dict[str, int] = field(default_factory=dict)
    inactive_users: int = 0
    recent_events: list[AuditEvent] = field(default_factory=list)
    tasks: list = field(default_factory=list)
    tasks_open_by: str = "inquiry"  # the page this user opens a task's record by
    unassigned: work_queue.Section | None = None
    work_queue: list[work_queue.Section] = field(default_factory=list)
    pipeline: list[tuple[InquiryStatus, int]] = field(default_factory=list)
    uncontacted: int = 0
    median_first_contact: timedelta | None = None
    contacted_count: int = 0
    unreviewed_grants: int = 0  # break-the-glass grants waiting for an administrator's review


def home_summary(user: User, config, today: date) -> HomeSummary:
    """Gather the home page's numbers (read only): everyone's tasks and the unassigned inquiries
    they may open; billing's work queue; administrators also see accounts and recent activity."""
    summary = HomeSummary(
        user=user,
        idle_minutes=int(config["IDLE_TIMEOUT"].total_seconds() // 60),
        shows_accounts=user.role == Role.ADMIN,
        shows_work_queue=user.role == Role.BILLING,
        tasks_open_by=tasks.opens_record_by(user),
    )
    clinical = user.role in inquiry_access.READERS
    glass_ids = work_queue.grants_for(user)  # clinical ones, or billing's finance ones
    summary.tasks = tasks.my_tasks(user, glass_ids=glass_ids)
    if clinical or user.role in finance_access.READERS:
        summary.unassigned = work_queue.unassigned(user, glass_ids)
    if summary.shows_work_queue:
        summary.work_queue = work_queue.billing_queue(user, today, glass_ids)
    if clinical:
        _pipeline(summary, inquiry_access.visible_condition(user, glass_ids))
    if summary.shows_accounts:
        summary.unreviewed_grants = break_glass.unreviewed_count()
        rows = db.session.execute(
            sa.select(User.role, User.is_active, sa.func.count()).group_by(User.role, User.is_active)
        ).all()
        for role, active, count in rows:
            if active:
                summary.active_users_by_role[Role(role).label] = count
            else:
                summary.inactive_users += count
        summary.recent_events = list(
            db.session.execute(
                sa.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(8)
            ).scalars()
        )
    return summary


def _pipeline(summary: HomeSummary, visible) -> None:
    """Inquiries per status, those never contacted, and speed to lead (median time to first contact).

    Only of the inquiries the user may see (`visible`): the list filtered by a status leaves out
    restricted records they cannot open, so a count that included them would tell their status."""
    counts = dict(
        db.session.execute(
            sa.select(Inquiry.status, sa.func.count())
            .where(Inquiry.merged_into_id.is_(None), visible)
            .group_by(Inquiry.status)
        ).all()
    )
    summary.pipeline = [(status, counts.get(status, 0)) for status in InquiryStatus]
    summary.uncontacted = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Inquiry)
        .where(
            visible,
            Inquiry.merged_into_id.is_(None),
            Inquiry.first_contact_at.is_(None),
            Inquiry.status.in_([InquiryStatus.NEW, InquiryStatus.CONTACTED]),
        )
    )
    since = utcnow() - timedelta(days=SPEED_TO_LEAD_DAYS)
    spans = [
        (contact - arrived).total_seconds()
        for arrived, contact in db.session.execute(
            sa.select(Inquiry.arrived_at, Inquiry.first_contact_at).where(
                visible, Inquiry.arrived_at >= since, Inquiry.first_contact_at.is_not(None)
            )
        )
    ]
    summary.contacted_count = len(spans)
    if spans:
        summary.median_first_contact = timedelta(seconds=statistics.median(spans))
