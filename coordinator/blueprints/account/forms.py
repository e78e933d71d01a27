"""The forms of one's own account: the password, and multi-factor sign-in."""

from wtforms import PasswordField, StringField

from coordinator.blueprints.forms import ContractForm
from coordinator.contracts.accounts import ChangePasswordInput
from coordinator.contracts.mfa import CODE_LIMIT, CodeInput, DisableMfaInput
from coordinator.passwords import MIN_LENGTH


class ChangePasswordForm(ContractForm):
    contract = ChangePasswordInput

    current_password = PasswordField("Current password")
    new_password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
    )
    confirm_password = PasswordField("Repeat the new password")


class EnrolForm(ContractForm):
    """The code that confirms enrolment (and renews recovery codes)."""

    contract = CodeInput

    code = StringField(
        "Code from the app",
        render_kw={"maxlength": CODE_LIMIT, "inputmode": "numeric", "autocomplete": "one-time-code"},
    )


class DisableMfaForm(ContractForm):
    contract = DisableMfaInput

    code = StringField(
        "Current code from the app",
        render_kw={"maxlength": CODE_LIMIT, "inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    password = PasswordField("or your password")


class ButtonForm(ContractForm):
    """A button with no fields (its CSRF token protects it)."""
