"""The admins' reminders page: filters, counts, stuck and failed, retry and cancel, queues and
workers (Redis reachable, unreachable, absent), and the clinical-lead setting."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, timedelta

import pytest
import redis as redis_lib
import sqlalchemy as sa

from coordinator import create_app
from coordinator.domain.reminders import DeliveryChannel, DeliveryStatus, ReminderKind
from coordinator.extensions import db
from coordinator.models import AppSetting, AuditEvent, Reminder, ReminderDelivery, utcnow
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import reminder_admin, settings
from tests.fixtures.app import make_test_config, redis_url_for_tests
from tests.fixtures.users import PASSWORD, login_as
from tests.support.client import CoordinatorClient

_keys = itertools.count(1)
LIST = "/admin/reminders"


def add_reminder(app, **values) -> int:
    """A reminder row written directly, as the core's hooks would write it."""
    row = {
        "kind": ReminderKind.TASK_DUE,
        "status": ReminderStatus.PENDING,
        "due_at": utcnow() + timedelta(hours=1),
        "dedupe_key": f"admin-test-{next(_keys)}",
    }
    row.update(values)
    with app.app_context():
        reminder = Reminder(**row)
        db.session.add(reminder)
        db.session.commit()
        return reminder.id


def reminder(app, reminder_id: int) -> Reminder:
    with app.app_context():
        row = db.session.get(Reminder, reminder_id)
        db.session.expunge(row)
        return row


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_words_reminders_without_clinical_details(admin_client, app, create_inquiry):
    inquiry = create_inquiry()  # intake itself schedules its first-contact reminder
    add_reminder(
        app,
        kind=ReminderKind.SAFETY_FLAG,
        inquiry_id=inquiry.id,
        status=ReminderStatus.FAILED,
        last_error="smtp 554 refused",
        attempts=5,
    )
    html = admin_client.get(LIST).get_data(as_text=True)
    assert "An inquiry needs first contact" in html and "A screening needs same-day clinical review" in html
    assert f'href="/inquiries/{inquiry.id}"' in html and f"Inquiry #{inquiry.id}" in html
    assert "smtp 554 refused" in html and "The clinical lead" in html
    for secret in (inquiry.patient_name, inquiry.caller_name, "oxycodone", "PHQ"):
        assert secret not in html
    assert "reminders_listed" in audit_actions(app)


def test_failed_reminders_come_first_and_show_retry_and_cancel(admin_client, app):
    sent = add_reminder(app, status=ReminderStatus.SENT, sent_at=utcnow(), due_at=utcnow() + timedelta(days=3))
    failed = add_reminder(app, status=ReminderStatus.FAILED, due_at=utcnow() - timedelta(days=3))
    html = admin_client.get(LIST).get_data(as_text=True)
    assert html.index(f"/admin/reminders/{failed}/retry") < html.index(f'data-reminder="{sent}"')
    assert f"/admin/reminders/{sent}/retry" not in html and f"/admin/reminders/{sent}/cancel" not in html
    assert f"/admin/reminders/{failed}/cancel" in html


def test_upcoming_reminders_are_listed_soonest_due_first(admin_client, app):
    now = utcnow()
    later = add_reminder(app, due_at=now + timedelta(hours=3))
    soonest = add_reminder(app, due_at=now + timedelta(minutes=20))
    queued = add_reminder(app, status=ReminderStatus.QUEUED, queued_at=now, due_at=now + timedelta(hours=1))
    old_sent = add_reminder(app, status=ReminderStatus.SENT, sent_at=now, due_at=now - timedelta(days=30))
    new_sent = add_reminder(app, status=ReminderStatus.SENT, sent_at=now, due_at=now - timedelta(days=1))
    html = admin_client.get(LIST).get_data(as_text=True)
    listed = [int(n) for n in re.findall(r'<tr data-reminder="(\d+)"', html)]
    assert listed == [soonest, queued, later, new_sent, old_sent]
    assert "then the other pending and queued ones (soonest due first)" in html


