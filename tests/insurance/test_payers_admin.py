"""Payers are reference data kept by administrators."""

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Payer

GOOD = {
    "name": "Blue Harbor Health",
    "payer_code": "BHH01",
    "phone": "+1 (800) 555-0199",
    "notes": "Behavioural health carved out to MindWell",
    "is_active": "y",
}


def payers(app):
    with app.app_context():
        return [
            (p.name, p.payer_code, p.phone, p.is_active)
            for p in db.session.scalars(sa.select(Payer).order_by(Payer.id))
        ]


def test_admin_adds_edits_and_retires_a_payer(app, admin_client):
    assert admin_client.post_form("/admin/payers/new", GOOD).status_code == 302
    assert payers(app) == [("Blue Harbor Health", "BHH01", "+1 (800) 555-0199", True)]
    page = admin_client.get("/admin/payers").get_data(as_text=True)
    assert "Blue Harbor Health" in page and "BHH01" in page
    with app.app_context():
        payer_id = db.session.scalar(sa.select(Payer.id))
    response = admin_client.post_form(f"/admin/payers/{payer_id}", {**GOOD, "is_active": "", "phone": ""})
    assert response.status_code == 302
    assert payers(app) == [("Blue Harbor Health", "BHH01", None, False)]
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "payer")).all()
    assert sorted(actions) == ["payer_created", "payer_updated"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "Enter the payer"),
        ({"name": "x" * 121}, "at most 120"),
        ({"payer_code": "BHH;DROP"}, "letters, digits"),
        ({"phone": "call us"}, "7 to 15 digits"),
        ({"notes": "n" * 2001}, "at most 2000"),
    ],
)
def test_bad_payer_input_is_explained_and_nothing_saved(app, admin_client, overrides, message):
    response = admin_client.post_form("/admin/payers/new", {**GOOD, **overrides})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert payers(app) == []


def test_payer_names_are_unique_whatever_the_case(app, admin_client):
    admin_client.post_form("/admin/payers/new", GOOD)
    response = admin_client.post_form("/admin/payers/new", {**GOOD, "name": "blue harbor HEALTH"})
    assert response.status_code == 400 and "already has this name" in response.get_data(as_text=True)
    assert len(payers(app)) == 1


def test_an_unknown_payer_is_404(admin_client):
    assert admin_client.get("/admin/payers/999999").status_code == 404
