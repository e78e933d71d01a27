"""Every way in and out: credentials, throttling, timeouts, revocation, CSRF, redirects."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, UserSession, utcnow
from coordinator.roles import Role
from tests.fixtures.users import PASSWORD, login_as

GENERIC_FAILURE = "The email or password is not correct, or the account is not active."


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_page_is_public(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "Sign in" in response.get_data(as_text=True)


def test_slash_login_leads_to_the_sign_in_page(client, create_user):
    # Issue 13, bug 9: /login, the address people guess, answered 404.
    response = client.get("/login", follow_redirects=True)
    assert response.status_code == 200 and "Sign in" in response.get_data(as_text=True)
    assert response.request.path == "/auth/login"
    onward = client.get("/login", query_string={"next": "/inquiries/"})
    assert onward.headers["Location"] == "/auth/login?next=/inquiries/"
    login_as(client, create_user(Role.ADMISSIONS))
    assert client.get("/login", follow_redirects=True).request.path == "/"


def test_login_with_the_right_password_lands_on_home(client, create_user, app):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    response = client.login(user.email, PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Ana Admissions" in home.get_data(as_text=True)
    assert "login" in audit_actions(app)


def test_email_is_matched_without_regard_to_case_or_spaces(client, create_user):
    create_user(Role.BILLING, email="bill@example.org")
    assert client.login("  Bill@Example.ORG ", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "email, password, reason",
    [
        ("known@example.org", "wrong password here", "wrong password"),
        ("nobody@example.org", PASSWORD, "unknown account"),
    ],
)
def test_wrong_credentials_get_one_generic_answer(client, create_user, app, email, password, reason):
    create_user(Role.ADMISSIONS, email="known@example.org")
    response = client.login(email, password)
    assert response.status_code == 200
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "login_failed")).one()
    assert event.detail == reason
    assert password not in (event.detail or "")


def test_inactive_user_cannot_sign_in(client, create_user, app):
    user = create_user(Role.CLINICIAN, active=False)
    response = client.login(user.email, PASSWORD)
    assert GENERIC_FAILURE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "login_failed"))
            == "account deactivated"
        )


def test_blank_form_shows_field_errors(client):
    response = client.post_form("/auth/login", {"email": "", "password": ""})
    body = response.get_data(as_text=True)
    assert "Enter your email." in body and "Enter your password." in body


def test_failed_logins_are_limited_per_account(client, new_client, create_user, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    user = create_user(Role.ADMISSIONS)
    for _ in range(3):
        assert client.login(user.email, "not the password!").status_code == 200
    # A fourth try on the same account is refused, even with the right password and from elsewhere.
    assert client.login(user.email, PASSWORD).status_code == 429
    other_browser = new_client()
    assert other_browser.login(user.email, PASSWORD).status_code == 429
    # Other accounts are not affected.
    someone_else = create_user(Role.BILLING)
    assert other_browser.login(someone_else.email, PASSWORD).status_code == 302


def test_failed_logins_are_limited_per_ip(client, create_user, app):
    app.config["LOGIN_LIMIT_PER_IP"] = "4 per 10 minutes"
    for n in range(4):
        assert client.login(f"guess{n}@example.org", "not the password!").status_code == 200
    user = create_user(Role.ADMISSIONS)
    response = client.login(user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_successful_logins_do_not_use_up_the_limit(new_client, create_user, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    user = create_user(Role.ADMISSIONS)
    for _ in range(5):
        assert new_client().login(user.email, PASSWORD).status_code == 302


def _age_session(app, user_id, *, idle_for=None, open_for=None):
    with app.app_context():
        row = db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        ).one()
        if idle_for is not None:
            row.last_seen_at = utcnow() - idle_for
        if open_for is not None:
            row.created_at = utcnow() - open_for
        db.session.commit()


def test_idle_timeout_signs_the_user_out(client, create_user, app):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    _age_session(app, user.id, idle_for=timedelta(minutes=16))
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 15 minutes without activity" in page
    with app.app_context():
        row = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.end_reason == "idle"


def test_activity_within_the_idle_timeout_keeps_the_session(client, create_user, app):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    _age_session(app, user.id, idle_for=timedelta(minutes=14))
    assert client.get("/").status_code == 200
    _age_session(app, user.id, idle_for=timedelta(minutes=14))
    assert client.get("/").status_code == 200


def test_idle_timeout_is_configurable(client, create_user, app):
    app.config["IDLE_TIMEOUT"] = timedelta(minutes=5)
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    _age_session(app, user.id, idle_for=timedelta(minutes=6))
    assert client.get("/").status_code == 302


def test_absolute_session_lifetime_ends_even_an_active_session(client, create_user, app):
    user = create_user(Role.BILLING)
    login_as(client, user)
    _age_session(app, user.id, open_for=timedelta(hours=12, minutes=1))
    response = client.get("/")
    assert response.status_code == 302
    assert "maximum length" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_logout_revokes_a_copied_cookie(client, new_client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    response = client.logout()
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    # An attacker who copied the cookie before logout replays it in another browser.
    attacker = new_client()
    attacker.set_cookie(cookie.key, cookie.value)
    replay = attacker.get("/")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/auth/login")
    assert audit_actions(app)[-1] == "logout"


def test_login_starts_a_new_session(client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    client.get("/auth/login")
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    login_as(client, user)
    after = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert before is None or before.value != after.value


def test_logout_needs_post_and_a_csrf_token(client, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 400  # no CSRF token
    assert client.get("/").status_code == 200  # still signed in


def test_csrf_token_is_required_to_log_in(client, create_user):
    user = create_user(Role.ADMISSIONS)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_a_signed_out_visitor_is_sent_to_login_with_next(client):
    response = client.get("/admin/users?role=admin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/admin/users?role%3Dadmin"


def test_next_on_this_site_is_followed(client, admin):
    # The administrator signs in with a code too: `next` is kept through the code step.
    response = client.login(admin.email, PASSWORD, query_string={"next": "/admin/users"})
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "/%0d%0aSet-Cookie:x=1".replace("%0d%0a", "\r\n"),
        "",
        " //evil.example",
    ],
)
def test_foreign_next_is_refused(client, admin, target):
    response = client.login(admin.email, PASSWORD, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_user_who_must_change_password_is_held_to_the_change_form(client, create_user, app):
    user = create_user(Role.ADMISSIONS, must_change_password=True)
    response = client.login(user.email, PASSWORD)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"
    response = client.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    client.logout()
    assert client.login(user.email, "a brand new passphrase").status_code == 302


def test_changing_password_checks_the_current_one_and_the_policy(client, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    body = client.post_form(
        "/account/password",
        {"current_password": "wrong one entirely", "new_password": "short", "confirm_password": "short"},
    ).get_data(as_text=True)
    assert "Use 12 to 128 characters." in body
    body = client.post_form(
        "/account/password",
        {
            "current_password": "wrong one entirely",
            "new_password": "long enough passphrase",
            "confirm_password": "long enough passphrase",
        },
    ).get_data(as_text=True)
    assert "That is not your current password." in body


def test_changing_password_signs_out_other_sessions(client, new_client, create_user):
    user = create_user(Role.ADMISSIONS)
    laptop = login_as(client, user)
    phone = login_as(new_client(), user)
    response = laptop.post_form(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "confirm_password": "another long passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
