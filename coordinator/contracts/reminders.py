"""Input contracts for the admins' reminder pages: the list's filters, cancelling a reminder with a
reason, and choosing the clinical lead who hears about safety flags."""

from __future__ import annotations

from datetime import date

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.messages import define
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.reminders import ClinicalLeadChoice, ReminderKind, ReminderListStatus
from coordinator.roles import Role

CANCEL_REASON_LIMIT = 120  # the `cancel_reason` column
# Due dates before this are typing mistakes (no reminder is that old).
EARLIEST_DUE_DAY = date(2000, 1, 1)
LAST_PAGE = 100_000
LEAD_PERSON = "person who should receive safety flags"

define(
    {
        "reminder_due_range": "The end date is before the start date.",
        "reminder_cancel_reason_required": "Say why the reminder is cancelled.",
        "reminder_not_retryable": "A {status} reminder cannot be retried.",
        "reminder_not_cancellable": "A {status} reminder cannot be cancelled.",
        "clinical_lead_choice_required": "Choose a person or a role.",
        "clinical_lead_role_required": "Choose one of the roles listed.",
        "clinical_lead_role_empty": "Nobody active has the role {role}. Choose a role with at least one active person.",
        "clinical_lead_unknown_user": "That account does not exist.",
        "clinical_lead_inactive_user": "{name}'s account is deactivated: choose an active person.",
    }
)


class ReminderFilterInput(Contract):
    """The reminder list's filters (a GET form): blank means "any"."""

    status: values.choice(ReminderListStatus)
    kind: values.choice(ReminderKind)
    due_from: values.day(what="start date", earliest=EARLIEST_DUE_DAY)
    due_to: values.day(what="end date", earliest=EARLIEST_DUE_DAY)
    page: values.whole_number(what="page number", minimum=1, maximum=LAST_PAGE)  # old links; pages are cursors now
    cursor: list_cursor()

    def problems(self):
        if self.due_from and self.due_to and self.due_to < self.due_from:
            yield problem("due_to", "reminder_due_range")


class CancelReminderInput(Contract):
    """Why staff cancel a reminder (shown on the list beside it)."""

    reason: values.text(CANCEL_REASON_LIMIT, required="reminder_cancel_reason_required")


class ClinicalLeadInput(Contract):
    """Who hears about safety flags: everyone active in `role`, or the person `user_id`.
    Whether that person exists and is active is the service's check."""

    choice: values.choice(ClinicalLeadChoice, required="clinical_lead_choice_required")
    role: values.choice(Role)
    user_id: values.record_id(what=LEAD_PERSON)

    def problems(self):
        if self.choice is ClinicalLeadChoice.ROLE and self.role is None:
            yield problem("role", "clinical_lead_role_required")
        if self.choice is ClinicalLeadChoice.USER and self.user_id is None:
            yield problem("user_id", "choice_required", what=LEAD_PERSON)
