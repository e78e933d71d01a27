"""Forms of the pipeline board: its filters (a GET form), a card's move, going on or off duty."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField

from coordinator.blueprints.forms import ContractForm, text_input
from coordinator.contracts import pipeline
from coordinator.contracts.pipeline import BoardFilter, TransitionInput
from coordinator.domain.intake import ReferralSource


class BoardFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    contract = BoardFilter

    assignee = SelectField("Assigned to", choices=[], validate_choice=False)
    source = SelectField("Source", choices=[("", "Any source")] + list(ReferralSource.choices()), validate_choice=False)
    closed = BooleanField("Show closed columns")


class MoveForm(ContractForm):
    """A card's "Move to…" form: the lifecycle action and, for an exit or a reopen, the reason.
    The board's filters ride along so the reader comes back to the same view."""

    contract = TransitionInput

    action = SelectField("Move to", choices=[], validate_choice=False)
    reason = TextAreaField("Reason", render_kw={"rows": 2, "maxlength": pipeline.REASON_LIMIT})
    referred_out_to = text_input("Referred to", pipeline.REFERRED_OUT_LIMIT)
    back_assignee = HiddenField()
    back_source = HiddenField()
    back_closed = HiddenField()


class OnDutyForm(FlaskForm):
    on_duty = HiddenField()
