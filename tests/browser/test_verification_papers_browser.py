"""Issue 13, bugs 3 and 4 and item 12 in a real browser: a visitor's request reads as a request;
a 271 for someone else is explained on the confirm step before it counts; the quote prints under
the clinic's header without the navigation. Screenshots go to test-artifacts/ (print views too)."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.extensions import db
from coordinator.models import Inquiry, User
from coordinator.roles import Role
from tests.billing import use_cases as cases
from tests.billing.helpers import add_schedule
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_inquiry, make_program
from tests.insurance.conftest import X12_FIXTURES, make_coverage

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"verify-{name}.png"), full_page=True)


def test_a_271_for_someone_else_is_explained_before_it_is_confirmed(app, page, live_server, create_user):
    billing = create_user(Role.BILLING, full_name="Bea Billing")
    inquiry = make_inquiry(app, billing, patient_name="Daniel Example", patient_dob="1975-04-12")
    coverage_id = make_coverage(app, billing, inquiry.id, member_id="XJH123456789", payer_name="Northwind Mutual")
    sign_in_as(page, live_server, app, billing)
    page.goto(f"{live_server}/finance/coverages/{coverage_id}/271")
    page.get_by_label("271 file").set_input_files(f"{X12_FIXTURES}/active_ppo.x12")
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r".*/finance/verifications/\d+$"))
    expect(page.get_by_test_id("draft-banner")).to_contain_text("Draft from a 271 file, not confirmed")
    expect(page.get_by_test_id("mismatches")).to_contain_text("the record has Daniel Example")
    shot(page, "draft-with-mismatch")

    page.get_by_role("link", name="Confirm…").click()
    expect(page.get_by_test_id("mismatches")).to_contain_text("12 Apr 1975")
    page.get_by_label("I checked this draft").check()
    page.get_by_role("button", name="Confirm the verification").click()
    expect(page.get_by_text("Explain why it is right for this patient")).to_be_visible()
    shot(page, "confirm-step-refused")
    page.get_by_label("Why the 271 is right").fill("Payer confirmed by phone: new policy holder details, ref. 7731.")
    page.get_by_label("I checked this draft").check()
    page.get_by_role("button", name="Confirm the verification").click()
    page.wait_for_url(re.compile(r".*/finance/verifications/\d+$"))
    expect(page.get_by_test_id("mismatch-explanation")).to_contain_text("ref. 7731")
    expect(page.get_by_test_id("stage")).to_have_text("Confirmed")
    shot(page, "confirmed-with-explanation")
    page.emulate_media(media="print")
    expect(page.locator(".navbar")).to_be_hidden()
    shot(page, "verification-print")

    page.emulate_media(media="screen")
    page.get_by_role("link", name="Estimate what the patient pays").click()
    page.get_by_label("Daily rate billed").fill("1,000")
    page.get_by_label("Length of stay").fill("14")
    page.get_by_role("button", name="Estimate").click()
    page.get_by_test_id("print-estimate").click()
    expect(page.get_by_test_id("estimate-summary")).to_contain_text("You pay about")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    shot(page, "estimate-print")


def test_a_request_reads_as_a_request_and_the_quote_prints(app, page, live_server, create_user):
    admin = create_user(Role.ADMIN)
    billing = create_user(Role.BILLING, full_name="Bea Billing")
    program = make_program(app, name="Residential pain and recovery")
    add_schedule(app, billing.id, program.id)
    inquiry = make_inquiry(app, billing, patient_name="Somchai Example")
    with app.app_context():
        actor = db.session.get(User, billing.id)
        account = cases.open_account(actor, db.session.get(Inquiry, inquiry.id), "THB")
        quote = cases.issue_quote(actor, account, program.id, 1)
        db.session.commit()
        quote_id = quote.id

    sign_in_as(page, live_server, app, admin)
    page.goto(live_server + "/admin/reminders/settings")
    page.get_by_label("Clinic name").fill("Harbor Recovery Center")
    page.get_by_label("Address").fill("99/1 Moo 4, Chalong\nPhuket 83130, Thailand")
    page.get_by_label("Phone").fill("+66 76 123 456")
    page.get_by_label("Email").fill("billing@harbor.example")
    page.get_by_label("How to pay").fill("Bangkok Bank, Harbor Recovery Co., 123-4-56789-0, SWIFT BKKBTHBK")
    page.get_by_role("button", name="Save clinic details").click()
    expect(page.get_by_text("Clinic details saved")).to_be_visible()
    shot(page, "settings-clinic-details")
    page.context.clear_cookies()

    sign_in_as(page, live_server, app, billing)
    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}/account")
    page.get_by_test_id(f"print-quote-{quote_id}").click()
    expect(page.get_by_test_id("clinic-name")).to_have_text("Harbor Recovery Center")
    expect(page.get_by_test_id("quote-total")).to_have_text("280,000.00 THB")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    shot(page, "quote")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_test_id("payment-details")).to_be_visible()
    shot(page, "quote-print")
    page.emulate_media(media="screen")
    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}/statement")
    expect(page.get_by_test_id("clinic-address")).to_contain_text("Phuket 83130")
    page.emulate_media(media="print")
    shot(page, "statement-print")


def test_a_visitors_request_is_worked_as_a_request(app, client, page, live_server, create_user):
    from tests.intake.test_public_form import URL
    from tests.intake.test_web_form_insurance import with_insurance

    assert client.post_form(URL, with_insurance(verification_requested="y")).status_code == 302
    billing = create_user(Role.BILLING, full_name="Bea Billing")
    sign_in_as(page, live_server, app, billing)
    page.goto(live_server + "/finance/")
    expect(page.get_by_test_id("finance-table")).to_contain_text("Verification requested")
    expect(page.get_by_test_id("finance-table")).not_to_contain_text("271")
    shot(page, "worklist-request")
    page.get_by_test_id("finance-table").get_by_role("link").first.click()
    expect(page.get_by_test_id("request-says")).to_contain_text("not checked yet")
    shot(page, "overview-request")
    page.get_by_role("link", name="Verification requested").click()
    expect(page.get_by_test_id("request-banner")).to_contain_text("Nobody has checked these benefits yet")
    expect(page.get_by_role("link", name="Confirm…")).to_have_count(0)
    shot(page, "request")
    page.get_by_role("link", name="Close the request…").click()
    page.get_by_label("Why it is being discarded").fill("The caller will pay privately.")
    page.get_by_role("button", name="Close the request").click()
    expect(page.get_by_text("Discarded. It stays on the record")).to_be_visible()
    expect(page.get_by_test_id("coverage-primary")).to_contain_text("Discarded")
    shot(page, "overview-discarded")
