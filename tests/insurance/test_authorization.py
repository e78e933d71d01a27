"""Authorizations and utilization review: recording, updating with a review history, every
validation message, the billing reminders they schedule, and who may."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from coordinator.contracts.authorization import AuthorizationInput
from coordinator.domain.care import LevelOfCare
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import Authorization, AuthorizationReview, Inquiry, Reminder
from coordinator.roles import Role
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import authorizations
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.conftest import audit_actions, count, make_coverage


def clinic_today(app) -> date:
    return datetime.now(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).date()


def billing_morning(app, day: date) -> datetime:
    zone = ZoneInfo(app.config["DISPLAY_TIMEZONE"])
    return datetime.combine(day, time(app.config["BILLING_REMINDER_HOUR"]), tzinfo=zone)


def approved_14_days(app, **overrides) -> dict:
    today = clinic_today(app)
    data = {
        "level_of_care": "residential",
        "status": "approved",
        "auth_number": "AUTH-5521",
        "unit": "days",
        "requested_units": "14",
        "approved_units": "14",
        "start_date": today.isoformat(),
        "next_review_date": (today + timedelta(days=7)).isoformat(),
        "payer_contact": "Rita, UM nurse",
        "note": "Approved on the first call.",
    }
    data.update(overrides)
    return data


def parsed(data: dict) -> AuthorizationInput:
    return AuthorizationInput.parse(data)


def the_authorization(app) -> Authorization:
    with app.app_context():
        return db.session.scalars(sa.select(Authorization)).one()


def reviews(app) -> list[AuthorizationReview]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuthorizationReview).order_by(AuthorizationReview.id)))


def reminders_of(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Reminder).where(Reminder.authorization_id.is_not(None)).order_by(Reminder.id)
        )
        return [(r.kind, r.status, r.due_at, r.dedupe_key) for r in rows]


def open_reminders(app) -> dict:
    return {kind: due for kind, status, due, _ in reminders_of(app) if status is ReminderStatus.PENDING}


def test_an_approval_for_14_residential_days_schedules_billing_reminders(app, editor, editor_client, inquiry):
    today = clinic_today(app)
    form = editor_client.get(f"/finance/inquiry/{inquiry.id}/authorizations/new")
    assert form.status_code == 200
    response = editor_client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app))
    assert response.status_code == 302 and response.headers["Location"] == f"/finance/inquiry/{inquiry.id}"
    auth = the_authorization(app)
    assert (auth.level_of_care, auth.status, auth.auth_number, auth.approved_units, auth.requested_units) == (
        LevelOfCare.RESIDENTIAL,
        AuthorizationStatus.APPROVED,
        "AUTH-5521",
        14,
        14,
    )
    # day one is the start date, so 14 days end on start + 13
    assert (auth.start_date, auth.end_date, auth.next_review_date) == (
        today,
        today + timedelta(days=13),
        today + timedelta(days=7),
    )
    [review] = reviews(app)
    assert (review.from_status, review.to_status, review.approved_units, review.end_date, review.note) == (
        None,
        "approved",
        14,
        today + timedelta(days=13),
        "Approved on the first call.",
    )
    review_due = billing_morning(app, today + timedelta(days=7 - app.config["AUTH_REVIEW_NOTICE_DAYS"]))
    ending_due = billing_morning(app, today + timedelta(days=13 - app.config["AUTH_END_NOTICE_DAYS"]))
    assert open_reminders(app) == {ReminderKind.AUTH_REVIEW_DUE: review_due, ReminderKind.AUTH_ENDING: ending_due}
    assert audit_actions(app, "authorization") == ["authorization_recorded"]


def test_moving_the_review_date_reschedules_and_expiring_cancels(app, editor, editor_client, inquiry):
    today = clinic_today(app)
    editor_client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app))
    auth = the_authorization(app)
    moved = approved_14_days(
        app,
        next_review_date=(today + timedelta(days=10)).isoformat(),
        end_date=(today + timedelta(days=13)).isoformat(),
        note="",
    )
    response = editor_client.post_form(f"/finance/authorizations/{auth.id}/edit", moved)
    assert response.status_code == 302
    review_due = billing_morning(app, today + timedelta(days=10 - app.config["AUTH_REVIEW_NOTICE_DAYS"]))
    assert open_reminders(app)[ReminderKind.AUTH_REVIEW_DUE] == review_due
    cancelled = [key for kind, status, _, key in reminders_of(app) if status is ReminderStatus.CANCELLED]
    assert cancelled == [f"auth-review-{auth.id}-{(today + timedelta(days=7)).isoformat()}"]

    # The lifecycle (issue 10) no longer lets an approval be denied: this test used to deny it
    # here. The form does not offer it, the service refuses it and nothing changes; a denial of a
    # pending request, which cancels its reminders, is the next test.
    form = editor_client.get(f"/finance/authorizations/{auth.id}/edit").get_data(as_text=True)
    assert 'value="expired"' in form and 'value="denied"' not in form and 'value="pending"' not in form
    denied = {
        "level_of_care": "residential",
        "status": "denied",
        "auth_number": "AUTH-5521",
        "unit": "days",
        "requested_units": "14",
        "note": "Peer-to-peer failed.",
    }
    response = editor_client.post_form(f"/finance/authorizations/{auth.id}/edit", denied)
    assert response.status_code == 400
    assert (
        "This authorization is approved: “Denied” is not possible now. Allowed: Partially approved, Expired."
        in response.get_data(as_text=True)
    )
    assert open_reminders(app)[ReminderKind.AUTH_REVIEW_DUE] == review_due

    expired = {**moved, "status": "expired", "note": "Peer-to-peer failed; no more days."}
    assert editor_client.post_form(f"/finance/authorizations/{auth.id}/edit", expired).status_code == 302
    assert open_reminders(app) == {}
    assert all(status is ReminderStatus.CANCELLED for _, status, _, _ in reminders_of(app))
    assert [(r.from_status, r.to_status) for r in reviews(app)] == [
        (None, "approved"),
        ("approved", "approved"),
        ("approved", "expired"),
    ]
    page = editor_client.get(f"/finance/authorizations/{auth.id}/edit").get_data(as_text=True)
    assert "Approved → <strong>Expired</strong>" in page and "Peer-to-peer failed; no more days." in page
    assert "Approved on the first call." in page and "Ada Admissions" in page
    assert audit_actions(app, "authorization") == [
        "authorization_recorded",
        "authorization_updated",
        "authorization_updated",
    ]


def test_denying_a_pending_request_cancels_its_reminder(app, editor_client, inquiry):
    today = clinic_today(app)
    pending = {
        "level_of_care": "residential",
        "status": "pending",
        "unit": "days",
        "requested_units": "14",
        "start_date": today.isoformat(),
        "next_review_date": (today + timedelta(days=3)).isoformat(),
        "note": "Requested on the first call.",
    }
    editor_client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", pending)
    auth = the_authorization(app)
    assert set(open_reminders(app)) == {ReminderKind.AUTH_REVIEW_DUE}
    denied = {**pending, "status": "denied", "auth_number": "AUTH-5521", "note": "Peer-to-peer failed."}
    assert editor_client.post_form(f"/finance/authorizations/{auth.id}/edit", denied).status_code == 302
    assert open_reminders(app) == {}
    assert all(status is ReminderStatus.CANCELLED for _, status, _, _ in reminders_of(app))
    page = editor_client.get(f"/finance/authorizations/{auth.id}/edit").get_data(as_text=True)
    assert "Pending → <strong>Denied</strong>" in page and "Peer-to-peer failed." in page
    # a denial may be appealed, nothing else
    assert 'value="appealed"' in page and 'value="approved"' not in page


def test_a_pending_request_gets_a_review_reminder_but_no_ending(app, editor, inquiry):
    today = clinic_today(app)
    with app.app_context():
        authorizations.record_authorization(
            editor,
            db.session.get(Inquiry, inquiry.id),
            AuthorizationInput.parse(
                {
                    "level_of_care": "php",
                    "status": "pending",
                    "requested_units": "10",
                    "start_date": today.isoformat(),
                    "next_review_date": (today + timedelta(days=1)).isoformat(),
                },
                today=today,
            ),
            today,
        )
        db.session.commit()
    # the notice period has begun: the reminder goes out this morning (or now), never in the past week
    assert open_reminders(app) == {ReminderKind.AUTH_REVIEW_DUE: billing_morning(app, today)}


def test_an_update_must_change_something_or_say_something(app, editor, editor_client, inquiry):
    editor_client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app))
    auth = the_authorization(app)
    same = approved_14_days(app, end_date=auth.end_date.isoformat(), note="")
    response = editor_client.post_form(f"/finance/authorizations/{auth.id}/edit", same)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing changed: change a field or add a review note." in page and 'data-testid="review-history"' in page
    assert len(reviews(app)) == 1
    response = editor_client.post_form(
        f"/finance/authorizations/{auth.id}/edit", {**same, "note": "Concurrent review call booked."}
    )
    assert response.status_code == 302
    assert [r.note for r in reviews(app)] == ["Approved on the first call.", "Concurrent review call booked."]


def test_a_partial_approval(app, editor_client, inquiry):
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/authorizations/new",
        approved_14_days(
            app,
            status="partially_approved",
            approved_units="7",
            next_review_date=(clinic_today(app) + timedelta(days=5)).isoformat(),
        ),
    )
    assert response.status_code == 302
    auth = the_authorization(app)
    assert (auth.status, auth.approved_units, auth.requested_units) == (AuthorizationStatus.PARTIALLY_APPROVED, 7, 14)
    assert auth.end_date == auth.start_date + timedelta(days=6)


def test_the_authorization_can_name_one_of_the_inquirys_coverages(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    assert f'value="{coverage_id}"' in editor_client.get(f"/finance/inquiry/{inquiry.id}/authorizations/new").get_data(
        as_text=True
    )
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app, coverage_id=str(coverage_id))
    )
    assert response.status_code == 302 and the_authorization(app).coverage_id == coverage_id


BAD = [
    ({"level_of_care": ""}, "Choose the level of care authorized."),
    ({"level_of_care": "spa"}, "Choose one of the listed options ("),
    ({"status": ""}, "Choose the authorization&#39;s status."),
    ({"unit": "hours"}, "Choose one of the listed options (days, visits, units)."),
    ({"auth_number": ""}, "Enter the authorization number the payer gave."),
    ({"auth_number": "A" * 51}, "Use at most 50 characters (this has 51)."),
    ({"approved_units": ""}, "Enter how many days were approved."),
    ({"approved_units": "0"}, "An approval is for at least one day; choose “Denied” if nothing was approved."),
    ({"approved_units": "abc"}, "Enter the number approved as a whole number from 0 to 10,000."),
    ({"requested_units": "0"}, "Enter the number requested as a whole number from 1 to 10,000."),
    ({"requested_units": "99999999"}, "Enter the number requested as a whole number from 1 to 10,000."),
    ({"start_date": ""}, "Enter the first covered day."),
    ({"start_date": "2026-13-01"}, "Enter the first covered day as a real date (YYYY-MM-DD)."),
    (
        {"status": "partially_approved", "requested_units": ""},
        "Enter how many days were requested: a partial approval is fewer than requested.",
    ),
    (
        {"status": "partially_approved"},
        "A partial approval is fewer days than requested (14); choose “Approved” if all were granted.",
    ),
    ({"approved_units": "7"}, "Fewer days were approved (7) than requested (14): choose “Partially approved”."),
    ({"status": "denied"}, "A denial approves nothing: leave the approved number empty."),
    ({"end_date": "2000-01-01"}, "The last covered day cannot be before the first."),
    ({"next_review_date": "2000-01-01"}, "The next review cannot be before the first covered day."),
    ({"next_review_date": "2099-01-01"}, "The next review cannot be after the last covered day ("),
    # Issue 13, bug 5: impossible numbers are refused with a message naming them.
    ({"approved_units": "20"}, "More days were approved (20) than requested (14): check both numbers."),
    (
        {
            "end_date": "2026-12-21",
            "start_date": "2026-12-08",
            "next_review_date": "2026-12-15",
            "requested_units": "30",
            "approved_units": "30",
        },
        "30 days cannot fit between the first and the last covered day (08 Dec 2026 to 21 Dec 2026 holds 14 days).",
    ),
    ({"coverage_id": "999999"}, "Choose one of this inquiry&#39;s coverages, or none."),
    ({"payer_contact": "x" * 121}, "Use at most 120 characters (this has 121)."),
    ({"note": "n" * 2001}, "Use at most 2000 characters (this has 2001)."),
]


@pytest.mark.parametrize("overrides, message", BAD)
def test_bad_authorization_input_is_explained_and_nothing_saved(app, editor_client, inquiry, overrides, message):
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app, **overrides)
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Nothing was saved" in page
    assert count(app, Authorization) == 0 and count(app, AuthorizationReview) == 0 and reminders_of(app) == []


def test_a_coverage_of_another_inquiry_is_refused(app, editor, editor_client, inquiry):
    other = make_inquiry(app, editor)
    coverage_id = make_coverage(app, editor, other.id)
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app, coverage_id=str(coverage_id))
    )
    assert response.status_code == 400 and count(app, Authorization) == 0


def test_a_bad_update_changes_nothing(app, editor_client, inquiry):
    editor_client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app))
    auth = the_authorization(app)
    before = reminders_of(app)
    response = editor_client.post_form(
        f"/finance/authorizations/{auth.id}/edit", approved_14_days(app, end_date="2000-01-01", note="oops")
    )
    assert response.status_code == 400 and "cannot be before the first" in response.get_data(as_text=True)
    assert the_authorization(app).end_date == auth.end_date and len(reviews(app)) == 1
    assert reminders_of(app) == before


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.CLINICIAN])
def test_readers_and_clinicians_cannot_record_authorizations(app, client, create_user, editor, inquiry, role):
    with app.app_context():
        auth = authorizations.record_authorization(
            editor, db.session.get(Inquiry, inquiry.id), parsed(approved_14_days(app)), clinic_today(app)
        )
        db.session.commit()
        auth_id = auth.id
    login_as(client, create_user(role))
    assert client.get(f"/finance/inquiry/{inquiry.id}/authorizations/new").status_code == 403
    assert (
        client.post_form(f"/finance/inquiry/{inquiry.id}/authorizations/new", approved_14_days(app)).status_code == 403
    )
    assert client.get(f"/finance/authorizations/{auth_id}/edit").status_code == 403
    assert (
        client.post_form(
            f"/finance/authorizations/{auth_id}/edit", approved_14_days(app, status="denied", approved_units="")
        ).status_code
        == 403
    )
    assert count(app, Authorization) == 1 and the_authorization(app).status is AuthorizationStatus.APPROVED


def test_a_restricted_inquiry_is_refused(app, create_user, editor_client):
    owner = create_user(Role.ADMISSIONS)
    restricted = make_inquiry(app, owner, is_restricted=True, assigned_to_id=owner.id)
    response = editor_client.post_form(f"/finance/inquiry/{restricted.id}/authorizations/new", approved_14_days(app))
    assert response.status_code == 403  # the refusal page, which links to break-the-glass
    assert f'href="/finance/inquiry/{restricted.id}"' in response.get_data(as_text=True)
    assert count(app, Authorization) == 0
    assert editor_client.get("/finance/authorizations/999999/edit").status_code == 404


def test_authorizations_for_loads_history_in_constant_queries(app, editor, inquiry, count_queries):
    today = clinic_today(app)
    with app.app_context():
        record = db.session.get(Inquiry, inquiry.id)
        first = authorizations.record_authorization(editor, record, parsed(approved_14_days(app)), today)
        db.session.commit()
        loaded = db.session.get(Inquiry, inquiry.id)
        with count_queries() as one:
            listed = authorizations.authorizations_for(loaded)
            [(a.coverage, [r.actor for r in a.reviews]) for a in listed]
        authorizations.record_authorization(editor, record, parsed(approved_14_days(app, level_of_care="php")), today)
        authorizations.update_authorization(
            editor, authorizations.load_authorization(first.id), parsed(approved_14_days(app, note="Reviewed.")), today
        )
        db.session.commit()
        db.session.expire_all()
        loaded = db.session.get(Inquiry, inquiry.id)
        with count_queries() as two:
            listed = authorizations.authorizations_for(loaded)
            history = [(a.level_of_care, [r.note for r in a.reviews]) for a in listed]
        assert one.count == two.count
        assert history == [
            (LevelOfCare.PHP, ["Approved on the first call."]),
            (LevelOfCare.RESIDENTIAL, ["Approved on the first call.", "Reviewed."]),
        ]
