"""Break-the-glass in a real browser: a case manager opens a restricted record for its clinical
part with a reason, sees the emergency-access banner with the time left on the record and its
screening pages, and is refused its finances until a finance grant."""

import pytest
from playwright.sync_api import expect

from coordinator.roles import Role
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_inquiry

pytestmark = pytest.mark.browser


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"break-glass-{name}.png"), full_page=True)


def test_a_case_manager_breaks_the_glass_for_the_clinical_record_and_sees_the_banner(
    app, page, live_server, create_user
):
    assignee = create_user(Role.ADMISSIONS, full_name="Assigned Person")
    inquiry = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Famous Person")
    sign_in_as(page, live_server, app, create_user(Role.CASE_MANAGER, full_name="Casey Manager"))
    page.goto(f"{live_server}/inquiries/{inquiry.id}")
    expect(page.get_by_role("heading", name="This record is restricted")).to_be_visible()
    expect(page.get_by_label("The clinical record (notes, screenings, tasks, timeline)")).to_be_checked()
    expect(page.get_by_label("Insurance and payments")).not_to_be_checked()
    shot(page, "form")
    page.get_by_label("Why do you need this record now?").fill("Assignee is on leave; the caller is waiting")
    page.get_by_role("button", name="Break the glass and open it").click()
    page.wait_for_url(f"{live_server}/inquiries/{inquiry.id}")
    banner = page.get_by_test_id("emergency-access")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("clinical record")
    expect(banner).to_contain_text("left (until")
    expect(page.get_by_text("Famous Person").first).to_be_visible()
    shot(page, "banner-record")
    page.goto(f"{live_server}/screening/inquiry/{inquiry.id}")
    expect(page.get_by_test_id("emergency-access")).to_be_visible()
    shot(page, "banner-screening")
    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}")
    expect(page.get_by_role("heading", name="This record is restricted")).to_be_visible()
    expect(page.get_by_label("Insurance and payments")).to_be_checked()
    page.get_by_label("Why do you need this record now?").fill("Family is on the phone about the deposit")
    page.get_by_role("button", name="Break the glass and open it").click()
    page.wait_for_url(f"{live_server}/finance/inquiry/{inquiry.id}")
    banner = page.get_by_test_id("emergency-access")
    expect(banner).to_contain_text("insurance and payments")
    shot(page, "banner-finance")
