"""Issue 13, bug 7, as a new billing user meets it in a real browser: billing signs in, finds a new
private-pay caller by name from their home page and opens their finance page; the breadcrumbs
there lead only where billing may go."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from coordinator.contracts.pipeline import TaskInput
from coordinator.extensions import db
from coordinator.models import Inquiry, User
from coordinator.roles import Role
from coordinator.services import tasks
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_inquiry

pytestmark = pytest.mark.browser


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"billing-{name}.png"), full_page=True)


def test_billing_finds_a_new_private_pay_caller_from_home_and_opens_their_finances(app, page, live_server, create_user):
    desk = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    billing = create_user(Role.BILLING, full_name="Bea Billing")
    caller = make_inquiry(app, desk, patient_name="Maya Okafor", caller_phone="+1 503 555 0142")
    make_inquiry(app, desk, patient_name="Oscar Okafor-Secret", assigned_to_id=desk.id, is_restricted=True)
    with app.app_context():
        tasks.create_task(
            db.session.get(User, desk.id),
            db.session.get(Inquiry, caller.id),
            TaskInput.parse(
                {
                    "title": "Quote residential for private pay",
                    "due_at": datetime.now(UTC) + timedelta(hours=3),
                    "assigned_to_id": billing.id,
                },
                source="json",
            ),
        )
        db.session.commit()

    sign_in_as(page, live_server, app, billing)
    queue = page.get_by_test_id("queue-new_private_pay")
    expect(queue).to_contain_text("Maya Okafor")
    expect(page.get_by_test_id("my-tasks")).to_contain_text("Quote residential for private pay")
    expect(page.get_by_test_id("unassigned")).to_contain_text("Maya Okafor")
    expect(page.locator("body")).not_to_contain_text("Oscar Okafor-Secret")
    shot(page, "home")

    page.get_by_label("Name, phone, member id or account number").fill("okafor")
    page.get_by_role("button", name="Search").click()
    results = page.get_by_test_id("finance-search-results")
    expect(results).to_contain_text("Maya Okafor")
    expect(results).not_to_contain_text("Oscar")
    shot(page, "search")

    results.get_by_role("link", name="Maya Okafor").click()
    expect(page).to_have_url(f"{live_server}/finance/inquiry/{caller.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maya Okafor")
    expect(page.get_by_role("link", name="Open the inquiry")).to_have_count(0)
    shot(page, "finance-page")

    page.goto(f"{live_server}/finance/inquiry/{caller.id}/coverages/new")
    crumbs = page.get_by_role("navigation", name="breadcrumb")
    expect(crumbs.get_by_role("link", name="Billing and insurance")).to_be_visible()
    expect(crumbs.get_by_role("link", name=f"Inquiry #{caller.id}")).to_have_count(0)
    shot(page, "coverage-breadcrumb")
    crumbs.get_by_role("link", name=f"#{caller.id} insurance and payment").click()
    expect(page).to_have_url(f"{live_server}/finance/inquiry/{caller.id}")
    shot(page, "breadcrumb-back")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/")
    expect(page.get_by_test_id("queue-new_private_pay")).to_contain_text("Maya Okafor")
    shot(page, "home-phone")
