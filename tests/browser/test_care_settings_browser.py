"""Issue 14, items 3 and 7 in a real browser: an administrator changes the placement thresholds and
the review intervals on the settings page (an impossible value is refused with its message), and
a case manager sees the next review and sets the planned discharge on the patient page.
Screenshots for review go to $COORDINATOR_SHOTS when it is set."""

from __future__ import annotations

from datetime import date, timedelta

from coordinator.roles import Role
from tests.browser.conftest import sign_in_as
from tests.browser.test_care_browser import shot
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly


def test_the_admin_edits_care_settings_and_the_patient_page_follows(app, page, live_server, create_user):
    admin = create_user(Role.ADMIN, full_name="Ada Admin")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_as(page, live_server, app, admin)
    page.goto(f"{live_server}/admin/reminders/settings#care-settings")
    form = page.get_by_test_id("care-settings-form")
    form.get_by_label("COWS score for hospital detox").fill("60")
    form.get_by_role("button", name="Save care settings").click()
    assert "from 1 to 48" in page.get_by_test_id("care-settings-form").inner_text()
    shot(page, "care-settings-refused")
    form = page.get_by_test_id("care-settings-form")
    form.get_by_label("COWS score for hospital detox").fill("20")
    form.get_by_label("Residential").fill("5")
    form.get_by_role("button", name="Save care settings").click()
    assert "Care settings saved" in page.content()
    shot(page, "care-settings-saved")

    manager = create_user(Role.CASE_MANAGER, full_name="Cara Case")
    inquiry = make_inquiry(app, manager, assigned_to_id=manager.id)
    start = date.today() - timedelta(days=2)
    made = admit_directly(app, manager, inquiry.id, make_program(app, name="Riverside House").id, admit_date=start)
    page.context.clear_cookies()
    sign_in_as(page, live_server, app, manager)
    page.goto(f"{live_server}/care/patients/{made['patient']}")
    review = start + timedelta(days=5)
    assert review.strftime("%d %b %Y") in page.get_by_test_id("next-review").inner_text()
    planned = date.today() + timedelta(days=21)
    page.get_by_label("Planned discharge date").fill(planned.isoformat())
    page.get_by_role("button", name="Set planned discharge").click()
    assert planned.strftime("%d %b %Y") in page.get_by_test_id("planned-discharge").inner_text()
    shot(page, "patient-next-review-planned-discharge")
