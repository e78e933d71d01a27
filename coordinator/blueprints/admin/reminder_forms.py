"""Forms for the reminders page: filters, cancelling with a reason, and the clinical lead."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from coordinator.blueprints.admin.forms import choices
from coordinator.domain.reminders import ReminderKind
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import reminder_admin
from coordinator.services.reminders import CANCEL_REASON_LIMIT

# Dates outside this range are typing mistakes (and year 9999 + 1 day would overflow).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _plausible(form, field):
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(f"Choose a date between {EARLIEST.year} and {LATEST.year}.")


class ReminderFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    status = SelectField(
        "Status",
        choices=choices(
            [("", "Any status")] + ReminderStatus.choices() + [(reminder_admin.STUCK, "Stuck (late or held too long)")]
        ),
        validators=[Optional()],
    )
    kind = SelectField("Kind", choices=choices([("", "Any kind")] + ReminderKind.choices()), validators=[Optional()])
    due_from = DateField("Due from", validators=[Optional(), _plausible])
    due_to = DateField("Due to", validators=[Optional(), _plausible])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def validate_due_to(self, field):
        if field.data and self.due_from.data and field.data < self.due_from.data:
            raise ValidationError("The end date is before the start date.")


class ReminderActionForm(FlaskForm):
    """Retry: only the CSRF token, and where to go back to (this page with its filters)."""

    back = HiddenField()


class CancelReminderForm(ReminderActionForm):
    reason = StringField(
        "Reason",
        validators=[
            InputRequired(message="Say why the reminder is cancelled."),
            Length(max=CANCEL_REASON_LIMIT, message=f"Use at most {CANCEL_REASON_LIMIT} characters."),
        ],
    )


class ClinicalLeadForm(FlaskForm):
    # The service checks the person (exists, active) and the role; these fields only shape input,
    # so a stale page offering someone since deactivated gets a clear message, not "Not a valid choice".
    choice = RadioField(
        "Safety flags go to",
        choices=choices(
            [(reminder_admin.LEAD_BY_ROLE, "Everyone active in a role"), (reminder_admin.LEAD_BY_USER, "One person")]
        ),
        validate_choice=False,
        validators=[InputRequired(message="Choose a person or a role.")],
    )
    role = SelectField(
        "Role", choices=choices([(r.value, r.label) for r in Role]), validate_choice=False, validators=[Optional()]
    )
    user_id = SelectField("Person", choices=[], validate_choice=False, validators=[Optional()])
