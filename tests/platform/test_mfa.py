"""Multi-factor sign-in with time-based codes: RFC 6238 itself, enrolment, the code step,
single use, recovery codes, throttling, mandatory enrolment for administrators, switching off
and an administrator's reset."""

import re
import time

import pytest
import sqlalchemy as sa

from coordinator import totp
from coordinator.extensions import db
from coordinator.models import AuditEvent, RecoveryCode, User, UserSession
from coordinator.roles import Role
from tests.fixtures.users import PASSWORD, login_as, reload_user
from tests.support.mfa import next_code, secret_for

# RFC 6238, appendix B: the seeds for each hash and (time, 8-digit TOTP) pairs.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
RFC_6238 = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize("when, sha1, sha256, sha512", RFC_6238)
def test_rfc_6238_test_vectors(when, sha1, sha256, sha512):
    import hashlib

    step = totp.step_at(when)
    assert totp.hotp(SEEDS["sha1"], step, digits=8) == sha1
    assert totp.hotp(SEEDS["sha256"], step, digits=8, digest=hashlib.sha256) == sha256
    assert totp.hotp(SEEDS["sha512"], step, digits=8, digest=hashlib.sha512) == sha512


def test_the_app_parameters_and_the_window():
    import base64

    secret = base64.b32encode(SEEDS["sha1"]).decode()
    assert totp.code_at(secret, totp.step_at(59)) == "287082"  # the 6-digit tail of the RFC's 94287082
    now = 1111111111
    for drift in (-30, 0, 30):
        assert totp.matching_step(secret, totp.code_at(secret, totp.step_at(now + drift)), now) is not None
    for drift in (-60, 60):
        assert totp.matching_step(secret, totp.code_at(secret, totp.step_at(now + drift)), now) is None
    used = totp.step_at(now)
    assert totp.matching_step(secret, totp.code_at(secret, used), now, after=used) is None  # used once
    assert totp.matching_step(secret, "12345", now) is None and totp.matching_step(secret, "abcdef", now) is None
    uri = totp.provisioning_uri(secret, "ada@example.org", "Coordinator")
    assert uri.startswith("otpauth://totp/Coordinator:ada@example.org?secret=" + secret)
    assert "issuer=Coordinator" in uri and "digits=6" in uri and "period=30" in uri and "algorithm=SHA1" in uri


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def enrol_through_the_page(client, app) -> tuple[str, list[str]]:
    page = client.get("/account/mfa").get_data(as_text=True)
    secret = re.search(r'data-testid="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert "otpauth://totp/" in page and f"secret={secret}" in page
    assert "<svg" in page and 'class="mfa-qr"' in page  # the QR code, drawn on the server
    refused = client.post_form(
        "/account/mfa", {"code": "000000" if totp.code_at(secret, totp.step_at(time.time())) != "000000" else "111111"}
    )
    assert "That code is not right" in refused.get_data(as_text=True)
    done = client.post_form("/account/mfa", {"code": totp.code_at(secret, totp.step_at(time.time()))})
    body = done.get_data(as_text=True)
    codes = re.findall(r"<li>([a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4})</li>", body)
    assert len(codes) == 10 and "shown only this once" in body
    return secret, codes


def test_a_clinician_enrols_and_then_signs_in_with_a_code(client, new_client, create_user, app):
    user = create_user(Role.CLINICIAN)
    login_as(client, user)
    secret, codes = enrol_through_the_page(client, app)
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored.totp_enabled_at is not None
        assert secret not in stored.totp_secret and stored.totp_secret.startswith("v1:")  # sealed
        hashes = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(hashes) == 10 and not {c.replace("-", "") for c in codes} & hashes
    assert "mfa_enabled" in audit_actions(app)
    # After enrolment the key is never shown again.
    assert secret not in client.get("/account/mfa").get_data(as_text=True)

    browser = new_client()
    response = browser.login(user.email, PASSWORD, complete_mfa=False)
    assert response.headers["Location"] == "/auth/code"
    assert "Enter your code" in browser.get("/auth/code").get_data(as_text=True)
    # Half signed in: nothing opens.
    assert browser.get("/").headers["Location"].startswith("/auth/login")
    assert browser.get("/account/mfa").headers["Location"].startswith("/auth/login")
    code = next_code(app, user.email)
    assert browser.post_form("/auth/code", {"code": code[:3] + " " + code[3:]}).headers["Location"] == "/"
    assert browser.get("/").status_code == 200
    # The same code does not work twice, even in another browser with the password.
    other = new_client()
    other.login(user.email, PASSWORD, complete_mfa=False)
    response = other.post_form("/auth/code", {"code": code})
    assert response.status_code == 200 and "That code is not right" in response.get_data(as_text=True)
    assert other.get("/").status_code == 302
    assert "mfa_code_failed" in audit_actions(app)


def test_a_recovery_code_signs_in_once(new_client, create_user, app):
    user = create_user(Role.BILLING)
    browser = login_as(new_client(), user)
    _, codes = enrol_through_the_page(browser, app)
    first = new_client()
    first.login(user.email, PASSWORD, complete_mfa=False)
    assert first.post_form("/auth/code", {"code": codes[3].upper()}).headers["Location"] == "/"
    again = new_client()
    again.login(user.email, PASSWORD, complete_mfa=False)
    assert again.post_form("/auth/code", {"code": codes[3]}).status_code == 200
    with app.app_context():
        detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "mfa_recovery_code_used"))
    assert detail == "9 left"