def test_status_counts_and_problems_are_shown(admin_client, app):
    for status in (ReminderStatus.SENT, ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.CANCELLED):
        add_reminder(app, status=status)
    add_reminder(app, status=ReminderStatus.PENDING, due_at=utcnow() - timedelta(minutes=30))
    html = admin_client.get(LIST).get_data(as_text=True)
    assert "1 failed" in html and "1 stuck" in html
    with app.app_context():
        counts = reminder_admin.status_counts()
    assert counts == {
        ReminderStatus.PENDING: 1,
        ReminderStatus.QUEUED: 0,
        ReminderStatus.SENT: 2,
        ReminderStatus.CANCELLED: 1,
        ReminderStatus.FAILED: 1,
    }
    with app.app_context():
        assert reminder_admin.status_counts(cap=1)[ReminderStatus.SENT] == 2  # counted up to cap + 1


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=failed", {"failed"}),
        ("status=pending", {"pending_late", "pending_soon", "digest_next_week"}),
        ("status=stuck", {"pending_late", "queued_old"}),
        ("kind=safety_flag", {"failed"}),
        ("due_from={today}&due_to={today}", {"pending_late", "pending_soon", "queued_old", "queued_new", "failed"}),
        ("due_from={next_week}", {"digest_next_week"}),
        ("status=queued&kind=task_due", {"queued_old", "queued_new"}),
    ],
)
def test_filters(admin_client, app, query, expected):
    now = utcnow()
    ids = {
        "pending_late": add_reminder(app, due_at=now - timedelta(minutes=6)),
        "pending_soon": add_reminder(app, due_at=now - timedelta(minutes=1)),
        "queued_old": add_reminder(
            app,
            status=ReminderStatus.QUEUED,
            due_at=now - timedelta(minutes=20),
            queued_at=now - timedelta(seconds=app.config["REMINDER_LEASE_SECONDS"] + 5),
        ),
        "queued_new": add_reminder(
            app, status=ReminderStatus.QUEUED, due_at=now - timedelta(minutes=1), queued_at=now - timedelta(seconds=30)
        ),
        "failed": add_reminder(app, kind=ReminderKind.SAFETY_FLAG, status=ReminderStatus.FAILED, due_at=now),
        "digest_next_week": add_reminder(app, kind=ReminderKind.DAILY_DIGEST, due_at=now + timedelta(days=8)),
    }
    today = now.date()  # the tests run with DISPLAY_TIMEZONE=UTC
    html = admin_client.get(f"{LIST}?" + query.format(today=today, next_week=today + timedelta(days=7))).get_data(
        as_text=True
    )
    shown = {name for name, rid in ids.items() if f'data-reminder="{rid}"' in html}
    assert shown == expected


@pytest.mark.parametrize(
    "query",
    [
        "status=bogus",
        "kind=nonsense",
        "due_from=yesterday",
        "due_from=2026-13-45",
        "due_from=9999-12-31",
        "due_to=0001-01-01",
        "due_from=2026-05-02&due_to=2026-05-01",
        "page=0",
        "page=-3",
        "page=abc",
        "page=10000000000000",
        "status=%00",
        "kind=" + "x" * 5000,
    ],
)
def test_bad_filters_are_ignored_with_a_message_never_a_500(admin_client, app, query):
    rid = add_reminder(app)
    response = admin_client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Some filters were not understood and were ignored." in html
    assert f'data-reminder="{rid}"' in html  # the unfiltered list is shown instead


def test_the_message_names_the_filter_that_was_wrong(admin_client):
    html = admin_client.get(f"{LIST}?due_from=2026-05-02&due_to=2026-05-01").get_data(as_text=True)
    assert "Due to: The end date is before the start date." in html
    assert "Due from: Enter the start date as a real date (YYYY-MM-DD)." in admin_client.get(
        f"{LIST}?due_from=soon"
    ).get_data(as_text=True)


def test_the_list_runs_a_constant_number_of_queries(admin_client, app, create_user, count_queries):
    recipient = create_user(Role.ADMISSIONS)

    def add(n):
        for _ in range(n):
            rid = add_reminder(app, status=ReminderStatus.SENT, recipient_user_id=recipient.id, sent_at=utcnow())
            with app.app_context():
                db.session.add(
                    ReminderDelivery(
                        reminder_id=rid,
                        user_id=recipient.id,
                        channel=DeliveryChannel.EMAIL,
                        status=DeliveryStatus.SENT,
                        sent_at=utcnow(),
                    )
                )
                db.session.commit()

    add(2)
    admin_client.get(LIST)  # warm up (session bookkeeping)
    with count_queries() as few:
        assert admin_client.get(LIST).status_code == 200
    add(70)  # more than a page
    with count_queries() as many:
        html = admin_client.get(LIST).get_data(as_text=True)
    assert many.count == few.count
    assert "1 delivery" in html and recipient.full_name in html and ">Next</a>" in html


