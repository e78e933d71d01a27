"""Follow-up tasks on inquiries: adding, completing and moving them, and each user's list.

Every change goes through the inquiry's visibility rules (services/inquiries.py), writes a
timeline entry and an audit row, and keeps the task's reminders in step (services/reminders.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, User, utcnow
from coordinator.services import audit, inquiries, reminders


def tasks_for(inquiry: Inquiry) -> list[FollowUpTask]:
    return list(
        db.session.scalars(
            sa.select(FollowUpTask)
            .options(joinedload(FollowUpTask.assigned_to))
            .where(FollowUpTask.inquiry_id == inquiry.id)
            .order_by(FollowUpTask.completed_at.is_not(None), FollowUpTask.due_at)
        )
    )


def create_task(
    actor: User, inquiry: Inquiry, *, title: str, due_at: datetime | None, assigned_to_id: int | None
) -> FollowUpTask:
    problems = []
    title = (title or "").strip()
    if not title:
        problems.append(("title", "Say what needs doing."))
    elif len(title) > 200:
        problems.append(("title", "Use at most 200 characters."))
    if due_at is None:
        problems.append(("due_at", "Enter when it is due."))
    elif due_at < utcnow() - timedelta(days=1):
        problems.append(("due_at", "The due time is in the past."))
    elif due_at > utcnow() + timedelta(days=366):
        problems.append(("due_at", "The due time is more than a year away."))
    assignee = db.session.get(User, assigned_to_id) if isinstance(assigned_to_id, int) else None
    if assignee is None or not assignee.is_active or assignee.role not in inquiries.EDITORS:
        problems.append(("assigned_to_id", "Choose an active admissions, case management or admin user."))
    if problems:
        raise ValidationFailed(problems)
    task = FollowUpTask(
        inquiry_id=inquiry.id, title=title, due_at=due_at, assigned_to_id=assignee.id, created_by_id=actor.id
    )
    db.session.add(task)
    db.session.flush()
    inquiries.add_activity(
        inquiry, actor, ActivityKind.TASK, occurred_at=utcnow(), summary=f"Task added: {title}"[:200]
    )
    reminders.task_created(task)
    audit.record(actor, AuditAction.TASK_CREATED, "follow_up_task", task.id, detail=f"inquiry {inquiry.id}")
    return task


def complete_task(actor: User, task_id: int) -> FollowUpTask:
    task = db.session.get(FollowUpTask, task_id)
    if task is None:
        raise NotFound("No such task.")
    inquiries.require_visible(actor, task.inquiry_id, purpose="task_viewed", edit=True)
    if task.completed_at is None:
        task.completed_at, task.completed_by_id = utcnow(), actor.id
        reminders.task_completed(task)
        inquiry = db.session.get(Inquiry, task.inquiry_id)
        inquiries.add_activity(
            inquiry, actor, ActivityKind.TASK, occurred_at=task.completed_at, summary=f"Task done: {task.title}"[:200]
        )
        audit.record(actor, AuditAction.TASK_COMPLETED, "follow_up_task", task.id, detail=f"inquiry {task.inquiry_id}")
    return task


def reschedule_task(actor: User, task_id: int, due_at: datetime | None) -> FollowUpTask:
    """Move an open task's due time; its due and overdue reminders move with it."""
    task = db.session.get(FollowUpTask, task_id)
    if task is None:
        raise NotFound("No such task.")
    inquiry = inquiries.require_visible(actor, task.inquiry_id, purpose="task_viewed", edit=True)
    if task.completed_at is not None:
        raise ValidationFailed.single("due_at", "This task is done; add a new one instead.")
    if due_at is None:
        raise ValidationFailed.single("due_at", "Enter the new due time.")
    if not utcnow() - timedelta(minutes=5) <= due_at <= utcnow() + timedelta(days=366):
        raise ValidationFailed.single("due_at", "The new due time must be from now to a year ahead.")
    if due_at != task.due_at:
        task.due_at = due_at
        reminders.task_rescheduled(task)
        inquiries.add_activity(
            inquiry, actor, ActivityKind.TASK, occurred_at=utcnow(), summary=f"Task moved: {task.title}"[:200]
        )
        audit.record(
            actor, AuditAction.TASK_RESCHEDULED, "follow_up_task", task.id, detail=f"inquiry {task.inquiry_id}"
        )
    return task


@dataclass(frozen=True)
class TaskRow:
    task: FollowUpTask
    visible: bool
    overdue: bool


def my_tasks(user: User, limit: int = 50) -> list[TaskRow]:
    """The user's open tasks, soonest first (two queries: grants, tasks with their inquiries)."""
    glass_ids = inquiries.open_break_glass_ids(user)
    now = utcnow()
    tasks = db.session.scalars(
        sa.select(FollowUpTask)
        .options(joinedload(FollowUpTask.inquiry))
        .where(FollowUpTask.assigned_to_id == user.id, FollowUpTask.completed_at.is_(None))
        .order_by(FollowUpTask.due_at, FollowUpTask.id)
        .limit(limit)
    )
    return [TaskRow(t, inquiries.can_see(user, t.inquiry, glass_ids), t.due_at < now) for t in tasks]