def test_the_half_sign_in_lapses(new_client, create_user, app):
    user = create_user(Role.ADMISSIONS, mfa=True)
    browser = new_client()
    browser.login(user.email, PASSWORD, complete_mfa=False)
    app.config["MFA_PENDING_SECONDS"] = 0
    response = browser.post_form("/auth/code", {"code": next_code(app, user.email)})
    assert response.headers["Location"] == "/auth/login"
    assert browser.get("/").status_code == 302


def test_code_attempts_are_throttled(new_client, create_user, app):
    user = create_user(Role.ADMISSIONS, mfa=True)
    browser = new_client()
    browser.login(user.email, PASSWORD, complete_mfa=False)
    wrong = "000000" if next_code(app, user.email) != "000000" else "111111"
    for _ in range(5):  # MFA_CODE_LIMIT: 5 per 15 minutes
        assert browser.post_form("/auth/code", {"code": wrong}).status_code == 200
    assert browser.post_form("/auth/code", {"code": next_code(app, user.email)}).status_code == 429
    # From another browser too: the limit is the account's, and an administrator's unlock lifts it.
    elsewhere = new_client()
    elsewhere.login(user.email, PASSWORD, complete_mfa=False)
    assert elsewhere.post_form("/auth/code", {"code": next_code(app, user.email)}).status_code == 429
    # An administrator's unlock lifts it.
    admin_browser = login_as(new_client(), create_user(Role.ADMIN))
    admin_browser.post_form(f"/admin/users/{user.id}/unlock")
    assert elsewhere.post_form("/auth/code", {"code": next_code(app, user.email)}).headers["Location"] == "/"


def test_an_admin_without_mfa_must_enrol_before_anything_else(new_client, create_user, app):
    admin = create_user(Role.ADMIN, mfa=False)
    browser = new_client()
    response = browser.login(admin.email, PASSWORD)
    assert response.headers["Location"] == "/account/mfa"
    for path in ("/", "/admin/users", "/admin/audit", "/account/password"):
        assert browser.get(path).headers["Location"] == "/account/mfa", path
    page = browser.get("/account/mfa").get_data(as_text=True)
    assert "Administrators sign in with a password and a code" in page
    # No menu leads anywhere else meanwhile (every such link would only bounce back here).
    assert 'data-testid="admin-menu"' not in page and 'href="/inquiries' not in page and "Sign out" in page
    enrol_through_the_page(browser, app)
    assert browser.get("/admin/users").status_code == 200
    assert 'data-testid="admin-menu"' in browser.get("/").get_data(as_text=True)
    assert browser.logout().status_code == 302