# --- retry and cancel ------------------------------------------------------------------------------


def test_retry_puts_a_failed_reminder_back_to_pending_due_now(admin_client, app):
    rid = add_reminder(
        app, status=ReminderStatus.FAILED, attempts=5, failed_at=utcnow(), due_at=utcnow() - timedelta(hours=2)
    )
    back = f"{LIST}?status=failed&kind=task_due"
    response = admin_client.post_form(f"{LIST}/{rid}/retry", {"back": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    row = reminder(app, rid)
    assert row.status is ReminderStatus.PENDING and row.attempts == 0
    assert abs((row.due_at - utcnow()).total_seconds()) < 60
    assert "reminder_retried" in audit_actions(app)
    page = admin_client.get(back).get_data(as_text=True)
    assert f"Reminder #{rid} is due again now" in page


@pytest.mark.parametrize(
    "back",
    [
        "https://evil.example/admin/reminders",
        "//evil.example/admin/reminders",
        "/admin/users",
        "/admin/reminders/settings",
        "",
    ],
)
def test_the_way_back_is_only_ever_the_reminders_list(admin_client, app, back):
    rid = add_reminder(app, status=ReminderStatus.FAILED)
    response = admin_client.post_form(f"{LIST}/{rid}/retry", {"back": back})
    assert response.status_code == 302 and response.headers["Location"] == LIST


def test_a_sent_reminder_cannot_be_retried_or_cancelled(admin_client, app):
    rid = add_reminder(app, status=ReminderStatus.SENT, sent_at=utcnow())
    retried = admin_client.post_form(f"{LIST}/{rid}/retry", follow_redirects=True)
    assert "A sent reminder cannot be retried." in retried.get_data(as_text=True)
    cancelled = admin_client.post_form(f"{LIST}/{rid}/cancel", {"reason": "No longer needed"}, follow_redirects=True)
    assert "A sent reminder cannot be cancelled." in cancelled.get_data(as_text=True)
    assert reminder(app, rid).status is ReminderStatus.SENT


def test_cancel_needs_a_reason(admin_client, app):
    rid = add_reminder(app)
    for reason in ("", "   ", "x" * 121):
        response = admin_client.post_form(f"{LIST}/{rid}/cancel", {"reason": reason}, follow_redirects=True)
        assert response.status_code == 200
        assert f"Reminder #{rid} was not cancelled." in response.get_data(as_text=True)
        assert reminder(app, rid).status is ReminderStatus.PENDING


def test_cancel_with_a_reason(admin_client, app):
    rid = add_reminder(app, status=ReminderStatus.FAILED)
    response = admin_client.post_form(
        f"{LIST}/{rid}/cancel", {"reason": "Caller asked us not to ring"}, follow_redirects=True
    )
    assert f"Reminder #{rid} cancelled" in response.get_data(as_text=True)
    row = reminder(app, rid)
    assert row.status is ReminderStatus.CANCELLED and row.cancel_reason == "Caller asked us not to ring"
    assert "reminder_cancelled" in audit_actions(app)


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_unknown_reminders_are_404(admin_client, action):
    assert admin_client.post_form(f"{LIST}/987654/{action}", {"reason": "x"}).status_code == 404


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_retry_and_cancel_need_the_csrf_token(admin_client, app, action):
    rid = add_reminder(app, status=ReminderStatus.FAILED)
    response = admin_client.post(f"{LIST}/{rid}/{action}", data={"reason": "No token"})
    assert response.status_code == 400
    assert reminder(app, rid).status is ReminderStatus.FAILED


# --- queues and workers ----------------------------------------------------------------------------


def test_queue_depths_and_worker_heartbeats_are_read_from_redis(admin_client, app):
    from rq import Queue, Worker

    connection = redis_lib.Redis.from_url(redis_url_for_tests())
    try:
        Queue("reminders", connection=connection).enqueue("os.getpid")
        Queue("reminders", connection=connection).enqueue("os.getpid")
        worker = Worker(["reminders", "default"], connection=connection, name="test-worker-1")
        worker.register_birth()
        html = admin_client.get(LIST).get_data(as_text=True)
    finally:
        connection.flushdb()
        connection.close()
    assert "<code>reminders</code>: <strong>2</strong> waiting" in html
    assert "<code>default</code>: <strong>0</strong> waiting" in html
    assert "test-worker-1" in html and re.search(r"last heartbeat \d+ s ago", html)


def test_no_worker_running_is_said_plainly(admin_client):
    assert "No worker is running" in admin_client.get(LIST).get_data(as_text=True)


def _admin_client_for(app, admin) -> CoordinatorClient:
    app.test_client_class = CoordinatorClient
    client = app.test_client()
    assert client.login(admin.email, PASSWORD).status_code == 302
    return client


def test_redis_unreachable_is_a_clear_state_not_an_error(database_url, app, admin):
    broken = create_app(make_test_config(database_url, REDIS_URL="redis://127.0.0.1:1/0"))
    response = _admin_client_for(broken, admin).get(LIST)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Redis unreachable." in html and "go out when Redis is back" in html


def test_without_redis_the_page_says_reminders_go_out_in_process(database_url, app, admin):
    embedded = create_app(make_test_config(database_url, REDIS_URL=None, INPROCESS_REMINDERS=True))
    html = _admin_client_for(embedded, admin).get(LIST).get_data(as_text=True)
    assert "Redis is not configured" in html and "sent by the web server itself" in html


# --- stuck, the same in SQL and in Python ----------------------------------------------------------


def test_stuck_means_the_same_in_sql_and_python(app):
    now, lease = utcnow(), timedelta(seconds=600)
    cases = [
        (ReminderStatus.PENDING, now - timedelta(minutes=5, seconds=1), None, True),
        (ReminderStatus.PENDING, now - timedelta(minutes=4), None, False),
        (ReminderStatus.PENDING, now + timedelta(hours=1), None, False),
        (ReminderStatus.QUEUED, now - timedelta(hours=1), now - timedelta(seconds=601), True),
        (ReminderStatus.QUEUED, now - timedelta(hours=1), now - timedelta(seconds=599), False),
        (ReminderStatus.FAILED, now - timedelta(hours=1), None, False),
        (ReminderStatus.SENT, now - timedelta(hours=1), None, False),
    ]
    ids = [add_reminder(app, status=s, due_at=due, queued_at=queued) for s, due, queued, _ in cases]
    with app.app_context():
        loaded = [db.session.get(Reminder, rid) for rid in ids]
        assert [reminder_admin.is_stuck(r, now, lease) for r in loaded] == [c[3] for c in cases]
        counts = reminder_admin.problem_counts(now, lease)
    assert counts == reminder_admin.ProblemCounts(stuck=2, failed=1)


# --- the clinical lead -----------------------------------------------------------------------------

SETTINGS = "/admin/reminders/settings"


def stored(app) -> dict:
    with app.app_context():
        return {row.key: row.value for row in db.session.scalars(sa.select(AppSetting))}


def test_the_default_lead_is_every_active_clinician(admin_client, create_user):
    create_user(Role.CLINICIAN)
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert "everyone active in the role Clinician" in html and "(1 person)" in html


def test_a_role_with_nobody_active_is_warned_about(admin_client):
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert "Nobody active has this role" in html


def test_choose_a_role(admin_client, app, create_user):
    create_user(Role.CASE_MANAGER)
    response = admin_client.post_form(SETTINGS, {"choice": "role", "role": "case_manager"}, follow_redirects=True)
    assert "Safety flags now go to everyone active in the role Case manager." in response.get_data(as_text=True)
    assert stored(app) == {settings.CLINICAL_LEAD_ROLE: "case_manager", settings.CLINICAL_LEAD_USER: None}
    assert "setting_changed" in audit_actions(app)


def test_choose_a_person_then_back_to_a_role(admin_client, app, create_user):
    lead = create_user(Role.CLINICIAN, full_name="Dr Lena Lead")
    response = admin_client.post_form(
        SETTINGS, {"choice": "user", "user_id": str(lead.id), "role": "clinician"}, follow_redirects=True
    )
    assert "Safety flags now go to Dr Lena Lead." in response.get_data(as_text=True)
    assert stored(app)[settings.CLINICAL_LEAD_USER] == str(lead.id)
    admin_client.post_form(SETTINGS, {"choice": "role", "role": "clinician"})
    assert stored(app)[settings.CLINICAL_LEAD_USER] is None


def test_an_inactive_person_is_refused(admin_client, app, create_user):
    gone = create_user(Role.CLINICIAN, full_name="Dr Gone Away", active=False)
    response = admin_client.post_form(SETTINGS, {"choice": "user", "user_id": str(gone.id)})
    assert response.status_code == 400
    assert "Dr Gone Away&#39;s account is deactivated: choose an active person." in response.get_data(as_text=True)
    assert stored(app) == {}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"choice": "role", "role": "wizard"}, "Choose one of the listed options (admin, admissions, case_manager,"),
        ({"choice": "role", "role": ""}, "Choose one of the roles listed."),
        ({"choice": "role", "role": "billing"}, "Nobody active has the role Billing."),
        ({"choice": "user", "user_id": ""}, "Choose the person who should receive safety flags."),
        ({"choice": "user", "user_id": "abc"}, "Choose the person who should receive safety flags."),
        ({"choice": "user", "user_id": "99999999"}, "That account does not exist."),
        ({"choice": "user", "user_id": "9" * 40}, "Choose the person who should receive safety flags."),
        ({"choice": "everyone"}, "Choose one of the listed options (role, user)."),
        ({}, "Choose a person or a role."),
    ],
)
def test_bad_settings_are_refused_with_a_message(admin_client, app, data, message):
    response = admin_client.post_form(SETTINGS, data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) == {}


