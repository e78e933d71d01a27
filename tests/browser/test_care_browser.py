"""Issue 14 in a real browser: a clinician assesses an admitted patient, sees "detox at the
partner hospital first" with its reasons, records the decision, and moves the patient from the
hospital into residential; the patient page shows the timeline. Screenshots for review go to
$COORDINATOR_SHOTS when it is set."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from coordinator.domain.care import LevelOfCare
from coordinator.roles import Role
from tests.browser.conftest import sign_in_as
from tests.care.test_assessments import record_screenings
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly

HIGH_DOSE = [{"drug": "oxycodone", "dose": "80", "unit": "mg", "doses_per_day": 3}]


def shot(page, name: str) -> None:
    folder = os.environ.get("COORDINATOR_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_assess_decide_and_move_from_hospital_detox_to_residential(app, page, live_server, create_user):
    desk = create_user(Role.ADMISSIONS)
    clinician = create_user(Role.CLINICIAN, full_name="Dr Cora Clinician")
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id, regimen=HIGH_DOSE, patient_name="Daniel Whitfield")
    hospital = make_program(
        app, name="St Mary's partner detox", level_of_care=LevelOfCare.PARTNER_HOSPITAL_DETOX, asam_level="4-WM"
    )
    residential = make_program(app, name="Riverside House")
    start = date.today() - timedelta(days=6)
    made = admit_directly(app, desk, inquiry.id, hospital.id, admit_date=start)
    record_screenings(app, inquiry.id, clinician)

    sign_in_as(page, live_server, app, clinician)
    page.goto(f"{live_server}/care/placement/inquiry/{inquiry.id}")
    page.get_by_role("link", name="New assessment").click()
    assert "COWS 13" in page.locator("#notes-1").input_value()
    for n, rating in zip(range(1, 7), (3, 3, 2, 2, 2, 1), strict=True):
        page.locator(f"#rating-{n}-{rating}").check()
    shot(page, "1-assessment-form")
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url(f"{live_server}/care/placement/inquiry/{inquiry.id}")
    detox = page.get_by_test_id("detox-first")
    assert "360 MME/day" in detox.inner_text() and "Heart disease" in detox.inner_text()

    page.get_by_label("Program").select_option(str(hospital.id))
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(f"{live_server}/care/placement/inquiry/{inquiry.id}")
    assert "Dr Cora Clinician" in page.get_by_test_id("decision").inner_text()
    shot(page, "2-placement-recommendation-decision")

    page.goto(f"{live_server}/care/patients/{made['patient']}")
    page.get_by_label("What happens").select_option("step_down")
    page.get_by_label("On", exact=True).fill((start + timedelta(days=5)).isoformat())
    page.get_by_label("To level of care").select_option("residential")
    page.get_by_label("Program", exact=True).select_option(str(residential.id))
    moving = page.get_by_role("region", name="Move or discharge")
    moving.locator("#reason").fill("Withdrawal settled; transferred in")
    moving.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{live_server}/care/patients/{made['patient']}")
    assert "Riverside House" in page.get_by_test_id("current-level").inner_text()
    assert page.get_by_test_id("segment").count() == 2
    shot(page, "3-patient-timeline")


def test_a_returning_patient_is_confirmed_on_the_admit_form(app, page, live_server, create_user):
    from playwright.sync_api import expect

    from tests.care.helpers import discharge_directly, ready_to_admit

    desk = create_user(Role.ADMISSIONS)
    program = make_program(app, name="Riverside House")
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Tomas Reyes", patient_dob="1966-02-17")
    earlier = admit_directly(app, desk, first.id, program.id, admit_date=date.today() - timedelta(days=200))
    discharge_directly(app, earlier["episode"], date.today() - timedelta(days=170))
    again = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Tomas Reyes", patient_dob="1966-02-17")
    ready_to_admit(app, again.id)

    sign_in_as(page, live_server, app, desk)
    page.goto(f"{live_server}/inquiries/{again.id}")
    page.locator("[data-bs-target='#action-admit']").click()
    page.locator("#program-admit").select_option(label="Riverside House")
    page.locator("#admit-date").fill(date.today().isoformat())
    candidates = page.get_by_test_id("patient-candidates")
    expect(candidates).to_be_visible()
    shot(page, "4-admit-returning-patient")
    page.locator("#action-admit button[type=submit]").click()
    expect(page.get_by_text("choose the matching record")).to_be_visible()
    page.locator(f"#patient-choice-{earlier['patient']}").check()
    page.locator("#action-admit button[type=submit]").click()
    expect(page.get_by_test_id("status")).to_have_text("Admitted")
    page.get_by_test_id("patient-link").click()
    expect(page.get_by_test_id("episode")).to_have_count(2)
    shot(page, "5-patient-two-episodes")
