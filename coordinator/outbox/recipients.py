"""Is a reminder still wanted, and who receives it: checked just before sending.

A contacted inquiry, a completed task, a paid installment or a changed authorization makes its
reminder pointless; a reminder with no named recipient goes to the people its kind calls for
(the assignee or the admissions desk, the clinical lead, the billing team; for a break-the-glass
grant, the administrators and the record's assignee). Reminders about a
restricted inquiry go only to people who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from coordinator.domain.care import AdmissionStatus
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    Authorization,
    BreakGlassAccess,
    FollowUpTask,
    Inquiry,
    Installment,
    Patient,
    Reminder,
    Screening,
    User,
    WaitlistEntry,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules.care_reminders import EpisodeDates
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import care_reminders, care_settings, patient_access, plan_status, reminders, settings

BILLING_KINDS = (ReminderKind.AUTH_REVIEW_DUE, ReminderKind.AUTH_ENDING, ReminderKind.INSTALLMENT_OVERDUE)


@dataclass
class Batch:
    """One job's reminders and what deciding them needs, loaded once for the whole batch."""

    reminders: dict[int, Reminder]
    overdue: dict[int, int] = field(default_factory=dict)  # user id -> open tasks past due
    roles: dict[Role, list[User]] = field(default_factory=dict)
    care: dict[int, EpisodeDates] = field(default_factory=dict)  # episode id -> what decides its reminders
    guards: dict[int, patient_access.Guard] = field(default_factory=dict)  # patient id -> who may open them
    _review_days: dict | None = None
    _leads: list[User] | None = None
    # Held here so they stay in the session's (weak) identity map for db.session.get().
    rows: list = field(default_factory=list)

    def clinical_leads(self) -> list[User]:
        if self._leads is None:
            self._leads = clinical_leads(self.users_in_role)
        return list(self._leads)

    def care_dates(self, admission: Admission) -> EpisodeDates:
        if admission.id not in self.care:
            self.care.update(care_reminders.dates_for([admission]))
        return self.care[admission.id]

    def review_days(self) -> dict:
        if self._review_days is None:
            self._review_days = care_settings.review_days()
        return self._review_days

    def guard(self, patient: Patient) -> patient_access.Guard:
        if patient.id not in self.guards:
            self.guards[patient.id] = patient_access.guard_of(patient)
        return self.guards[patient.id]

    def overdue_count(self, user_id: int | None) -> int:
        if user_id not in self.overdue:
            self.overdue[user_id] = overdue_count(user_id)
        return self.overdue[user_id]

    def users_in_role(self, role: Role) -> list[User]:
        if role not in self.roles:
            self.roles[role] = _users_in_role(role)
        return list(self.roles[role])


def load_batch(ids: list[int]) -> Batch:
    """The batch's reminders, with the rows deciding them needs (inquiries, tasks, users,
    authorizations, installments, screenings, grants) and the digest recipients' overdue
    counts: one query per kind of row, whatever the batch's size."""
    batch = Batch(
        {
            r.id: r
            for r in db.session.scalars(
                sa.select(Reminder).where(Reminder.id.in_(ids)).execution_options(populate_existing=True)
            )
        }
    )
    reminders_ = batch.reminders.values()

    def load(model, column_ids):
        wanted = {i for i in column_ids if i}
        return list(db.session.scalars(sa.select(model).where(model.id.in_(wanted)))) if wanted else []

    inquiries = load(Inquiry, (r.inquiry_id for r in reminders_))
    load(FollowUpTask, (r.task_id for r in reminders_))
    load(Authorization, (r.authorization_id for r in reminders_))
    load(Installment, (r.installment_id for r in reminders_))
    load(Screening, (r.screening_id for r in reminders_))
    grants = load(BreakGlassAccess, (r.break_glass_id for r in reminders_))
    admissions = load(Admission, (r.admission_id for r in reminders_))
    if admissions:
        patients = load(Patient, (a.patient_id for a in admissions))
        batch.rows += admissions + patients
        batch.guards = patient_access.guards_of(patients)
        batch.care = care_reminders.dates_for([a for a in admissions if a.status is AdmissionStatus.ACTIVE])
    user_ids = {r.recipient_user_id for r in reminders_} | {i.assigned_to_id for i in inquiries}
    load(User, user_ids | {g.user_id for g in grants})
    digest_users = {r.recipient_user_id for r in reminders_ if r.kind is ReminderKind.DAILY_DIGEST}
    digest_users.discard(None)
    if digest_users:
        batch.overdue = dict.fromkeys(digest_users, 0)
        batch.overdue.update(
            db.session.execute(
                sa.select(FollowUpTask.assigned_to_id, sa.func.count())
                .where(
                    FollowUpTask.assigned_to_id.in_(digest_users),
                    FollowUpTask.completed_at.is_(None),
                    FollowUpTask.due_at < utcnow(),
                )
                .group_by(FollowUpTask.assigned_to_id)
            ).all()
        )
    return batch  # the rows sit in the session's identity map for db.session.get()


