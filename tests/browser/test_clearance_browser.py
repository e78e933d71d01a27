"""Issue 13, bugs 1, 2 and 4 in a real browser: the admit box says a refusal once, an admission
planned for an authorization's first day is cleared and the pages say for which date, a token
deposit does not clear a quote asking for more, and a 271 draft is never "Verified active"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordinator.roles import Role
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_program, record_deposit
from tests.insurance import test_financial_clearance as clearance_tests
from tests.insurance.test_financial_clearance import TODAY, insure

pytestmark = pytest.mark.browser

offered = pytest.fixture(clearance_tests.offered.__wrapped__)


def test_admitting_for_the_authorizations_first_day(app, page, live_server, create_user, offered):
    program = make_program(app, name="Residential — Riverside House")
    start = TODAY + timedelta(days=5)
    insure(app, offered.id, authorization=AuthorizationStatus.APPROVED, auth_start=start)
    sign_in_as(page, live_server, app, create_user(Role.ADMISSIONS))
    page.goto(f"{live_server}/inquiries/{offered.id}")
    page.get_by_role("button", name="Admit").first.click()
    box = page.locator("#action-admit")
    box.locator("#program-admit").select_option(str(program.id))
    box.locator("#admit-date").fill(TODAY.isoformat())
    box.get_by_role("button", name="Admit").click()
    box = page.locator("#action-admit")
    expect(box.get_by_text("Not financially cleared", exact=False)).to_have_count(1)
    ARTIFACTS.mkdir(exist_ok=True)
    box.screenshot(path=str(ARTIFACTS / "clearance-admit-refused-once.png"))
    box.locator("#admit-date").fill(start.isoformat())
    box.get_by_role("button", name="Admit").click()
    expect(page.get_by_test_id("clearance-on")).to_have_text(f"For the admission date, {start:%d %b %Y}")
    expect(page.locator("#clearance").get_by_text("Cleared to admit")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "clearance-inquiry-admitted.png"), full_page=True)


def test_a_token_deposit_and_a_draft_on_the_finance_page(app, page, live_server, create_user, offered):
    record_deposit(app, offered.id, amount="1", required="30000")
    insure(app, offered.id, confirmed=False, prior_auth=False)
    sign_in_as(page, live_server, app, create_user(Role.BILLING))
    page.goto(f"{live_server}/finance/inquiry/{offered.id}")
    expect(page.locator("#clearance").get_by_text("Not cleared yet")).to_be_visible()
    expect(page.get_by_text("29,999.00 THB still due", exact=False)).to_be_visible()
    expect(page.get_by_text("271 draft to review")).to_be_visible()
    expect(page.locator(".badge", has_text="Verified active")).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "clearance-finance-token-deposit.png"), full_page=True)
