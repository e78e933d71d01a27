"""The issue's "done means", tried through the pages as a new user would: an administrator sets a
residential program's fee at 280,000 THB a month; admissions opens a THB account, quotes one month,
takes a 100,000 THB deposit, spreads the rest over three monthly installments, adds a hospital
transport charge and sees an exact balance, then pays the first installment and prints a statement."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, BillingAccount, Installment, LedgerEntry, PaymentPlan, Quote
from coordinator.roles import Role
from tests.billing.helpers import clinic_today
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as


def _one(app, query):
    with app.app_context():
        return db.session.scalars(query).one()


def test_an_admissions_user_quotes_takes_a_deposit_sets_a_plan_and_sees_an_exact_balance(
    app, client, new_client, create_user
):
    today = clinic_today(app)
    program = make_program(app, name="Residential pain and recovery")
    admin, admissions = create_user(Role.ADMIN), create_user(Role.ADMISSIONS)
    inquiry = make_inquiry(app, admissions, patient_name="Somchai Example")

    # The administrator keeps the fee schedule; the form offers DOMAIN.md's terms by default.
    admin_client = login_as(new_client(), admin)
    page = admin_client.get("/admin/fee-schedules/new").get_data(as_text=True)
    assert "two months of structured aftercare" in page and "hospital visits, and transport" in page
    response = admin_client.post_form(
        "/admin/fee-schedules/new",
        {
            "program_id": str(program.id),
            "amount": "280,000",
            "currency": "THB",
            "period": "month",
            "includes": "Accommodation, meals, therapy, routine psychiatric visits, activities, two months of aftercare.",
            "billed_separately": "Medication, extra psychiatric consultations, hospital visits, transport.",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    assert "280,000.00 THB" in admin_client.get("/admin/fee-schedules").get_data(as_text=True)

    login_as(client, admissions)
    account_url = f"/finance/inquiry/{inquiry.id}/account"
    page = client.get(account_url).get_data(as_text=True)
    assert 'data-testid="no-account"' in page
    assert page.index('value="THB"') < page.index('value="AED"') and page.index('value="USD"') < page.index(
        'value="AED"'
    )
    assert client.post_form(account_url + "/open", {"currency": "THB"}).status_code == 302

    # Quote one month.
    page = client.get(account_url + "/quotes/new").get_data(as_text=True)
    assert "Residential pain and recovery: 280,000.00 THB per month" in page
    response = client.post_form(
        account_url + "/quotes/new",
        {
            "program_id": str(program.id),
            "quantity": "1",
            "valid_until": (today + timedelta(days=14)).isoformat(),
            "currency": "THB",
            "notes": "Family paying",
        },
    )
    assert response.status_code == 302
    quote = _one(app, sa.select(Quote))
    assert (quote.total, quote.unit_amount, quote.quantity, quote.currency) == (
        Decimal("280000"),
        Decimal("280000"),
        1,
        "THB",
    )
    assert "two months of aftercare" in quote.includes
    page = client.get(account_url).get_data(as_text=True)
    assert "280,000.00 THB" in page and "Accept" in page

    # Accepting charges the program fee.
    assert client.post_form(f"/finance/quotes/{quote.id}/accept").status_code == 302
    charge = _one(app, sa.select(LedgerEntry))
    assert (charge.kind.value, charge.category.value, charge.amount, charge.quote_id) == (
        "charge",
        "program_fee",
        Decimal("280000"),
        quote.id,
    )

    # A 100,000 THB deposit, typed with a thousands separator.
    response = client.post_form(
        account_url + "/payments/new",
        {
            "amount": "100,000",
            "entry_date": today.isoformat(),
            "method": "bank_transfer",
            "is_deposit": "y",
            "reference": "TRX-1",
            "currency": "THB",
        },
    )
    assert response.status_code == 302
    page = client.get(account_url).get_data(as_text=True)
    assert 'data-testid="balance">180,000.00 THB<' in page
    assert "including deposits of 100,000.00 THB" in page

    # The plan form proposes the balance; three monthly installments of 60,000.
    page = client.get(account_url + "/plans/new").get_data(as_text=True)
    assert 'value="180,000.00"' in page
    response = client.post_form(
        account_url + "/plans/new",
        {
            "total": "180,000.00",
            "count": "3",
            "frequency": "monthly",
            "first_due": today.isoformat(),
            "currency": "THB",
        },
    )
    assert response.status_code == 302
    plan = _one(app, sa.select(PaymentPlan))
    with app.app_context():
        installments = db.session.scalars(sa.select(Installment).order_by(Installment.seq)).all()
    assert [i.amount for i in installments] == [Decimal("60000")] * 3
    assert installments[0].due_date == today

    # A hospital transport charge: the balance is exact.
    response = client.post_form(
        account_url + "/charges/new",
        {
            "category": "transport",
            "amount": "3,500",
            "entry_date": today.isoformat(),
            "description": "Hospital transport",
            "currency": "THB",
        },
    )
    assert response.status_code == 302
    page = client.get(account_url).get_data(as_text=True)
    assert 'data-testid="balance">183,500.00 THB<' in page

    # The first installment is paid.
    response = client.post_form(
        account_url + "/payments/new",
        {
            "amount": "60,000",
            "entry_date": today.isoformat(),
            "method": "card",
            "plan_id": str(plan.id),
            "currency": "THB",
        },
    )
    assert response.status_code == 302
    page = client.get(account_url).get_data(as_text=True)
    assert 'data-testid="balance">123,500.00 THB<' in page
    row = page[page.index(f'data-testid="installment-{plan.id}-1"') :]
    assert 'data-testid="installment-status">Paid<' in row[: row.index("</tr>")]
    row = page[page.index(f'data-testid="installment-{plan.id}-2"') :]
    assert 'data-testid="installment-status">Due<' in row[: row.index("</tr>")]

    # The printable statement: every line with its running balance, the plan, the balance due.
    page = client.get(f"/finance/inquiry/{inquiry.id}/statement").get_data(as_text=True)
    assert "Somchai Example" in page and 'data-testid="currency">THB<' in page
    assert today.strftime("%d %b %Y") in page and "data-print" in page and "navbar" not in page
    for text in (
        "Program fee: Residential pain and recovery, 1 month",
        "Deposit",
        "Hospital transport",
        "Installment payment",
        "280,000.00 THB",
        "180,000.00 THB",
        "183,500.00 THB",
    ):
        assert text in page, text
    assert 'data-testid="balance-due">123,500.00 THB<' in page
    assert page.count('"statement-status">Paid<') == 1 and page.count('"statement-status">Due<') == 2

    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action)))
        account = db.session.scalars(sa.select(BillingAccount)).one()
        details = db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.detail.is_not(None))).all()
    assert account.currency == "THB"
    assert {
        "fee_schedule_created",
        "billing_account_opened",
        "quote_issued",
        "quote_accepted",
        "ledger_charge_added",
        "ledger_payment_recorded",
        "payment_plan_created",
        "finances_account_viewed",
        "finances_statement_viewed",
    } <= actions
    # The audit log says what happened, never how much or to whom.
    assert not any("000" in d or "Somchai" in d for d in details)
