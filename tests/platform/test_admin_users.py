"""Administrators manage staff accounts: create, edit roles, deactivate, reset passwords."""

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import User, UserSession
from coordinator.roles import Role
from tests.fixtures.users import PASSWORD, login_as, reload_user

NEW = {
    "full_name": "Nadia Nurse",
    "email": "nadia@example.org",
    "role": "clinician",
    "discipline": "nurse",
    "password": "temporary passphrase",
    "confirm_password": "temporary passphrase",
}


def open_sessions(app, user_id) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        )


def user_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_admin_creates_a_clinician_who_must_then_choose_a_password(admin_client, new_client, app):
    response = admin_client.post_form("/admin/users/new", NEW)
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == "nadia@example.org")).one()
        assert (user.role, user.discipline.value, user.must_change_password) == (Role.CLINICIAN, "nurse", True)
        assert user.password_hash.startswith("$argon2id$")
    nurse = new_client()
    assert nurse.login("nadia@example.org", "temporary passphrase").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"email": "not-an-email"}, "Enter an email address such as name@example.com."),
        ({"password": "short", "confirm_password": "short"}, "Use 12 to 128 characters."),
        ({"confirm_password": "something else entirely"}, "The passwords do not match."),
        ({"discipline": ""}, "Choose the clinician&#39;s discipline."),
        ({"role": "billing"}, "Only clinicians have a discipline"),
        (
            {"role": "superuser"},
            "Choose one of the listed options (admin, admissions, case_manager, clinician, billing).",
        ),
        ({"full_name": "   "}, "Enter the person&#39;s full name."),
        ({"full_name": "x" * 121}, "Use at most 120 characters (this has 121)."),
        ({"password": "nadia nadia nadia", "confirm_password": "nadia nadia nadia"}, "Do not use your email address"),
    ],
)
def test_bad_new_user_input_is_explained_and_nothing_is_saved(admin_client, app, changes, message):
    before = user_count(app)
    response = admin_client.post_form("/admin/users/new", {**NEW, **changes})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert user_count(app) == before


def test_email_must_be_unique_whatever_its_case(admin_client, create_user, app):
    create_user(Role.BILLING, email="taken@example.org")
    response = admin_client.post_form("/admin/users/new", {**NEW, "email": "Taken@Example.org"})
    assert "An account with this email already exists." in response.get_data(as_text=True)


def test_changing_a_role_signs_the_person_out(admin_client, new_client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    their_browser = login_as(new_client(), user)
    response = admin_client.post_form(
        f"/admin/users/{user.id}", {"full_name": user.full_name, "role": "case_manager", "discipline": ""}
    )
    assert response.status_code == 302
    assert reload_user(app, user.id).role == Role.CASE_MANAGER
    assert their_browser.get("/").status_code == 302


def test_renaming_keeps_the_person_signed_in(admin_client, new_client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    their_browser = login_as(new_client(), user)
    admin_client.post_form(
        f"/admin/users/{user.id}", {"full_name": "Renamed Person", "role": "admissions", "discipline": ""}
    )
    assert reload_user(app, user.id).full_name == "Renamed Person"
    assert their_browser.get("/").status_code == 200


def test_deactivation_ends_sessions_and_blocks_sign_in(admin_client, new_client, create_user, app):
    user = create_user(Role.BILLING)
    their_browser = login_as(new_client(), user)
    assert admin_client.post_form(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert their_browser.get("/").status_code == 302
    assert open_sessions(app, user.id) == 0
    assert new_client().login(user.email, PASSWORD).status_code == 200  # refused
    assert admin_client.post_form(f"/admin/users/{user.id}/reactivate").status_code == 302
    assert new_client().login(user.email, PASSWORD).status_code == 302


def test_an_admin_cannot_deactivate_themselves(admin_client, admin, app):
    response = admin_client.post_form(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert reload_user(app, admin.id).is_active


def test_the_last_admin_keeps_the_admin_role(admin_client, admin, app):
    response = admin_client.post_form(
        f"/admin/users/{admin.id}", {"full_name": admin.full_name, "role": "billing", "discipline": ""}
    )
    assert "last active administrator" in response.get_data(as_text=True)
    assert reload_user(app, admin.id).role == Role.ADMIN


def test_deactivate_without_csrf_token_changes_nothing(admin_client, create_user, app):
    user = create_user(Role.BILLING)
    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 400
    assert reload_user(app, user.id).is_active


def test_reset_password_forces_a_change_and_ends_sessions(admin_client, new_client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    their_browser = login_as(new_client(), user)
    response = admin_client.post_form(
        f"/admin/users/{user.id}/password",
        {"password": "fresh temporary one", "confirm_password": "fresh temporary one"},
    )
    assert response.status_code == 302
    assert their_browser.get("/").status_code == 302
    fresh = new_client()
    assert fresh.login(user.email, PASSWORD).status_code == 200  # old password gone
    assert fresh.login(user.email, "fresh temporary one").headers["Location"] == "/account/password"


def test_unknown_user_ids_are_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post_form("/admin/users/999999/deactivate").status_code == 404


def test_user_list_filters_and_pages(admin_client, create_user, app):
    create_user(Role.BILLING, full_name="Zed Billing", email="zed@example.org")
    create_user(Role.CLINICIAN, full_name="Yara Clinician", email="yara@example.org", active=False)
    body = admin_client.get("/admin/users", query_string={"q": "zed"}).get_data(as_text=True)
    assert "Zed Billing" in body and "Yara" not in body
    body = admin_client.get("/admin/users", query_string={"status": "inactive"}).get_data(as_text=True)
    assert "Yara Clinician" in body and "Zed" not in body
    body = admin_client.get("/admin/users", query_string={"role": "billing"}).get_data(as_text=True)
    assert "Zed Billing" in body and ">Ada Admin</a></td>" not in body
    # LIKE wildcards in a search are taken literally.
    body = admin_client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "No users match these filters." in body


def test_user_list_uses_a_constant_number_of_queries(admin_client, create_user, count_queries, app):
    def run() -> int:
        with count_queries() as counter:
            assert admin_client.get("/admin/users").status_code == 200
        return counter.count

    few = run()
    for _ in range(30):
        create_user(Role.CLINICIAN)
    assert run() == few


def test_the_new_user_form_preselects_no_role(admin_client, app):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert '<option selected value="">— choose a role —</option>' in page
    before = user_count(app)
    response = admin_client.post_form("/admin/users/new", {**NEW, "role": "", "discipline": ""})
    assert "Choose a role." in response.get_data(as_text=True)
    assert user_count(app) == before


def test_the_demo_accounts_own_email_domain_is_accepted(admin_client, app):
    # Issue 13, bug 9 (fixed by 59c545a, kept here): the demo accounts live at demo.coordinator.test.
    response = admin_client.post_form("/admin/users/new", {**NEW, "email": "Nadia@Demo.Coordinator.test"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(sa.select(User.email).where(User.full_name == NEW["full_name"])).one()
    assert stored == "nadia@demo.coordinator.test"
