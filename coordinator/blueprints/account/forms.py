from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from coordinator.passwords import MAX_LENGTH, MIN_LENGTH


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(message="Enter your current password."), Length(max=1024)]
    )
    new_password = PasswordField(
        "New password",
        validators=[
            DataRequired(message="Enter a new password."),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."),
        ],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong, memorable password.",
    )
    confirm_password = PasswordField(
        "Repeat the new password",
        validators=[
            DataRequired(message="Repeat the new password."),
            EqualTo("new_password", message="The two new passwords do not match."),
        ],
    )
