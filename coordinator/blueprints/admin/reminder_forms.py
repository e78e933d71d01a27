"""Forms for the reminders page: filters, retry, cancelling with a reason, and the clinical lead.

The fields only render; the contracts in `contracts/reminders.py` parse what was sent.
"""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField

from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, apply_errors, date_input, text_input
from coordinator.contracts.reminders import (
    CANCEL_REASON_LIMIT,
    CancelReminderInput,
    ClinicalLeadInput,
    ReminderFilterInput,
)
from coordinator.domain.reminders import ClinicalLeadChoice, ReminderKind, ReminderListStatus
from coordinator.errors import ValidationFailed
from coordinator.roles import Role


class ReminderFilterForm(ContractForm):
    """A GET search: it changes nothing, so no CSRF token."""

    class Meta:
        csrf = False

    contract = ReminderFilterInput

    status = SelectField("Status", choices=choices([("", "Any status")] + ReminderListStatus.choices()))
    kind = SelectField("Kind", choices=choices([("", "Any kind")] + ReminderKind.choices()))
    due_from = date_input("Due from")
    due_to = date_input("Due to")
    page = StringField()
    cursor = StringField()  # from the pager's links; not rendered in the form

    def filters(self) -> ReminderFilterInput:
        """The filters asked for; when some cannot be read, their problems go on the form and no
        filter applies (a bad link shows the whole list rather than an error page)."""
        try:
            return self.parse()
        except ValidationFailed as failure:
            apply_errors(self, failure)
            return ReminderFilterInput.parse({})


class ReminderActionForm(ContractForm):
    """Retry: only the CSRF token, and where to go back to (this page with its filters)."""

    back = HiddenField()


class CancelReminderForm(ReminderActionForm):
    contract = CancelReminderInput

    reason = text_input("Reason", CANCEL_REASON_LIMIT)


class ClinicalLeadForm(ContractForm):
    # The contract and the service check the choice, the person (exists, active) and the role, so
    # a stale page offering someone since deactivated gets a clear message, not "Not a valid choice".
    contract = ClinicalLeadInput

    choice = RadioField("Safety flags go to", choices=choices(ClinicalLeadChoice.choices()), validate_choice=False)
    role = SelectField("Role", choices=choices(Role.choices()), validate_choice=False)
    user_id = SelectField("Person", choices=[], validate_choice=False)

    @classmethod
    def for_lead(cls, lead, candidates, *, submitted: bool) -> "ClinicalLeadForm":
        """The form showing the current lead (or what was posted), offering `candidates`."""
        current = {
            "choice": lead.choice.value,
            "role": lead.role.value,
            "user_id": str(lead.user.id) if lead.user else "",
        }
        form = cls() if submitted else cls(data=current)
        form.user_id.choices = choices(
            [("", "— choose a person —")] + [(str(u.id), f"{u.full_name} ({u.role.label})") for u in candidates]
        )
        return form


class RoundRobinForm(FlaskForm):
    """Turning the round-robin assignment of new web and API inquiries on ("on") or off ("off")."""

    enabled = HiddenField()
