from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from coordinator.blueprints.admin.forms import choices


class NotificationFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET list changes nothing

    show = SelectField(
        "Show", choices=choices([("all", "All"), ("unread", "Unread only")]), default="all", validators=[Optional()]
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects the mark-as-read buttons."""