def resolved_because(reminder: Reminder, batch: Batch | None = None) -> str | None:
    """Why the reminder is no longer wanted, or None if it still is (checked just before sending)."""
    if reminder.kind in reminders.AWAITING_CONTACT:
        inquiry = db.session.get(Inquiry, reminder.inquiry_id)
        if inquiry is None or inquiry.first_contact_at is not None:
            return "first contact made"
        if inquiry.merged_into_id is not None or inquiry.status not in (InquiryStatus.NEW, InquiryStatus.CONTACTED):
            return f"inquiry {inquiry.status.label.lower()}"
    if reminder.kind is ReminderKind.DAILY_DIGEST:
        count = batch.overdue_count(reminder.recipient_user_id) if batch else overdue_count(reminder.recipient_user_id)
        if not count:
            return "no overdue tasks any more"
    if reminder.kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        if task is None or task.completed_at is not None:
            return "task done"
        overdue_at = task.due_at + timedelta(minutes=current_app.config["TASK_OVERDUE_MINUTES"])
        if reminder.kind is ReminderKind.TASK_DUE and utcnow() >= overdue_at:
            return "superseded by the overdue reminder"  # caught up late: say it once
    if reminder.kind in (ReminderKind.AUTH_REVIEW_DUE, ReminderKind.AUTH_ENDING):
        return _authorization_resolved(reminder)
    if reminder.kind is ReminderKind.WAITLIST_BED_FREE:
        entry = db.session.get(WaitlistEntry, reminder.waitlist_entry_id)
        if entry is None or entry.outcome is not None or entry.offered_on is not None:
            return "place offered or waitlist entry closed"
    if reminder.kind is ReminderKind.INSTALLMENT_OVERDUE:
        installment = db.session.get(Installment, reminder.installment_id)
        if installment is None or not plan_status.installment_unpaid(installment):
            return "installment paid or plan cancelled"
    if reminder.kind in care_reminders.CARE_KINDS:
        return _episode_resolved(reminder, batch)
    return None


def _episode_resolved(reminder: Reminder, batch: Batch | None) -> str | None:
    """Discharged, or the reminder is no longer what the rule plans for the episode (the level
    changed, a review was recorded, the transfer happened, a date or a setting moved)."""
    admission = db.session.get(Admission, reminder.admission_id) if reminder.admission_id else None
    if admission is None or admission.status is not AdmissionStatus.ACTIVE:
        return "episode discharged"
    batch = batch or Batch({})
    wanted = care_reminders.planned(batch.care_dates(admission), review_days=batch.review_days())
    if reminder.dedupe_key not in {p.key for p in wanted}:
        return "no longer due: the episode changed"
    return None


def _authorization_resolved(reminder: Reminder) -> str | None:
    auth = db.session.get(Authorization, reminder.authorization_id)
    if auth is None:
        return "authorization gone"
    if reminder.kind is ReminderKind.AUTH_REVIEW_DUE and auth.status not in reminders.REVIEWED_AUTHORIZATIONS:
        return f"authorization {auth.status.label.lower()}"
    if reminder.kind is ReminderKind.AUTH_ENDING and auth.status not in reminders.GRANTED_AUTHORIZATIONS:
        return f"authorization {auth.status.label.lower()}"
    return None


def _active(users) -> list[User]:
    return [u for u in users if u is not None and u.is_active]


def recipients(reminder: Reminder, batch: Batch | None = None) -> list[User]:
    """Who gets the reminder. For a restricted inquiry only people who may open it: its
    assignee and administrators (never the whole desk, never a link to break the glass)."""
    in_role = batch.users_in_role if batch is not None else _users_in_role
    if reminder.kind in care_reminders.CARE_KINDS:
        return care_team(reminder, in_role, batch or Batch({}))
    users = _candidates(reminder, in_role)
    inquiry = db.session.get(Inquiry, reminder.inquiry_id) if reminder.inquiry_id else None
    if inquiry is not None and inquiry.is_restricted:
        users = [u for u in users if u.role is Role.ADMIN or u.id == inquiry.assigned_to_id]
        if not users:
            assignee = db.session.get(User, inquiry.assigned_to_id) if inquiry.assigned_to_id else None
            users = _active([assignee]) or in_role(Role.ADMIN)
    return users


