"""Benchmark (not a test): requests per second of the real app against the bare baseline
(`scripts/bench/bare_app.py`) on the same gunicorn workers and the same PostgreSQL data.

    .venv/bin/python scripts/bench/throughput.py [--inquiries 2000] [--runs 3] [--seconds 8] [--concurrency 8]

It makes a throwaway database (COORDINATOR_TEST_DATABASE_URL's server, dropped afterwards),
migrates it, adds N inquiries, an admissions user and an API key, and creates a login role
that owns nothing (production refuses a superuser). Then, per run, it starts the app with
gunicorn.conf.py (COORDINATOR_ENV=production, 2 sync workers, JSON logs) and the bare app
with the same settings, and drives each with a small Python load generator (threads, one
connection per request, as nginx talks to sync workers) for a fixed time:

- list: a signed-in `GET /inquiries/` against the bare app's same SELECTs;
- api: `POST /api/v1/inquiries` with a key against the bare app's single INSERT.

It prints requests/s, the ratio app ÷ bare with min/median/max over the runs, and the
transactions (commits) per request the database counted (pg_stat_database). Redis database
14 is used (flushed). Timings on a shared 2-core machine vary by ±30 %: compare ratios.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
PASSWORD = "correct horse battery staple"
APP_PORT, BARE_PORT = 8731, 8732
PROXY_HEADERS = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https", "Host": "coordinator.test"}
PAYLOAD = {  # the API's worried-spouse example (tests/fixtures/intake.py), with its opioid regimen
    "caller_name": "Bench Caller",
    "caller_relationship": "spouse_partner",
    "caller_phone": "+1 503 555 0142",
    "caller_email": "bench.caller@example.org",
    "preferred_contact": "phone",
    "may_leave_message": False,
    "patient_name": "Bench Patient",
    "patient_dob": "1975-04-12",
    "patient_sex": "male",
    "referral_source": "family",
    "presenting_concerns": "On oxycodone since back surgery; runs out early.",
    "substances": ["prescribed_opioids"],
    "urgency": "soon",
    "regimen": [{"drug": "oxycodone", "dose": 20, "unit": "mg", "doses_per_day": 3}],
}


def prepare(server, name: str, role: str, inquiries: int) -> tuple[str, str, str]:
    """Create and fill the database; returns (app URL, owner URL, API key)."""
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        connection.execute(sa.text(f'CREATE ROLE "{role}" LOGIN'))
    admin.dispose()
    owner_url = server.set(database=name).render_as_string(hide_password=False)
    app_url = server.set(database=name, username=role, password=None).render_as_string(hide_password=False)

    from flask_migrate import upgrade

    from coordinator import create_app
    from coordinator.contracts.accounts import NewUserInput
    from coordinator.contracts.admin import ApiClientInput
    from coordinator.extensions import db
    from coordinator.roles import Role
    from coordinator.services import accounts, api_clients, audit

    app = create_app({"SQLALCHEMY_DATABASE_URI": owner_url, "PASSWORD_HASH_PROFILE": "owasp", "LOG_LEVEL": "WARNING"})
    with app.app_context():
        upgrade()
        details = NewUserInput.parse(
            {
                "email": "bench@example.org",
                "full_name": "Bench Admissions",
                "role": Role.ADMISSIONS,
                "password": PASSWORD,
                "confirm_password": PASSWORD,
            }
        )
        user = accounts.create_user(audit.CLI, details, profile="owasp", must_change_password=False)
        db.session.commit()
        admin_user = accounts.create_user(
            audit.CLI,
            NewUserInput.parse(
                {
                    **details.model_dump(),
                    "email": "bench-admin@example.org",
                    "role": Role.ADMIN,
                    "password": PASSWORD,
                    "confirm_password": PASSWORD,
                }
            ),
            profile="owasp",
        )
        db.session.commit()
        key = api_clients.create_client(admin_user, ApiClientInput.parse({"name": "Bench partner"})).key
        db.session.commit()
        _add_inquiries(db.engine, inquiries, user.id)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            )
            connection.execute(sa.text(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'))
            connection.execute(sa.text("ANALYZE"))
        db.engine.dispose()
    return app_url, owner_url, key


def _add_inquiries(engine, count: int, user_id: int) -> None:
    inquiry = sa.Table("inquiry", sa.MetaData(), autoload_with=engine)
    start = datetime.now(UTC) - timedelta(days=365)
    rows = []
    for n in range(count):
        at = start + timedelta(minutes=263 * n)
        rows.append(
            {
                "public_id": uuid.uuid4().hex[:16],
                "status": ("new", "contacted", "screening", "admitted", "declined")[n % 5],
                "channel": ("phone", "web_form", "api")[n % 3],
                "referral_source": "self",
                "caller_name": f"Caller {n}",
                "caller_relationship": "self",
                "caller_phone": f"+1 503 555 {n % 10000:04d}",
                "caller_phone_digits": f"1503555{n % 10000:04d}",
                "patient_name": f"Patient {n}",
                "patient_name_key": f"patient {n}",
                "substances": ["alcohol"],
                "may_leave_message": False,
                "urgency": "routine",
                "is_restricted": n % 50 == 0,
                "assigned_to_id": user_id if n % 2 else None,
                "arrived_at": at,
                "status_changed_at": at,
                "created_at": at,
                "updated_at": at,
            }
        )
    rows = [{k: v for k, v in row.items() if k in inquiry.c} for row in rows]
    with engine.begin() as connection:
        for i in range(0, len(rows), 1000):
            connection.execute(inquiry.insert(), rows[i : i + 1000])


def start_server(target: str, port: int, env: dict) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", target]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz", headers=PROXY_HEADERS)
            connection.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError(f"{target} did not start on port {port}")


def stop_server(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


def sign_in(port: int) -> str:
    """The Cookie header of a signed-in admissions user."""
    status, headers, body = request(port, "GET", "/auth/login")
    cookie = _cookie(headers)
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"email": "bench@example.org", "password": PASSWORD, "csrf_token": token})
    status, headers, _ = request(
        port,
        "POST",
        "/auth/login",
        form.encode(),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": "https://coordinator.test/auth/login",
        },
    )
    assert status == 302, status
    cookie = _cookie(headers)
    status = request(port, "GET", "/inquiries/", headers={"Cookie": cookie})[0]
    assert status == 200, f"the signed-in list answered {status}"
    return cookie


def _cookie(headers) -> str:
    return "; ".join(value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie")


def load(port: int, method: str, path: str, body, headers, seconds: float, concurrency: int) -> tuple[float, dict]:
    """Requests per second over `seconds` with `concurrency` threads, and the statuses seen."""
    statuses: dict = {}
    lock = threading.Lock()
    stop = time.time() + seconds

    def worker():
        mine: dict = {}
        while time.time() < stop:
            try:
                status = request(port, method, path, body, headers)[0]
            except OSError:
                status = "error"
            mine[status] = mine.get(status, 0) + 1
        with lock:
            for status, n in mine.items():
                statuses[status] = statuses.get(status, 0) + n

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(statuses.values()) / (time.time() - began), statuses


def commits(owner_url: str) -> int:
    engine = sa.create_engine(owner_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT pg_stat_clear_snapshot()"))
        value = connection.execute(
            sa.text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()
    engine.dispose()
    return value


def spread(values: list[float]) -> str:
    return f"min {min(values):.2f}  median {statistics.median(values):.2f}  max {max(values):.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    server = make_url(
        os.environ.get("COORDINATOR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    )
    redis_url = os.environ.get("COORDINATOR_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    suffix = uuid.uuid4().hex[:8]
    name, role = f"coordinator_bench_{suffix}", f"coordinator_bench_app_{suffix}"
    try:
        app_url, owner_url, key = prepare(server, name, role, args.inquiries)
        redis.Redis.from_url(redis_url).flushdb()
        env = {
            **os.environ,
            "COORDINATOR_ENV": "production",
            "DATABASE_URL": app_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "API_RATE_LIMIT": "1000000 per minute",
            "LOG_LEVEL": "warning",
            "GUNICORN_MAX_REQUESTS": "0",
            "PYTHONPATH": str(ROOT),
        }
        cases = {
            "list": ("GET", "/inquiries/", None, {}),
            "api": (
                "POST",
                "/api/v1/inquiries",
                json.dumps(PAYLOAD).encode(),
                {"Content-Type": "application/json", "Authorization": f"Bearer {key}"},
            ),
        }
        ratios: dict[str, list[float]] = {case: [] for case in cases}
        per_request: dict[str, list[float]] = {case: [] for case in cases}
        for run in range(1, args.runs + 1):
            results = {}
            for target, port in (("wsgi:app", APP_PORT), ("scripts.bench.bare_app:app", BARE_PORT)):
                process = start_server(target, port, env)
                try:
                    cookie = sign_in(port) if port == APP_PORT else ""
                    for case, (method, path, body, headers) in cases.items():
                        headers = {**headers, "Cookie": cookie} if case == "list" and cookie else headers
                        load(port, method, path, body, headers, 1.5, args.concurrency)  # warm up
                        time.sleep(1.0)
                        before = commits(owner_url)
                        rate, statuses = load(port, method, path, body, headers, args.seconds, args.concurrency)
                        time.sleep(1.5)  # PostgreSQL publishes its counters about once a second
                        served = sum(statuses.values())
                        results[(target, case)] = rate
                        if port == APP_PORT:
                            per_request[case].append((commits(owner_url) - before - 1) / max(served, 1))
                        print(f"run {run} {target:28} {case:5} {rate:8.1f} req/s  statuses {statuses}", flush=True)
                finally:
                    stop_server(process)
            for case in cases:
                ratios[case].append(results[("wsgi:app", case)] / results[("scripts.bench.bare_app:app", case)])
        print()
        for case in cases:
            print(
                f"{case:5} app ÷ bare: {spread(ratios[case])}   transactions per request: {spread(per_request[case])}"
            )
    finally:
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
