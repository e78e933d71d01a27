"""The account page and the statement run the same number of statements with 3 entries or 30."""

from datetime import timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import Inquiry, User
from coordinator.services import ledger
from tests.billing import use_cases as cases
from tests.billing.helpers import clinic_today
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


def _account_with(app, world, entries: int) -> int:
    """An inquiry whose account has a quote, two plans and `entries` ledger entries (one voided)."""
    inquiry = make_inquiry(app, None)
    today = clinic_today(app)
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        account = cases.open_account(actor, db.session.get(Inquiry, inquiry.id), "THB")
        cases.issue_quote(actor, account, world.program_id, 1, None, None, today)
        plans = [cases.create_plan(actor, account, "9,000", 3, "monthly", today, None, today) for _ in range(2)]
        for n in range(entries):
            day = today - timedelta(days=entries - n)
            if n % 3 == 0:
                cases.add_charge(actor, account, "medication", f"{1000 + n}", day, None, None, today=today)
            elif n % 3 == 1:
                cases.record_payment(actor, account, "100", day, "cash", None, n == 1, plans[n % 2].id, today=today)
            else:
                cases.record_refund(actor, account, "10", day, "cash", None, today=today)
        first = ledger.ledger_view(account, today).lines[0].entry
        cases.void_entry(actor, first, "Typed twice")
        db.session.commit()
    return inquiry.id


@pytest.mark.parametrize("page", ["account", "statement"])
def test_the_page_does_not_query_per_entry(app, client, world, count_queries, page):
    small, large = _account_with(app, world, 3), _account_with(app, world, 30)
    login_as(client, world.admissions)
    counts = []
    for inquiry_id in (small, large):
        url = f"/finance/inquiry/{inquiry_id}/{page}"
        assert client.get(url).status_code == 200  # warm up
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[0] <= 20, counts
