"""Forms of the notification list: its filter, and the mark-as-read buttons."""

from wtforms import StringField

from coordinator.blueprints.admin.forms import select
from coordinator.blueprints.forms import ContractForm
from coordinator.contracts.notifications import NotificationFilterInput, NotificationShow


class NotificationFilterForm(ContractForm):
    contract = NotificationFilterInput

    class Meta:
        csrf = False  # a GET list changes nothing

    show = select("Show", NotificationShow.choices(), default=NotificationShow.ALL.value)
    page = StringField()
    cursor = StringField()  # from the pager's links; not rendered in the form


class ConfirmForm(ContractForm):
    """A button with no fields: its CSRF token protects the mark-as-read buttons."""
