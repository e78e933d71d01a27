"""Follow-up tasks on inquiries: adding, completing and moving them, and each user's list.

Every change goes through the inquiry's visibility rules (services/inquiries.py), writes a
timeline entry and an audit row, and keeps the task's reminders in step (services/reminders.py).
A task goes to any active staff member who may open the record: its clinical page
(`inquiry_access`: administrators, admissions, case managers, clinicians) or its finance page
(`finance_access`: billing too). A task on a restricted inquiry goes only to someone who may open
it (its assignee or an administrator; a break-the-glass grant is not enough): `create_task`
refuses anyone else, and when a record becomes restricted (or changes hands) the open tasks of
people who may no longer open it go to its assignee (`hand_over_for_restriction`).

Who may finish or move a task: its holder, and anyone who works inquiries (admissions, case
managers, administrators), each through the page they open the record by. Anyone else is told
the task does not exist, as for an id that does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.contracts.base import problem
from coordinator.contracts.messages import define
from coordinator.contracts.pipeline import RescheduleInput, TaskInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind, BreakGlassScope
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import FollowUpTask, Inquiry, User, utcnow
from coordinator.services import audit, finance_access, inquiries, inquiry_access, records, reminders

define(
    {
        "task_due_past": "The due time is in the past.",
        "task_due_too_far": "The due time is more than a year away.",
        "task_done_already": "This task is done; add a new one instead.",
        "task_new_due_out_of_range": "The new due time must be from now to a year ahead.",
        "task_assignee_cannot_open": "This record is restricted: a task on it can go only to its assignee "
        "or an administrator.",
    }
)


def opens_record_by(user: User) -> str:
    """Which page `user` opens a task's record by: "inquiry" (the clinical record) or "finance"."""
    return "inquiry" if user.role in inquiry_access.READERS else "finance"


def _opens(user: User, inquiry: Inquiry, glass_ids: frozenset[int] = frozenset()) -> bool:
    if opens_record_by(user) == "inquiry":
        return inquiry_access.can_see(user, inquiry, glass_ids)
    return finance_access.can_see(user, inquiry, glass_ids)


def may_hold_task(user: User, inquiry: Inquiry) -> bool:
    """Whether a task on `inquiry` may be given to `user`: active and able to open the record
    without breaking the glass (by its clinical page or, for billing, its finance page)."""
    return user.is_active and _opens(user, inquiry)


def possible_assignees(inquiry: Inquiry) -> list[User]:
    """Whom the task form offers for this inquiry: every active staff member who may open it (one query)."""
    active = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True)).order_by(sa.func.lower(User.full_name), User.id)
    )
    return [user for user in active if may_hold_task(user, inquiry)]


def may_change(user: User, task: FollowUpTask) -> bool:
    """Whether `user` may finish or move `task` (its holder, or someone who works inquiries),
    before the record's own access rules."""
    return task.assigned_to_id == user.id or user.role in inquiry_access.EDITORS


def load_task_for(actor: User, task_id: int) -> FollowUpTask:
    """The task, if `actor` may change it; NotFound (audited) otherwise, as for an unknown id."""
    task = records.load(FollowUpTask, task_id)
    if not may_change(actor, task):
        audit.record_refusal(actor, AuditAction.TASK_REFUSED, "follow_up_task", task.id)
        raise NotFound("No such task.")
    return task


def open_task_record(actor: User, task: FollowUpTask) -> Inquiry:
    """The task's inquiry, for `actor` to finish or move the task: its holder or someone who works
    inquiries, through the page they open the record by (audited, restricted records refused);
    NotFound for anyone else, NotPermitted for a merged-away record."""
    if not may_change(actor, task):
        audit.record_refusal(actor, AuditAction.TASK_REFUSED, "follow_up_task", task.id)
        raise NotFound("No such task.")
    if opens_record_by(actor) == "inquiry":
        inquiry = inquiry_access.require_visible(actor, task.inquiry_id, purpose="task_viewed")
    else:
        inquiry = finance_access.require(actor, task.inquiry_id, purpose="task_viewed")
    if inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; work on that one instead.")
    return inquiry


def tasks_for(inquiry: Inquiry) -> list[FollowUpTask]:
    return list(
        db.session.scalars(
            sa.select(FollowUpTask)
            .options(joinedload(FollowUpTask.assigned_to))
            .where(FollowUpTask.inquiry_id == inquiry.id)
            .order_by(FollowUpTask.completed_at.is_not(None), FollowUpTask.due_at)
        )
    )


