"""The form for changing one's own password."""

from wtforms import PasswordField

from coordinator.blueprints.forms import ContractForm
from coordinator.contracts.accounts import ChangePasswordInput
from coordinator.passwords import MIN_LENGTH


class ChangePasswordForm(ContractForm):
    contract = ChangePasswordInput

    current_password = PasswordField("Current password")
    new_password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
    )
    confirm_password = PasswordField("Repeat the new password")
