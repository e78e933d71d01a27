"""A person signs in and out in a real browser."""

import pytest

from coordinator.roles import Role
from tests.browser.conftest import ARTIFACTS, sign_in
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


def test_admin_adds_a_user_on_a_phone_sized_screen(browser, live_server, create_user, app):
    create_user(Role.ADMIN, email="ada@example.org", full_name="Ada Admin")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, app, "ada@example.org", PASSWORD)
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
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "admin_adds_user_phone.png"), full_page=True)
    finally:
        context.close()


def test_a_new_admin_enrols_a_second_factor_then_signs_in_with_a_code(page, live_server, create_user, app):
    import re
    import time

    from coordinator import totp

    create_user(Role.ADMIN, email="new.admin@example.org", full_name="Nia Admin", mfa=False)
    sign_in(page, live_server, app, "new.admin@example.org", PASSWORD)
    assert page.url == live_server + "/account/mfa"
    assert page.get_by_role("heading", name="Set up multi-factor sign-in").is_visible()
    assert page.locator("svg.mfa-qr").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mfa_enrolment.png"), full_page=True)
    # Nothing else opens until it is done.
    page.goto(live_server + "/admin/users")
    assert page.url == live_server + "/account/mfa"

    secret = page.get_by_test_id("mfa-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code from the app").fill(totp.code_at(secret, totp.step_at(time.time())))
    page.get_by_role("button", name="Turn on multi-factor sign-in").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.screenshot(path=str(ARTIFACTS / "mfa_recovery_codes.png"), full_page=True)
    page.get_by_role("link", name="I have saved them").click()
    page.get_by_role("button", name="Sign out").click()

    page.get_by_label("Email").fill("new.admin@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server + "/auth/code")
    page.get_by_label("Code").fill(
        "000000" if totp.code_at(secret, totp.step_at(time.time())) != "000000" else "111111"
    )
    page.get_by_role("button", name="Verify and sign in").click()
    assert page.locator(".invalid-feedback").inner_text().startswith("That code is not right")
    page.screenshot(path=str(ARTIFACTS / "mfa_code_step.png"), full_page=True)
    from tests.support.mfa import next_code

    page.get_by_label("Code").fill(next_code(app, "new.admin@example.org"))
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(live_server + "/")
    assert page.get_by_role("heading", name="Welcome, Nia Admin").is_visible()
