"""Input contract for fee schedules: what a program costs a private-pay patient in one currency.

The fee's syntax is checked here; whether it fits the chosen currency (its minor unit, more
than zero, the ledger maximum) is checked by the service through `rules/money`, like every
amount. Whether the program exists and accepts admissions, and whether it already has a
schedule in that currency, are the service's (database) rules.
"""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem
from coordinator.contracts.billing import CurrencyCode, currency_problems
from coordinator.contracts.messages import define
from coordinator.domain.billing import FeePeriod

TERMS_LIMIT = 2000

define(
    {
        "fee_program_required": "Choose a program.",
        "fee_program_closed": "This program no longer accepts admissions; choose an active one.",
        "fee_period_required": "Choose per day, week, month or episode.",
        "fee_schedule_taken": "{program} already has a fee schedule in {currency}; edit that one instead.",
        "fee_deposit_one_rule": "Give the deposit as an amount or as a share of the first month, not both.",
        "fee_deposit_percent_zero": "A deposit share is more than 0%; leave it empty for no share.",
    }
)


class FeeScheduleInput(Contract):
    """A program's fee in one currency, per period, with what it includes and what is billed on top."""

    schema_required = ("program_id", "amount", "currency", "period")

    program_id: values.record_id(what="program", required="fee_program_required")
    amount: values.amount(what="fee", required="amount_required")
    currency: CurrencyCode
    period: values.choice(FeePeriod, required="fee_period_required")
    # The deposit a quote asks for before admission: an amount, or a percent of the first month.
    deposit_amount: values.amount(what="deposit")
    deposit_percent: values.percent(what="deposit share of the first month")
    includes: values.text(TERMS_LIMIT, multiline=True)
    billed_separately: values.text(TERMS_LIMIT, multiline=True)
    is_active: values.yes_no(default=True)

    def problems(self):
        yield from currency_problems("currency", self.currency)
        if self.deposit_amount is not None and self.deposit_percent is not None:
            yield problem("deposit_percent", "fee_deposit_one_rule")
        if self.deposit_percent is not None and self.deposit_percent == 0:
            yield problem("deposit_percent", "fee_deposit_percent_zero")
