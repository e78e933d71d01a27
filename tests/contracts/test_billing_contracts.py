"""The private-pay, fee-schedule and clearance-override contracts: a table of good and bad input
for each, parsed as a staff form sends it (text) and, where it matters, as JSON.

The contracts check syntax and single-record rules only; what needs the account (the currency's
minor unit, refunds, plans) or the database is tested through the services in tests/billing."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from coordinator.contracts.billing import (
    CancelPlanInput,
    ChargeInput,
    OpenAccountInput,
    PaymentInput,
    PlanInput,
    QuoteInput,
    RefundInput,
    VoidInput,
)
from coordinator.contracts.clearance import ClearanceOverrideInput
from coordinator.contracts.fee_schedules import FeeScheduleInput
from coordinator.domain.billing import ChargeCategory, FeePeriod, PaymentMethod, PlanFrequency
from coordinator.errors import ValidationFailed

TODAY = date(2026, 3, 15)
ZONE = ZoneInfo("Asia/Bangkok")


def parse(contract, data, source="form"):
    return contract.parse(data, source=source, today=TODAY, zone=ZONE)


def problems(contract, data, source="form") -> dict:
    with pytest.raises(ValidationFailed) as failure:
        parse(contract, data, source)
    return {p.field: (p.code, p.message) for p in failure.value.problems}


# --- opening an account, and the currency sent back with every amount ----------------------------


@pytest.mark.parametrize("typed, code", [("THB", "THB"), (" usd ", "USD"), ("jpy", "JPY"), ("KWD", "KWD")])
def test_an_account_opens_in_any_active_iso_currency_typed_in_any_case(typed, code):
    assert parse(OpenAccountInput, {"currency": typed}).currency == code


@pytest.mark.parametrize(
    "typed, code, words",
    [
        ("", "billing_currency_required", "Choose a currency."),
        (None, "billing_currency_required", "Choose a currency."),
        ("XYZ", "billing_currency_unknown", "not an ISO 4217 currency"),
        ("XAU", "billing_currency_unknown", "not an ISO 4217 currency"),  # gold: no minor unit to bill in
        ("HRK", "billing_currency_unknown", "not an ISO 4217 currency"),  # withdrawn in 2023
        ("dollars", "billing_currency_unknown", "not an ISO 4217 currency"),
        ("x" * 11, "text_too_long", "at most 10 characters"),
    ],
)
def test_unknown_currencies_are_refused(typed, code, words):
    found = problems(OpenAccountInput, {"currency": typed})
    assert found["currency"][0] == code and words in found["currency"][1]


def test_an_amount_form_may_leave_out_the_currency_and_unknown_fields_are_refused():
    charge = parse(ChargeInput, {"category": "medication", "amount": "1,200", "entry_date": "2026-03-15"})
    assert charge.currency is None
    assert problems(ChargeInput, {"category": "medication", "amount": "1", "entry_date": "2026-03-15", "x": 1}) == {
        "x": ("unknown_field", "Unknown field: see the API's OpenAPI document for the accepted fields.")
    }


# --- ledger entries -------------------------------------------------------------------------------

CHARGE = {"category": "transport", "amount": "3,500", "entry_date": "2026-03-15", "currency": "thb"}


def test_a_charge_is_parsed_into_typed_values():
    charge = parse(ChargeInput, {**CHARGE, "description": "  Hospital transport ", "reference": ""})
    assert charge.category is ChargeCategory.TRANSPORT
    assert (charge.amount, charge.entry_date, charge.currency) == (Decimal("3500"), TODAY, "THB")
    assert (charge.description, charge.reference) == ("Hospital transport", None)


@pytest.mark.parametrize(
    "amount, parsed",
    [("280000", "280000"), ("280,000", "280000"), ("280 000.50", "280000.50"), ("0", "0"), ("1500.555", "1500.555")],
)
def test_amounts_are_checked_for_syntax_only(amount, parsed):
    # Zero and the third decimal place pass here: the service checks them for the account's currency.
    assert parse(ChargeInput, {**CHARGE, "amount": amount}).amount == Decimal(parsed)


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("amount", "", "amount_required"),
        ("amount", "-5", "amount_invalid"),
        ("amount", "1e3", "amount_invalid"),
        ("amount", "1,00,000", "amount_invalid"),
        ("amount", "NaN", "amount_invalid"),
        ("amount", "9" * 39, "amount_invalid"),
        ("category", "", "charge_category_required"),
        ("category", "wizardry", "choice_unknown"),
        ("entry_date", "", "date_required"),
        ("entry_date", "2026-02-30", "date_invalid"),
        ("entry_date", "2026-03-16", "date_in_future"),
        ("entry_date", "1999-12-31", "date_too_early"),
        ("description", "d" * 201, "text_too_long"),
        ("reference", "r" * 81, "text_too_long"),
        ("reference", "line\nbreak", "text_control_character"),
    ],
)
def test_bad_charges_are_refused_field_by_field(field, value, code):
    assert problems(ChargeInput, {**CHARGE, field: value})[field][0] == code


def test_every_bad_field_of_a_charge_is_named_at_once():
    found = problems(
        ChargeInput,
        {
            "category": "wizardry",
            "amount": "",
            "entry_date": "2026-03-16",
            "description": "d" * 201,
            "reference": "r" * 81,
        },
    )
    assert set(found) == {"category", "amount", "entry_date", "description", "reference"}
    assert found["entry_date"][1] == "The date cannot be in the future."
    assert found["amount"][1] == "Enter the amount."


PAYMENT = {"amount": "100,000", "entry_date": "2026-03-15", "method": "bank_transfer"}


def test_a_payment_may_be_a_deposit_and_go_toward_a_plan():
    payment = parse(PaymentInput, {**PAYMENT, "is_deposit": "y", "plan_id": "12"})
    assert (payment.method, payment.is_deposit, payment.plan_id) == (PaymentMethod.BANK_TRANSFER, True, 12)
    plain = parse(PaymentInput, {**PAYMENT, "plan_id": ""})
    assert (plain.is_deposit, plain.plan_id) == (False, None)


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"method": ""}, "method", "payment_method_required"),
        ({"method": "bitcoin"}, "method", "choice_unknown"),
        ({"plan_id": "abc"}, "plan_id", "choice_required"),
        ({"plan_id": str(2**31)}, "plan_id", "choice_required"),
        ({"is_deposit": "perhaps"}, "is_deposit", "yes_no"),
        ({"entry_date": "2026-03-16"}, "entry_date", "date_in_future"),
    ],
)
def test_bad_payments_are_refused(data, field, code):
    assert problems(PaymentInput, {**PAYMENT, **data})[field][0] == code


def test_json_payments_use_json_types():
    body = {"amount": "100", "entry_date": "2026-03-15", "method": "cash", "is_deposit": True, "plan_id": 3}
    assert parse(PaymentInput, body, "json").plan_id == 3
    assert problems(PaymentInput, {**body, "is_deposit": "yes"}, "json")["is_deposit"][0] == "json_boolean"
    assert problems(PaymentInput, {**body, "entry_date": 20260315}, "json")["entry_date"][0] == "json_string"


def test_a_refund_says_how_the_money_was_given_back():
    refund = parse(RefundInput, {"amount": "40,000", "entry_date": "2026-03-01", "method": "cash", "plan_id": "7"})
    assert (refund.amount, refund.plan_id) == (Decimal("40000"), 7)
    found = problems(RefundInput, {"amount": "1", "entry_date": "2026-03-01", "method": ""})
    assert found["method"] == ("refund_method_required", "Choose how the money was given back.")
    assert "is_deposit" in problems(
        RefundInput, {"amount": "1", "entry_date": "2026-03-01", "method": "cash", "is_deposit": "y"}
    )


@pytest.mark.parametrize(
    "contract, reason, code, words",
    [
        (VoidInput, "", "void_reason_required", "Say why this entry is voided."),
        (VoidInput, "   ", "void_reason_required", "Say why this entry is voided."),
        (VoidInput, None, "void_reason_required", "Say why this entry is voided."),
        (VoidInput, "x" * 201, "text_too_long", "at most 200"),
        (CancelPlanInput, "", "plan_cancel_reason_required", "Say why the plan is cancelled."),
        (CancelPlanInput, "x" * 201, "text_too_long", "at most 200"),
    ],
)
def test_voids_and_cancellations_need_a_reason(contract, reason, code, words):
    found = problems(contract, {"reason": reason})["reason"]
    assert found[0] == code and words in found[1]
    assert parse(contract, {"reason": " Charged twice "}).reason == "Charged twice"


# --- quotes and plans -------------------------------------------------------------------------------


def test_a_quote_names_a_program_a_quantity_and_perhaps_an_expiry():
    quote = parse(QuoteInput, {"program_id": "4", "quantity": "2", "valid_until": "2026-04-14", "notes": "Two\nmonths"})
    assert (quote.program_id, quote.quantity, quote.valid_until, quote.notes) == (
        4,
        2,
        date(2026, 4, 14),
        "Two\nmonths",
    )
    assert parse(QuoteInput, {"program_id": 4, "quantity": 1}).valid_until is None


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"program_id": ""}, "program_id", "quote_program_required"),
        ({"program_id": "0"}, "program_id", "quote_program_required"),
        ({"program_id": "x"}, "program_id", "quote_program_required"),
        ({"quantity": ""}, "quantity", "quote_quantity_required"),
        ({"quantity": "0"}, "quantity", "whole_number_invalid"),
        ({"quantity": "1001"}, "quantity", "whole_number_invalid"),
        ({"quantity": "two"}, "quantity", "whole_number_invalid"),
        ({"valid_until": "2026-13-01"}, "valid_until", "date_invalid"),
        ({"notes": "n" * 501}, "notes", "text_too_long"),
    ],
)
def test_bad_quotes_are_refused(data, field, code):
    assert problems(QuoteInput, {"program_id": "4", "quantity": "1", **data})[field][0] == code


PLAN = {"total": "180,000", "count": "3", "frequency": "monthly", "first_due": "2026-03-20"}


def test_a_plan_splits_a_total_into_installments():
    plan = parse(PlanInput, PLAN)
    assert (plan.total, plan.count, plan.frequency, plan.first_due) == (
        Decimal("180000"),
        3,
        PlanFrequency.MONTHLY,
        date(2026, 3, 20),
    )


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"total": ""}, "total", "amount_required"),
        ({"count": ""}, "count", "plan_count_required"),
        ({"count": "0"}, "count", "whole_number_invalid"),
        ({"count": "61"}, "count", "whole_number_invalid"),
        ({"frequency": "yearly"}, "frequency", "choice_unknown"),
        ({"frequency": ""}, "frequency", "plan_frequency_required"),
        ({"first_due": ""}, "first_due", "date_required"),
    ],
)
def test_bad_plans_are_refused(data, field, code):
    assert problems(PlanInput, {**PLAN, **data})[field][0] == code


# --- fee schedules and the clearance override ----------------------------------------------------

SCHEDULE = {"program_id": "3", "amount": "280,000", "currency": "THB", "period": "month"}


def test_a_fee_schedule_is_in_use_unless_unticked():
    schedule = parse(FeeScheduleInput, SCHEDULE)
    assert (schedule.amount, schedule.currency, schedule.period, schedule.is_active) == (
        Decimal("280000"),
        "THB",
        FeePeriod.MONTH,
        True,
    )
    assert parse(FeeScheduleInput, {**SCHEDULE, "is_active": False}).is_active is False


@pytest.mark.parametrize(
    "data, field, code",
    [
        ({"program_id": ""}, "program_id", "fee_program_required"),
        ({"amount": ""}, "amount", "amount_required"),
        ({"amount": "-1"}, "amount", "amount_invalid"),
        ({"currency": ""}, "currency", "billing_currency_required"),
        ({"currency": "XYZ"}, "currency", "billing_currency_unknown"),
        ({"period": ""}, "period", "fee_period_required"),
        ({"period": "fortnight"}, "period", "choice_unknown"),
        ({"includes": "x" * 2001}, "includes", "text_too_long"),
    ],
)
def test_bad_fee_schedules_are_refused(data, field, code):
    assert problems(FeeScheduleInput, {**SCHEDULE, **data})[field][0] == code


@pytest.mark.parametrize(
    "reason, code",
    [("", "override_reason_short"), ("short", "override_reason_short"), ("x" * 501, "text_too_long")],
)
def test_an_override_needs_a_real_reason(reason, code):
    assert problems(ClearanceOverrideInput, {"override_reason": reason})["override_reason"][0] == code


def test_an_override_reason_may_run_over_lines():
    reason = "Charity bed approved\nby the director"
    assert parse(ClearanceOverrideInput, {"override_reason": f"  {reason} "}).override_reason == reason
