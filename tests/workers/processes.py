"""Real `python -m workers` processes for tests: started with the test database, Redis and SMTP sink."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.app import redis_url_for_tests
from tests.reminders.test_reminder_queue import children_of, kill_tree

ROOT = Path(__file__).resolve().parents[2]
__all__ = ["children_of", "kill_tree", "start_worker", "stop_worker", "wait_for"]


def worker_env(database_url: str, smtp_port: int, redis_url: str | None = None, **extra: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url or redis_url_for_tests(),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_STARTTLS": "0",
        "SMTP_TIMEOUT_SECONDS": "5",
        "RELAY_INTERVAL_SECONDS": "1",
        "LOG_LEVEL": "INFO",
        "COORDINATOR_ENV": "development",
        **extra,
    }


def start_worker(log_path: Path, env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "workers", *args],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
    )


def stop_worker(worker: subprocess.Popen) -> int | None:
    """SIGTERM (a warm stop), then the whole tree if it does not end; returns the exit code."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            return worker.wait(20)
        except subprocess.TimeoutExpired:
            kill_tree(worker.pid)
            worker.wait(10)
            return None
    return worker.returncode


def wait_for(condition, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


class OwnRedis:
    """A throwaway redis-server on a free loopback port, without persistence: a restart loses
    every key (killing and restarting it never touches the Redis other tests use)."""

    def __init__(self) -> None:
        from tests.fixtures.smtp import free_port

        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        assert wait_for(lambda: _pings(client), 10), "own redis-server did not start"
        client.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.process = None


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False
