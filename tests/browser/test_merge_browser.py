"""Issue 11, item 5 in a real browser: from the duplicate banner to the merge page, where staff
see what differs, choose, and merge; the survivor keeps the chosen values and the coverage."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.roles import Role
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_compare_choose_and_merge(app, page, live_server, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    survivor = make_inquiry(
        app, user, caller_phone="+1 503 555 0147", may_leave_message=True, presenting_concerns="Runs out early."
    )
    duplicate = make_inquiry(
        app,
        None,
        caller_phone="+1 503 555 0147",
        patient_phone="+1 503 555 0199",
        may_leave_message=False,
        preferred_contact="text",
        contact_instructions="Please text, don't call at work.",
        presenting_concerns="Sleeps badly; wants help soon.",
        insurance={"insurer_name": "Acme Health", "member_id": "XYZ123456789", "verification_requested": True},
    )
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")

    page.goto(f"{live_server}/inquiries/{duplicate.id}")
    page.get_by_label("Merge into inquiry number").fill(str(survivor.id))
    page.get_by_role("button", name="Compare and merge").click()
    page.wait_for_url(re.compile(rf".*/inquiries/{duplicate.id}/merge\?survivor_id={survivor.id}$"))
    table = page.get_by_test_id("merge-differences")
    expect(table.locator('tr[data-field="may_leave_message"]')).to_contain_text("Do not leave messages")
    expect(page.locator("#keep_may_leave_message-duplicate")).to_be_checked()  # the stricter wish
    expect(page.locator("#keep_presenting_concerns-both")).to_be_checked()
    expect(page.locator("#keep_contact_instructions-duplicate")).to_be_checked()  # a blank takes it
    expect(page.get_by_test_id("merge-moves")).to_contain_text(
        "Insurance coverages: 1, with 1 benefits verification(s)"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "merge_page.png"), full_page=True)

    page.locator("#keep_preferred_contact-survivor").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Merge #{duplicate.id} into #{survivor.id}").click()
    page.wait_for_url(f"{live_server}/inquiries/{survivor.id}")
    expect(page.get_by_test_id("no-message")).to_be_visible()
    expect(page.get_by_test_id("contact-instructions")).to_contain_text("Please text, don't call at work.")
    expect(page.locator("body")).to_contain_text("Sleeps badly; wants help soon.")
    page.goto(f"{live_server}/finance/inquiry/{survivor.id}")
    expect(page.locator("body")).to_contain_text("Acme Health")


def test_a_merge_that_would_lower_protection_is_refused_on_the_page(app, page, live_server, create_user):
    admin = create_user(Role.ADMIN, full_name="Ada Admin")
    owner = create_user(Role.ADMISSIONS, full_name="Olga Owner")
    other = create_user(Role.CASE_MANAGER, full_name="Carl Case")
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True, caller_phone="+1 503 555 0111")
    theirs = make_inquiry(app, other, assigned_to_id=other.id, caller_phone="+1 503 555 0111")
    sign_in(page, live_server, app, admin.email, PASSWORD)
    page.wait_for_url(live_server + "/")
    page.goto(f"{live_server}/inquiries/{restricted.id}/merge?survivor_id={theirs.id}")
    expect(page.get_by_test_id("merge-refused")).to_contain_text("Assign both inquiries to the same person first")
    expect(page.get_by_role("button", name=f"Merge #{restricted.id} into #{theirs.id}")).to_be_disabled()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "merge_page_refused.png"), full_page=True)