def _candidates(reminder: Reminder, in_role) -> list[User]:
    if reminder.recipient_user_id is not None:
        return _active([db.session.get(User, reminder.recipient_user_id)])
    if reminder.kind is ReminderKind.FIRST_CONTACT_DUE:
        inquiry = db.session.get(Inquiry, reminder.inquiry_id)
        assignee = db.session.get(User, inquiry.assigned_to_id) if inquiry.assigned_to_id else None
        if assignee is not None and assignee.is_active:
            return [assignee]
        return in_role(Role.ADMISSIONS)  # unassigned: the whole admissions desk
    if reminder.kind is ReminderKind.NEW_INQUIRY:
        return admissions_desk(reminder, in_role)
    if reminder.kind is ReminderKind.SAFETY_FLAG:
        return clinical_leads(in_role)
    if reminder.kind in BILLING_KINDS:
        return in_role(Role.BILLING) or in_role(Role.ADMIN)
    if reminder.kind is ReminderKind.BREAK_GLASS:
        return break_glass_watchers(reminder, in_role)
    if reminder.kind is ReminderKind.WAITLIST_BED_FREE:
        return in_role(Role.CASE_MANAGER) or in_role(Role.ADMIN)
    return []


def care_team(reminder: Reminder, in_role, batch: Batch) -> list[User]:
    """Who hears of an episode's reminder: the case managers, and the clinical lead for a
    level-of-care review (administrators when nobody holds those roles). A restricted patient's
    go only to those of them who may open the patient without breaking the glass (administrators
    and the assignees of the inquiries that admitted them); when none is left, to those assignees
    who are active, else the administrators: the rule of a restricted inquiry."""
    users = in_role(Role.CASE_MANAGER)
    if reminder.kind is ReminderKind.LEVEL_REVIEW_DUE:
        users += [u for u in batch.clinical_leads() if u not in users]
    users = users or in_role(Role.ADMIN)
    admission = db.session.get(Admission, reminder.admission_id) if reminder.admission_id else None
    patient = db.session.get(Patient, admission.patient_id) if admission is not None else None
    if patient is None:
        return []
    guard = batch.guard(patient)
    if guard.restricted:
        assignees = {assignee for _, assignee, _ in guard.inquiries if assignee}
        users = [u for u in users if u.role is Role.ADMIN or u.id in assignees]
        if not users:
            users = _active([db.session.get(User, i) for i in sorted(assignees)]) or in_role(Role.ADMIN)
    return users


def admissions_desk(reminder: Reminder, in_role=None) -> list[User]:
    """Who hears of a new inquiry at once: the admissions users on duty (else the whole active
    admissions team), and its assignee (the round-robin's pick) if not among them."""
    team = (in_role or _users_in_role)(Role.ADMISSIONS)
    desk = [u for u in team if u.on_duty] or team
    inquiry = db.session.get(Inquiry, reminder.inquiry_id)
    assignee = db.session.get(User, inquiry.assigned_to_id) if inquiry is not None and inquiry.assigned_to_id else None
    return desk + [u for u in _active([assignee]) if u not in desk]


def break_glass_watchers(reminder: Reminder, in_role=None) -> list[User]:
    """Who hears of a break-the-glass grant: every active administrator and the record's
    assignee, never the person who broke the glass."""
    grant = db.session.get(BreakGlassAccess, reminder.break_glass_id) if reminder.break_glass_id else None
    inquiry = db.session.get(Inquiry, reminder.inquiry_id) if reminder.inquiry_id else None
    users = list((in_role or _users_in_role)(Role.ADMIN))
    if inquiry is not None and inquiry.assigned_to_id:
        users += [u for u in _active([db.session.get(User, inquiry.assigned_to_id)]) if u not in users]
    return [u for u in users if grant is None or u.id != grant.user_id]


def _users_in_role(role: Role) -> list[User]:
    return list(
        db.session.scalars(sa.select(User).where(User.role == role, User.is_active.is_(True)).order_by(User.id))
    )


def clinical_leads(in_role=None) -> list[User]:
    """The admin-chosen clinical lead (a user, else everyone in a role; clinicians by default)."""
    user_id = settings.get_value(settings.CLINICAL_LEAD_USER)
    if user_id and user_id.isdecimal():
        user = db.session.get(User, int(user_id))
        if user is not None and user.is_active:
            return [user]
    role = settings.get_value(settings.CLINICAL_LEAD_ROLE) or Role.CLINICIAN.value
    in_role = in_role or _users_in_role
    users = in_role(Role(role)) if role in Role._value2member_map_ else []
    return users or in_role(Role.ADMIN)


def overdue_count(user_id: int | None) -> int:
    """Open follow-up tasks past their due time assigned to this user."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(FollowUpTask)
        .where(
            FollowUpTask.assigned_to_id == user_id, FollowUpTask.completed_at.is_(None), FollowUpTask.due_at < utcnow()
        )
    )
