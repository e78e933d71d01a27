"""The patient list and the patient page's new parts in a real browser: a case manager finds a
patient by an unaccented name from the navigation, sees the restricted block, records a partner
hospital's details and restricts a patient with a reason. Screenshots for review go to
$COORDINATOR_SHOTS when it is set."""

from __future__ import annotations

from datetime import date, timedelta

from coordinator.domain.care import LevelOfCare
from coordinator.roles import Role
from tests.browser.conftest import sign_in_as
from tests.browser.test_care_browser import shot
from tests.care.helpers import discharge_directly
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly


def test_find_a_patient_record_the_hospital_and_restrict(app, page, live_server, create_user):
    manager = create_user(Role.CASE_MANAGER, full_name="Casey Manager")
    other = create_user(Role.CASE_MANAGER)
    hospital = make_program(
        app, name="St Mary's partner detox", level_of_care=LevelOfCare.PARTNER_HOSPITAL_DETOX, asam_level="4-WM"
    )
    residential = make_program(app, name="Riverside House")
    php = make_program(app, name="Day Bridge PHP", level_of_care=LevelOfCare.PHP, asam_level="2.5")
    start = date.today() - timedelta(days=3)
    made = {}
    for name, program, owner, restricted in (
        ("Zoë Nguyễn", hospital, manager, False),
        ("Adam Okafor", residential, manager, False),
        ("Priya Raman", php, manager, False),
        ("Tomas Reyes", residential, manager, False),
        ("Quiet Executive", residential, other, True),
    ):
        inquiry = make_inquiry(app, owner, assigned_to_id=owner.id, patient_name=name, is_restricted=restricted)
        made[name] = admit_directly(app, owner, inquiry.id, program.id, admit_date=start)
    discharge_directly(app, made["Tomas Reyes"]["episode"], date.today())

    sign_in_as(page, live_server, app, manager)
    page.get_by_role("link", name="Patients").first.click()
    page.wait_for_url(f"{live_server}/care/patients")
    table = page.get_by_test_id("patient-table")
    assert "Zoë Nguyễn" in table.inner_text() and "Quiet Executive" not in table.inner_text()
    assert page.get_by_test_id("hidden-row").count() == 1
    shot(page, "1-patient-list")

    page.get_by_label("Search").fill("zoe nguyen")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_test_id("patient-row").count() == 1
    shot(page, "2-patient-list-search-accent-blind")

    page.get_by_role("link", name="Zoë Nguyễn").click()
    page.wait_for_url(f"{live_server}/care/patients/{made['Zoë Nguyễn']['patient']}")
    form = page.get_by_test_id("hospital-form")
    form.get_by_label("Partner hospital").fill("St Mary's Hospital")
    form.get_by_label("Hospital contact (name, phone)").fill("Dr Lee, 555-0100")
    form.get_by_label("Expected transfer into the program").fill((start + timedelta(days=5)).isoformat())
    form.get_by_role("button", name="Record the hospital details").click()
    page.wait_for_url(f"{live_server}/care/patients/{made['Zoë Nguyễn']['patient']}")
    assert "St Mary's Hospital" in page.get_by_test_id("hospital").inner_text()

    restriction = page.get_by_test_id("restriction")
    restriction.get_by_label("Restricted (discreet)", exact=False).check()
    restriction.get_by_label("Reason").fill("Asked for discretion at work")
    restriction.get_by_role("button", name="Change the restriction").click()
    page.wait_for_url(f"{live_server}/care/patients/{made['Zoë Nguyễn']['patient']}")
    assert page.get_by_test_id("restricted").count() == 1
    shot(page, "3-patient-page-hospital-and-restriction")
