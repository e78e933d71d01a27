"""The fee schedule form. Amounts are typed as text ("280,000") and parsed for the chosen
currency by the service, which also checks the program, the period and duplicates."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from coordinator.blueprints.admin.forms import choices
from coordinator.domain.billing import FeePeriod
from coordinator.rules import money


def currency_select_choices() -> list:
    """Every active ISO 4217 currency, the common ones (THB, USD, ...) first."""
    return choices([("", "— choose —")] + [(c.code, c.label) for c in money.currency_choices()])


class FeeScheduleForm(FlaskForm):
    # The choices are set by the view (active programs); the service checks the id.
    program_id = SelectField("Program", choices=[], validate_choice=False)
    amount = StringField(
        "Fee",
        validators=[Length(max=40, message="Use at most 40 characters.")],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description="In the currency below, e.g. 280,000. Never converted to other currencies.",
    )
    currency = SelectField("Currency", choices=currency_select_choices(), validate_choice=False)
    period = SelectField(
        "Per", choices=choices(FeePeriod.choices()), default=FeePeriod.MONTH.value, validate_choice=False
    )
    includes = TextAreaField(
        "What the fee includes",
        validators=[Length(max=2000, message="Use at most 2000 characters.")],
        render_kw={"rows": 3},
    )
    billed_separately = TextAreaField(
        "Billed separately",
        validators=[Length(max=2000, message="Use at most 2000 characters.")],
        render_kw={"rows": 3},
    )
    is_active = BooleanField("In use (offered on new quotes)", default=True)
