"""Billing's front door (issue 13, bug 7): a home page with billing's work queue, a search that
finds people with no insurance or account yet, and finance breadcrumbs that lead only where the
role may go. Restricted records billing may not open never appear in the queue or the search."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from coordinator.domain.billing import LedgerKind, PaymentMethod, PlanFrequency
from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import CoverageRank, VerificationMethod, VerificationStatus
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    BenefitVerification,
    BillingAccount,
    Coverage,
    Installment,
    LedgerEntry,
    PaymentPlan,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.verification_lifecycle import VerificationStage
from coordinator.services import work_queue
from tests.billing.helpers import clinic_today
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


def _coverage(app, inquiry_id: int, member_id: str = "XYZ123456789") -> int:
    with app.app_context():
        coverage = Coverage(inquiry_id=inquiry_id, rank=CoverageRank.PRIMARY, payer_name="Acme", member_id=member_id)
        db.session.add(coverage)
        db.session.commit()
        return coverage.id


def _verification(app, coverage_id: int, method: VerificationMethod | None, **stage) -> None:
    with app.app_context():
        db.session.add(
            BenefitVerification(coverage_id=coverage_id, status=VerificationStatus.REQUESTED, method=method, **stage)
        )
        db.session.commit()


def _authorization(app, inquiry_id: int, end, status=AuthorizationStatus.APPROVED) -> None:
    with app.app_context():
        db.session.add(
            Authorization(
                inquiry_id=inquiry_id,
                level_of_care=LevelOfCare.RESIDENTIAL,
                status=status,
                start_date=end - timedelta(days=10),
                end_date=end,
            )
        )
        db.session.commit()


def _account(app, inquiry_id: int) -> int:
    with app.app_context():
        account = BillingAccount(inquiry_id=inquiry_id, currency="USD")
        db.session.add(account)
        db.session.commit()
        return account.id


def _plan(app, inquiry_id: int, due, *, paid: str | None = None) -> None:
    """An active plan of two 500 USD installments, the first due on `due`; `paid` toward it."""
    account_id = _account(app, inquiry_id)
    with app.app_context():
        plan = PaymentPlan(
            account_id=account_id,
            total=Decimal(1000),
            currency="USD",
            frequency=PlanFrequency.MONTHLY,
            installment_count=2,
            first_due=due,
        )
        db.session.add(plan)
        db.session.flush()
        for seq, when in ((1, due), (2, due + timedelta(days=30))):
            db.session.add(Installment(plan_id=plan.id, seq=seq, due_date=when, amount=Decimal(500)))
        if paid:
            db.session.add(
                LedgerEntry(
                    account_id=account_id,
                    kind=LedgerKind.PAYMENT,
                    amount=Decimal(paid),
                    currency="USD",
                    entry_date=due,
                    method=PaymentMethod.BANK_TRANSFER,
                    plan_id=plan.id,
                    description="Installment",
                )
            )
        db.session.commit()


def _section(body: str, kind: str) -> str:
    start = body.index(f'data-testid="queue-{kind}"')
    return body[start : body.index("</section>", start)]


@pytest.fixture
def people(create_user):
    return {
        "admissions": create_user(Role.ADMISSIONS, full_name="Ada Admissions"),
        "billing": create_user(Role.BILLING, full_name="Bea Billing"),
    }


@pytest.fixture
def world(app, people):
    """One inquiry for each section (and one that belongs in none), plus a restricted private-pay
    caller billing may not open."""
    ada = people["admissions"]
    today = clinic_today(app)
    made = {
        "private": make_inquiry(app, ada, patient_name="Priya Privatepay", caller_phone="+1 503 555 0101"),
        "requested": make_inquiry(app, ada, patient_name="Rita Requested"),
        "draft": make_inquiry(app, ada, patient_name="Dora Draft"),
        "ending": make_inquiry(app, ada, patient_name="Eddie Ending"),
        "later": make_inquiry(app, ada, patient_name="Lorna Later"),
        "due": make_inquiry(app, ada, patient_name="Dana Due"),
        "paid": make_inquiry(app, ada, patient_name="Paula Paid"),
        "discarded": make_inquiry(app, ada, patient_name="Dick Discarded"),
        "secret": make_inquiry(
            app,
            ada,
            patient_name="Sam Secret",
            assigned_to_id=ada.id,
            is_restricted=True,
            caller_phone="+1 503 555 0199",
        ),
    }
    _verification(app, _coverage(app, made["requested"].id, "REQ0001"), None)
    _verification(app, _coverage(app, made["draft"].id, "DRF0001"), VerificationMethod.ELECTRONIC_271)
    _verification(
        app,
        _coverage(app, made["discarded"].id, "DIS0001"),
        VerificationMethod.ELECTRONIC_271,
        stage=VerificationStage.DISCARDED,
        discarded_at=utcnow(),
        discard_reason="The 271 was for someone else",
    )
    _coverage(app, made["ending"].id, "END0001")
    _authorization(app, made["ending"].id, today + timedelta(days=3))
    _coverage(app, made["later"].id, "LAT0001")
    _authorization(app, made["later"].id, today + timedelta(days=40))
    _plan(app, made["due"].id, today - timedelta(days=2))
    _plan(app, made["paid"].id, today - timedelta(days=2), paid="500")
    return made


def test_billings_home_lists_what_waits_for_billing(app, client, people, world):
    login_as(client, people["billing"])
    body = client.get("/").get_data(as_text=True)
    expected = {
        "new_private_pay": "Priya Privatepay",
        "verification_requested": "Rita Requested",
        "draft_to_review": "Dora Draft",
        "authorization_ending": "Eddie Ending",
        "installment_due": "Dana Due",
    }
    for kind, name in expected.items():
        section = _section(body, kind)
        assert name in section, kind
        assert f'href="/finance/inquiry/{world[_key(world, name)].id}"' in section
        # Each person is in their own section only.
        for other_kind, other in expected.items():
            if other_kind != kind and other_kind != "new_private_pay":
                assert other not in section, (kind, other)
    assert "Lorna Later" not in _section(body, "authorization_ending")  # ends in 40 days
    assert "Paula Paid" not in _section(body, "installment_due")  # paid
    # A discarded draft waits for nobody.
    assert "Dick Discarded" not in _section(body, "draft_to_review") + _section(body, "verification_requested")
    assert "500.00 USD overdue" in _section(body, "installment_due")
    # The restricted caller billing may not open is in no list, not even counted.
    assert "Sam Secret" not in body and f"#{world['secret'].id} " not in body
    assert '<span class="badge text-bg-primary">1</span>' in _section(body, "new_private_pay")
    # Billing has the search on their home page.
    assert 'action="/finance/search"' in body


def _key(world, name: str) -> str:
    return next(key for key, inquiry in world.items() if inquiry.patient_name == name)


def test_billings_home_reads_the_same_statements_with_few_rows_or_many(app, client, people, count_queries):
    login_as(client, people["billing"])
    ada = people["admissions"]
    today = clinic_today(app)

    def add(n: int) -> None:
        for k in range(n):
            private = make_inquiry(app, ada, patient_name=f"Caller {k}")
            insured = make_inquiry(app, ada, patient_name=f"Insured {k}")
            coverage = _coverage(app, insured.id, f"M{k:06d}")
            _verification(app, coverage, None)
            _verification(app, coverage, VerificationMethod.ELECTRONIC_271)
            _authorization(app, insured.id, today + timedelta(days=1))
            _plan(app, private.id, today)

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    add(1)
    few = measure()
    add(work_queue.ROWS + 3)
    assert measure() == few


def test_the_queue_is_audited_as_one_row_naming_the_inquiries_shown(app, client, people, world):
    from coordinator.models import AuditEvent

    login_as(client, people["billing"])
    client.get("/")
    with app.app_context():
        rows = db.session.query(AuditEvent).filter(AuditEvent.action == "work_queue_listed").all()
    shown = {int(n) for row in rows for n in re.findall(r"\d+", row.detail.split(":", 1)[-1])}
    assert world["private"].id in shown and world["secret"].id not in shown


# --- search ------------------------------------------------------------------------------------------


def _found(client, q: str) -> list[int]:
    response = client.get("/finance/search", query_string={"q": q})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    table = body[body.index('data-testid="finance-search-results"') : body.index("</table>")]
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/finance/inquiry/(\d+)"', table))]


def test_billing_finds_a_person_by_name_phone_member_id_or_account(app, client, people, world):
    login_as(client, people["billing"])
    account = _account(app, world["private"].id)
    assert _found(client, "priya") == [world["private"].id]  # no insurance, no account needed
    assert _found(client, "PRIVATEPAY") == [world["private"].id]
    assert _found(client, "555-0101") == [world["private"].id]
    assert _found(client, "REQ 0001") == [world["requested"].id]  # member id as printed, spaces and all
    assert _found(client, "req0001") == [world["requested"].id]
    assert _found(client, f"#{account}") == [world["private"].id]
    assert _found(client, "Nobody Like This") == []


def test_the_search_never_finds_a_restricted_record_billing_may_not_open(app, client, people, world):
    login_as(client, people["billing"])
    _coverage(app, world["secret"].id, "SECRET01")
    for q in ("Sam Secret", "555 0199", "SECRET01"):
        assert world["secret"].id not in _found(client, q), q
    assert "Sam Secret" not in client.get("/finance/search?q=Sam").get_data(as_text=True)


def test_the_search_pages_by_keyset_with_the_same_statements(app, client, people, count_queries, monkeypatch):
    from coordinator.blueprints.finance import search as search_view

    monkeypatch.setattr(search_view, "PAGE_SIZE", 2)
    login_as(client, people["billing"])
    for k in range(5):
        make_inquiry(app, people["admissions"], patient_name=f"Pager Person {k}")
    seen, url = [], "/finance/search?q=pager"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += re.findall(r'href="/finance/inquiry/(\d+)"', body[: body.index("</table>")])
        match = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', body)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert len(seen) == len(set(seen)) == 5

    def measure() -> int:
        with count_queries() as counter:
            client.get("/finance/search?q=pager")
        return counter.count

    few = measure()
    for k in range(10):
        make_inquiry(app, people["admissions"], patient_name=f"Pager More {k}")
    assert measure() == few


@pytest.mark.parametrize("q", ["bad\x00byte", "x" * 5000])
def test_a_search_it_cannot_read_is_a_clear_400(client, people, q):
    login_as(client, people["billing"])
    response = client.get("/finance/search", query_string={"q": q})
    assert response.status_code == 400
    assert "Type a name, phone, member id or account number" in response.get_data(as_text=True)


def test_a_damaged_page_link_starts_the_search_over(app, client, people, world):
    login_as(client, people["billing"])
    response = client.get("/finance/search", query_string={"q": "priya", "cursor": "%%damaged"})
    assert response.status_code == 200 and "Priya Privatepay" in response.get_data(as_text=True)


# --- breadcrumbs ---------------------------------------------------------------------------------------


FINANCE_PAGES = [
    "/finance/inquiry/{id}/account",
    "/finance/inquiry/{id}/coverages/new",
    "/finance/inquiry/{id}/authorizations/new",
    "/finance/inquiry/{id}/account/quotes/new",
]


@pytest.mark.parametrize("page", FINANCE_PAGES)
def test_finance_breadcrumbs_lead_billing_only_where_billing_may_go(app, client, people, world, page):
    _account(app, world["private"].id)
    login_as(client, people["billing"])
    inquiry_id = world["private"].id
    body = client.get(page.format(id=inquiry_id)).get_data(as_text=True)
    assert f'href="/inquiries/{inquiry_id}"' not in body
    assert f'href="/finance/inquiry/{inquiry_id}"' in body and 'href="/finance/"' in body
    # Every link on the page answers billing without a refusal.
    for link in sorted(set(re.findall(r'href="(/(?:finance|inquiries)/[^"#]*)"', body))):
        assert client.get(link.replace("&amp;", "&")).status_code != 403, link


@pytest.mark.parametrize("page", FINANCE_PAGES)
def test_finance_breadcrumbs_still_lead_admissions_to_the_inquiry(app, client, people, world, page):
    _account(app, world["private"].id)
    login_as(client, people["admissions"])
    inquiry_id = world["private"].id
    body = client.get(page.format(id=inquiry_id)).get_data(as_text=True)
    assert f'href="/inquiries/{inquiry_id}">Inquiry #{inquiry_id}</a>' in body


def test_a_verification_page_leads_billing_back_by_the_finance_pages(app, client, people, world):
    login_as(client, people["billing"])
    coverage = _coverage(app, world["private"].id, "VER0001")
    with app.app_context():
        verification = BenefitVerification(
            coverage_id=coverage, status=VerificationStatus.REQUESTED, created_at=utcnow()
        )
        db.session.add(verification)
        db.session.commit()
        verification_id = verification.id
    body = client.get(f"/finance/verifications/{verification_id}").get_data(as_text=True)
    assert f'href="/inquiries/{world["private"].id}"' not in body
    assert f'href="/finance/inquiry/{world["private"].id}"' in body
