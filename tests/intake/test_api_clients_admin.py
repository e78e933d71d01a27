"""Admin pages for API clients: issue a key shown once, list without secrets, revoke for good; all audited."""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import ApiClient, AuditEvent
from coordinator.roles import Role
from tests.fixtures.users import login_as
from tests.intake.test_api import URL as API_URL
from tests.intake.test_api import api_payload, auth, make_api_client

LIST = "/admin/api-clients"
NEW = "/admin/api-clients/new"
KEY_RE = re.compile(r'data-testid="api-key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="api-key"')


def shown_key(response) -> str:
    match = KEY_RE.search(response.get_data(as_text=True))
    assert match, "no key on the page"
    return match.group(1) or match.group(2)


def audit_actions(app) -> list[tuple[str, str | None]]:
    with app.app_context():
        return list(db.session.execute(sa.select(AuditEvent.action, AuditEvent.entity_id).order_by(AuditEvent.id)))


def test_creating_a_client_shows_its_key_once_and_stores_only_a_hash(admin_client, admin, app, client):
    response = admin_client.post_form(NEW, {"name": "Website inquiry form"})
    assert response.status_code == 200
    key = shown_key(response)
    assert key.startswith("coord_") and "I have stored the key" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        row = db.session.scalars(sa.select(ApiClient)).one()
    assert row.name == "Website inquiry form" and row.created_by_id == admin.id
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key.split("_")[1] == row.key_prefix
    assert ("api_client_created", str(row.id)) in audit_actions(app)
    # The list shows the prefix only; no page shows the key again.
    listing = admin_client.get(LIST).get_data(as_text=True)
    assert "Website inquiry form" in listing and f"coord_{row.key_prefix}_" in listing
    assert key not in listing and key.split("_", 2)[2] not in listing
    assert admin_client.get(NEW).get_data(as_text=True).count(key) == 0
    # And the key works.
    assert client.post(API_URL, json=api_payload(), headers=auth(key)).status_code == 201


def test_the_list_shows_created_last_used_and_revoked(admin_client, admin, app, client):
    used_id, used_key = make_api_client(app, admin.id, "Referral partner A")
    revoked_id, _ = make_api_client(app, admin.id, "Old website")
    make_api_client(app, admin.id, "Never used")
    client.post(API_URL, json=api_payload(), headers=auth(used_key))
    admin_client.post_form(f"{LIST}/{revoked_id}/revoke")
    body = admin_client.get(LIST).get_data(as_text=True)
    rows = {
        name: body[body.index(f"<td>{name}</td>") :][:1500]
        for name in ("Referral partner A", "Old website", "Never used")
    }
    assert "Active" in rows["Referral partner A"] and "never" not in rows["Referral partner A"].split("</tr>")[0]
    assert "never" in rows["Never used"].split("</tr>")[0]
    assert "Revoked" in rows["Old website"].split("</tr>")[0]
    assert "Revoke key" not in rows["Old website"].split("</tr>")[0]
    assert body.index("<td>Never used") < body.index("<td>Old website")  # active clients first
    assert ("api_clients_listed", None) in audit_actions(app)


def test_revoking_needs_the_confirm_form_and_stops_the_key(admin_client, admin, app, client):
    client_id, key = make_api_client(app, admin.id, "Partner")
    refused = admin_client.post(f"{LIST}/{client_id}/revoke")  # no CSRF token
    assert refused.status_code == 400
    assert client.post(API_URL, json=api_payload(), headers=auth(key)).status_code == 201
    response = admin_client.post_form(f"{LIST}/{client_id}/revoke", follow_redirects=True)
    assert "was revoked" in response.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(ApiClient, client_id)
    assert row.revoked_at is not None and row.revoked_by_id == admin.id
    assert ("api_client_revoked", str(client_id)) in audit_actions(app)
    assert client.post(API_URL, json=api_payload(), headers=auth(key)).status_code == 401
    again = admin_client.post_form(f"{LIST}/{client_id}/revoke", follow_redirects=True)
    assert "already revoked" in again.get_data(as_text=True)
    assert [a for a, _ in audit_actions(app)].count("api_client_revoked") == 1


def test_revoking_an_unknown_client_is_404(admin_client):
    assert admin_client.post_form(f"{LIST}/999999/revoke").status_code == 404


def test_names_must_be_given_and_unique(admin_client, admin, app):
    make_api_client(app, admin.id, "Website")
    for name, message in (
        ("", "Enter a name for this client."),
        ("   ", "Enter a name"),
        ("website", "already exists"),
        ("x" * 121, "120"),
    ):
        response = admin_client.post_form(NEW, {"name": name})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body, name
        assert 'data-testid="api-key"' not in body
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiClient)) == 1


def test_only_admins_see_the_menu_entry(client, admin_client, create_user, new_client):
    assert 'href="/admin/api-clients"' in admin_client.get("/").get_data(as_text=True)
    other = login_as(new_client(), create_user(Role.ADMISSIONS))
    assert 'href="/admin/api-clients"' not in other.get("/").get_data(as_text=True)
    assert other.get(LIST).status_code == 403
