"""The private-pay services: currencies never mix, amounts respect the currency's minor unit,
refunds never exceed what was paid, voids keep the record, plans raise overdue reminders."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coordinator.domain.reminders import ReminderKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BillingAccount, Inquiry, Installment, LedgerEntry, PaymentPlan, Quote, Reminder, User
from coordinator.rules.payment_plan_lifecycle import PlanStatus
from coordinator.rules.quote_lifecycle import QuoteStatus
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import billing_accounts, fee_schedules, ledger, plan_status, quotes
from tests.billing import use_cases as cases
from tests.billing.helpers import add_schedule, clinic_today
from tests.fixtures.intake import make_inquiry, make_program


@pytest.fixture
def ctx(app, world):
    """An app context with the admissions user, the inquiry and a THB account opened."""
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        inquiry = db.session.get(Inquiry, world.inquiry_id)
        account = cases.open_account(actor, inquiry, "THB")
        db.session.commit()
        yield actor, account, clinic_today(app)


def reasons(failure: ValidationFailed) -> dict:
    return dict(failure.reasons)


# --- accounts and currencies ---------------------------------------------------------------------------


def test_an_inquiry_has_one_account_in_one_currency_for_life(app, ctx):
    actor, account, _ = ctx
    inquiry = db.session.get(Inquiry, account.inquiry_id)
    with pytest.raises(ValidationFailed) as failure:
        cases.open_account(actor, inquiry, "USD")
    assert "already has a private-pay account in THB" in reasons(failure.value)["currency"]
    assert billing_accounts.account_for(inquiry).currency == "THB"


@pytest.mark.parametrize(
    "code, message",
    [
        ("XYZ", "not an ISO 4217 currency"),
        ("XAU", "not an ISO 4217"),
        ("", "Choose a currency"),
        ("HRK", "not an ISO 4217"),
    ],
)
def test_unknown_and_unbillable_currencies_are_refused(app, world, code, message):
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        with pytest.raises(ValidationFailed) as failure:
            cases.open_account(actor, db.session.get(Inquiry, world.inquiry_id), code)
        assert message in reasons(failure.value)["currency"]


def test_a_lower_case_code_opens_the_account_in_that_currency(app, world):
    with app.app_context():
        account = cases.open_account(
            db.session.get(User, world.admissions.id), db.session.get(Inquiry, world.inquiry_id), " usd "
        )
        assert account.currency == "USD"


def test_a_program_priced_only_in_usd_cannot_be_quoted_to_a_thb_account(app, ctx, world):
    actor, account, today = ctx
    usd_program = make_program(app, name="Virtual IOP (dollars)")
    add_schedule(app, actor.id, usd_program.id, amount="8,500", currency="USD")
    with pytest.raises(ValidationFailed) as failure:
        cases.issue_quote(actor, account, usd_program.id, 1, None, None, today)
    message = reasons(failure.value)["program_id"]
    assert "no fee schedule in THB (it has one in USD)" in message and "never converted" in message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quote)) == 0
    assert [p.id for p, _ in quotes.quote_options(account)] == [world.program_id]


def test_every_amount_must_be_in_the_account_currency(app, ctx, world):
    actor, account, today = ctx
    calls = [
        lambda: cases.add_charge(actor, account, "transport", "3,500", today, None, None, currency="USD", today=today),
        lambda: cases.record_payment(actor, account, "100", today, "cash", None, currency="EUR", today=today),
        lambda: cases.record_refund(actor, account, "1", today, "cash", None, currency="usd", today=today),
        lambda: cases.create_plan(actor, account, "300", 3, "monthly", today, None, today, currency="JPY"),
        lambda: cases.issue_quote(actor, account, world.program_id, 1, None, None, today, currency="USD"),
    ]
    for call in calls:
        with pytest.raises(ValidationFailed) as failure:
            call()
        assert "This account is in THB" in reasons(failure.value)["currency"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0
    # The same code in lower case is the same currency.
    entry = cases.add_charge(actor, account, "transport", "3,500", today, None, None, currency="thb", today=today)
    assert (entry.currency, entry.amount) == ("THB", Decimal("3500.00"))


def test_yen_amounts_are_whole_numbers_and_baht_have_two_places(app, world):
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        other = make_inquiry(app, None)
        yen = cases.open_account(actor, db.session.get(Inquiry, other.id), "JPY")
        today = clinic_today(app)
        with pytest.raises(ValidationFailed) as failure:
            cases.add_charge(actor, yen, "medication", "1,500.50", today, None, None, today=today)
        assert reasons(failure.value)["amount"] == "JPY amounts are whole numbers."
        assert cases.add_charge(actor, yen, "medication", "1,500", today, None, None, today=today).amount == 1500
        baht = cases.open_account(actor, db.session.get(Inquiry, world.inquiry_id), "THB")
        with pytest.raises(ValidationFailed) as failure:
            cases.record_payment(actor, baht, "100.005", today, "cash", None, today=today)
        assert reasons(failure.value)["amount"] == "THB amounts have at most 2 decimal places."


@pytest.mark.parametrize(
    "amount, message",
    [
        ("", "Enter the amount."),
        ("0", "more than zero"),
        ("-5", "as an amount such as 1500"),
        ("abc", "as an amount such as 1500"),
        ("1e3", "as an amount such as 1500"),
        ("1,00,000", "as an amount such as 1500"),
        ("NaN", "as an amount such as 1500"),
        ("9" * 39, "as an amount such as 1500"),
        ("9" * 25, "must be at most"),
    ],
)
def test_bad_amounts_are_explained(app, ctx, amount, message):
    actor, account, today = ctx
    with pytest.raises(ValidationFailed) as failure:
        cases.add_charge(actor, account, "transport", amount, today, None, None, today=today)
    assert message in reasons(failure.value)["amount"]


def test_several_problems_are_reported_together(app, ctx):
    actor, account, today = ctx
    with pytest.raises(ValidationFailed) as failure:
        cases.add_charge(actor, account, "wizardry", "", today + timedelta(days=1), "d" * 201, "r" * 81, today=today)
    assert set(reasons(failure.value)) == {"category", "amount", "entry_date", "description", "reference"}


# --- quotes -------------------------------------------------------------------------------------------


def test_a_quote_copies_the_schedule_and_later_changes_do_not_touch_it(app, ctx, world):
    actor, account, today = ctx
    quote = cases.issue_quote(actor, account, world.program_id, 2, today + timedelta(days=30), "Two months", today)
    assert (quote.unit_amount, quote.total, quote.period.value) == (Decimal("280000.00"), Decimal("560000.00"), "month")
    schedule = fee_schedules.load(world.schedule_id)
    cases.update_schedule(
        actor,
        schedule,
        {
            "program_id": world.program_id,
            "amount": "300,000",
            "currency": "THB",
            "period": "week",
            "includes": "Something else",
            "billed_separately": "",
            "is_active": True,
        },
    )
    db.session.commit()
    db.session.refresh(quote)
    assert (quote.unit_amount, quote.total, quote.period.value) == (Decimal("280000"), Decimal("560000"), "month")
    assert quote.includes == fee_schedules.DEFAULT_INCLUDES


def test_accepting_charges_the_total_once(app, ctx, world):
    actor, account, today = ctx
    quote = cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
    entry = cases.accept_quote(actor, quote, today)
    assert (entry.amount, entry.quote_id, entry.category.value, quote.status) == (
        Decimal("280000.00"),
        quote.id,
        "program_fee",
        QuoteStatus.ACCEPTED,
    )
    with pytest.raises(ValidationFailed, match="This quote is accepted: it cannot change any more"):
        cases.accept_quote(actor, quote, today)
    with pytest.raises(ValidationFailed, match="This quote is accepted: it cannot change any more"):
        cases.withdraw_quote(actor, quote)
    assert billing_accounts.balance_of(account) == Decimal("280000.00")


def test_withdrawn_and_expired_quotes_cannot_be_accepted(app, ctx, world):
    actor, account, today = ctx
    withdrawn = cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
    cases.withdraw_quote(actor, withdrawn)
    with pytest.raises(ValidationFailed, match="withdrawn"):
        cases.accept_quote(actor, withdrawn, today)
    expiring = cases.issue_quote(actor, account, world.program_id, 1, today, None, today)
    with pytest.raises(ValidationFailed, match="expired"):
        cases.accept_quote(actor, expiring, today + timedelta(days=1))
    assert billing_accounts.balance_of(account) == 0


@pytest.mark.parametrize(
    "quantity, valid_days, field",
    [(0, None, "quantity"), (1001, None, "quantity"), ("two", None, "quantity"), (1, -1, "valid_until")],
)
def test_bad_quote_input(app, ctx, world, quantity, valid_days, field):
    actor, account, today = ctx
    valid_until = today + timedelta(days=valid_days) if valid_days is not None else None
    with pytest.raises(ValidationFailed) as failure:
        cases.issue_quote(actor, account, world.program_id, quantity, valid_until, None, today)
    assert field in reasons(failure.value)


def test_an_inactive_schedule_is_not_offered(app, ctx, world):
    actor, account, today = ctx
    schedule = fee_schedules.load(world.schedule_id)
    schedule.is_active = False
    db.session.flush()
    assert quotes.quote_options(account) == []
    with pytest.raises(ValidationFailed, match="no fee schedule in THB"):
        cases.issue_quote(actor, account, world.program_id, 1, None, None, today)


# --- refunds and voids --------------------------------------------------------------------------------


def test_a_refund_never_exceeds_what_was_paid_and_not_yet_refunded(app, ctx):
    actor, account, today = ctx
    cases.add_charge(actor, account, "program_fee", "280,000", today, None, None, today=today)
    cases.record_payment(actor, account, "100,000", today, "bank_transfer", None, True, today=today)
    with pytest.raises(ValidationFailed) as failure:
        cases.record_refund(actor, account, "100,000.01", today, "bank_transfer", None, today=today)
    assert "at most 100,000.00 THB can be refunded" in reasons(failure.value)["amount"]
    cases.record_refund(actor, account, "40,000", today, "bank_transfer", None, today=today)
    with pytest.raises(ValidationFailed, match="at most 60,000.00 THB"):
        cases.record_refund(actor, account, "60,000.01", today, "bank_transfer", None, today=today)
    cases.record_refund(actor, account, "60,000", today, "bank_transfer", None, today=today)
    assert billing_accounts.refundable_of(account) == 0
    assert billing_accounts.balance_of(account) == Decimal("280000.00")


def test_a_refund_against_a_plan_never_exceeds_what_was_paid_toward_it(app, ctx):
    actor, account, today = ctx
    plan = cases.create_plan(actor, account, "90,000", 3, "monthly", today, None, today)
    cases.record_payment(actor, account, "50,000", today, "cash", None, today=today)
    cases.record_payment(actor, account, "30,000", today, "cash", None, plan_id=plan.id, today=today)
    with pytest.raises(ValidationFailed, match="Only 30,000.00 THB was paid toward this plan"):
        cases.record_refund(actor, account, "30,000.01", today, "cash", None, plan.id, today=today)
    cases.record_refund(actor, account, "10,000", today, "cash", None, plan.id, today=today)
    assert plan_status.paid_toward(plan.id) == Decimal("20000")


def test_voiding_needs_a_reason_keeps_the_entry_and_takes_it_out_of_the_balance(app, ctx):
    actor, account, today = ctx
    charge = cases.add_charge(actor, account, "transport", "3,500", today, "Hospital transport", None, today=today)
    cases.add_charge(actor, account, "medication", "1,200", today, None, None, today=today)
    for reason in ("", "   ", None):
        with pytest.raises(ValidationFailed) as failure:
            cases.void_entry(actor, charge, reason)
        assert reasons(failure.value)["reason"] == "Say why this entry is voided."
    with pytest.raises(ValidationFailed, match="at most 200"):
        cases.void_entry(actor, charge, "x" * 201)
    assert billing_accounts.balance_of(account) == Decimal("4700.00")
    cases.void_entry(actor, charge, "Entered on the wrong account")
    view = ledger.ledger_view(account, today)
    assert [(line.entry.id, line.entry.voided_at is not None, line.balance) for line in view.lines] == [
        (charge.id, True, Decimal("0.00")),
        (charge.id + 1, False, Decimal("1200.00")),
    ]
    assert (view.charges, view.balance) == (Decimal("1200.00"), Decimal("1200.00"))
    assert charge.void_reason == "Entered on the wrong account" and charge.voided_by_id == actor.id
    with pytest.raises(ValidationFailed, match="already voided"):
        cases.void_entry(actor, charge, "Again")


def test_a_payment_that_was_partly_refunded_cannot_be_voided_before_the_refund(app, ctx):
    actor, account, today = ctx
    payment = cases.record_payment(actor, account, "10,000", today, "cash", None, today=today)
    refund = cases.record_refund(actor, account, "4,000", today, "cash", None, today=today)
    with pytest.raises(ValidationFailed, match="void the refund first"):
        cases.void_entry(actor, payment, "Cheque bounced")
    cases.void_entry(actor, refund, "Refund not sent")
    cases.void_entry(actor, payment, "Cheque bounced")
    assert billing_accounts.balance_of(account) == 0 and billing_accounts.refundable_of(account) == 0


def test_entries_cannot_be_dated_in_the_future_or_before_2000(app, ctx):
    actor, account, today = ctx
    for day, message in (
        (today + timedelta(days=1), "cannot be in the future"),
        (today.replace(year=1999), "cannot be before 2000"),
        (None, "Enter the date"),
    ):
        with pytest.raises(ValidationFailed) as failure:
            cases.record_payment(actor, account, "10", day, "cash", None, today=today)
        assert message in reasons(failure.value)["entry_date"]


# --- payment plans and their reminders ----------------------------------------------------------------


def test_a_plan_splits_exactly_with_the_remainder_last(app, ctx):
    actor, account, today = ctx
    plan = cases.create_plan(actor, account, "100,000", 3, "fortnightly", today, "Family pays", today)
    amounts = db.session.scalars(
        sa.select(Installment.amount).where(Installment.plan_id == plan.id).order_by(Installment.seq)
    ).all()
    dues = db.session.scalars(
        sa.select(Installment.due_date).where(Installment.plan_id == plan.id).order_by(Installment.seq)
    ).all()
    assert amounts == [Decimal("33333.33"), Decimal("33333.33"), Decimal("33333.34")]
    assert dues == [today, today + timedelta(days=14), today + timedelta(days=28)]


@pytest.mark.parametrize(
    "total, count, frequency, first_due_days, field",
    [
        ("180,000", 0, "monthly", 0, "count"),
        ("180,000", 61, "monthly", 0, "count"),
        ("180,000", "x", "monthly", 0, "count"),
        ("180,000", 3, "yearly", 0, "frequency"),
        ("180,000", 3, "monthly", -1, "first_due"),
        ("", 3, "monthly", 0, "total"),
        ("0.02", 3, "monthly", 0, "count"),
    ],
)
def test_bad_plans_are_refused(app, ctx, total, count, frequency, first_due_days, field):
    actor, account, today = ctx
    with pytest.raises(ValidationFailed) as failure:
        cases.create_plan(actor, account, total, count, frequency, today + timedelta(days=first_due_days), None, today)
    assert field in reasons(failure.value)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PaymentPlan)) == 0


def test_a_plan_raises_an_overdue_reminder_per_installment_and_cancelling_it_cancels_them(app, ctx):
    actor, account, today = ctx
    plan = cases.create_plan(actor, account, "180,000", 3, "monthly", today, None, today)
    db.session.commit()
    zone = ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    grace = timedelta(days=app.config["INSTALLMENT_GRACE_DAYS"])
    hour = time(app.config["BILLING_REMINDER_HOUR"])
    installments = db.session.scalars(
        sa.select(Installment).where(Installment.plan_id == plan.id).order_by(Installment.seq)
    ).all()
    found = {
        r.installment_id: r
        for r in db.session.scalars(sa.select(Reminder).where(Reminder.kind == ReminderKind.INSTALLMENT_OVERDUE))
    }
    assert set(found) == {i.id for i in installments}
    for item in installments:
        reminder = found[item.id]
        assert reminder.status is ReminderStatus.PENDING and reminder.inquiry_id == account.inquiry_id
        assert reminder.due_at == datetime.combine(item.due_date + grace, hour, tzinfo=zone)

    with pytest.raises(ValidationFailed, match="Say why"):
        cases.cancel_plan(actor, plan, " ")
    cases.cancel_plan(actor, plan, "Family paid in full another way")
    db.session.commit()
    statuses = db.session.scalars(
        sa.select(Reminder.status).where(Reminder.kind == ReminderKind.INSTALLMENT_OVERDUE)
    ).all()
    assert statuses == [ReminderStatus.CANCELLED] * 3
    assert plan.status is PlanStatus.CANCELLED
    with pytest.raises(ValidationFailed, match="This payment plan is cancelled: it cannot change any more"):
        cases.cancel_plan(actor, plan, "Again")
    with pytest.raises(ValidationFailed, match="cancelled; payments can go toward active plans only"):
        cases.record_payment(actor, account, "60,000", today, "cash", None, plan_id=plan.id, today=today)


def test_plan_payments_settle_installments_oldest_first_as_the_reminders_see_it(app, ctx):
    actor, account, today = ctx
    plan = cases.create_plan(actor, account, "180,000", 3, "monthly", today, None, today)
    cases.record_payment(actor, account, "90,000", today, "cash", None, plan_id=plan.id, today=today)
    view = ledger.ledger_view(account, today)
    states = view.plans[0].installments
    assert [(s.paid, s.status.value) for s in states] == [
        (Decimal("60000.00"), "paid"),
        (Decimal("30000.00"), "partly_paid"),
        (Decimal("0.00"), "due"),
    ]
    installments = db.session.scalars(
        sa.select(Installment).where(Installment.plan_id == plan.id).order_by(Installment.seq)
    ).all()
    assert [plan_status.installment_unpaid(i) for i in installments] == [False, True, True]
    # Weeks later, the second installment is overdue.
    later = ledger.ledger_view(account, today + timedelta(days=40))
    assert [s.status.value for s in later.plans[0].installments][:2] == ["paid", "overdue"]


def test_a_payment_toward_another_accounts_plan_is_refused(app, ctx, world):
    actor, account, today = ctx
    other_inquiry = make_inquiry(app, None)
    other = cases.open_account(actor, db.session.get(Inquiry, other_inquiry.id), "THB")
    plan = cases.create_plan(actor, other, "1,000", 1, "monthly", today, None, today)
    with pytest.raises(ValidationFailed, match="one of this account's payment plans"):
        cases.record_payment(actor, account, "1,000", today, "cash", None, plan_id=plan.id, today=today)


# --- deposits and clearance ---------------------------------------------------------------------------


def test_deposit_received_needs_a_live_deposit_and_money_kept(app, ctx):
    actor, account, today = ctx
    inquiry_id = account.inquiry_id
    assert billing_accounts.deposit_received(inquiry_id) is False
    cases.record_payment(actor, account, "5,000", today, "cash", None, today=today)
    assert billing_accounts.deposit_received(inquiry_id) is False  # a payment, not a deposit
    deposit = cases.record_payment(actor, account, "100,000", today, "bank_transfer", None, True, today=today)
    assert billing_accounts.deposit_received(inquiry_id) is True
    refund = cases.record_refund(actor, account, "105,000", today, "bank_transfer", None, today=today)
    assert billing_accounts.deposit_received(inquiry_id) is False  # everything handed back
    cases.void_entry(actor, refund, "Refund cancelled")
    assert billing_accounts.deposit_received(inquiry_id) is True
    cases.void_entry(actor, deposit, "Transfer reversed by the bank")
    assert billing_accounts.deposit_received(inquiry_id) is False
    assert billing_accounts.deposit_received(make_inquiry(app, None).id) is False  # no account at all


def test_changes_are_audited_without_amounts(app, ctx, world):
    from coordinator.models import AuditEvent

    actor, account, today = ctx
    quote = cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
    cases.accept_quote(actor, quote, today)
    cases.record_payment(actor, account, "100,000", today, "cash", None, True, today=today)
    refund = cases.record_refund(actor, account, "1,000", today, "cash", None, today=today)
    cases.void_entry(actor, refund, "Wrong amount typed")
    plan = cases.create_plan(actor, account, "1,000", 1, "weekly", today, None, today)
    cases.cancel_plan(actor, plan, "Not needed")
    rows = db.session.execute(
        sa.select(AuditEvent.action, AuditEvent.entity_type, AuditEvent.detail).where(
            AuditEvent.actor_user_id == actor.id
        )
    ).all()
    assert {action for action, _, _ in rows} >= {
        "billing_account_opened",
        "quote_issued",
        "quote_accepted",
        "ledger_charge_added",
        "ledger_payment_recorded",
        "ledger_refund_recorded",
        "ledger_entry_voided",
        "payment_plan_created",
        "payment_plan_cancelled",
    }
    for _, _, detail in rows:
        assert detail is None or ("000" not in detail and "Wrong amount" not in detail)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BillingAccount)) == 1
