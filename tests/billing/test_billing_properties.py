"""Property tests: random sequences of charges, payments, refunds and voids through the services
keep the balance shown equal to charges - payments + refunds, to the minor unit; and random form
input at every private-pay form gets a 2xx, 3xx or 4xx answer, never a 500."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Inquiry, User
from coordinator.roles import Role
from coordinator.rules import money
from coordinator.services import ledger
from tests.billing import use_cases as cases
from tests.billing.helpers import clinic_today
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

OPERATION = st.one_of(
    st.tuples(st.just("charge"), st.integers(1, 10**9)),
    st.tuples(st.just("payment"), st.integers(1, 10**9)),
    st.tuples(st.just("deposit"), st.integers(1, 10**9)),
    st.tuples(st.just("refund"), st.integers(1, 10**9)),
    st.tuples(st.just("void"), st.integers(0, 40)),
)


@SETTINGS
@given(currency=st.sampled_from(["THB", "JPY", "KWD", "USD"]), operations=st.lists(OPERATION, max_size=14))
def test_the_balance_is_always_charges_minus_payments_plus_refunds(app, world, currency, operations):
    today = clinic_today(app)
    inquiry = make_inquiry(app, None)
    step = money.currency(currency).step
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        account = cases.open_account(actor, db.session.get(Inquiry, inquiry.id), currency)
        kept: list[tuple[int, str, Decimal]] = []  # (id, kind, amount) of entries not voided
        posted: list[int] = []
        for name, number in operations:
            amount = Decimal(number) * step
            try:
                with db.session.begin_nested():
                    if name == "charge":
                        entry = cases.add_charge(actor, account, "other", amount, today, None, None, today=today)
                    elif name in ("payment", "deposit"):
                        entry = cases.record_payment(
                            actor, account, amount, today, "cash", None, name == "deposit", today=today
                        )
                    elif name == "refund":
                        entry = cases.record_refund(actor, account, amount, today, "cash", None, today=today)
                    else:
                        if not posted:
                            continue
                        entry = ledger.load_entry(posted[number % len(posted)])
                        cases.void_entry(actor, entry, "Property test")
                        kept = [row for row in kept if row[0] != entry.id]
                        continue
            except ValidationFailed:
                continue
            posted.append(entry.id)
            kept.append((entry.id, entry.kind.value, amount))
        view = ledger.ledger_view(account, today)
        charges = sum((a for _, k, a in kept if k == "charge"), Decimal(0))
        payments = sum((a for _, k, a in kept if k == "payment"), Decimal(0))
        refunds = sum((a for _, k, a in kept if k == "refund"), Decimal(0))
        assert (view.charges, view.payments, view.refunds) == (charges, payments, refunds)
        assert view.balance == charges - payments + refunds == view.charges - view.payments + view.refunds
        assert view.balance == view.balance.quantize(step)
        assert view.refundable == payments - refunds >= 0
        assert (view.lines[-1].balance if view.lines else 0) == view.balance
        assert money.format_money(view.balance, currency).startswith(
            f"{view.balance:,.{money.currency(currency).minor_units}f}"
        )
        db.session.rollback()


TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1e309",
            "NaN",
            "280,000",
            "280,000.555",
            "1,00",
            "99999999999999999999999",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "THB",
            "USD",
            "xyz",
            "transport",
            "cash",
            "monthly",
            "y",
            "\x00",
            "🙂" * 5,
            "1",
            "60",
            "61",
        ]
    ),
    st.text(min_size=2001, max_size=2100),
)
KEYS = [
    "amount",
    "total",
    "count",
    "currency",
    "category",
    "method",
    "entry_date",
    "first_due",
    "valid_until",
    "is_deposit",
    "plan_id",
    "program_id",
    "quantity",
    "description",
    "reference",
    "notes",
    "reason",
    "frequency",
    "period",
    "includes",
    "billed_separately",
    "is_active",
    "unexpected",
]


@pytest.fixture
def signed_in(app, client, world):
    today = clinic_today(app)
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        account = cases.open_account(actor, db.session.get(Inquiry, world.inquiry_id), "THB")
        quote = cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
        entry = cases.add_charge(actor, account, "transport", "3,500", today, None, None, today=today)
        plan = cases.create_plan(actor, account, "3,500", 2, "weekly", today, None, today)
        db.session.commit()
        ids = {"quote": quote.id, "entry": entry.id, "plan": plan.id}
    login_as(client, world.admissions)
    return client, client.csrf_token(), ids


@SETTINGS
@given(
    data=st.dictionaries(st.sampled_from(KEYS), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=10),
    target=st.sampled_from(
        ["charges/new", "payments/new", "refunds/new", "plans/new", "quotes/new", "open", "void", "cancel", "accept"]
    ),
)
def test_random_private_pay_forms_never_fail(world, signed_in, data, target):
    client, token, ids = signed_in
    url = {
        "void": f"/finance/entries/{ids['entry']}/void",
        "cancel": f"/finance/plans/{ids['plan']}/cancel",
        "accept": f"/finance/quotes/{ids['quote']}/accept",
    }.get(target, f"/finance/inquiry/{world.inquiry_id}/account/{target}")
    response = client.post(url, data={**data, "csrf_token": token})
    assert response.status_code < 500


@SETTINGS
@given(data=st.dictionaries(st.sampled_from(KEYS), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=10))
def test_random_fee_schedule_forms_never_fail(app, client, create_user, world, data):
    if not getattr(client, "_signed_in_as_admin", False):
        login_as(client, create_user(Role.ADMIN))
        client._signed_in_as_admin = True
    response = client.post("/admin/fee-schedules/new", data={**data, "csrf_token": client.csrf_token()})
    assert response.status_code < 500
