"""The fee schedule form. It only renders: `FeeScheduleInput` parses what is posted (the fee as
text, "280,000") and the service checks the fee against the chosen currency, the program and
duplicates."""

from decimal import Decimal

from wtforms import BooleanField, SelectField, TextAreaField

from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, text_input
from coordinator.contracts.fee_schedules import TERMS_LIMIT, FeeScheduleInput
from coordinator.domain.billing import FeePeriod
from coordinator.rules import money

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off"}


def currency_select_choices() -> list:
    """Every active ISO 4217 currency, the common ones (THB, USD, ...) first."""
    return choices([("", "— choose —")] + [(c.code, c.label) for c in money.currency_choices()])


def amount_text(amount: Decimal, code: str) -> str:
    """An amount as a form's text box shows it: "280,000.00" (no currency code)."""
    return money.format_money(amount, code).rsplit(" ", 1)[0]


class FeeScheduleForm(ContractForm):
    contract = FeeScheduleInput

    # The choices are set by the view (active programs); the service checks the id.
    program_id = SelectField("Program", choices=[], validate_choice=False)
    amount = text_input(
        "Fee", 40, "In the currency below, e.g. 280,000. Never converted to other currencies.", **AMOUNT_ATTRS
    )
    currency = SelectField("Currency", choices=currency_select_choices(), validate_choice=False)
    period = SelectField(
        "Per", choices=choices(FeePeriod.choices()), default=FeePeriod.MONTH.value, validate_choice=False
    )
    deposit_amount = text_input(
        "Deposit before admission (amount)", 40, "In the fee's currency; or give a share below.", **AMOUNT_ATTRS
    )
    deposit_percent = text_input(
        "…or deposit as a share of the first month (%)", 6, "e.g. 25 for a quarter of the first month's fee."
    )
    includes = TextAreaField("What the fee includes", render_kw={"rows": 3, "maxlength": TERMS_LIMIT})
    billed_separately = TextAreaField("Billed separately", render_kw={"rows": 3, "maxlength": TERMS_LIMIT})
    is_active = BooleanField("In use (offered on new quotes)", default=True)

    @classmethod
    def for_schedule(cls, schedule) -> "FeeScheduleForm":
        """The form filled in with a stored schedule, the fee as its text box shows it."""
        return cls(
            program_id=str(schedule.program_id),
            amount=amount_text(schedule.amount, schedule.currency),
            currency=schedule.currency,
            period=schedule.period.value,
            deposit_amount=amount_text(schedule.deposit_amount, schedule.currency) if schedule.deposit_amount else "",
            deposit_percent=f"{schedule.deposit_percent.normalize():f}" if schedule.deposit_percent else "",
            includes=schedule.includes,
            billed_separately=schedule.billed_separately,
            is_active=schedule.is_active,
        )
