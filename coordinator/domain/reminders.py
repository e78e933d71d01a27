"""What a reminder is about, how it is delivered, how staff filter the list and who the clinical
lead is (a reminder's status, with its transition table, is in `rules/reminder_lifecycle.py`).
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class ReminderKind(LabelledStrEnum):
    FIRST_CONTACT_DUE = "first_contact_due", "First contact due"
    TASK_DUE = "task_due", "Task due"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    SAFETY_FLAG = "safety_flag", "Safety flag (same-day review)"
    DAILY_DIGEST = "daily_digest", "Daily digest of overdue tasks"
    AUTH_REVIEW_DUE = "auth_review_due", "Authorization review coming up"
    AUTH_ENDING = "auth_ending", "Last authorized day coming up"
    INSTALLMENT_OVERDUE = "installment_overdue", "Installment overdue"
    BREAK_GLASS = "break_glass", "Emergency access granted (break the glass)"
    NEW_INQUIRY = "new_inquiry", "New web or API inquiry (tells the admissions desk at once)"
    WAITLIST_BED_FREE = "waitlist_bed_free", "A bed is free and someone is waiting for it"
    LEVEL_REVIEW_DUE = "level_review_due", "Level-of-care review due"
    TRANSFER_NOT_RECORDED = "transfer_not_recorded", "Expected transfer from the partner hospital not recorded"
    DISCHARGE_PLANNING_DUE = "discharge_planning_due", "Discharge planning due (authorization or planned stay ending)"


class DeliveryChannel(LabelledStrEnum):
    EMAIL = "email", "Email"
    IN_APP = "in_app", "In-app"


class DeliveryStatus(LabelledStrEnum):
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"


class ReminderListStatus(LabelledStrEnum):
    """The status filter of the staff's reminder list: a status, or "stuck" (pending well past
    its due time, or queued longer than the lease). Mirrors `ReminderStatus`; a test keeps it so."""

    PENDING = "pending", "Pending"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"
    STUCK = "stuck", "Stuck (late or held too long)"


class ClinicalLeadChoice(LabelledStrEnum):
    """Who hears about PHQ-9 item-9 safety flags: everyone active in a role, or one person."""

    ROLE = "role", "Everyone active in a role"
    USER = "user", "One person"
