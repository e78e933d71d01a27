"""Fee schedules are kept by administrators: one per program and currency, amounts parsed for the
currency chosen, audited, and never rewriting a quote already issued."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, FeeSchedule
from coordinator.roles import Role
from tests.fixtures.intake import make_program
from tests.fixtures.users import login_as


def schedules(app):
    with app.app_context():
        return [
            (s.program_id, s.amount, s.currency, s.period.value, s.is_active)
            for s in db.session.scalars(sa.select(FeeSchedule).order_by(FeeSchedule.id))
        ]


@pytest.fixture
def program(app):
    return make_program(app, name="Residential pain and recovery")


def good(program, **overrides):
    data = {
        "program_id": str(program),
        "amount": "280,000",
        "currency": "THB",
        "period": "month",
        "includes": "Accommodation, meals, therapy",
        "billed_separately": "Medication, transport",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def test_admin_adds_and_edits_a_schedule(app, admin_client, program):
    page = admin_client.get("/admin/fee-schedules").get_data(as_text=True)
    assert "No fee schedules yet" in page
    assert admin_client.post_form("/admin/fee-schedules/new", good(program.id)).status_code == 302
    assert schedules(app) == [(program.id, Decimal("280000"), "THB", "month", True)]
    assert (
        admin_client.post_form(
            "/admin/fee-schedules/new", good(program.id, amount="8,500.50", currency="USD")
        ).status_code
        == 302
    )
    page = admin_client.get("/admin/fee-schedules").get_data(as_text=True)
    assert "280,000.00 THB" in page and "8,500.50 USD" in page and "per month" in page
    with app.app_context():
        schedule_id = db.session.scalar(sa.select(FeeSchedule.id).where(FeeSchedule.currency == "THB"))
    page = admin_client.get(f"/admin/fee-schedules/{schedule_id}").get_data(as_text=True)
    assert 'value="280,000.00"' in page
    response = admin_client.post_form(
        f"/admin/fee-schedules/{schedule_id}", good(program.id, amount="9,000", period="day", is_active="")
    )
    assert response.status_code == 302
    assert schedules(app)[0] == (program.id, Decimal("9000"), "THB", "day", False)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "fee_schedule")).all()
    assert sorted(actions) == ["fee_schedule_created", "fee_schedule_created", "fee_schedule_updated"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"program_id": ""}, "Choose a program"),
        ({"program_id": "999999"}, "Choose a program"),
        ({"amount": ""}, "Enter the fee"),
        ({"amount": "0"}, "The fee must be more than zero"),
        ({"amount": "-1"}, "Enter the fee as an amount such as 1500 or 1,500.50."),
        ({"amount": "280.000,50"}, "Enter the fee as an amount such as 1500 or 1,500.50."),
        ({"amount": "1500.5", "currency": "JPY"}, "JPY amounts are whole numbers"),
        ({"amount": "10.1234", "currency": "KWD"}, "KWD amounts have at most 3 decimal places"),
        ({"currency": "XYZ"}, "not an ISO 4217 currency"),
        ({"currency": ""}, "Choose a currency"),
        ({"period": "fortnight"}, "Choose one of the listed options (day, week, month, episode)."),
        ({"period": ""}, "Choose per day, week, month or episode"),
        ({"includes": "x" * 2001}, "at most 2000"),
    ],
)
def test_bad_schedule_input_is_explained_and_nothing_saved(app, admin_client, program, overrides, message):
    response = admin_client.post_form("/admin/fee-schedules/new", good(program.id, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert schedules(app) == []


def test_one_schedule_per_program_and_currency(app, admin_client, program):
    admin_client.post_form("/admin/fee-schedules/new", good(program.id))
    response = admin_client.post_form("/admin/fee-schedules/new", good(program.id, amount="300,000"))
    assert response.status_code == 400
    assert "already has a fee schedule in THB; edit that one instead" in response.get_data(as_text=True)
    assert len(schedules(app)) == 1


def test_a_closed_program_is_not_offered_for_a_new_schedule(app, admin_client):
    closed = make_program(app, name="Closed program", is_active=False)
    page = admin_client.get("/admin/fee-schedules/new").get_data(as_text=True)
    assert "Closed program" not in page
    response = admin_client.post_form("/admin/fee-schedules/new", good(closed.id))
    assert response.status_code == 400 and "no longer accepts admissions" in response.get_data(as_text=True)


def test_only_administrators_keep_fee_schedules(app, client, create_user, program):
    login_as(client, create_user(Role.BILLING))
    assert client.get("/admin/fee-schedules").status_code == 403
    assert client.post_form("/admin/fee-schedules/new", good(program.id)).status_code == 403
    assert schedules(app) == []


def test_an_unknown_schedule_is_404(admin_client):
    assert admin_client.get("/admin/fee-schedules/999999").status_code == 404


def test_a_refused_edit_shows_the_form_again_and_changes_nothing(app, admin_client, program):
    admin_client.post_form("/admin/fee-schedules/new", good(program.id))
    admin_client.post_form("/admin/fee-schedules/new", good(program.id, amount="8,500", currency="USD"))
    with app.app_context():
        schedule_id = db.session.scalar(sa.select(FeeSchedule.id).where(FeeSchedule.currency == "THB"))
    for overrides, message in (
        ({"currency": "USD"}, "already has a fee schedule in USD; edit that one instead"),
        ({"currency": "JPY", "amount": "1500.5"}, "JPY amounts are whole numbers"),
    ):
        response = admin_client.post_form(f"/admin/fee-schedules/{schedule_id}", good(program.id, **overrides))
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page
        assert "Edit the fee schedule of Residential pain and recovery" in page
    assert schedules(app)[0] == (program.id, Decimal("280000"), "THB", "month", True)
