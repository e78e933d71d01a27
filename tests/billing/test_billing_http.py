"""The private-pay pages: who may read and change them, and bad input answered with a 400, the
form shown again with the reason, and nothing written."""

from datetime import timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import BillingAccount, Inquiry, LedgerEntry, PaymentPlan, Quote, User
from coordinator.roles import Role
from tests.billing import use_cases as cases
from tests.billing.helpers import add_schedule, clinic_today, count_rows, ledger_rows
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as


@pytest.fixture
def books(app, world):
    """A THB account with a quote, a charge, a deposit and a plan; returns their ids."""
    today = clinic_today(app)
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        account = cases.open_account(actor, db.session.get(Inquiry, world.inquiry_id), "THB")
        quote = cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
        charge = cases.add_charge(actor, account, "transport", "3,500", today, "Hospital transport", None, today=today)
        deposit = cases.record_payment(actor, account, "1,000", today, "cash", None, True, today=today)
        plan = cases.create_plan(actor, account, "2,500", 2, "monthly", today, None, today)
        db.session.commit()
        return {
            "account": account.id,
            "quote": quote.id,
            "charge": charge.id,
            "deposit": deposit.id,
            "plan": plan.id,
            "url": f"/finance/inquiry/{world.inquiry_id}/account",
        }


def test_a_case_manager_reads_the_account_and_statement_but_cannot_change_them(app, client, create_user, books, world):
    login_as(client, create_user(Role.CASE_MANAGER))
    page = client.get(books["url"]).get_data(as_text=True)
    assert 'data-testid="balance">2,500.00 THB<' in page
    assert "Add a charge" not in page and "Void" not in page and "Accept" not in page
    assert client.get(f"/finance/inquiry/{world.inquiry_id}/statement").status_code == 200
    before = ledger_rows(app)
    assert client.get(books["url"] + "/charges/new").status_code == 403
    assert client.post_form(books["url"] + "/charges/new", {"category": "transport", "amount": "10"}).status_code == 403
    assert client.post_form(f"/finance/entries/{books['charge']}/void", {"reason": "No"}).status_code == 403
    assert client.post_form(f"/finance/quotes/{books['quote']}/accept").status_code == 403
    assert ledger_rows(app) == before


@pytest.mark.parametrize("path", ["", "/../statement", "/charges/new", "/plans/new"])
def test_a_clinician_sees_none_of_it(app, client, create_user, books, path):
    login_as(client, create_user(Role.CLINICIAN))
    url = (books["url"] + path).replace("/account/../statement", "/statement")
    response = client.get(url)
    assert response.status_code == 403
    assert "THB" not in response.get_data(as_text=True)


def test_billing_staff_record_payments(app, client, create_user, books):
    login_as(client, create_user(Role.BILLING))
    today = clinic_today(app)
    response = client.post_form(
        books["url"] + "/payments/new",
        {
            "amount": "1,250",
            "entry_date": today.isoformat(),
            "method": "card",
            "plan_id": str(books["plan"]),
            "currency": "THB",
        },
    )
    assert response.status_code == 302
    assert 'data-testid="balance">1,250.00 THB<' in client.get(books["url"]).get_data(as_text=True)


