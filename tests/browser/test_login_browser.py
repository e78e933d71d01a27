"""A person signs in and out in a real browser."""

import pytest

from coordinator.roles import Role
from tests.fixtures.users import PASSWORD

pytestmark = pytest.mark.browser


def test_staff_member_signs_in_and_out(page, live_server, create_user):
    create_user(Role.ADMISSIONS, email="ana@example.org", full_name="Ana Admissions")
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/auth/login")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("heading", name="Welcome, Ana Admissions").is_visible()
    assert page.get_by_test_id("role-badge").inner_text() == "Admissions"
    # The admissions role sees no admin links.
    assert page.get_by_role("link", name="Users", exact=True).count() == 0

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server + "/auth/login")
    assert page.get_by_text("You are signed out.").is_visible()
    page.goto(live_server + "/")
    assert page.url.startswith(live_server + "/auth/login")


def test_wrong_password_shows_the_error_next_to_the_field(page, live_server, create_user):
    create_user(Role.BILLING, email="bill@example.org")
    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill("bill@example.org")
    page.get_by_label("Password").fill("not my password at all")
    page.get_by_role("button", name="Sign in").click()
    assert page.locator(".invalid-feedback").inner_text().startswith("The email or password is not correct")


def test_admin_adds_a_user_on_a_phone_sized_screen(browser, live_server, create_user):
    create_user(Role.ADMIN, email="ada@example.org", full_name="Ada Admin")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(live_server + "/auth/login")
        page.get_by_label("Email").fill("ada@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Show navigation").click()
        page.get_by_role("button", name="Admin").click()
        page.get_by_role("link", name="Users", exact=True).click()
        page.get_by_role("link", name="Add a user").click()
        page.get_by_label("Full name").fill("Priya Pharmacist")
        page.get_by_label("Email").fill("priya@example.org")
        page.get_by_label("Role").select_option("clinician")
        page.get_by_label("Discipline").select_option("pharmacist")
        page.get_by_label("Temporary password", exact=True).fill("temporary passphrase")
        page.get_by_label("Repeat the temporary password").fill("temporary passphrase")
        page.get_by_role("button", name="Create account").click()
        assert page.get_by_text("Account created for Priya Pharmacist").is_visible()
        from tests.browser.conftest import ARTIFACTS

        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin_adds_user_phone.png"), full_page=True)
    finally:
        context.close()
