"""The sign-in form."""

from wtforms import EmailField, PasswordField, StringField

from coordinator.blueprints.forms import ContractForm
from coordinator.contracts import accounts
from coordinator.contracts.accounts import SignInInput
from coordinator.contracts.mfa import CODE_LIMIT, SignInCodeInput


class LoginForm(ContractForm):
    contract = SignInInput

    email = EmailField("Email", render_kw={"maxlength": accounts.EMAIL_LIMIT})
    password = PasswordField("Password")


class CodeForm(ContractForm):
    contract = SignInCodeInput

    code = StringField(
        "Code",
        description="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        render_kw={"maxlength": CODE_LIMIT, "inputmode": "numeric", "autocomplete": "one-time-code"},
    )
