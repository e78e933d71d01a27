"""Forms for the inquiries area: they render fields and carry the CSRF token; each one's
contract (`contracts/intake.py`, `contracts/pipeline.py`) parses what was posted."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)

from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, date_input, datetime_input, text_input
from coordinator.blueprints.regimen_rows import RegimenRowForm, RegimenRows
from coordinator.contracts import pipeline
from coordinator.contracts.intake import TEXT_LIMITS, InquiryEdit, StaffInquiry
from coordinator.contracts.pipeline import (
    BreakGlassInput,
    CallInput,
    EmailInput,
    InquiryFilter,
    MergeInput,
    NoteInput,
    RescheduleInput,
    TaskInput,
    TransitionInput,
)
from coordinator.domain.intake import (
    CallerRelationship,
    CallOutcome,
    ContactMethod,
    Direction,
    InquirySort,
    ReferralSource,
    Sex,
    Substance,
    Urgency,
)
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.rules.merge import FIELDS as MERGE_FIELDS
from coordinator.rules.merge import Keep


def _blank(pairs, label="—"):
    return choices([("", label)] + list(pairs))


def _select(label: str, pairs, blank: str | None = "—", **kwargs) -> SelectField:
    options = _blank(pairs, blank) if blank is not None else choices(list(pairs))
    return SelectField(label, choices=options, validate_choice=False, **kwargs)


def _text(label: str, name: str, description: str | None = None) -> object:
    return text_input(label, TEXT_LIMITS[name], description)


def _area(label: str, limit: int, rows: int, description: str | None = None) -> TextAreaField:
    return TextAreaField(label, description=description, render_kw={"rows": rows, "maxlength": limit})


class InquiryForm(ContractForm):
    """The phone-intake form (also used to edit an inquiry's details)."""

    contract = StaffInquiry

    caller_name = _text("Caller's name", "caller_name")
    caller_relationship = _select("Relationship to the patient", CallerRelationship.choices())
    caller_phone = _text("Caller's phone", "caller_phone")
    caller_email = _text("Caller's email", "caller_email")
    preferred_contact = _select("Preferred contact", ContactMethod.choices())
    may_leave_message = BooleanField(
        "We may leave a message (voicemail, text or email)",
        description="Leave unticked unless the caller said yes: discretion matters.",
    )
    contact_instructions = _area(
        "How to reach them",
        TEXT_LIMITS["contact_instructions"],
        2,
        "In the caller's words, e.g. “please text, don't call at work”.",
    )

    patient_name = _text("Patient's name", "patient_name")
    patient_dob = date_input("Date of birth")
    patient_sex = _select("Sex", Sex.choices())
    patient_location = _text("Where they live", "patient_location")
    patient_phone = _text("Patient's phone", "patient_phone")
    patient_email = _text("Patient's email", "patient_email")

    referral_source = _select("Referral source", ReferralSource.choices(), "— choose —")
    referrer_name = _text(
        "Referring person",
        "referrer_name",
        "For physician, hospital, employer program, insurer or court referrals.",
    )
    referrer_organization = _text("Organization", "referrer_organization")
    referrer_phone = _text("Referrer's phone", "referrer_phone")
    referrer_email = _text("Referrer's email", "referrer_email")

    presenting_concerns = _area("What is going on", TEXT_LIMITS["presenting_concerns"], 4)
    substances = SelectMultipleField("Substances", choices=choices(Substance.choices()), validate_choice=False)
    pain_conditions = _area("Chronic pain conditions", TEXT_LIMITS["pain_conditions"], 2)
    prior_treatment = _area("Prior treatment", TEXT_LIMITS["prior_treatment"], 2)
    regimen = RegimenRows(FormField(RegimenRowForm))
    urgency = _select("Urgency", Urgency.choices(), blank=None, default=Urgency.ROUTINE.value)
    # The service checks the assignee (active, right role); the form only offers the list.
    assigned_to_id = SelectField("Assigned to", choices=[], validate_choice=False)
    is_restricted = BooleanField(
        "Restricted record (only the assignee and administrators may open it)",
        description="For public figures, staff members or anyone who asked for extra discretion.",
    )

    caller_on_line = BooleanField(
        "The caller is on the line now: this call is the first contact",
        description="Untick for a message or callback request: first contact is then still to be made.",
    )

    def regimen_errors(self) -> dict[str, list[str]]:
        """Problems of the regimen rows by field name, for the rows macro."""
        found = {self.regimen.name: list(self.regimen.errors)} if self.regimen.errors else {}
        for entry in self.regimen:
            found.update({field.name: list(field.errors) for field in entry.form if field.errors})
        return found


class InquiryEditForm(InquiryForm):
    contract = InquiryEdit


class InquiryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    contract = InquiryFilter

    q = text_input("Search", pipeline.SEARCH_LIMIT)
    status = _select("Status", ((s.value, s.label) for s in InquiryStatus), "Any status")
    source = _select("Source", ReferralSource.choices(), "Any source")
    assignee = SelectField("Assigned to", choices=[], validate_choice=False)
    arrived_from = date_input("Arrived from")
    arrived_to = date_input("to")
    sort = _select("Sort", InquirySort.choices(), blank=None, default=InquirySort.NEWEST.value)
    on_or_before = date_input("Jump to arrivals on or before")
    cursor = HiddenField()  # from the pager's links; never rendered in the form (a new search starts over)


class TransitionForm(ContractForm):
    contract = TransitionInput

    action = HiddenField()
    reason = _area("Reason", pipeline.REASON_LIMIT, 2)
    referred_out_to = text_input("Referred to", pipeline.REFERRED_OUT_LIMIT)
    program_id = SelectField("Program", choices=[], validate_choice=False)
    admit_date = date_input("Admission date")
    override_reason = _area("Reason to admit without financial clearance (administrators)", pipeline.REASON_LIMIT, 2)
    over_capacity_reason = _area("Reason to admit into a full program (the clinical lead)", pipeline.REASON_LIMIT, 2)
    patient_choice = RadioField("Is this a returning patient?", choices=[], validate_choice=False)


class CallForm(ContractForm):
    contract = CallInput

    direction = _select("Direction", Direction.choices(), blank=None, default=Direction.OUTBOUND.value)
    outcome = _select("Outcome", CallOutcome.choices(), "— choose —")
    duration_minutes = text_input("Minutes", 3, inputmode="numeric")
    occurred_at = datetime_input("When")
    note = _area("Note", pipeline.NOTE_LIMIT, 2)


class EmailForm(ContractForm):
    contract = EmailInput

    direction = _select("Direction", Direction.choices(), blank=None, default=Direction.OUTBOUND.value)
    occurred_at = datetime_input("When")
    note = _area("Summary", pipeline.NOTE_LIMIT, 2)


class NoteForm(ContractForm):
    contract = NoteInput

    note = _area("Note", pipeline.NOTE_LIMIT, 3)


class TaskForm(ContractForm):
    contract = TaskInput

    title = text_input("Task", pipeline.TASK_TITLE_LIMIT)
    due_at = datetime_input("Due")
    assigned_to_id = SelectField("For", choices=[], validate_choice=False)


class RescheduleForm(ContractForm):
    contract = RescheduleInput

    due_at = datetime_input("New due time")


class BreakGlassForm(ContractForm):
    """Which part of a restricted record, and why. The view offers only the scopes the viewer's
    role may ask for (`break_glass.scopes_for`); the service refuses any other."""

    contract = BreakGlassInput

    scope = RadioField("What do you need to open?", choices=[], validate_choice=False)
    reason = _area("Why do you need this record now?", pipeline.REASON_LIMIT, 3)
    refusal = None  # the ValidationFailed of a refused post, for its audit row

    def reword(self, failure):
        self.refusal = failure
        return failure


class MergeForm(ContractForm):
    """The merge page's form: the inquiry to merge into, and one choice per differing detail
    (the page shows only the details that differ; a choice not sent takes the default)."""

    contract = MergeInput

    survivor_id = text_input("Merge into inquiry number", 10, inputmode="numeric")


for _field in MERGE_FIELDS:
    setattr(MergeForm, f"keep_{_field.name}", RadioField(_field.label, choices=Keep.choices(), validate_choice=False))
del _field


class ConfirmForm(ContractForm):
    """An empty form: its CSRF token protects state-changing buttons."""
