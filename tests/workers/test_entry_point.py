"""`python -m workers` starts an RQ worker inside the app, or explains why it cannot."""

import os
import subprocess
import sys

from coordinator import PROJECT_ROOT
from tests.fixtures.app import redis_url_for_tests


def run_workers(database_url: str, *args: str, redis_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.run(
        [sys.executable, "-m", "workers", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_worker_runs_a_burst_against_real_redis(database_url):
    result = run_workers(database_url, "--burst", redis_url=redis_url_for_tests())
    assert result.returncode == 0, result.stderr
    assert "worker starting on reminders, default" in result.stderr


def test_worker_refuses_to_start_without_redis(database_url):
    result = run_workers(database_url, "--burst", redis_url=None)
    assert result.returncode == 2
    assert "REDIS_URL is not set" in result.stderr


def test_worker_refuses_unknown_queues(database_url):
    result = run_workers(database_url, "--burst", "nonsense", redis_url=redis_url_for_tests())
    assert result.returncode == 2
    assert "unknown queue(s): nonsense" in result.stderr
