"""Reminders are data: written in the same transaction as the change that makes them due.

Each domain change calls one of these functions before its caller commits, so a reminder
exists exactly when its cause does: an inquiry arrives → "first contact due"; a task is
added → "task due" and "task overdue"; a PHQ-9 with item 9 above zero → "safety flag"; and
the sweep adds each admissions user's daily digest. When the condition resolves, the
pending reminders are cancelled; when a due time changes, they are rescheduled. Nothing here
commits: the caller's transaction carries the reminder with its cause. Sending them is the
outbox's work (`coordinator/outbox/`); staff retry and cancel in services/reminder_admin.py.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from coordinator.contracts.reminders import CANCEL_REASON_LIMIT
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    FollowUpTask,
    Inquiry,
    Installment,
    PaymentPlan,
    Reminder,
    Screening,
    User,
    utcnow,
)
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.payment_plan_lifecycle import PlanStatus
from coordinator.rules.reminder_lifecycle import LIFECYCLE, ReminderAction, ReminderStatus, sources, target


def schedule(
    kind: ReminderKind,
    due_at: datetime,
    dedupe_key: str,
    *,
    inquiry_id: int | None = None,
    task_id: int | None = None,
    screening_id: int | None = None,
    recipient_user_id: int | None = None,
    authorization_id: int | None = None,
    installment_id: int | None = None,
    break_glass_id: int | None = None,
    waitlist_entry_id: int | None = None,
    admission_id: int | None = None,
) -> Reminder:
    """Add a reminder to the caller's transaction, or return the one with the same key.

    The unique dedupe key decides, in one statement: INSERT ... ON CONFLICT DO NOTHING
    RETURNING the new row. Only when the key is taken is the existing reminder read: a
    cancelled one is reopened (a task moved back to its earlier due time wants its reminders
    again); a sent one is never sent again.
    """
    values = {
        "kind": kind,
        "due_at": due_at,
        "dedupe_key": dedupe_key,
        "inquiry_id": inquiry_id,
        "task_id": task_id,
        "screening_id": screening_id,
        "recipient_user_id": recipient_user_id,
        "authorization_id": authorization_id,
        "installment_id": installment_id,
        "break_glass_id": break_glass_id,
        "waitlist_entry_id": waitlist_entry_id,
        "admission_id": admission_id,
        "status": ReminderStatus.PENDING,
        "attempts": 0,
    }
    statement = _insert_for_dialect()(Reminder).values(values)
    statement = statement.on_conflict_do_nothing(index_elements=[Reminder.dedupe_key]).returning(Reminder)
    reminder = db.session.scalars(statement).one_or_none()
    if reminder is not None:
        return reminder
    existing = db.session.scalars(
        sa.select(Reminder).where(Reminder.dedupe_key == dedupe_key).execution_options(populate_existing=True)
    ).one()
    if LIFECYCLE.allows(existing.status, ReminderAction.REOPEN):
        existing.status = LIFECYCLE.next(existing.status, ReminderAction.REOPEN)
        existing.due_at, existing.attempts = due_at, 0
        existing.cancelled_at = existing.cancel_reason = existing.queued_at = existing.last_error = None
    return existing


def _insert_for_dialect():
    """The INSERT with ON CONFLICT of the database in use (PostgreSQL, or SQLite on laptops)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def _cancel_where(reason: str, *conditions) -> int:
    """The condition of these reminders resolved: cancel the open ones (a conditional update)."""
    result = db.session.execute(
        sa.update(Reminder)
        .where(Reminder.status.in_(sources(ReminderAction.RESOLVE)), *conditions)
        .values(
            status=target(ReminderAction.RESOLVE), cancelled_at=utcnow(), cancel_reason=reason[:CANCEL_REASON_LIMIT]
        )
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


cancel_where = _cancel_where  # for the episode's reminders (services/care_reminders.py)


# --- hooks called by the domain services -------------------------------------------------------


def inquiry_arrived(inquiry: Inquiry) -> Reminder:
    """A new inquiry: first contact is due within FIRST_CONTACT_MINUTES. The caller commits."""
    minutes = current_app.config["FIRST_CONTACT_MINUTES"]
    return schedule(
        ReminderKind.FIRST_CONTACT_DUE,
        inquiry.arrived_at + timedelta(minutes=minutes),
        f"first-contact-{inquiry.id}",
        inquiry_id=inquiry.id,
    )


def inquiry_announced(inquiry: Inquiry) -> Reminder:
    """A new web or API inquiry: the admissions desk hears of it now, not only when first
    contact falls due (speed to lead). The caller commits."""
    return schedule(ReminderKind.NEW_INQUIRY, inquiry.arrived_at, f"new-inquiry-{inquiry.id}", inquiry_id=inquiry.id)


# Reminders that wait for a first contact: made, or the inquiry closed, they are no longer wanted.
AWAITING_CONTACT = (ReminderKind.FIRST_CONTACT_DUE, ReminderKind.NEW_INQUIRY)


def inquiry_contacted(inquiry: Inquiry) -> int:
    """First contact made: its reminders are cancelled. The caller commits."""
    return _cancel_where("first contact made", Reminder.inquiry_id == inquiry.id, Reminder.kind.in_(AWAITING_CONTACT))


def inquiry_closed(inquiry: Inquiry, reason: str) -> int:
    """An inquiry left the pipeline (admitted, declined, referred out, lost, merged). The caller commits."""
    return _cancel_where(reason, Reminder.inquiry_id == inquiry.id, Reminder.kind.in_(AWAITING_CONTACT))


def task_created(task: FollowUpTask) -> None:
    """A new task: "due" and "overdue" reminders for its assignee. The caller commits."""
    _schedule_task(task)


def task_rescheduled(task: FollowUpTask) -> None:
    """New due time: the old reminders are cancelled and new ones keyed by the new time. The caller commits."""
    _cancel_where("due time changed", Reminder.task_id == task.id)
    _schedule_task(task)


def task_completed(task: FollowUpTask) -> int:
    """A task done: its reminders are cancelled. The caller commits."""
    return _cancel_where("task done", Reminder.task_id == task.id)


def tasks_handed_over(task_ids: list[int], user_id: int) -> None:
    """Tasks given to someone else: their reminders not yet sent go to that person. The caller commits."""
    db.session.execute(
        sa.update(Reminder)
        .where(Reminder.task_id.in_(task_ids), Reminder.status.in_([ReminderStatus.PENDING, ReminderStatus.QUEUED]))
        .values(recipient_user_id=user_id)
    )


def _schedule_task(task: FollowUpTask) -> None:
    stamp = int(task.due_at.timestamp())
    overdue = timedelta(minutes=current_app.config["TASK_OVERDUE_MINUTES"])
    schedule(
        ReminderKind.TASK_DUE,
        task.due_at,
        f"task-due-{task.id}-{stamp}",
        inquiry_id=task.inquiry_id,
        task_id=task.id,
        recipient_user_id=task.assigned_to_id,
    )
    schedule(
        ReminderKind.TASK_OVERDUE,
        task.due_at + overdue,
        f"task-overdue-{task.id}-{stamp}",
        inquiry_id=task.inquiry_id,
        task_id=task.id,
        recipient_user_id=task.assigned_to_id,
    )


def safety_flag_raised(screening: Screening) -> Reminder:
    """PHQ-9 item 9 above zero: the clinical lead hears about it now. The caller commits."""
    return schedule(
        ReminderKind.SAFETY_FLAG,
        utcnow(),
        f"safety-flag-{screening.id}",
        inquiry_id=screening.inquiry_id,
        screening_id=screening.id,
    )


# Authorizations under review (or awaiting one) have a next review date worth a reminder; only
# granted ones have a last covered day.
REVIEWED_AUTHORIZATIONS = (
    AuthorizationStatus.PENDING,
    AuthorizationStatus.APPROVED,
    AuthorizationStatus.PARTIALLY_APPROVED,
    AuthorizationStatus.APPEALED,
)
GRANTED_AUTHORIZATIONS = (AuthorizationStatus.APPROVED, AuthorizationStatus.PARTIALLY_APPROVED)


def _billing_morning(day: date) -> datetime:
    """BILLING_REMINDER_HOUR on `day`, clinic time, as an aware datetime."""
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    hour = min(current_app.config["BILLING_REMINDER_HOUR"], 23)
    return datetime.combine(day, time(hour), tzinfo=zone)


def authorization_changed(auth: Authorization, today: date) -> None:
    """An authorization was recorded or updated: its reminders follow its current dates.

    Keys carry the date, so moving a review date cancels the old reminder and schedules a new
    one, moving it back reopens the old one, and a reminder already sent is never sent twice.
    Dates already past get no reminder; a notice period that has begun sends one now.
    """
    _cancel_where("authorization changed", Reminder.authorization_id == auth.id)
    config = current_app.config
    if auth.next_review_date and auth.status in REVIEWED_AUTHORIZATIONS and auth.next_review_date >= today:
        notice = auth.next_review_date - timedelta(days=config["AUTH_REVIEW_NOTICE_DAYS"])
        schedule(
            ReminderKind.AUTH_REVIEW_DUE,
            _billing_morning(max(notice, today)),
            f"auth-review-{auth.id}-{auth.next_review_date.isoformat()}",
            inquiry_id=auth.inquiry_id,
            authorization_id=auth.id,
        )
    if auth.end_date and auth.status in GRANTED_AUTHORIZATIONS and auth.end_date >= today:
        notice = auth.end_date - timedelta(days=config["AUTH_END_NOTICE_DAYS"])
        schedule(
            ReminderKind.AUTH_ENDING,
            _billing_morning(max(notice, today)),
            f"auth-ending-{auth.id}-{auth.end_date.isoformat()}",
            inquiry_id=auth.inquiry_id,
            authorization_id=auth.id,
        )


def payment_plan_changed(plan: PaymentPlan, inquiry_id: int) -> None:
    """A plan was set up or cancelled: one "overdue" reminder per installment of an active plan,
    due INSTALLMENT_GRACE_DAYS after its due date. Whether it is still unpaid is checked when
    it falls due (payments do not touch reminders)."""
    installment_ids = sa.select(Installment.id).where(Installment.plan_id == plan.id).scalar_subquery()
    if plan.status is not PlanStatus.ACTIVE:
        _cancel_where("payment plan cancelled", Reminder.installment_id.in_(installment_ids))
        return
    grace = timedelta(days=current_app.config["INSTALLMENT_GRACE_DAYS"])
    for installment in plan.installments:
        schedule(
            ReminderKind.INSTALLMENT_OVERDUE,
            _billing_morning(installment.due_date + grace),
            f"installment-overdue-{installment.id}",
            inquiry_id=inquiry_id,
            installment_id=installment.id,
        )


def schedule_daily_digests(now: datetime, zone) -> int:
    """Once a day after DIGEST_HOUR (clinic time): one digest per user who has overdue tasks. The caller commits."""
    local = now.astimezone(zone)
    if local.hour < current_app.config["DIGEST_HOUR"]:
        return 0
    user_ids = db.session.scalars(
        sa.select(FollowUpTask.assigned_to_id)
        .join(User, User.id == FollowUpTask.assigned_to_id)
        .where(FollowUpTask.completed_at.is_(None), FollowUpTask.due_at < now, User.is_active.is_(True))
        .distinct()
    )
    created = 0
    for user_id in user_ids:
        key = f"digest-{user_id}-{local.date().isoformat()}"
        if db.session.scalar(sa.select(Reminder.id).where(Reminder.dedupe_key == key)) is None:
            schedule(ReminderKind.DAILY_DIGEST, now, key, recipient_user_id=user_id)
            created += 1
    return created


def bed_free_for(entry_id: int, inquiry_id: int | None, bed_key: object) -> Reminder:
    """A place is free in a program and `entry_id` is first in line without an offer: the case
    managers hear of it now. The caller commits."""
    return schedule(
        ReminderKind.WAITLIST_BED_FREE,
        utcnow(),
        f"waitlist-bed-free-{entry_id}-{bed_key}",
        inquiry_id=inquiry_id,
        waitlist_entry_id=entry_id,
    )


def waitlist_entry_settled(entry_id: int, reason: str) -> int:
    """The entry was offered a place or left the waitlist: its bed-free reminders are not wanted."""
    return _cancel_where(reason, Reminder.waitlist_entry_id == entry_id)
