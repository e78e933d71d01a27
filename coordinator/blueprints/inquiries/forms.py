"""Forms for the inquiries area. The services validate again: forms only shape input."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from coordinator.blueprints.admin.forms import choices
from coordinator.domain.intake import (
    CallerRelationship,
    CallOutcome,
    ContactMethod,
    Direction,
    ReferralSource,
    Sex,
    Substance,
    Urgency,
)
from coordinator.rules.inquiry_lifecycle import InquiryStatus


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"Use at most {limit} characters.")


def _blank(pairs, label="—"):
    return choices([("", label)] + list(pairs))


class InquiryForm(FlaskForm):
    """The phone-intake form (also used to edit an inquiry's details)."""

    caller_name = StringField("Caller's name", validators=[Optional(), _max(160)])
    caller_relationship = SelectField(
        "Relationship to the patient", choices=_blank(CallerRelationship.choices()), validators=[Optional()]
    )
    caller_phone = StringField("Caller's phone", validators=[Optional(), _max(40)])
    caller_email = StringField("Caller's email", validators=[Optional(), _max(254)])
    preferred_contact = SelectField(
        "Preferred contact", choices=_blank(ContactMethod.choices()), validators=[Optional()]
    )
    may_leave_message = BooleanField(
        "We may leave a message (voicemail, text or email)",
        description="Leave unticked unless the caller said yes: discretion matters.",
    )

    patient_name = StringField("Patient's name", validators=[Optional(), _max(160)])
    patient_dob = StringField("Date of birth", validators=[Optional(), _max(10)], render_kw={"type": "date"})
    patient_sex = SelectField("Sex", choices=_blank(Sex.choices()), validators=[Optional()])
    patient_location = StringField("Where they live", validators=[Optional(), _max(160)])
    patient_phone = StringField("Patient's phone", validators=[Optional(), _max(40)])
    patient_email = StringField("Patient's email", validators=[Optional(), _max(254)])

    referral_source = SelectField(
        "Referral source", choices=_blank(ReferralSource.choices(), "— choose —"), validators=[Optional()]
    )
    referrer_name = StringField(
        "Referring person",
        validators=[Optional(), _max(160)],
        description="For physician, hospital, employer program, insurer or court referrals.",
    )
    referrer_organization = StringField("Organization", validators=[Optional(), _max(160)])
    referrer_phone = StringField("Referrer's phone", validators=[Optional(), _max(40)])
    referrer_email = StringField("Referrer's email", validators=[Optional(), _max(254)])

    presenting_concerns = TextAreaField("What is going on", validators=[Optional(), _max(4000)], render_kw={"rows": 4})
    substances = SelectMultipleField("Substances", choices=choices(Substance.choices()), validators=[Optional()])
    pain_conditions = TextAreaField(
        "Chronic pain conditions", validators=[Optional(), _max(2000)], render_kw={"rows": 2}
    )
    prior_treatment = TextAreaField("Prior treatment", validators=[Optional(), _max(2000)], render_kw={"rows": 2})
    urgency = SelectField(
        "Urgency", choices=choices(Urgency.choices()), default=Urgency.ROUTINE.value, validators=[Optional()]
    )
    # The service checks the assignee (active, right role); the form only offers the list.
    assigned_to_id = SelectField("Assigned to", choices=[], validate_choice=False, validators=[Optional()])
    is_restricted = BooleanField(
        "Restricted record (only the assignee and administrators may open it)",
        description="For public figures, staff members or anyone who asked for extra discretion.",
    )


class InquiryFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Search", validators=[Optional(), _max(100)])
    status = SelectField(
        "Status", choices=_blank(((s.value, s.label) for s in InquiryStatus), "Any status"), validators=[Optional()]
    )
    source = SelectField("Source", choices=_blank(ReferralSource.choices(), "Any source"), validators=[Optional()])
    assignee = SelectField("Assigned to", choices=[], validators=[Optional()])
    arrived_from = DateField("Arrived from", validators=[Optional()])
    arrived_to = DateField("to", validators=[Optional()])
    sort = SelectField(
        "Sort",
        choices=choices(
            [
                ("newest", "Newest first"),
                ("oldest", "Oldest first"),
                ("updated", "Recently moved"),
                ("name", "Patient name"),
                ("urgency", "Most urgent"),
            ]
        ),
        default="newest",
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class TransitionForm(FlaskForm):
    action = HiddenField(validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[Optional(), _max(500)], render_kw={"rows": 2})
    referred_out_to = StringField("Referred to", validators=[Optional(), _max(200)])
    program_id = SelectField("Program", choices=[], validate_choice=False, validators=[Optional()])
    admit_date = DateField("Admission date", validators=[Optional()])
    override_reason = TextAreaField(
        "Reason to admit without financial clearance (administrators)",
        validators=[Optional(), _max(500)],
        render_kw={"rows": 2},
    )


class CallForm(FlaskForm):
    direction = SelectField("Direction", choices=choices(Direction.choices()), default=Direction.OUTBOUND.value)
    outcome = SelectField(
        "Outcome",
        choices=_blank(CallOutcome.choices(), "— choose —"),
        validators=[InputRequired(message="Choose the call's outcome.")],
    )
    duration_minutes = IntegerField("Minutes", validators=[Optional(), NumberRange(min=0, max=600)])
    occurred_at = DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), _max(4000)], render_kw={"rows": 2})


class EmailForm(FlaskForm):
    direction = SelectField("Direction", choices=choices(Direction.choices()), default=Direction.OUTBOUND.value)
    occurred_at = DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    note = TextAreaField("Summary", validators=[Optional(), _max(4000)], render_kw={"rows": 2})


class NoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Optional(), _max(4000)], render_kw={"rows": 3})


class TaskForm(FlaskForm):
    title = StringField("Task", validators=[Optional(), _max(200)])
    due_at = DateTimeLocalField("Due", format="%Y-%m-%dT%H:%M", validators=[Optional()])
    assigned_to_id = SelectField("For", choices=[], validate_choice=False, validators=[Optional()])


class RescheduleForm(FlaskForm):
    due_at = DateTimeLocalField("New due time", format="%Y-%m-%dT%H:%M", validators=[Optional()])


class BreakGlassForm(FlaskForm):
    reason = TextAreaField(
        "Why do you need this record now?", validators=[Optional(), _max(500)], render_kw={"rows": 3}
    )


class MergeForm(FlaskForm):
    survivor_id = IntegerField(
        "Merge into inquiry number",
        validators=[InputRequired(message="Enter the inquiry number."), NumberRange(min=1, max=2**31 - 1)],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects state-changing buttons."""
