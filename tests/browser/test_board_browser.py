"""Issue 13, items 10 and 11 in a real browser: admissions works the day from the pipeline
board, moving cards with the keyboard alone (no drag and drop), and a web inquiry shows up on
the board and in the desk's notifications after one relay round."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from coordinator.extensions import db
from coordinator.models import utcnow
from coordinator.outbox.delivery import deliver
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryAction
from coordinator.services import pipeline
from tests.browser.conftest import sign_in_as
from tests.fixtures.intake import make_inquiry

pytestmark = pytest.mark.browser
SHOTS = Path("/work/wt/shots/pipeline")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _contacted(app, desk, **overrides):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id, **overrides)
    with app.app_context():
        from coordinator.models import Inquiry, User

        pipeline.move(db.session.get(User, desk.id), db.session.get(Inquiry, inquiry.id), InquiryAction.RECORD_CONTACT)
        db.session.commit()
    return inquiry


def test_admissions_moves_cards_with_the_keyboard(app, page, live_server, create_user):
    desk = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    waiting = make_inquiry(
        app, desk, assigned_to_id=desk.id, patient_name="Walter Waiting", referral_source="physician"
    )
    talked = _contacted(app, desk, patient_name="Tina Talked", referral_source="self")
    gone = _contacted(app, desk, patient_name="Gina Gone", referral_source="family")
    sign_in_as(page, live_server, app, desk)
    page.get_by_role("link", name="Pipeline board").click()
    page.wait_for_url(live_server + "/board/")
    expect(page.locator('[data-status="new"]')).to_contain_text("Walter Waiting")
    expect(page.locator('[data-status="contacted"]')).to_contain_text("Tina Talked")
    shot(page, "board")

    # Keyboard only: focus the card's "Move to…", open it with Enter, choose with the arrow keys,
    # Tab to the button and press Enter.
    card = page.locator(f"#card-{talked.id}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    select = card.locator("select[name=action]")
    expect(select).to_be_visible()
    select.focus()
    expect(select).to_have_value("start_screening")
    shot(page, "board_move_menu_open")
    page.keyboard.press("Tab")  # the reason box (this card may also be closed)
    page.keyboard.press("Tab")  # "Referred to"
    page.keyboard.press("Tab")  # the Move button
    expect(card.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf".*/board/#card-{talked.id}$"))
    expect(page.locator('[data-status="screening"]')).to_contain_text("Tina Talked")
    expect(page.locator(".alert-success")).to_contain_text(f"Inquiry #{talked.id} is now in “Screening”")

    # An exit asks for its reason: without one the card stays, opened, with the message beside the box.
    card = page.locator(f"#card-{gone.id}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    select = card.locator("select[name=action]")
    select.focus()
    page.keyboard.press("ArrowDown")  # Declined
    expect(select).to_have_value("decline")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    card = page.locator(f"#card-{gone.id}")
    expect(card).to_contain_text("Decline needs a reason")
    expect(page.locator('[data-status="contacted"]')).to_contain_text("Gina Gone")
    shot(page, "board_exit_needs_reason")
    reason = card.locator("textarea[name=reason]")
    reason.focus()
    page.keyboard.type("Chose a program nearer home")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/board/#card-\d+$"))
    expect(page.locator('[data-status="contacted"]')).not_to_contain_text("Gina Gone")
    page.get_by_label("Show closed columns").check()
    page.get_by_role("button", name="Filter").click()
    expect(page.locator('[data-status="declined"]')).to_contain_text("Gina Gone")
    shot(page, "board_with_closed_columns")
    assert waiting


def test_a_web_inquiry_shows_up_on_the_board_and_in_the_desks_notifications(app, page, live_server, create_user):
    desk = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    sign_in_as(page, live_server, app, desk)
    page.goto(live_server + "/board/")
    page.get_by_role("button", name="Go on duty").click()
    expect(page.get_by_test_id("on-duty")).to_have_text("You are on duty")

    visitor = page.context.browser.new_context().new_page()
    visitor.goto(live_server + "/inquire")
    from tests.intake.test_public_form import visitor_answers

    answers = visitor_answers(patient_name="Nora Night")
    for name, value in answers.items():
        field = visitor.locator(f'[name="{name}"]')
        if name in ("csrf_token", "website") or field.count() == 0 or not isinstance(value, str):
            continue
        tag = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            field.first.select_option(value)
        elif tag.endswith(":checkbox") or tag.endswith(":radio"):
            choice = visitor.locator(f'[name="{name}"][value="{value}"]')
            if choice.count():
                choice.check()
        else:
            field.first.fill(value)
    visitor.get_by_role("button", name="Send to our admissions team").click()
    visitor.wait_for_url(re.compile(r".*/inquire/thanks$"))
    visitor.context.close()

    with app.app_context():  # one relay round: the worker runs one at least every minute
        for reminder_id in relay_once(None, now=utcnow()):
            deliver(reminder_id)
        db.session.remove()
    page.goto(live_server + "/board/")
    expect(page.locator('[data-status="new"]')).to_contain_text("Nora Night")
    expect(page.locator('[data-status="new"]')).to_contain_text("waiting")
    shot(page, "board_after_web_inquiry")
    page.goto(live_server + "/notifications/")
    expect(page.locator("main")).to_contain_text("New inquiry")
    shot(page, "notifications_new_inquiry")
    page.goto(live_server + "/inquiries/")
    shot(page, "inquiry_list_time_waiting")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/board/")
    shot(page, "board_phone_width")


def test_the_administrator_turns_the_round_robin_on(app, page, live_server, create_user):
    admin = create_user(Role.ADMIN, full_name="Ada Admin")
    on_duty = create_user(Role.ADMISSIONS, full_name="Dana Duty")
    with app.app_context():
        from coordinator.models import User

        db.session.get(User, on_duty.id).on_duty = True
        db.session.commit()
    sign_in_as(page, live_server, app, admin)
    page.goto(live_server + "/admin/reminders/settings")
    card = page.get_by_test_id("round-robin")
    expect(card).to_contain_text("Round-robin assignment is off; 1 admissions user is on duty: Dana Duty.")
    card.get_by_role("button", name="Turn the round-robin on").click()
    expect(page.get_by_test_id("round-robin")).to_contain_text("Round-robin assignment is on")
    shot(page, "admin_round_robin_setting")


def test_dragging_a_card_is_a_shortcut_for_its_move_form(app, page, live_server, create_user):
    desk = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    talked = _contacted(app, desk, patient_name="Drew Dragged")
    sign_in_as(page, live_server, app, desk)
    page.goto(live_server + "/board/")
    page.drag_and_drop(f"#card-{talked.id}", '[data-status="screening"]')
    page.wait_for_url(re.compile(rf".*/board/#card-{talked.id}$"))
    expect(page.locator('[data-status="screening"]')).to_contain_text("Drew Dragged")
    # A move the lifecycle does not allow leaves the card where it is.
    page.drag_and_drop(f"#card-{talked.id}", '[data-status="new"]')
    expect(page.locator('[data-status="screening"]')).to_contain_text("Drew Dragged")
