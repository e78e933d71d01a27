"""Screening in a real browser: the MME and scores appear as staff type, and saving never depends on it."""

import re

import pytest
from playwright.sync_api import expect

from coordinator.roles import Role
from tests.browser.conftest import sign_in_as

pytestmark = pytest.mark.browser


def test_typing_a_regimen_shows_the_mme_live_and_saves_it(app, page, live_server, create_user, create_inquiry):
    user = create_user(Role.ADMISSIONS)
    inquiry = create_inquiry(regimen=[])
    sign_in_as(page, live_server, app, user)
    page.goto(f"{live_server}/screening/inquiry/{inquiry.id}/regimen")
    output = page.locator("[data-preview-output]")
    assert "No medicines entered yet" in output.inner_text()

    page.locator("#regimen-0-drug").select_option("oxycodone")
    assert page.locator("#regimen-0-unit").input_value() == "mg"  # suggested for the medicine
    page.locator("#regimen-0-dose").press_sequentially("20")
    page.locator("#regimen-0-doses_per_day").press_sequentially("3")
    expect(page.get_by_test_id("mme-total")).to_have_text("90")
    expect(output).to_contain_text("CDC 2022")
    expect(output).to_contain_text("payer threshold")

    page.locator("#regimen-1-drug").select_option("fentanyl_transdermal")
    assert page.locator("#regimen-1-unit").input_value() == "mcg/hr"
    page.locator("#regimen-1-dose").press_sequentially("25")
    expect(page.get_by_test_id("mme-total")).to_have_text("150")

    add = page.get_by_role("button", name="Add a medicine")
    for _ in range(4):
        add.click()
    assert page.locator("[data-regimen-row]").count() == 10
    assert add.is_hidden()
    page.locator("#regimen-9-drug").select_option("buprenorphine")
    page.locator("#regimen-9-dose").press_sequentially("8")
    expect(output).to_contain_text("Medicine 10, Buprenorphine (any form): buprenorphine is left out")

    page.get_by_role("button", name="Save the regimen").click()
    page.wait_for_url(re.compile(rf".*/screening/inquiry/{inquiry.id}$"))
    expect(page.get_by_text("Opioid regimen saved: 150 MME/day.")).to_be_visible()
    expect(page.get_by_test_id("summary-mme")).to_have_text("150 MME/day")


def test_the_phone_intake_form_shows_the_mme_as_the_regimen_is_typed(app, page, live_server, create_user):
    sign_in_as(page, live_server, app, create_user(Role.ADMISSIONS))
    page.goto(live_server + "/inquiries/new")
    page.locator("#regimen-0-drug").select_option("hydrocodone")
    page.locator("#regimen-0-dose").press_sequentially("5")
    page.locator("#regimen-0-doses_per_day").press_sequentially("4")
    expect(page.get_by_test_id("mme-total")).to_have_text("20")
    assert page.locator("[data-preview-output]").get_attribute("aria-live") == "polite"


def test_a_questionnaire_scores_as_it_is_answered(app, page, live_server, create_user, create_inquiry):
    inquiry = create_inquiry()
    sign_in_as(page, live_server, app, create_user(Role.CLINICIAN))
    page.goto(f"{live_server}/screening/inquiry/{inquiry.id}/record/phq9")
    page.locator("label[for='interest-3']").click()
    expect(page.get_by_test_id("preview-progress")).to_have_text("1 of 9 answered so far")
    expect(page.get_by_test_id("result-headline")).to_have_text("3 of 27")
    page.locator("label[for='self_harm-1']").click()
    expect(page.get_by_test_id("safety-flag")).to_contain_text("Same-day clinical review")
    expect(page.get_by_test_id("preview-progress")).to_have_text("2 of 9 answered so far")


def test_a_failed_preview_is_a_quiet_note_and_saving_still_works(app, page, live_server, create_user, create_inquiry):
    inquiry = create_inquiry()
    sign_in_as(page, live_server, app, create_user(Role.ADMISSIONS))
    page.route("**/screening/preview/**", lambda route: route.abort())
    page.goto(f"{live_server}/screening/inquiry/{inquiry.id}/record/gad7")
    for key in (
        "nervous",
        "uncontrollable_worry",
        "worry_too_much",
        "trouble_relaxing",
        "restless",
        "irritable",
        "afraid",
    ):
        page.locator(f"label[for='{key}-1']").click()
    expect(page.get_by_text("Preview unavailable just now")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/screening/inquiry/\d+/\d+$"))
    expect(page.get_by_test_id("result-headline")).to_have_text("7 of 21")
