"""The words of a reminder, for email and in-app alike.

Neither the email nor the in-app text names a patient, drug, program, result or free text staff
typed (a task title may hold anything): a neutral sentence and a link, behind which access is
checked.
"""

from __future__ import annotations

from coordinator.clock import clinic_zone
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import Admission, BreakGlassAccess, FollowUpTask, Reminder, Screening, User, WaitlistEntry
from coordinator.outbox.channels import Message
from coordinator.outbox.recipients import BILLING_KINDS, Batch, overdue_count
from coordinator.roles import Role
from coordinator.services.inquiry_access import READERS as INQUIRY_READERS


def compose(reminder: Reminder, user: User, batch: Batch | None = None) -> Message:
    """The message `user` receives for `reminder` (`batch`: its job's rows, loaded once)."""
    kind = reminder.kind
    if kind is ReminderKind.FIRST_CONTACT_DUE:
        return Message(
            "Coordinator: an inquiry is waiting for first contact",
            f"Inquiry #{reminder.inquiry_id} has not been contacted yet. Please open it in Coordinator.",
            "Inquiry waiting for first contact",
            f"Inquiry #{reminder.inquiry_id} has not been contacted yet.",
            f"/inquiries/{reminder.inquiry_id}",
        )
    if kind is ReminderKind.NEW_INQUIRY:
        return Message(
            "Coordinator: a new inquiry has arrived",
            f"New inquiry #{reminder.inquiry_id} arrived and is waiting for first contact. "
            "Please open it in Coordinator.",
            "New inquiry",
            f"Inquiry #{reminder.inquiry_id} arrived and is waiting for first contact.",
            f"/inquiries/{reminder.inquiry_id}",
        )
    if kind in (ReminderKind.TASK_DUE, ReminderKind.TASK_OVERDUE):
        task = db.session.get(FollowUpTask, reminder.task_id)
        word = "due" if kind is ReminderKind.TASK_DUE else "overdue"
        return Message(
            f"Coordinator: a follow-up task is {word}",
            f"A follow-up task assigned to you is {word}. Please open it in Coordinator.",
            f"Task {word}",
            f"A follow-up task is {word} (inquiry #{task.inquiry_id}).",
            # Billing holds tasks too, and opens the record by its finance page.
            f"/inquiries/{task.inquiry_id}" if user.role in INQUIRY_READERS else f"/finance/inquiry/{task.inquiry_id}",
        )
    if kind is ReminderKind.SAFETY_FLAG:
        screening = db.session.get(Screening, reminder.screening_id)
        return Message(
            "Coordinator: a result needs same-day review",
            "A screening result needs a clinician's review today. Please open it in Coordinator.",
            "Same-day clinical review needed",
            f"A screening on inquiry #{screening.inquiry_id} needs same-day clinical review.",
            f"/screening/inquiry/{screening.inquiry_id}/{screening.id}",
        )
    if kind is ReminderKind.WAITLIST_BED_FREE:
        entry = db.session.get(WaitlistEntry, reminder.waitlist_entry_id)
        return Message(
            "Coordinator: a bed is free for someone on a waitlist",
            "A place is free in a program and someone is first in line on its waitlist. "
            "Please open the waitlist in Coordinator to offer it.",
            "Bed free for the waitlist",
            "A place is free and someone is first in line: offer it.",
            f"/care/census/{entry.program_id}/waitlist",
        )
    if kind in BILLING_KINDS:
        return _compose_billing(reminder)
    if kind is ReminderKind.BREAK_GLASS:
        return _compose_break_glass(reminder, user)
    if kind in _CARE_WORDS:
        return _compose_care(reminder)
    count = batch.overdue_count(user.id) if batch is not None else overdue_count(user.id)
    return Message(
        "Coordinator: your overdue tasks",
        f"You have {count} overdue follow-up task{'s' if count != 1 else ''}. Please open Coordinator.",
        "Overdue tasks",
        f"You have {count} overdue follow-up task{'s' if count != 1 else ''}.",
        "/",
    )


_BILLING_WORDS = {
    ReminderKind.AUTH_REVIEW_DUE: (
        "an authorization review is coming up",
        "Authorization review coming up",
        "has an authorization due for review soon",
    ),
    ReminderKind.AUTH_ENDING: (
        "an authorization's last covered day is near",
        "Authorization ending soon",
        "has an authorization whose last covered day is near",
    ),
    ReminderKind.INSTALLMENT_OVERDUE: (
        "an installment is overdue",
        "Installment overdue",
        "has a payment-plan installment past its due date",
    ),
}


_CARE_WORDS = {
    ReminderKind.LEVEL_REVIEW_DUE: (
        "a level-of-care review is due",
        "Level-of-care review due",
        "is due for a level-of-care review",
    ),
    ReminderKind.TRANSFER_NOT_RECORDED: (
        "an expected transfer has not been recorded",
        "Expected transfer not recorded",
        "was expected to transfer in from the partner hospital; the move has not been recorded",
    ),
    ReminderKind.DISCHARGE_PLANNING_DUE: (
        "discharge planning is due",
        "Discharge planning due",
        "needs discharge planning: an authorization or the planned stay ends soon",
    ),
}


def _compose_care(reminder: Reminder) -> Message:
    """Episode reminders name the episode number only: no patient, level, program or payer."""
    subject, title, phrase = _CARE_WORDS[reminder.kind]
    admission = db.session.get(Admission, reminder.admission_id)
    return Message(
        f"Coordinator: {subject}",
        f"Episode #{admission.id} {phrase}. Please open it in Coordinator.",
        title,
        f"Episode #{admission.id} {phrase}.",
        f"/care/patients/{admission.patient_id}",
    )


def _compose_billing(reminder: Reminder) -> Message:
    """Billing reminders name the inquiry number only: no payer, amount, program or patient."""
    subject, title, phrase = _BILLING_WORDS[reminder.kind]
    number = reminder.inquiry_id
    return Message(
        f"Coordinator: {subject}",
        f"Inquiry #{number} {phrase}. Please open it in Coordinator.",
        title,
        f"Inquiry #{number} {phrase}.",
        f"/finance/inquiry/{number}",
    )


def _compose_break_glass(reminder: Reminder, user: User) -> Message:
    """Who broke the glass on which inquiry number, for what part and how long; never the typed
    reason (free text) nor anything of the record. Administrators are sent to the review list."""
    grant = db.session.get(BreakGlassAccess, reminder.break_glass_id)
    who = db.session.get(User, grant.user_id)
    number = reminder.inquiry_id
    part = grant.scope.label.lower()
    path = "/admin/break-glass" if user.role is Role.ADMIN else f"/inquiries/{number}"
    return Message(
        "Coordinator: emergency access to a restricted record",
        f"{who.full_name} broke the glass on inquiry #{number} ({part}). Please review it in Coordinator.",
        "Emergency access granted",
        f"{who.full_name} broke the glass on inquiry #{number}: {part}, until "
        f"{grant.expires_at.astimezone(clinic_zone()).strftime('%d %b %H:%M')}.",
        path,
    )