def create_task(actor: User, inquiry: Inquiry, data: TaskInput) -> FollowUpTask:
    """Add a follow-up task on the inquiry for someone who works inquiries; the caller commits."""
    problems = []
    now = utcnow()
    if data.due_at < now - timedelta(days=1):
        problems.append(problem("due_at", "task_due_past"))
    elif data.due_at > now + timedelta(days=366):
        problems.append(problem("due_at", "task_due_too_far"))
    assignee = records.find(User, data.assigned_to_id)
    if assignee is None or not assignee.is_active:
        problems.append(problem("assigned_to_id", "task_assignee_required"))
    elif not may_hold_task(assignee, inquiry):
        problems.append(problem("assigned_to_id", "task_assignee_cannot_open"))
    if problems:
        raise ValidationFailed(problems)
    title, due_at = data.title, data.due_at
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
    """Mark a task done (once); its reminders are cancelled. The caller commits."""
    task = load_task_for(actor, task_id)
    inquiry = open_task_record(actor, task)
    if task.completed_at is None:
        task.completed_at, task.completed_by_id = utcnow(), actor.id
        reminders.task_completed(task)
        inquiries.add_activity(
            inquiry, actor, ActivityKind.TASK, occurred_at=task.completed_at, summary=f"Task done: {task.title}"[:200]
        )
        audit.record(actor, AuditAction.TASK_COMPLETED, "follow_up_task", task.id, detail=f"inquiry {task.inquiry_id}")
    return task


def reschedule_task(actor: User, task: FollowUpTask, data: RescheduleInput) -> FollowUpTask:
    """Move an open task's due time; its due and overdue reminders move with it. The caller commits."""
    inquiry = open_task_record(actor, task)
    if task.completed_at is not None:
        raise ValidationFailed([problem("due_at", "task_done_already")])
    due_at = data.due_at
    if not utcnow() - timedelta(minutes=5) <= due_at <= utcnow() + timedelta(days=366):
        raise ValidationFailed([problem("due_at", "task_new_due_out_of_range")])
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


def hand_over_for_restriction(actor: User, inquiry: Inquiry) -> int:
    """Give the restricted inquiry's open tasks held by people who may not open it to its
    assignee, with their pending reminders; how many moved. The caller commits."""
    if not inquiry.is_restricted or inquiry.assigned_to_id is None:
        return 0
    open_tasks = db.session.scalars(
        sa.select(FollowUpTask)
        .options(joinedload(FollowUpTask.assigned_to))
        .where(FollowUpTask.inquiry_id == inquiry.id, FollowUpTask.completed_at.is_(None))
    )
    moved = [task for task in open_tasks if not may_hold_task(task.assigned_to, inquiry)]
    if not moved:
        return 0
    ids = [task.id for task in moved]
    for task in moved:
        task.assigned_to_id = inquiry.assigned_to_id
        audit.record(actor, AuditAction.TASK_HANDED_OVER, "follow_up_task", task.id, detail=f"inquiry {inquiry.id}")
    reminders.tasks_handed_over(ids, inquiry.assigned_to_id)
    inquiries.add_activity(
        inquiry,
        actor,
        ActivityKind.TASK,
        occurred_at=utcnow(),
        summary=f"{len(moved)} open task(s) moved to the assignee: the record is restricted",
    )
    return len(moved)


@dataclass(frozen=True)
class TaskRow:
    task: FollowUpTask
    visible: bool
    overdue: bool


def my_tasks(user: User, limit: int = 50, *, glass_ids: frozenset[int] | None = None) -> list[TaskRow]:
    """The user's open tasks, soonest first (one query, and one for the grants unless given: the
    clinical ones, or billing's finance ones); audited as one row naming the inquiries the tasks are on."""
    if glass_ids is None:
        scope = BreakGlassScope.CLINICAL if opens_record_by(user) == "inquiry" else BreakGlassScope.FINANCE
        glass_ids = inquiry_access.open_break_glass_ids(user, scope)
    now = utcnow()
    tasks = db.session.scalars(
        sa.select(FollowUpTask)
        .options(joinedload(FollowUpTask.inquiry))
        .where(FollowUpTask.assigned_to_id == user.id, FollowUpTask.completed_at.is_(None))
        .order_by(FollowUpTask.due_at, FollowUpTask.id)
        .limit(limit)
    )
    rows = [TaskRow(t, _opens(user, t.inquiry, glass_ids), t.due_at < now) for t in tasks]
    audit.record_listing(user, AuditAction.TASKS_LISTED, "inquiry", (row.task.inquiry_id for row in rows))
    return rows
