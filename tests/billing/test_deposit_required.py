"""Issue 13, bug 2: the deposit a private-pay patient must pay is part of the fee schedule (an
amount or a share of the first month) or typed on the quote, and clearance compares the deposits
kept against it: 1 THB does not clear a quote asking 30,000 THB."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import FeeSchedule, Quote
from coordinator.roles import Role
from tests.billing.helpers import clinic_today
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as


def _schedule(admin_client, program_id: int, **deposit) -> None:
    response = admin_client.post_form(
        "/admin/fee-schedules/new",
        {
            "program_id": str(program_id),
            "amount": "280,000.01",
            "currency": "THB",
            "period": "month",
            "includes": "Everything in the programme.",
            "is_active": "y",
            **deposit,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _pay(client, account_url: str, amount: str, today) -> None:
    response = client.post_form(
        account_url + "/payments/new",
        {"amount": amount, "entry_date": today.isoformat(), "method": "cash", "is_deposit": "y", "currency": "THB"},
    )
    assert response.status_code == 302


def _quote(app, client, account_url: str, program_id: int, today, **extra) -> Quote:
    response = client.post_form(
        account_url + "/quotes/new",
        {
            "program_id": str(program_id),
            "quantity": "2",
            "valid_until": (today + timedelta(days=14)).isoformat(),
            "currency": "THB",
            **extra,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session.scalars(sa.select(Quote).order_by(Quote.id.desc())).first()


def test_a_token_deposit_does_not_clear_a_quote_asking_for_30000(app, client, new_client, create_user):
    today = clinic_today(app)
    program = make_program(app, name="Residential recovery")
    admin, billing = create_user(Role.ADMIN), create_user(Role.BILLING)
    inquiry = make_inquiry(app, billing)
    _schedule(login_as(new_client(), admin), program.id, deposit_amount="30,000")
    with app.app_context():
        assert db.session.scalars(sa.select(FeeSchedule)).one().deposit_amount == Decimal("30000")

    login_as(client, billing)
    account_url = f"/finance/inquiry/{inquiry.id}/account"
    assert client.post_form(account_url + "/open", {"currency": "THB"}).status_code == 302
    quote = _quote(app, client, account_url, program.id, today)
    assert quote.deposit_required == Decimal("30000")
    assert "deposit 30,000.00 THB" in client.get(account_url).get_data(as_text=True)

    _pay(client, account_url, "1", today)
    page = client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    assert "Not cleared yet" in page and "Cleared to admit" not in page
    assert "The deposit received, 1.00 THB, is less than the 30,000.00 THB the quote asks for" in page
    assert "29,999.00 THB still due" in page

    _pay(client, account_url, "29,999", today)
    page = client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    assert "Cleared to admit" in page
    assert "a deposit of 30,000.00 THB has been received (the quote asks for 30,000.00 THB)" in page


def test_a_share_of_the_first_month_is_exact_and_rounded_up(app, client, new_client, create_user):
    today = clinic_today(app)
    program = make_program(app, name="Residential recovery")
    admin, billing = create_user(Role.ADMIN), create_user(Role.BILLING)
    inquiry = make_inquiry(app, billing)
    _schedule(login_as(new_client(), admin), program.id, deposit_percent="25")
    login_as(client, billing)
    account_url = f"/finance/inquiry/{inquiry.id}/account"
    client.post_form(account_url + "/open", {"currency": "THB"})
    # 25% of the first month's 280,000.01 THB is 70,000.0025: asked as 70,000.01, never less.
    assert _quote(app, client, account_url, program.id, today).deposit_required == Decimal("70000.01")
    _pay(client, account_url, "70,000", today)
    assert "Not cleared yet" in client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    # A deposit typed on a new quote replaces the schedule's for clearance.
    assert _quote(app, client, account_url, program.id, today, deposit_amount="50,000").deposit_required == Decimal(
        "50000"
    )
    assert "Cleared to admit" in client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)


def test_a_deposit_without_a_stated_requirement_does_not_clear(app, client, create_user):
    from tests.fixtures.intake import record_deposit

    billing = create_user(Role.BILLING)
    inquiry = make_inquiry(app, billing)
    record_deposit(app, inquiry.id, amount="1", required=None)
    login_as(client, billing)
    page = client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    assert "Not cleared yet" in page and "no quote says what deposit is required" in page


def test_both_deposit_rules_at_once_are_refused(app, client, create_user):
    program = make_program(app)
    login_as(client, create_user(Role.ADMIN))
    response = client.post_form(
        "/admin/fee-schedules/new",
        {
            "program_id": str(program.id),
            "amount": "280,000",
            "currency": "THB",
            "period": "month",
            "deposit_amount": "30,000",
            "deposit_percent": "25",
        },
    )
    assert response.status_code == 400
    assert "Give the deposit as an amount or as a share of the first month, not both." in response.get_data(
        as_text=True
    )
    response = client.post_form(
        "/admin/fee-schedules/new",
        {
            "program_id": str(program.id),
            "amount": "280,000",
            "currency": "JPY",
            "period": "month",
            "deposit_amount": "1.5",
        },
    )
    assert response.status_code == 400
