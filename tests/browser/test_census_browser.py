"""Issue 14, items 6 and 8 in a real browser: a case manager opens residential's census board
(a patient in a named bed, one on the waitlist), looks at a past date, puts a patient in a bed,
and offers a freed bed to the first in line. Screenshots for review go to $COORDINATOR_SHOTS."""

from __future__ import annotations

from datetime import date, timedelta

from coordinator.extensions import db
from coordinator.models import Bed, WaitlistEntry
from coordinator.roles import Role
from tests.browser.conftest import sign_in_as
from tests.browser.test_care_browser import shot
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly


def test_the_census_board_and_the_waitlist(app, page, live_server, create_user):
    manager = create_user(Role.CASE_MANAGER, full_name="Casey Manager")
    residential = make_program(app, name="Riverside House", capacity=3)
    with app.app_context():
        beds = [Bed(program_id=residential.id, name=f"Riverside {n}") for n in (1, 2, 3)]
        db.session.add_all(beds)
        db.session.commit()
        bed_ids = [b.id for b in beds]
    today = date.today()
    grace = make_inquiry(app, manager, assigned_to_id=manager.id, patient_name="Grace Okafor")
    admit_directly(app, manager, grace.id, residential.id, admit_date=today - timedelta(days=9))
    tomas = make_inquiry(app, manager, assigned_to_id=manager.id, patient_name="Tomas Reyes")
    tomas_made = admit_directly(app, manager, tomas.id, residential.id, admit_date=today - timedelta(days=2))
    hidden_owner = create_user(Role.CASE_MANAGER)
    quiet = make_inquiry(app, hidden_owner, assigned_to_id=hidden_owner.id, is_restricted=True, patient_name="Q")
    admit_directly(app, hidden_owner, quiet.id, residential.id, admit_date=today - timedelta(days=4))
    waiting = make_inquiry(app, manager, assigned_to_id=manager.id, patient_name="Robin Waits")
    with app.app_context():
        db.session.add(WaitlistEntry(program_id=residential.id, inquiry_id=waiting.id, note="Ready any day"))
        db.session.commit()

    sign_in_as(page, live_server, app, manager)
    page.goto(f"{live_server}/care/census")
    page.get_by_role("link", name="Riverside House").first.click()
    assert page.get_by_test_id("census-total").inner_text() == "3 of 3"
    assert page.get_by_test_id("hidden-person").count() == 1
    page.locator("#episode_id").select_option(index=1)
    page.get_by_label("Bed", exact=True).select_option(str(bed_ids[0]))
    page.get_by_role("button", name="Assign the bed").click()
    assert "Bed assigned." in page.content()
    shot(page, "1-census-board")

    page.get_by_label("Census on").fill((today - timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Show").click()
    assert page.get_by_test_id("census-total").inner_text() == "1 of 3"
    shot(page, "2-census-board-past-date")

    page.goto(f"{live_server}/care/census/{residential.id}/waitlist")
    assert "Robin Waits" in page.content()
    shot(page, "3-waitlist")
    # Full (three of three): no place to offer, whatever beds have no name on them.
    page.get_by_role("button", name="Offer the place").click()
    assert "Riverside House is full on" in page.content()
    # Tomas steps down to PHP: his place is free, and offered to Robin.
    php = make_program(app, name="Day program", level_of_care="php", asam_level="2.5")
    page.goto(f"{live_server}/care/patients/{tomas_made['patient']}")
    page.get_by_label("What happens").select_option("step_down")
    page.get_by_label("On", exact=True).fill(today.isoformat())
    page.get_by_label("To level of care").select_option("php")
    page.get_by_label("Program", exact=True).select_option(str(php.id))
    moving = page.get_by_role("region", name="Move or discharge")
    moving.locator("#reason").fill("Ready for days at the program, nights at home")
    moving.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"{live_server}/care/census/{residential.id}/waitlist")
    page.get_by_role("button", name="Offer the place").click()
    assert "Place offered." in page.content()
    shot(page, "4-waitlist-offered")