def test_an_admin_cannot_switch_mfa_off(admin_client, admin, app):
    page = admin_client.get("/account/mfa").get_data(as_text=True)
    assert "cannot be switched off" in page
    response = admin_client.post_form("/account/mfa/off", {"off-password": PASSWORD}, follow_redirects=True)
    assert "cannot be switched off" in response.get_data(as_text=True)
    assert reload_user(app, admin.id).totp_enabled_at is not None


def test_switching_off_needs_a_current_code_or_the_password(client, create_user, app):
    user = create_user(Role.CASE_MANAGER, mfa=True)
    login_as(client, user)
    body = client.post_form("/account/mfa/off", {}, follow_redirects=True).get_data(as_text=True)
    assert "Enter a current code from your app or your password." in body
    body = client.post_form("/account/mfa/off", {"off-password": "not my password!"}, follow_redirects=True)
    assert "That is not your password." in body.get_data(as_text=True)
    assert reload_user(app, user.id).totp_enabled_at is not None
    client.post_form("/account/mfa/off", {"off-password": PASSWORD})
    stored = reload_user(app, user.id)
    assert stored.totp_enabled_at is None and stored.totp_secret is None
    assert "mfa_disabled" in audit_actions(app)


def test_renewing_recovery_codes_needs_a_code(client, create_user, app):
    user = create_user(Role.CASE_MANAGER, mfa=True)
    login_as(client, user)
    body = client.post_form("/account/mfa/recovery-codes", {"renew-code": next_code(app, user.email)})
    assert len(re.findall(r"<li>[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}</li>", body.get_data(as_text=True))) == 10


def test_an_admin_resets_someones_mfa(admin_client, new_client, create_user, app):
    user = create_user(Role.CLINICIAN, mfa=True)
    their_browser = login_as(new_client(), user)
    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Reset multi-factor sign-in" in page and secret_for(app, user.email) not in page
    assert admin_client.post_form(f"/admin/users/{user.id}/mfa/reset").status_code == 302
    assert their_browser.get("/").status_code == 302  # signed out
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0 + _admin_codes(app)
        assert not db.session.scalars(
            sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        ).all()
    assert "mfa_reset" in audit_actions(app)
    # They sign in with the password alone now (not an administrator: enrolling again is their choice).
    assert new_client().login(user.email, PASSWORD, complete_mfa=False).headers["Location"] == "/"


def test_the_server_resets_a_locked_out_administrators_mfa(runner, new_client, create_user, app):
    """The only administrator lost their phone: nobody can reach the Users page, so the server's
    operator runs `flask reset-mfa`; the administrator must enrol again at the next sign-in."""
    admin = create_user(Role.ADMIN, mfa=True)
    their_browser = login_as(new_client(), admin)
    result = runner.invoke(args=["reset-mfa", "--email", admin.email.upper()])
    assert result.exit_code == 0, result.output
    assert secret_for(app, admin.email) is None
    assert their_browser.get("/").status_code == 302  # their sessions ended
    with app.app_context():
        row = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "mfa_reset")).one()
        assert (row.actor_label, row.entity_id) == ("cli", str(admin.id))
    assert new_client().login(admin.email, PASSWORD, complete_mfa=False).headers["Location"] == "/account/mfa"
    again = runner.invoke(args=["reset-mfa", "--email", admin.email])
    assert again.exit_code == 1 and "no multi-factor sign-in to reset" in again.output
    unknown = runner.invoke(args=["reset-mfa", "--email", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no account" in unknown.output


def _admin_codes(app) -> int:
    with app.app_context():
        admin_id = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.org"))
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == admin_id)
        )


def test_the_demo_administrator_signs_in_and_sets_up_a_second_factor(runner, client, app):
    from coordinator.cli import DEMO_PASSWORD

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "multi-factor sign-in at the first sign-in" in result.output
    response = client.login("admin@demo.coordinator.test", DEMO_PASSWORD)
    assert response.headers["Location"] == "/account/mfa"
    assert "Set up multi-factor sign-in" in client.get("/account/mfa").get_data(as_text=True)
