"""Health check, security headers, error pages, logs and the CLI."""

import json
import secrets

import pytest
import sqlalchemy as sa

from coordinator import create_app, security
from coordinator.domain.care import LevelOfCare
from coordinator.domain.intake import ReferralSource
from coordinator.extensions import db
from coordinator.models import Inquiry, Screening, User
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.fixtures.app import make_test_config
from tests.fixtures.users import PASSWORD, login_as


def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": {"ok": True},
        "redis": {"configured": True, "ok": True},
        "reminders": {"stuck": 0, "failed": 0, "late": 0},
    }


def _add_reminder(app, status, due_minutes_ago: float, queued_minutes_ago: float | None = None):
    from datetime import timedelta

    from coordinator.domain.reminders import ReminderKind
    from coordinator.models import Reminder, utcnow

    now = utcnow()
    with app.app_context():
        db.session.add(
            Reminder(
                kind=ReminderKind.TASK_DUE,
                status=status,
                dedupe_key=f"health-{status}-{due_minutes_ago}-{queued_minutes_ago}",
                due_at=now - timedelta(minutes=due_minutes_ago),
                queued_at=None if queued_minutes_ago is None else now - timedelta(minutes=queued_minutes_ago),
            )
        )
        db.session.commit()


def test_healthz_counts_reminders_that_are_late_but_not_those_just_due(client, app):
    from coordinator.rules.reminder_lifecycle import ReminderStatus

    _add_reminder(app, ReminderStatus.PENDING, due_minutes_ago=1)  # the relay has not come round yet
    _add_reminder(app, ReminderStatus.QUEUED, due_minutes_ago=1.5, queued_minutes_ago=1)  # in a worker's hands
    _add_reminder(app, ReminderStatus.SENT, due_minutes_ago=60)
    _add_reminder(app, ReminderStatus.CANCELLED, due_minutes_ago=60)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["reminders"] == {"stuck": 0, "failed": 0, "late": 0}


@pytest.mark.parametrize(
    "status, due, queued, expected",
    [
        ("pending", 6, None, {"stuck": 1, "failed": 0, "late": 1}),  # more than 5 minutes past due, not relayed
        ("queued", 30, 11, {"stuck": 1, "failed": 0, "late": 1}),  # held longer than REMINDER_LEASE_SECONDS
        ("failed", 60, None, {"stuck": 0, "failed": 1, "late": 0}),
        # More than REMINDER_LATE_SECONDS (2 min) past due and not sent: workers down or a queue
        # lost, long before the lease would call it stuck.
        ("queued", 3, 2, {"stuck": 0, "failed": 0, "late": 1}),
        ("pending", 3, None, {"stuck": 0, "failed": 0, "late": 1}),
    ],
)
def test_healthz_is_degraded_by_stuck_or_failed_reminders(client, app, status, due, queued, expected):
    from coordinator.rules.reminder_lifecycle import ReminderStatus

    _add_reminder(app, ReminderStatus(status), due_minutes_ago=due, queued_minutes_ago=queued)
    response = client.get("/healthz")
    assert response.status_code == 200  # pages still work: degraded, not down
    assert response.json["status"] == "degraded"
    assert response.json["reminders"] == expected
    assert response.json["database"] == {"ok": True} and response.json["redis"] == {"configured": True, "ok": True}


def test_healthz_follows_the_configured_lease(client, app):
    from coordinator.rules.reminder_lifecycle import ReminderStatus

    app.config["REMINDER_LEASE_SECONDS"] = 3600
    _add_reminder(app, ReminderStatus.QUEUED, due_minutes_ago=30, queued_minutes_ago=11)
    app.config["REMINDER_LATE_SECONDS"] = 3600
    assert client.get("/healthz").json["reminders"] == {"stuck": 0, "failed": 0, "late": 0}


