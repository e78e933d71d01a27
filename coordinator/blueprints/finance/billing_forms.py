"""Forms for private pay. They only render: each form's contract parses what is posted (amounts
as text, "280,000") and the services check amounts against the account's currency."""

from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from coordinator.blueprints.admin.fee_schedule_forms import AMOUNT_ATTRS, currency_select_choices
from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, date_input, text_input
from coordinator.contracts import billing as contracts
from coordinator.domain.billing import ChargeCategory, PaymentMethod, PlanFrequency

NUMBER_ATTRS = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 10}


def _blank(pairs, label="— choose —"):
    return choices([("", label)] + list(pairs))


class ConfirmForm(ContractForm):
    """A button: no fields, its CSRF token protects the change."""


class OpenAccountForm(ContractForm):
    contract = contracts.OpenAccountInput

    currency = SelectField(
        "Currency",
        choices=currency_select_choices(),
        validate_choice=False,
        description="Every quote, charge, payment and plan on this account will be in this "
        "currency; it cannot be changed later and nothing is converted.",
    )


class _InAccountCurrency(ContractForm):
    # The account's currency, sent back so the service can refuse a form filled in for another.
    currency = HiddenField()


class QuoteForm(_InAccountCurrency):
    contract = contracts.QuoteInput

    program_id = SelectField("Program", choices=[], validate_choice=False)
    quantity = StringField(
        "How many (days, weeks, months or episodes, as the fee is set)", default="1", render_kw=NUMBER_ATTRS
    )
    valid_until = date_input("Valid until")
    deposit_amount = text_input(
        "Deposit asked before admission", 40, "Leave empty to use the fee schedule's deposit.", **AMOUNT_ATTRS
    )
    notes = TextAreaField("Notes", render_kw={"rows": 2, "maxlength": contracts.NOTES_LIMIT})


class ChargeForm(_InAccountCurrency):
    contract = contracts.ChargeInput

    category = SelectField("What for", choices=_blank(ChargeCategory.choices()), validate_choice=False)
    amount = text_input("Amount", 40, **AMOUNT_ATTRS)
    entry_date = date_input("Date")
    description = text_input(
        "Description",
        contracts.DESCRIPTION_LIMIT,
        'e.g. "Transport to the partner hospital"; the category is used if empty.',
    )
    reference = text_input("Reference", contracts.REFERENCE_LIMIT, "Invoice or receipt number, if any.")


class PaymentForm(_InAccountCurrency):
    contract = contracts.PaymentInput

    amount = text_input("Amount received", 40, **AMOUNT_ATTRS)
    entry_date = date_input("Date received")
    method = SelectField("How", choices=_blank(PaymentMethod.choices()), validate_choice=False)
    is_deposit = BooleanField("This is a deposit (counts toward financial clearance)")
    plan_id = SelectField(
        "Toward a payment plan",
        choices=[],
        validate_choice=False,
        description="A payment toward a plan settles its installments, oldest first.",
    )
    reference = text_input("Reference", contracts.REFERENCE_LIMIT, "Transfer or receipt number, if any.")
    description = text_input("Description", contracts.DESCRIPTION_LIMIT)


class RefundForm(_InAccountCurrency):
    contract = contracts.RefundInput

    amount = text_input("Amount refunded", 40, **AMOUNT_ATTRS)
    entry_date = date_input("Date refunded")
    method = SelectField("How", choices=_blank(PaymentMethod.choices()), validate_choice=False)
    plan_id = SelectField("Against a payment plan", choices=[], validate_choice=False)
    reference = text_input("Reference", contracts.REFERENCE_LIMIT)
    description = text_input("Description", contracts.DESCRIPTION_LIMIT)


class PlanForm(_InAccountCurrency):
    contract = contracts.PlanInput

    total = text_input("Total to pay in installments", 40, **AMOUNT_ATTRS)
    count = StringField("Number of installments", default="3", description="From 1 to 60.", render_kw=NUMBER_ATTRS)
    frequency = SelectField(
        "Every", choices=choices(PlanFrequency.choices()), default=PlanFrequency.MONTHLY.value, validate_choice=False
    )
    first_due = date_input("First installment due")
    notes = TextAreaField("Notes", render_kw={"rows": 2, "maxlength": contracts.NOTES_LIMIT})


class VoidForm(ContractForm):
    contract = contracts.VoidInput

    reason = text_input("Why is this entry voided?", contracts.REASON_LIMIT)


class CancelPlanForm(ContractForm):
    contract = contracts.CancelPlanInput

    reason = text_input("Why is the plan cancelled?", contracts.REASON_LIMIT)
