from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional

from coordinator.domain.audit import AuditAction
from coordinator.passwords import MAX_LENGTH, MIN_LENGTH
from coordinator.roles import Discipline, Role


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


ROLE_CHOICES = [(r.value, r.label) for r in Role]
DISCIPLINE_CHOICES = [("", "— not a clinician —")] + [(d.value, d.label) for d in Discipline]


# Unknown values pass through unchanged so the field answers "Not a valid choice."
def _role(value):
    if isinstance(value, Role) or not value:
        return value or None
    return Role(value) if value in Role._value2member_map_ else value


def _discipline(value):
    if isinstance(value, Discipline) or not value:
        return value or None
    return Discipline(value) if value in Discipline._value2member_map_ else value


class _UserDetailsForm(FlaskForm):
    # InputRequired, not DataRequired: a field missing from the POST must not keep its old value.
    full_name = StringField(
        "Full name", validators=[InputRequired(message="Enter the person's full name."), Length(max=120)]
    )
    role = SelectField(
        "Role", choices=choices(ROLE_CHOICES), coerce=_role, validators=[InputRequired(message="Choose a role.")]
    )
    discipline = SelectField(
        "Discipline",
        choices=choices(DISCIPLINE_CHOICES),
        coerce=_discipline,
        validators=[Optional()],
        description="Clinicians only: physician, psychiatrist, therapist, nurse and so on.",
    )


class NewUserForm(_UserDetailsForm):
    # No role is preselected: an account must never become an administrator by default.
    role = SelectField(
        "Role",
        choices=choices([("", "— choose a role —")] + ROLE_CHOICES),
        coerce=_role,
        validators=[DataRequired(message="Choose a role.")],
    )
    email = EmailField(
        "Email",
        validators=[
            DataRequired(message="Enter the person's work email."),
            Email(check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Temporary password",
        validators=[
            DataRequired(message="Enter a temporary password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."),
        ],
        description="Give it to the person privately. They must choose their own at first sign-in.",
    )
    confirm_password = PasswordField(
        "Repeat the temporary password",
        validators=[
            DataRequired(message="Repeat the temporary password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )


class EditUserForm(_UserDetailsForm):
    pass


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New temporary password",
        validators=[
            DataRequired(message="Enter a temporary password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."),
        ],
        description="The person must choose their own password at their next sign-in. Their open sessions end now.",
    )
    confirm_password = PasswordField(
        "Repeat it",
        validators=[
            DataRequired(message="Repeat the temporary password."),
            EqualTo("password", message="The passwords do not match."),
        ],
    )


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token is what protects the state-changing buttons."""


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField("Name or email", validators=[Optional(), Length(max=100)])
    role = SelectField("Role", choices=choices([("", "Any role")] + ROLE_CHOICES), validators=[Optional()])
    status = SelectField(
        "Status",
        choices=choices([("", "Active and inactive"), ("active", "Active"), ("inactive", "Inactive")]),
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = SelectField("Actor", choices=[], validators=[Optional()])
    action = SelectField(
        "Action", choices=choices([("", "Any action")] + AuditAction.choices()), validators=[Optional()]
    )
    entity_type = StringField("Record type", validators=[Optional(), Length(max=64)])
    entity_id = StringField("Record id", validators=[Optional(), Length(max=64)])
    date_from = DateField("From", validators=[Optional()])
    date_to = DateField("To", validators=[Optional()])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])