def test_healthz_is_degraded_but_up_when_redis_is_unreachable(client, app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["redis"] == {"configured": True, "ok": False}


def test_healthz_fails_when_the_database_is_unreachable(database_url):
    app = create_app(
        make_test_config(
            database_url, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none", REDIS_URL=None
        )
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["reminders"] == {"stuck": None, "failed": None, "late": None}  # not counted, never a crash


def test_pages_carry_security_headers_and_are_never_cached(client):
    response = client.get("/auth/login")
    headers = response.headers
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(client, admin, app):
    response = client.login(admin.email, PASSWORD)
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"])]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # gone when the browser closes; the server enforces the lifetime


def test_production_cookies_are_secure_and_host_prefixed(tmp_path):
    from coordinator.config import load_settings

    settings = load_settings(
        str(tmp_path),
        environ={"COORDINATOR_ENV": "production", "SECRET_KEY": "k" * 40, "DATABASE_URL": "postgresql://x@y/z"},
    )
    assert settings["SESSION_COOKIE_SECURE"] and settings["SESSION_COOKIE_NAME"] == "__Host-coordinator"


def test_hsts_only_on_https(database_url):
    app = create_app(make_test_config(database_url, SESSION_COOKIE_SECURE=True, TRUSTED_PROXY_COUNT=1))
    plain = app.test_client().get("/healthz")
    assert "Strict-Transport-Security" not in plain.headers


def _warnings(log: str, marker: str) -> list[str]:
    return [line for line in log.splitlines() if "WARNING" in line and marker in line]


def test_a_request_without_x_forwarded_for_behind_a_trusted_proxy_is_warned_about_once(database_url, capsys):
    app = create_app(make_test_config(database_url, TRUSTED_PROXY_COUNT=1))
    client = app.test_client()
    client.get("/healthz")  # load balancers call it directly: not a sign of a missing proxy
    assert _warnings(capsys.readouterr().err, "X-Forwarded-For") == []
    client.get("/auth/login", headers={"X-Forwarded-For": "198.51.100.7"})
    assert _warnings(capsys.readouterr().err, "X-Forwarded-For") == []
    client.get("/auth/login?email=marker-person@example.org")
    client.get("/inquiries/marker-path")
    log = capsys.readouterr().err
    (warning,) = _warnings(log, "X-Forwarded-For")
    assert "TRUSTED_PROXY_COUNT is 1" in warning and "TRUSTED_PROXY_COUNT=0" in warning
    assert "marker" not in log  # no path, no query string
    client.get("/auth/login")
    assert _warnings(capsys.readouterr().err, "X-Forwarded-For") == []  # once per process


def test_fewer_forwarded_addresses_than_trusted_proxies_is_warned_about_without_the_addresses(database_url, capsys):
    app = create_app(make_test_config(database_url, TRUSTED_PROXY_COUNT=2))
    client = app.test_client()
    client.get("/auth/login", headers={"X-Forwarded-For": "198.51.100.7"})
    client.get("/auth/login", headers={"X-Forwarded-For": "198.51.100.8"})
    log = capsys.readouterr().err
    (warning,) = _warnings(log, "fewer entries")
    assert "TRUSTED_PROXY_COUNT is 2" in warning
    assert "198.51.100" not in log


def test_no_proxy_warning_without_trusted_proxies(database_url, capsys):
    app = create_app(make_test_config(database_url, TRUSTED_PROXY_COUNT=0))
    app.test_client().get("/auth/login")
    assert _warnings(capsys.readouterr().err, "X-Forwarded-For") == []


def test_not_found_page_is_friendly(client, admin):
    login_as(client, admin)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Not found" in body and "Reference:" in body and "Traceback" not in body


def test_unexpected_errors_get_a_500_page_with_a_reference_and_roll_back(database_url, capsys):
    app = create_app(make_test_config(database_url))

    @app.route("/explode")
    @security.public
    def explode():
        db.session.add(User(email="half@written.example", full_name="Half", role=Role.BILLING, password_hash="x"))
        db.session.flush()
        raise RuntimeError("boom")

    response = app.test_client().get("/explode", headers={"X-Request-ID": "explode-request-1"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "explode-request-1" in body and "boom" not in body
    log = capsys.readouterr().err
    assert "unhandled error" in log and "explode-request-1" in log and "RuntimeError: boom" in log
    with app.app_context():
        assert db.session.scalar(sa.select(User).where(User.email == "half@written.example")) is None


def test_api_style_requests_get_json_errors(client):
    response = client.get("/nothing-here", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_json_logs_carry_the_request_id_and_no_form_data(database_url, capsys):
    app = create_app(make_test_config(database_url, LOG_FORMAT="json"))
    app.test_client().post(
        "/auth/login",
        data={"email": "private@example.org", "password": "hunter2hunter2"},
        headers={"X-Request-ID": "json-log-request"},
    )
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "coordinator.access"]
    assert access and access[-1]["request_id"] == "json-log-request"
    assert access[-1]["path"] == "/auth/login"
    assert "private@example.org" not in json.dumps(lines) and "hunter2" not in json.dumps(lines)


def test_cli_create_user_makes_the_first_admin(runner, app):
    result = runner.invoke(
        args=["create-user", "--email", "First@Admin.example", "--name", "First Admin", "--role", "admin"],
        input="a long admin passphrase\na long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin account first@admin.example" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "first@admin.example"))
        assert user.role == Role.ADMIN and not user.must_change_password


def test_cli_create_user_explains_bad_input(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "c@example.org",
            "--name",
            "C",
            "--role",
            "clinician",
            "--password",
            "long enough passphrase",
        ]
    )
    assert result.exit_code == 1
    assert "discipline" in result.output


def test_cli_seed_demo_creates_every_role_once(runner, app):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "6 accounts and 51 inquiries created" in first.output  # 47 in the pipeline, 4 in the care stories
    second = runner.invoke(args=["seed-demo"])
    assert "0 accounts and 0 inquiries created" in second.output
    with app.app_context():
        roles = set(db.session.scalars(sa.select(User.role)))
        statuses = set(db.session.scalars(sa.select(Inquiry.status)))
        sources = set(db.session.scalars(sa.select(Inquiry.referral_source)))
        kinds = set(db.session.scalars(sa.select(Screening.kind)))
    assert roles == set(Role)
    assert statuses == set(InquiryStatus)  # every state of the pipeline is shown
    assert sources == set(ReferralSource)
    assert kinds == {"dsm5_oud", "phq9", "gad7", "cows", "medical_flags"}
    assert "coordinator-demo" in first.output
    with app.app_context():
        from coordinator.models import Admission, CareSegment

        levels = set(db.session.scalars(sa.select(CareSegment.level_of_care)))
        per_patient = db.session.execute(
            sa.select(Admission.patient_id, sa.func.count()).group_by(Admission.patient_id)
        ).all()
    assert levels == set(LevelOfCare)  # a patient at every level, partner-hospital detox included
    assert any(count == 2 for _, count in per_patient)  # a readmission
    assert "Sign in at http://127.0.0.1:5000 with:" in first.output


@pytest.mark.parametrize(
    ("args", "env", "address"),
    [
        (["--port", "8123"], {}, "http://127.0.0.1:8123"),
        ([], {"FLASK_RUN_PORT": "5057", "FLASK_RUN_HOST": "0.0.0.0"}, "http://127.0.0.1:5057"),
        (["--host", "localhost", "--port", "80"], {}, "http://localhost:80"),
    ],
)
def test_cli_seed_demo_prints_the_port_actually_used(runner, args, env, address):
    # Issue 13, bug 9: `make run PORT=8123` printed 5000 whatever the port.
    result = runner.invoke(args=["seed-demo", *args], env=env)
    assert result.exit_code == 0, result.output
    assert f"Sign in at {address} with:" in result.output


def test_cli_seed_demo_refuses_production(app_role_database_url):
    app = create_app(
        make_test_config(
            app_role_database_url,  # production starts only as the documented app role
            COORDINATOR_ENV="production",
            DATABASE_URL_FROM_ENV=True,
            SESSION_COOKIE_SECURE=True,
            PASSWORD_HASH_PROFILE="owasp",
            SECRET_KEY=secrets.token_urlsafe(48),
        )
    )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1 and "never runs in production" in result.output


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/bootstrap-5.3.9/bootstrap.min.css",
        "/static/vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
        "/static/app.js",
    ],
)
def test_assets_are_served_by_the_app_not_a_cdn(client, path):
    assert client.get(path).status_code == 200
    page = client.get("/auth/login").get_data(as_text=True)
    assert "https://" not in page.split("<body")[0]
