"""Forms for private pay. They only shape input: amounts are text ("280,000") that the services
parse for the account's currency, and the services check every value again."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from coordinator.blueprints.admin.fee_schedule_forms import currency_select_choices
from coordinator.blueprints.admin.forms import choices
from coordinator.domain.billing import ChargeCategory, PaymentMethod, PlanFrequency


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"Use at most {limit} characters.")


def _blank(pairs, label="— choose —"):
    return choices([("", label)] + list(pairs))


AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


class ConfirmForm(FlaskForm):
    """An empty form: its CSRF token protects state-changing buttons."""


class OpenAccountForm(FlaskForm):
    currency = SelectField(
        "Currency",
        choices=currency_select_choices(),
        validate_choice=False,
        description="Every quote, charge, payment and plan on this account will be in this "
        "currency; it cannot be changed later and nothing is converted.",
    )


class _InAccountCurrency(FlaskForm):
    # The account's currency, sent back so the service can refuse a form filled in for another.
    currency = HiddenField()


class QuoteForm(_InAccountCurrency):
    program_id = SelectField("Program", choices=[], validate_choice=False)
    quantity = StringField(
        "How many (days, weeks, months or episodes, as the fee is set)",
        default="1",
        validators=[_max(10)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    valid_until = DateField("Valid until", validators=[Optional()])
    notes = TextAreaField("Notes", validators=[_max(500)], render_kw={"rows": 2})


class ChargeForm(_InAccountCurrency):
    category = SelectField("What for", choices=_blank(ChargeCategory.choices()), validate_choice=False)
    amount = StringField("Amount", validators=[_max(40)], render_kw=AMOUNT_ATTRS)
    entry_date = DateField("Date", validators=[Optional()])
    description = StringField(
        "Description",
        validators=[_max(200)],
        description='e.g. "Transport to the partner hospital"; the category is used if empty.',
    )
    reference = StringField("Reference", validators=[_max(80)], description="Invoice or receipt number, if any.")


class PaymentForm(_InAccountCurrency):
    amount = StringField("Amount received", validators=[_max(40)], render_kw=AMOUNT_ATTRS)
    entry_date = DateField("Date received", validators=[Optional()])
    method = SelectField("How", choices=_blank(PaymentMethod.choices()), validate_choice=False)
    is_deposit = BooleanField("This is a deposit (counts toward financial clearance)")
    plan_id = SelectField(
        "Toward a payment plan",
        choices=[],
        validate_choice=False,
        description="A payment toward a plan settles its installments, oldest first.",
    )
    reference = StringField("Reference", validators=[_max(80)], description="Transfer or receipt number, if any.")
    description = StringField("Description", validators=[_max(200)])


class RefundForm(_InAccountCurrency):
    amount = StringField("Amount refunded", validators=[_max(40)], render_kw=AMOUNT_ATTRS)
    entry_date = DateField("Date refunded", validators=[Optional()])
    method = SelectField("How", choices=_blank(PaymentMethod.choices()), validate_choice=False)
    plan_id = SelectField("Against a payment plan", choices=[], validate_choice=False)
    reference = StringField("Reference", validators=[_max(80)])
    description = StringField("Description", validators=[_max(200)])


class PlanForm(_InAccountCurrency):
    total = StringField("Total to pay in installments", validators=[_max(40)], render_kw=AMOUNT_ATTRS)
    count = StringField(
        "Number of installments",
        default="3",
        validators=[_max(10)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
        description="From 1 to 60.",
    )
    frequency = SelectField(
        "Every", choices=choices(PlanFrequency.choices()), default=PlanFrequency.MONTHLY.value, validate_choice=False
    )
    first_due = DateField("First installment due", validators=[Optional()])
    notes = TextAreaField("Notes", validators=[_max(500)], render_kw={"rows": 2})


class VoidForm(FlaskForm):
    reason = StringField("Why is this entry voided?", validators=[_max(200)])


class CancelPlanForm(FlaskForm):
    reason = StringField("Why is the plan cancelled?", validators=[_max(200)])
