"""Deny by default: every route declares a policy, and every role gets exactly what the matrix says."""

import pytest
import sqlalchemy as sa
from flask import Flask

from coordinator import create_app, security
from coordinator.contracts.intake import NewInquiry
from coordinator.contracts.pipeline import TaskInput
from coordinator.roles import Role
from tests.access_matrix import API_KEY, MATRIX, PUBLIC
from tests.access_matrix_census import census_records
from tests.fixtures.app import make_test_config
from tests.fixtures.users import login_as
from tests.support.billing_records import billing_records
from tests.support.care_records import care_records
from tests.support.finance_records import finance_records
from tests.support.insurance_records import insurance_records

IGNORED_METHODS = {"HEAD", "OPTIONS"}
PERSONAS = ["anonymous"] + [role.value for role in Role]


def routes(app: Flask) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() for method in rule.methods - IGNORED_METHODS}


def endpoints_without_policy(app: Flask) -> list[str]:
    return sorted({endpoint for endpoint, _ in routes(app) if security.policy_for(app, endpoint) is None})


def test_every_endpoint_declares_an_access_policy(app):
    assert endpoints_without_policy(app) == []


def test_a_view_without_a_policy_is_caught_and_refused(database_url):
    app = create_app(make_test_config(database_url))

    @app.route("/forgotten")
    def forgotten():
        return "leak"

    assert endpoints_without_policy(app) == ["forgotten"]
    response = app.test_client().get("/forgotten")
    assert response.status_code == 403
    assert "leak" not in response.get_data(as_text=True)


def test_a_view_cannot_declare_two_policies():
    def view():
        return ""

    security.public(view)
    with pytest.raises(RuntimeError):
        security.roles(Role.ADMIN)(view)


def test_the_matrix_lists_every_route_and_nothing_else(app):
    assert routes(app) == set(MATRIX), (
        f"missing from the matrix: {sorted(routes(app) - set(MATRIX))}; "
        f"stale in the matrix: {sorted(set(MATRIX) - routes(app))}"
    )


@pytest.fixture
def matrix_records(app, create_user):
    """The records the matrix's {placeholders} refer to."""
    other = create_user(Role.CASE_MANAGER, email="other.user@example.org")
    records = {"other_user": other.id}
    records.update(_inquiry_records(app, other))
    records.update(_screening_records(app, other, records["inquiry"]))
    records.update(_api_records(app, other))
    records.update(_reminder_records(app, other, records["inquiry"]))
    for build in (finance_records, insurance_records, billing_records, care_records, census_records):
        records.update(build(app, other, records["inquiry"]))
    return records


def _reminder_records(app, owner, inquiry_id) -> dict:
    """A failed reminder, and a notification that belongs to `owner` (never the persona signed in)."""
    from coordinator.domain.reminders import ReminderKind
    from coordinator.extensions import db
    from coordinator.models import Notification, Reminder, utcnow
    from coordinator.rules.reminder_lifecycle import ReminderStatus

    with app.app_context():
        reminder = Reminder(
            kind=ReminderKind.FIRST_CONTACT_DUE,
            status=ReminderStatus.FAILED,
            due_at=utcnow(),
            dedupe_key=f"matrix-first-contact-{inquiry_id}",
            inquiry_id=inquiry_id,
            attempts=5,
            failed_at=utcnow(),
            last_error="SMTP refused",
        )
        db.session.add(reminder)
        db.session.flush()
        notification = Notification(
            user_id=owner.id,
            reminder_id=reminder.id,
            title="An inquiry needs first contact",
            body="Open the record to follow up.",
            link=f"/inquiries/{inquiry_id}",
        )
        db.session.add(notification)
        db.session.commit()
        return {"reminder": reminder.id, "notification": notification.id}


def _api_records(app, staff_member) -> dict:
    """An API client, its key, and an inquiry it sent."""

    from coordinator.contracts.admin import ApiClientInput
    from coordinator.domain.intake import Channel
    from coordinator.extensions import db
    from coordinator.services import api_clients, intake
    from tests.fixtures.intake import spouse_call

    with app.app_context():
        # The clinic's own system: it may read episodes of care too (api.patient_episode).
        data = ApiClientInput.parse({"name": "Matrix partner", "reads_episodes": True})
        issued = api_clients.create_client(db.session.merge(staff_member), data)
        inquiry = intake.create_inquiry(
            api_clients.actor_for(issued.client),
            NewInquiry.parse(spouse_call()),
            channel=Channel.API,
            api_client=issued.client,
        )
        db.session.commit()
        return {"api_client": issued.client.id, "api_key": issued.key, "api_inquiry": inquiry.public_id}


