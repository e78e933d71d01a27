"""Keeping an RQ worker up: Redis outages ridden out, re-registration, clear exit codes.

RQ's own loop quits (exit 0) on a Redis timeout, crashes (exit 1) when Redis is unreachable
at start-up or while a job runs, and never re-registers a worker whose keys vanished with a
Redis restart. `run` wraps it:

- before each start it waits for Redis with a capped exponential backoff (1 s … 30 s);
- when the RQ loop stops for any reason but a stop signal (or the end of a burst), the worker
  is started again in this process after the backoff, with a fresh registration;
- a Redis error while a job runs no longer ends the worker: the heartbeat is skipped and
  the work horse is waited for;
- a heartbeat that finds the worker missing from RQ's worker set (Redis restarted or
  flushed) registers it again, so the staff page shows it;
- the exit code is 0 only after a stop signal or a finished burst; anything else that
  escapes is non-zero, so any supervisor (systemd `Restart=always`, a container's
  `restart: unless-stopped`) starts the worker again.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker
from rq.defaults import DEFAULT_WORKER_TTL
from rq.worker_registration import REDIS_WORKER_KEYS

log = logging.getLogger("coordinator.workers")

# RQ blocks up to worker_ttl - 15 s waiting for a job and wants a socket timeout 10 s above
# that; an explicit one a little longer, so RQ never has to raise it (and no connection of
# the pool is ever left with redis-py's 5 s default under a blocking wait).
WORKER_SOCKET_TIMEOUT = DEFAULT_WORKER_TTL - 15 + 10 + 5
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0


def worker_connection(url: str) -> Redis:
    """The RQ worker's own connection (the relay thread gets another, see workers/relay.py)."""
    return Redis.from_url(url, socket_timeout=WORKER_SOCKET_TIMEOUT, socket_connect_timeout=5, socket_keepalive=True)


class SteadyMixin:
    """Heartbeats that survive a Redis restart; a stop signal remembered."""

    stop_signalled = False

    def request_stop(self, signum, frame):
        self.stop_signalled = True
        return super().request_stop(signum, frame)

    def heartbeat(self, timeout=None, pipeline=None):
        super().heartbeat(timeout, pipeline)
        if pipeline is None and not self.connection.sismember(REDIS_WORKER_KEYS, self.key):
            log.warning("worker %s: not registered in Redis (restarted or flushed?); registering again", self.name)
            self.connection.delete(self.key)
            self.register_birth()

    def maintain_heartbeats(self, job):
        try:
            super().maintain_heartbeats(job)
        except RedisError as error:  # the horse keeps working; the next heartbeat tries again
            log.warning("worker %s: heartbeat failed (%s); waiting for the job", self.name, type(error).__name__)


class _Stop:
    """A stop signal received while the worker waits (between RQ loops)."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self.event.set())


def wait_for_redis(connection: Redis, stop: threading.Event, delay: float = BACKOFF_FIRST) -> bool:
    """Ping until Redis answers (True) or a stop signal arrives (False)."""
    while not stop.is_set():
        try:
            connection.ping()
            return True
        except RedisError as error:
            log.error("worker: Redis unreachable (%s); trying again in %.0f s", type(error).__name__, delay)
            stop.wait(delay)
            delay = min(delay * 2, BACKOFF_MAX)
    return False


def run(make_worker: Callable[[], Worker], connection: Redis, *, burst: bool, logging_level: str) -> int:
    """Run RQ workers until a stop signal (0) or the end of a burst (0); see the module docstring."""
    stop = _Stop()
    delay = BACKOFF_FIRST
    name = None
    started = time.monotonic()
    while True:
        stop.install()  # RQ installs its own in work(); ours cover the waits in between
        if not wait_for_redis(connection, stop.event):
            return 0
        try:
            if name is not None:  # a registration left by the last loop (no death recorded)
                connection.delete(Worker.redis_worker_namespace_prefix + name)
            worker = make_worker()
            name = worker.name
            started = time.monotonic()
            worker.work(burst=burst, with_scheduler=True, logging_level=logging_level)
        except RedisError as error:
            if burst:
                log.error("worker: Redis error (%s) in a burst; exiting", type(error).__name__)
                return 1
            log.error("worker: Redis error (%s); starting again in %.0f s", type(error).__name__, delay)
        else:
            if burst or worker.stop_signalled or stop.event.is_set():
                return 0
            log.error("worker: the RQ loop stopped unexpectedly; starting again in %.0f s", delay)
        stop.install()
        if stop.event.wait(delay):
            return 0
        ran_long = time.monotonic() - started > 10 * BACKOFF_MAX
        delay = BACKOFF_FIRST if ran_long else min(delay * 2, BACKOFF_MAX)
