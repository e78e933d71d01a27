"""Failed sign-ins from one attacker do not lock the owner out: the per account-and-address limit
trips first, the account-wide one much later, and an administrator can unlock an account. The same
in the Redis store (the test app) and in the in-memory store of a laptop."""

import pytest
import sqlalchemy as sa

from coordinator import create_app
from coordinator.extensions import db
from coordinator.models import AuditEvent
from coordinator.roles import Role
from tests.fixtures.app import make_test_config
from tests.fixtures.users import PASSWORD, make_user

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
ELSEWHERE = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]


def sign_in(client, email, password, ip):
    return client.login(email, password, environ_base={"REMOTE_ADDR": ip})


def test_an_attacker_is_blocked_and_the_owner_still_signs_in(client, new_client, create_user, app):
    user = create_user(Role.ADMISSIONS)
    for _ in range(5):  # LOGIN_LIMIT_PER_ACCOUNT_IP: 5 per 15 minutes
        assert sign_in(client, user.email, "a wrong guess!!", ATTACKER).status_code == 200
    assert sign_in(client, user.email, PASSWORD, ATTACKER).status_code == 429  # even the right password
    assert sign_in(new_client(), user.email, PASSWORD, OWNER).status_code == 302


def test_the_account_wide_limit_trips_at_a_higher_threshold(new_client, create_user, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "8 per hour"
    user = create_user(Role.ADMISSIONS)
    attacker = new_client()
    for ip in ELSEWHERE[:2]:  # 2 addresses x 4 failures: none of them blocked on its own
        for _ in range(4):
            assert sign_in(attacker, user.email, "a wrong guess!!", ip).status_code == 200
    assert sign_in(new_client(), user.email, PASSWORD, OWNER).status_code == 429


def _unlock_events(app, user_id) -> list:
    with app.app_context():
        return list(
            db.session.execute(
                sa.select(AuditEvent.actor_user_id, AuditEvent.entity_id).where(AuditEvent.action == "sign_in_unlocked")
            ).all()
        )


def test_an_admin_unlock_lifts_every_limit_of_the_account(admin_client, admin, new_client, create_user, app):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "8 per hour"
    user = create_user(Role.BILLING)
    someone_else = create_user(Role.BILLING)
    attacker = new_client()
    for ip in ELSEWHERE[:2]:
        for _ in range(4):
            sign_in(attacker, user.email, "a wrong guess!!", ip)
    for _ in range(5):  # and the owner mistyped on their own device until it was blocked too
        sign_in(attacker, someone_else.email, "a wrong guess!!", OWNER)
    assert sign_in(new_client(), user.email, PASSWORD, OWNER).status_code == 429

    page = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Unlock sign-in" in page
    response = admin_client.post_form(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    assert "Sign-in unlocked" in response.get_data(as_text=True)
    assert _unlock_events(app, user.id) == [(admin.id, str(user.id))]
    assert sign_in(new_client(), user.email, PASSWORD, OWNER).status_code == 302
    # Unlocking one account leaves the others' limits alone.
    assert sign_in(new_client(), someone_else.email, PASSWORD, OWNER).status_code == 429
    admin_client.post_form(f"/admin/users/{someone_else.id}/unlock")
    assert sign_in(new_client(), someone_else.email, PASSWORD, OWNER).status_code == 302


def test_unlock_needs_a_csrf_token(admin_client, create_user, app):
    user = create_user(Role.BILLING)
    assert admin_client.post(f"/admin/users/{user.id}/unlock").status_code == 400
    assert _unlock_events(app, user.id) == []


@pytest.fixture
def memory_app(app, database_url):
    """An app whose limits live in the process's memory (a laptop without Redis). The limiter is
    one object for every app: the test app's Redis store is put back afterwards."""
    laptop = create_app(make_test_config(database_url, REDIS_URL=None, RATELIMIT_STORAGE_URI="memory://"))
    yield laptop
    create_app(make_test_config(database_url))


def test_the_same_limits_and_unlock_work_in_the_memory_store(memory_app, admin):
    from coordinator.extensions import limiter
    from tests.support.client import CoordinatorClient

    assert type(limiter.storage).__name__ == "MemoryStorage"
    memory_app.test_client_class = CoordinatorClient
    user = make_user(memory_app, Role.CASE_MANAGER)
    attacker = memory_app.test_client()
    for _ in range(5):
        sign_in(attacker, user.email, "a wrong guess!!", ATTACKER)
    assert sign_in(attacker, user.email, PASSWORD, ATTACKER).status_code == 429
    assert sign_in(memory_app.test_client(), user.email, PASSWORD, OWNER).status_code == 302
    from tests.fixtures.users import login_as

    admin_browser = login_as(memory_app.test_client(), admin)
    assert admin_browser.post_form(f"/admin/users/{user.id}/unlock").status_code == 302
    assert sign_in(attacker, user.email, PASSWORD, ATTACKER).status_code == 302


def test_unlock_says_so_when_the_limit_store_is_unreachable(admin_client, create_user, app, database_url):
    user = create_user(Role.BILLING)
    create_app(make_test_config(database_url, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0"))
    try:
        response = admin_client.post_form(f"/admin/users/{user.id}/unlock", follow_redirects=True)
    finally:
        create_app(make_test_config(database_url))
    assert response.status_code == 200
    assert "could not be unlocked" in response.get_data(as_text=True)
    assert _unlock_events(app, user.id) == []
