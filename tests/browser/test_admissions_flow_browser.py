"""Issue 3's "done means", in a real browser: a phone call from a worried spouse, screened,
moved through the pipeline and admitted, with the MME and OUD severity shown as staff type."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coordinator.roles import Role
from tests.fixtures.intake import make_program, record_deposit
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def test_admissions_takes_screens_and_admits_a_phone_inquiry(app, page, live_server, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    make_program(app, name="Residential — Riverside House")
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")

    page.get_by_role("link", name="Phone inquiry").click()
    page.get_by_label("Caller's name").fill("Maria Whitfield")
    page.get_by_label("Relationship to the patient").select_option("spouse_partner")
    page.get_by_label("Caller's phone").fill("+1 503 555 0147")
    page.get_by_label("Patient's name").fill("Daniel Whitfield")
    page.get_by_label("Date of birth").fill("1975-04-12")
    page.get_by_label("Referral source").select_option("family")
    page.get_by_label("What is going on").fill("On oxycodone since back surgery; runs out early.")
    page.get_by_label("Prescribed opioids").check()
    page.locator("#regimen-0-drug").select_option("oxycodone")
    page.locator("#regimen-0-dose").press_sequentially("20")
    page.locator("#regimen-0-doses_per_day").press_sequentially("3")
    expect(page.get_by_test_id("mme-total")).to_have_text("90")  # live, before saving
    page.get_by_role("button", name="Save inquiry").click()
    page.wait_for_url(re.compile(r".*/inquiries/\d+$"))
    inquiry_url = page.url
    # Taken with the caller on the line (the form's box, ticked by default): that call is the
    # first contact (issue 13, bug 6).
    expect(page.get_by_test_id("status")).to_have_text("Contacted")
    expect(page.locator("main")).to_contain_text("first contact: 0 s after arrival")
    expect(page.get_by_test_id("no-message")).to_be_visible()

    page.get_by_label("Outcome").select_option("reached")
    page.get_by_role("button", name="Log call").click()
    expect(page.get_by_test_id("status")).to_have_text("Contacted")
    page.get_by_role("button", name="Start screening").first.click()
    page.locator("#action-start_screening").get_by_role("button", name="Start screening").click()
    expect(page.get_by_test_id("status")).to_have_text("Screening")

    inquiry_id = inquiry_url.rsplit("/", 1)[1]
    page.goto(f"{live_server}/screening/inquiry/{inquiry_id}/record/dsm5_oud")
    page.locator("#supervised-yes").check()
    for criterion in ("larger_amounts", "craving", "time_spent", "tolerance", "withdrawal"):
        page.locator(f"#criterion-{criterion}").check()
    # Under supervision tolerance and withdrawal do not count: 3 criteria, mild, F11.1x.
    expect(page.get_by_test_id("result-band")).to_contain_text("Mild")
    expect(page.get_by_test_id("icd10")).to_contain_text("F11.1")
    page.get_by_role("button", name="Save").click()

    # Cleared the private-pay way (the insurance and payment pages have their own browser test).
    record_deposit(app, int(inquiry_id))
    page.goto(inquiry_url)
    for action in ("start_verification", "offer_placement"):
        page.locator(f"[data-bs-target='#action-{action}']").click()
        page.locator(f"#action-{action} button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Placement offered")
    page.locator("[data-bs-target='#action-admit']").click()
    page.locator("#program-admit").select_option(label="Residential — Riverside House")
    page.locator("#admit-date").fill(date.today().isoformat())
    page.locator("#action-admit button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Admitted")
    expect(page.get_by_text("Admitted to Residential — Riverside House")).to_be_visible()
