"""Input contracts for working an inquiry: status changes, calls, emails, notes, tasks, merges,
break-the-glass, and the inquiry list's filters."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem, rule
from coordinator.contracts.messages import define
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.intake import BreakGlassScope, CallOutcome, Direction, InquirySort, ReferralSource
from coordinator.rules.inquiry_lifecycle import InquiryAction, InquiryStatus
from coordinator.rules.merge import FIELDS as MERGE_FIELDS
from coordinator.rules.merge import Keep

NOTE_LIMIT = 4000
REASON_LIMIT = 500
REFERRED_OUT_LIMIT = 200
TASK_TITLE_LIMIT = 200
MIN_BREAK_GLASS_REASON = 10
MAX_CALL_MINUTES = 600
SEARCH_LIMIT = 100

define(
    {
        "action_unknown": "Unknown action.",
        "referred_out_to_required": "Say to whom the person was referred.",
        "call_outcome_required": "Choose the call's outcome.",
        "call_direction_required": "Choose inbound or outbound.",
        "note_required": "Write the note.",
        "task_title_required": "Say what needs doing.",
        "task_due_required": "Enter when it is due.",
        "task_new_due_required": "Enter the new due time.",
        "task_assignee_required": "Choose an active staff member who may open this record.",
        "break_glass_reason_short": "Say why you need this record (at least {minimum} characters).",
        "break_glass_scope_required": "Choose what you need to open.",
        "survivor_required": "Enter the inquiry number.",
        "merge_both_not_possible": "Only free text and lists can keep both values; choose one.",
    }
)


class TransitionInput(Contract):
    """A move through the inquiry lifecycle; admitting needs a program and a date."""

    action: values.choice(InquiryAction, required="action_unknown")
    reason: values.text(REASON_LIMIT, multiline=True)
    referred_out_to: values.text(REFERRED_OUT_LIMIT)
    program_id: values.record_id(what="program")
    admit_date: values.day(what="admission date")
    override_reason: values.text(REASON_LIMIT, multiline=True)
    # The clinical lead's reason for admitting into a full program (services/census.py).
    over_capacity_reason: values.text(REASON_LIMIT, multiline=True)
    # Admitting: "new" for a new patient, or the id of the returning patient staff confirmed.
    patient_choice: values.text(12)

    def problems(self):
        if self.action is InquiryAction.REFER_OUT and not self.referred_out_to:
            yield problem("referred_out_to", "referred_out_to_required")


class CallInput(Contract):
    """A phone call logged on the record (when: typed in clinic time; blank means now)."""

    direction: values.choice(Direction, default=Direction.OUTBOUND)
    outcome: values.choice(CallOutcome, required="call_outcome_required")
    duration_minutes: values.whole_number(what="duration in minutes", minimum=0, maximum=MAX_CALL_MINUTES)
    occurred_at: values.moment(what="time of the call")
    note: values.text(NOTE_LIMIT, multiline=True)


class EmailInput(Contract):
    """An email sent or received, summarised on the record."""

    direction: values.choice(Direction, default=Direction.OUTBOUND)
    occurred_at: values.moment(what="time of the email")
    note: values.text(NOTE_LIMIT, multiline=True, required="note_required")


class NoteInput(Contract):
    note: values.text(NOTE_LIMIT, multiline=True, required="note_required")


class TaskInput(Contract):
    """A follow-up task for someone, due at a time typed in clinic time."""

    title: values.text(TASK_TITLE_LIMIT, required="task_title_required")
    due_at: values.moment(what="due time", required="task_due_required")
    assigned_to_id: values.record_id(what="person", required="task_assignee_required")


class RescheduleInput(Contract):
    due_at: values.moment(what="new due time", required="task_new_due_required")


class BreakGlassInput(Contract):
    """Which part of a restricted record someone needs now, and why (kept, audited, reviewed by
    administrators). Whether their role may ask for that part is the service's rule."""

    scope: values.choice(BreakGlassScope, required="break_glass_scope_required")
    reason: values.text(REASON_LIMIT, multiline=True)

    @rule("reason")
    def reason_meaningful(self):
        if len(self.reason or "") < MIN_BREAK_GLASS_REASON:
            yield problem("reason", "break_glass_reason_short", minimum=MIN_BREAK_GLASS_REASON)


class MergeInput(Contract):
    """Merge this inquiry into `survivor_id`, keeping for each detail that differs the value
    chosen (`keep_<field>`: the survivor's, the merged inquiry's, or both for free text and
    substances). A choice left out takes `rules/merge.default_keep`'s stricter default."""

    survivor_id: values.record_id(what="inquiry", required="survivor_required")
    keep_caller_name: values.choice(Keep)
    keep_caller_relationship: values.choice(Keep)
    keep_caller_phone: values.choice(Keep)
    keep_caller_email: values.choice(Keep)
    keep_preferred_contact: values.choice(Keep)
    keep_may_leave_message: values.choice(Keep)
    keep_contact_instructions: values.choice(Keep)
    keep_patient_name: values.choice(Keep)
    keep_patient_dob: values.choice(Keep)
    keep_patient_sex: values.choice(Keep)
    keep_patient_location: values.choice(Keep)
    keep_patient_phone: values.choice(Keep)
    keep_patient_email: values.choice(Keep)
    keep_presenting_concerns: values.choice(Keep)
    keep_substances: values.choice(Keep)
    keep_pain_conditions: values.choice(Keep)
    keep_prior_treatment: values.choice(Keep)
    keep_urgency: values.choice(Keep)
    keep_regimen: values.choice(Keep)

    def choices(self) -> dict[str, Keep]:
        """Field name -> what staff chose, for the fields they chose for."""
        chosen = {field.name: getattr(self, f"keep_{field.name}") for field in MERGE_FIELDS}
        return {name: keep for name, keep in chosen.items() if keep is not None}

    @rule(*(f"keep_{field.name}" for field in MERGE_FIELDS))
    def _both_only_for_text(self):
        for field in MERGE_FIELDS:
            if getattr(self, f"keep_{field.name}") is Keep.BOTH and not field.keeps_both:
                yield problem(f"keep_{field.name}", "merge_both_not_possible")


class InquiryFilter(Contract):
    """The inquiry list's search, filters, sort and page (a GET form: anything odd is dropped)."""

    q: values.text(SEARCH_LIMIT)
    status: values.choice(InquiryStatus)
    source: values.choice(ReferralSource)
    assignee: values.text(20)  # a user id, "me" or "none"; checked by the list service
    arrived_from: values.day(what="first arrival date")
    arrived_to: values.day(what="last arrival date")
    sort: values.choice(InquirySort, default=InquirySort.NEWEST)
    # Where the page starts: a keyset cursor from the page's own links, or a day to jump to
    # (the newest arrivals on or before it; for the "newest first" order).
    cursor: list_cursor()
    on_or_before: values.day(what="date to jump to")


class BoardFilter(Contract):
    """The pipeline board's filters (a GET form: anything odd is dropped): whose cards, from
    which source, and whether the closed columns show."""

    assignee: values.text(20)  # a user id, "me" or "none"; checked by the board service
    source: values.choice(ReferralSource)
    closed: values.yes_no()
