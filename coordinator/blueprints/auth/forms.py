"""The sign-in form."""

from wtforms import EmailField, PasswordField

from coordinator.blueprints.forms import ContractForm
from coordinator.contracts import accounts
from coordinator.contracts.accounts import SignInInput


class LoginForm(ContractForm):
    contract = SignInInput

    email = EmailField("Email", render_kw={"maxlength": accounts.EMAIL_LIMIT})
    password = PasswordField("Password")