def test_a_deactivated_lead_is_flagged_on_the_page(admin_client, app, create_user):
    lead = create_user(Role.CLINICIAN, full_name="Dr Soon Gone")
    admin_client.post_form(SETTINGS, {"choice": "user", "user_id": str(lead.id)})
    with app.app_context():
        from coordinator.models import User

        user = db.session.get(User, lead.id)
        user.is_active, user.deactivated_at = False, utcnow()
        db.session.commit()
    html = admin_client.get(SETTINGS).get_data(as_text=True)
    assert "Dr Soon Gone's account is deactivated" in html
    assert f'<option value="{lead.id}"' not in html  # only active people are offered


def test_settings_need_the_csrf_token(admin_client, app):
    response = admin_client.post(SETTINGS, data={"choice": "role", "role": "clinician"})
    assert response.status_code == 400 and stored(app) == {}


def test_the_reminders_link_is_in_the_admin_menu_only(admin_client, new_client, create_user):
    assert f'href="{LIST}"' in admin_client.get("/").get_data(as_text=True)
    other = login_as(new_client(), create_user(Role.ADMISSIONS))
    assert f'href="{LIST}"' not in other.get("/").get_data(as_text=True)


def test_day_filters_use_the_clinic_time_zone(admin_client, app):
    app.config["DISPLAY_TIMEZONE"] = "Asia/Bangkok"  # UTC+7
    from datetime import datetime

    late_evening_utc = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)  # 2 May 03:00 in Bangkok
    rid = add_reminder(app, due_at=late_evening_utc, status=ReminderStatus.SENT)
    on_may_2 = admin_client.get(f"{LIST}?due_from={date(2026, 5, 2)}&due_to={date(2026, 5, 2)}").get_data(as_text=True)
    on_may_1 = admin_client.get(f"{LIST}?due_from={date(2026, 5, 1)}&due_to={date(2026, 5, 1)}").get_data(as_text=True)
    assert f'data-reminder="{rid}"' in on_may_2 and f'data-reminder="{rid}"' not in on_may_1


def test_a_worker_whose_job_runs_past_its_time_limit_is_shown_stuck(admin_client, app):
    from datetime import datetime

    from rq import Queue, Worker
    from rq.serializers import JSONSerializer

    connection = redis_lib.Redis.from_url(redis_url_for_tests())
    try:
        queue = Queue("reminders", connection=connection, serializer=JSONSerializer)
        job = queue.enqueue("os.getpid", job_timeout=60)
        queue.remove(job)
        job.started_at = datetime.now(UTC) - timedelta(seconds=200)
        job.save()
        hung = Worker([queue], connection=connection, name="test-worker-hung", serializer=JSONSerializer)
        hung.register_birth()
        hung.set_state("busy")
        hung.set_current_job_id(job.id)
        Worker([queue], connection=connection, name="test-worker-idle").register_birth()
        html = admin_client.get(LIST).get_data(as_text=True)
    finally:
        connection.flushdb()
        connection.close()
    assert re.search(r"stuck</span>\s*<code[^>]*>test-worker-hung</code>", html)
    assert re.search(r"its job has run 2\d\d s, past its time limit", html)
    assert html.count(">stuck</span>") == 1