def _screening_records(app, staff_member, inquiry_id) -> dict:
    from coordinator.contracts.screening import Gad7Input
    from coordinator.extensions import db
    from coordinator.models import Inquiry
    from coordinator.services import screenings

    with app.app_context():
        screening = screenings.record(
            db.session.merge(staff_member),
            db.session.get(Inquiry, inquiry_id),
            Gad7Input.parse(dict.fromkeys(Gad7Input.items, "1")),
        )
        db.session.commit()
        return {"screening": screening.id}


def _inquiry_records(app, staff_member) -> dict:
    from datetime import timedelta

    from coordinator.extensions import db
    from coordinator.models import BreakGlassAccess, PossibleDuplicate, utcnow
    from coordinator.services import tasks
    from tests.fixtures.intake import make_inquiry, make_program

    inquiry = make_inquiry(app, None, caller_phone="555 010 9999")
    duplicate = make_inquiry(app, None, caller_phone="555 010 9999")
    program = make_program(app)
    with app.app_context():
        actor = db.session.merge(staff_member)
        task = tasks.create_task(
            actor,
            db.session.get(type(inquiry), inquiry.id),
            TaskInput.parse(
                {"title": "Call back", "due_at": utcnow() + timedelta(hours=1), "assigned_to_id": actor.id}
            ),
        )
        grant = BreakGlassAccess(
            inquiry_id=inquiry.id,
            user_id=actor.id,
            scope="clinical",
            reason="Assignee away, caller waiting",
            expires_at=utcnow() + timedelta(hours=1),
        )
        db.session.add(grant)
        db.session.commit()
        flag = db.session.scalars(sa.select(PossibleDuplicate.id)).one()
        from coordinator.models import Payer

        payer = Payer(name="Blue Harbor Health", payer_code="BHH01")
        db.session.add(payer)
        db.session.commit()
        return {
            "inquiry": inquiry.id,
            "duplicate": duplicate.id,
            "task": task.id,
            "flag": flag,
            "payer": payer.id,
            "program": program.id,
            "grant": grant.id,
        }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("endpoint, method", sorted(MATRIX), ids=lambda v: v)
def test_authorization_matrix(client, create_user, matrix_records, endpoint, method, persona):
    access = MATRIX[(endpoint, method)]
    if persona != "anonymous":
        login_as(client, create_user(Role(persona)))
    path = access.path.format(**matrix_records)
    response = client.get(path) if method == "GET" else client.post_form(path, access.data or {})
    status, location = response.status_code, response.headers.get("Location", "")

    if access.allowed == API_KEY:
        # Without a key: 401 JSON, never a sign-in redirect, whoever is signed in.
        assert status == 401 and response.mimetype == "application/json", f"{persona} got {status} for {path}"
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
        return
    allowed = access.allowed == PUBLIC or (persona != "anonymous" and Role(persona) in access.allowed)
    if allowed:
        assert status not in (401, 403), f"{persona} was refused {method} {path}"
        assert not location.startswith("/auth/login?next="), f"{persona} was sent to sign in"
        if access.expect is not None:
            assert status == access.expect
    elif persona == "anonymous":
        assert status == 302 and location.startswith("/auth/login?next="), (status, location)
    else:
        assert status == 403, f"{persona} got {status} for {method} {path}"


@pytest.mark.parametrize(
    "endpoint, method", sorted(k for k, a in MATRIX.items() if a.allowed == API_KEY), ids=lambda v: v
)
def test_api_key_endpoints_accept_a_valid_key(client, matrix_records, endpoint, method):
    access = MATRIX[(endpoint, method)]
    path = access.path.format(**matrix_records)
    headers = {"Authorization": f"Bearer {matrix_records['api_key']}"}
    if method == "GET":
        response = client.get(path, headers=headers)
    else:
        response = client.post(path, json=access.data or {}, headers=headers)
    assert response.status_code == access.expect, response.get_json()
