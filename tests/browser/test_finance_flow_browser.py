"""Issue 5's "done means", in a real browser, as a new admissions user would do it:
verify a PPO's substance-use benefits from a 271, record an authorization for 14 residential
days with a review date; and, for a patient paying privately, quote 280,000 THB a month,
take a deposit, set up a payment plan, add a hospital transport charge and see the balance."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordinator.domain.billing import FeePeriod
from coordinator.extensions import db
from coordinator.models import FeeSchedule
from coordinator.roles import Role
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_inquiry, make_program

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).resolve().parents[1] / "insurance" / "x12_fixtures"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"finance-{name}.png"), full_page=True)


def test_admissions_verifies_a_ppo_from_a_271_and_records_an_authorization(app, page, live_server, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    inquiry = make_inquiry(app, None, patient_name="Jordan Rivera", patient_dob="1989-04-12")  # as on the 271
    sign_in_as(page, live_server, app, user)
    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}")
    page.get_by_role("link", name="Add coverage").click()
    page.get_by_label("Insurer's name, if not listed").fill("Acme Health Plan")
    page.get_by_label("Plan type").select_option("ppo")
    page.get_by_label("Member id").fill("XJH123456789")
    page.get_by_label("Group number").fill("GRP-88120")
    page.get_by_role("button", name="Save coverage").click()
    expect(page.get_by_test_id("coverage-primary")).to_contain_text("Acme Health Plan")

    page.get_by_role("link", name="Import a 271").click()
    page.get_by_label("271 file").set_input_files(str(FIXTURES / "active_ppo.x12"))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Verified active").first).to_be_visible()
    shot(page, "271-draft")
    page.get_by_role("link", name="Confirm…").click()  # a step that shows what is confirmed
    page.get_by_label("I checked this draft").check()
    page.get_by_role("button", name="Confirm the verification").click()
    expect(page.get_by_test_id("stage")).to_have_text("Confirmed")
    expect(page.get_by_text("271 draft to review")).to_have_count(0)

    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}")
    page.get_by_role("link", name="Record an authorization").click()
    start = date.today()
    page.get_by_label("Level of care").select_option("residential")
    page.get_by_label("Status").select_option("approved")
    page.get_by_label("Authorization number").fill("AUTH-55120")
    page.get_by_label("Requested").fill("14")
    page.get_by_label("Approved").fill("14")
    page.get_by_label("First covered day").fill(start.isoformat())
    page.get_by_label("Next review").fill((start + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Record authorization").click()
    row = page.locator("tr", has_text="AUTH-55120")
    expect(row).to_contain_text("Residential")
    expect(row).to_contain_text("14 days")
    expect(row).to_contain_text((start + timedelta(days=13)).strftime("%d %b %Y"))  # last covered day
    expect(row).to_contain_text((start + timedelta(days=10)).strftime("%d %b %Y"))  # next review
    shot(page, "insurance-overview")


def test_billing_quotes_takes_a_deposit_sets_up_a_plan_and_sees_an_exact_balance(app, page, live_server, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    program = make_program(app, name="Residential — Riverside House")
    with app.app_context():
        db.session.add(
            FeeSchedule(
                program_id=program.id,
                amount=280000,
                currency="THB",
                period=FeePeriod.MONTH,
                includes="Accommodation, meals, therapy, two months of aftercare",
                billed_separately="Medication, hospital visits, transport",
                deposit_percent=25,  # 70,000 THB of the first month, which the quote asks for
            )
        )
        db.session.commit()
    inquiry = make_inquiry(app, None, patient_name="Somchai Private")
    sign_in_as(page, live_server, app, user)
    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}")
    page.get_by_role("link", name="Open an account").click()
    page.get_by_label("Currency").select_option("THB")
    page.get_by_role("button", name="Open the account").click()

    page.get_by_role("link", name="Issue a quote").click()
    page.get_by_label("Program").select_option(label="Residential — Riverside House: 280,000.00 THB per month")
    page.get_by_role("button", name="Issue the quote").click()
    expect(page.get_by_text("280,000.00 THB").first).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())  # "Accept this quote? Its total is charged ..."
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted").first).to_be_visible()

    page.get_by_role("link", name="Record a payment or deposit").click()
    page.get_by_label("Amount received").fill("100,000")
    page.get_by_label("How", exact=True).select_option("bank_transfer")
    page.get_by_label("This is a deposit").check()
    page.get_by_role("button", name="Record the payment").click()

    page.get_by_role("link", name="Set up a payment plan").click()
    page.get_by_label("Total to pay in installments").fill("180,000")
    page.get_by_label("Number of installments").fill("3")
    page.get_by_label("First installment due").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Set up the plan").click()
    expect(page.get_by_text("60,000.00 THB").first).to_be_visible()

    page.get_by_role("link", name="Add a charge").click()
    page.get_by_label("What for").select_option("transport")
    page.get_by_label("Amount").fill("3,500")
    page.get_by_label("Description").fill("Hospital transport to St. Mary's")
    page.get_by_role("button", name="Add the charge").click()
    shot(page, "account")

    page.goto(f"{live_server}/finance/inquiry/{inquiry.id}")
    expect(page.get_by_test_id("balance")).to_have_text("183,500.00 THB")
    expect(page.get_by_text("Cleared to admit")).to_be_visible()
    shot(page, "private-pay-overview")