def _post_bad(client, app, url, data, message, model=LedgerEntry):
    before = count_rows(app, model)
    response = client.post_form(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert message in page
    assert count_rows(app, model) == before


def test_bad_ledger_input_is_a_400_with_the_reason_and_no_row(app, client, books, world):
    login_as(client, world.admissions)
    today = clinic_today(app).isoformat()
    url = books["url"]
    _post_bad(
        client,
        app,
        url + "/charges/new",
        {"category": "transport", "amount": "abc", "entry_date": today},
        "Enter the amount as an amount such as 1500 or 1,500.50.",
    )
    _post_bad(
        client,
        app,
        url + "/charges/new",
        {"category": "", "amount": "10", "entry_date": today},
        "Choose what the charge is for",
    )
    _post_bad(
        client,
        app,
        url + "/charges/new",
        {"category": "transport", "amount": "10", "entry_date": "2026-02-30"},
        "Enter the date as a real date (YYYY-MM-DD).",
    )
    _post_bad(
        client,
        app,
        url + "/charges/new",
        {"category": "transport", "amount": "3,500", "entry_date": today, "currency": "USD"},
        "This account is in THB",
    )
    _post_bad(
        client,
        app,
        url + "/payments/new",
        {"amount": "10.005", "entry_date": today, "method": "cash"},
        "THB amounts have at most 2 decimal places",
    )
    _post_bad(
        client,
        app,
        url + "/payments/new",
        {"amount": "10", "entry_date": today, "method": "cash", "plan_id": "999999"},
        "Choose one of this account",
    )
    _post_bad(
        client,
        app,
        url + "/refunds/new",
        {"amount": "1,000.01", "entry_date": today, "method": "cash"},
        "at most 1,000.00 THB can be refunded",
    )
    _post_bad(
        client,
        app,
        url + "/plans/new",
        {"total": "2,500", "count": "0", "frequency": "monthly", "first_due": today},
        "Enter the number of installments as a whole number from 1 to 60.",
        PaymentPlan,
    )
    _post_bad(
        client,
        app,
        url + "/plans/new",
        {
            "total": "2,500",
            "count": "2",
            "frequency": "monthly",
            "first_due": (clinic_today(app) - timedelta(days=1)).isoformat(),
        },
        "cannot be due in the past",
        PaymentPlan,
    )
    _post_bad(
        client,
        app,
        url + "/quotes/new",
        {"program_id": str(world.program_id), "quantity": "0"},
        "Enter the quantity as a whole number from 1 to 1,000.",
        Quote,
    )
    _post_bad(
        client, app, url + "/open", {"currency": "USD"}, "already has a private-pay account in THB", BillingAccount
    )


def test_quoting_a_program_priced_in_another_currency_is_refused_plainly(app, client, books, world):
    usd_only = make_program(app, name="Virtual IOP abroad")
    add_schedule(app, world.admissions.id, usd_only.id, amount="8,500", currency="USD")
    login_as(client, world.admissions)
    page = client.get(books["url"] + "/quotes/new").get_data(as_text=True)
    assert "Virtual IOP abroad" not in page
    _post_bad(
        client,
        app,
        books["url"] + "/quotes/new",
        {"program_id": str(usd_only.id), "quantity": "1"},
        "has no fee schedule in THB (it has one in USD)",
        Quote,
    )


def test_voiding_needs_a_reason_and_keeps_the_entry_listed(app, client, books, world):
    login_as(client, world.admissions)
    response = client.post_form(f"/finance/entries/{books['charge']}/void", {"reason": "  "})
    assert response.status_code == 400 and "Say why this entry is voided" in response.get_data(as_text=True)
    assert ledger_rows(app)[0][3] is False
    response = client.post_form(f"/finance/entries/{books['charge']}/void", {"reason": "Charged twice"})
    assert response.status_code == 302
    page = client.get(books["url"]).get_data(as_text=True)
    assert "<s>Hospital transport</s>" in page and "Charged twice" in page
    assert 'data-testid="balance">-1,000.00 THB<' in page and "In credit" in page
    statement = client.get(f"/finance/inquiry/{world.inquiry_id}/statement").get_data(as_text=True)
    assert "<s>Hospital transport</s>" in statement and "Voided" in statement


def test_cancelling_a_plan_needs_a_reason(app, client, books, world):
    login_as(client, world.admissions)
    response = client.post_form(f"/finance/plans/{books['plan']}/cancel", {"reason": ""})
    assert response.status_code == 400 and "Say why the plan is cancelled" in response.get_data(as_text=True)
    assert client.post_form(f"/finance/plans/{books['plan']}/cancel", {"reason": "Paid in full"}).status_code == 302
    page = client.get(books["url"]).get_data(as_text=True)
    assert "Cancelled" in page and "Paid in full" in page


def test_quote_buttons_need_the_csrf_token_and_refuse_twice(app, client, books, world):
    login_as(client, world.admissions)
    assert client.post(f"/finance/quotes/{books['quote']}/accept").status_code == 400
    assert client.post_form(f"/finance/quotes/{books['quote']}/withdraw").status_code == 302
    response = client.post_form(f"/finance/quotes/{books['quote']}/accept", follow_redirects=True)
    assert "This quote is withdrawn: it cannot change any more." in response.get_data(as_text=True)
    assert len(ledger_rows(app)) == 2


@pytest.mark.parametrize(
    "path",
    [
        "/finance/quotes/999999/accept",
        "/finance/quotes/999999/withdraw",
        "/finance/entries/999999/void",
        "/finance/plans/999999/cancel",
    ],
)
def test_unknown_records_are_404(client, world, path):
    login_as(client, world.admissions)
    assert client.post_form(path, {"reason": "x"}).status_code == 404


def test_an_unknown_inquiry_is_404(client, world):
    login_as(client, world.admissions)
    assert client.get("/finance/inquiry/999999/account").status_code == 404


def test_pages_ask_to_open_an_account_first(app, client, world):
    login_as(client, world.admissions)
    url = f"/finance/inquiry/{world.inquiry_id}/account"
    for path in ("/charges/new", "/payments/new", "/refunds/new", "/plans/new", "/quotes/new"):
        response = client.get(url + path)
        assert response.status_code == 302 and response.headers["Location"].endswith(url)
    response = client.get(f"/finance/inquiry/{world.inquiry_id}/statement", follow_redirects=True)
    assert "no private-pay account" in response.get_data(as_text=True)
    _post_bad(client, app, url + "/open", {"currency": "XYZ"}, "not an ISO 4217 currency", BillingAccount)


def test_forms_show_the_account_currency(app, client, books, world):
    login_as(client, world.admissions)
    for path in ("/charges/new", "/payments/new", "/refunds/new", "/plans/new"):
        page = client.get(books["url"] + path).get_data(as_text=True)
        assert 'data-testid="account-currency"' in page and '<span class="input-group-text"' in page
        assert 'name="currency" type="hidden" value="THB"' in page


def test_a_restricted_inquiry_is_not_shown_to_others(app, client, create_user, world):
    assignee = create_user(Role.ADMISSIONS)
    secret = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True)
    login_as(client, create_user(Role.BILLING))
    response = client.get(f"/finance/inquiry/{secret.id}/account")
    # Refused with the 403 page, which links to where the glass can be broken.
    assert response.status_code == 403 and f'href="/finance/inquiry/{secret.id}"' in response.get_data(as_text=True)
    response = client.post_form(f"/finance/inquiry/{secret.id}/account/open", {"currency": "THB"})
    assert response.status_code == 403 and count_rows(app, BillingAccount) == 0
