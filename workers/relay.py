"""The one periodic relay, however many workers run.

Every worker process starts a `RelayLoop` thread, but only the holder of a Redis lock
(`SET coordinator:relay-lock <token> NX PX ...`, renewed each tick) does the work; when the
holder dies its lock expires and another worker takes over within a few seconds. We chose
this over RQ's scheduler (job chains vanish with Redis data, and it runs per queue), `rq cron`
(no leader election: two of them double every run) and rq-scheduler (known double runs).
The relay itself is safe to run twice anyway (FOR UPDATE SKIP LOCKED, delivery claims): the
lock just keeps the work — and the load — in one place.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from coordinator.extensions import db
from coordinator.outbox.queues import JOB_SIZE, job_timeout
from coordinator.outbox.relay import VANISHED

log = logging.getLogger("coordinator.relay")
LOCK_KEY = "coordinator:relay-lock"
# Renew only if we still hold the lock; take it if nobody does.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


RELAY_SOCKET_TIMEOUT = 5  # the relay never blocks on Redis: a short timeout, on its own connection
FORK_WAIT_SECONDS = 5  # a relay blocked in the database must not hold up the work for long
# Held by the relay thread for the whole of a tick, and by a fork (RQ's work horse, the
# scheduler process) for its duration: no child is ever forked while the relay thread is
# inside SQLAlchemy, the database driver or redis-py, holding a lock the child would inherit.
_TICK_LOCK = threading.Lock()
_fork_guard_installed = False


_fork_holds = threading.local()


def _before_fork() -> None:
    _fork_holds.held = _TICK_LOCK.acquire(timeout=FORK_WAIT_SECONDS)
    if not _fork_holds.held:
        log.error("relay: a tick held the fork guard for %s s; forking anyway", FORK_WAIT_SECONDS)


def _after_fork_in_parent() -> None:
    if getattr(_fork_holds, "held", False):
        _fork_holds.held = False
        _TICK_LOCK.release()


def _after_fork_in_child() -> None:
    global _TICK_LOCK
    _TICK_LOCK = threading.Lock()  # the child runs no relay; never inherit a held lock


def install_fork_guard() -> None:
    global _fork_guard_installed
    if not _fork_guard_installed:
        os.register_at_fork(
            before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
        )
        _fork_guard_installed = True


def relay_connection(url: str) -> Redis:
    """The relay thread's own connection pool (never the RQ worker's, which blocks for minutes)."""
    return Redis.from_url(url, socket_timeout=RELAY_SOCKET_TIMEOUT, socket_connect_timeout=RELAY_SOCKET_TIMEOUT)


HUNG_MARGIN_SECONDS = 15  # past its job timeout by this much, a started job is taken as hung


def rq_dispatch(queue: Queue, job_size: int = JOB_SIZE, timeout: int = 260):
    """Put send jobs (ids only, in batches) on the queue in one round trip; raises if Redis is
    down. Returns {reminder id: job id} for the relay to record."""
    from workers.jobs import send_reminders

    def dispatch(ids: Sequence[int]) -> dict[int, str]:
        batches = [list(ids[i : i + job_size]) for i in range(0, len(ids), job_size)]
        jobs = [
            Queue.prepare_data(
                send_reminders,
                args=(batch,),
                result_ttl=300,
                failure_ttl=7 * 86400,
                timeout=timeout,
                job_id=f"reminders-{batch[0]}-{secrets.token_hex(4)}",
            )
            for batch in batches
        ]
        with queue.connection.pipeline() as pipe:
            queue.enqueue_many(jobs, pipeline=pipe)
            pipe.execute()
        return {reminder_id: data.job_id for data, batch in zip(jobs, batches, strict=True) for reminder_id in batch}

    return dispatch


def rq_find_lost(queue: Queue):
    """The relay's `find_lost` (coordinator/outbox/relay.py) answered from RQ: a job is lost when
    it is gone from Redis, failed, stopped or cancelled, started by a worker whose heartbeat
    expired (StartedJobRegistry), or started longer ago than its timeout and a margin (hung: RQ
    is told to stop it). Returns {} when Redis cannot be read (nothing is re-queued then)."""

    def find_lost(job_ids: Sequence[str]) -> dict[str, str]:
        try:
            jobs = Job.fetch_many(job_ids, connection=queue.connection, serializer=queue.serializer)
            expired = set(StartedJobRegistry(queue=queue).get_expired_job_ids())
        except RedisError as error:
            log.warning("relay: could not look for lost jobs (%s)", type(error).__name__)
            return {}
        now = datetime.now(UTC)
        lost: dict[str, str] = {}
        for job_id, job in zip(job_ids, jobs, strict=True):
            status = job.get_status(refresh=False) if job is not None else None
            if job is None:
                lost[job_id] = VANISHED
            elif status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
                lost[job_id] = status.value
            elif status == JobStatus.STARTED and job_id in expired:
                lost[job_id] = "abandoned"
            elif status == JobStatus.STARTED and _running_for(job, now) > (job.timeout or 0) + HUNG_MARGIN_SECONDS:
                lost[job_id] = "hung"
                _stop(queue, job_id)
        return lost

    return find_lost


def _running_for(job: Job, now: datetime) -> float:
    started = job.started_at
    if started is None:
        return 0.0
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return (now - started).total_seconds()


def _stop(queue: Queue, job_id: str) -> None:
    try:
        send_stop_job_command(queue.connection, job_id, serializer=queue.serializer)
        log.warning("relay: job %s ran past its timeout; told its worker to stop it", job_id)
    except (RedisError, InvalidJobOperation, NoSuchJobError) as error:
        log.warning("relay: could not stop hung job %s (%s)", job_id, type(error).__name__)


class RelayLoop(threading.Thread):
    def __init__(self, app, connection: Redis, queue: Queue, interval: float) -> None:
        super().__init__(name="coordinator-relay", daemon=True)
        self.app, self.connection, self.queue, self.interval = app, connection, queue, interval
        self.token = secrets.token_hex(16)
        self.stopping = threading.Event()
        self._renew = connection.register_script(_RENEW)

    def holds_lock(self) -> bool:
        try:
            return bool(self._renew(keys=[LOCK_KEY], args=[self.token, int(self.interval * 3000)]))
        except RedisError as error:
            log.warning("relay: Redis unavailable (%s); reminders wait in the database", type(error).__name__)
            return False

    def run_once(self) -> int:
        from coordinator.outbox import relay

        if not self.holds_lock():
            return 0
        with self.app.app_context():
            try:
                dispatch = rq_dispatch(self.queue, timeout=job_timeout(self.app.config))
                return len(relay.tick(dispatch, rq_find_lost(self.queue)))
            except RedisError as error:
                log.warning("relay: could not enqueue (%s); will retry", type(error).__name__)
                return 0
            except Exception:
                log.exception("relay tick failed")
                return 0
            finally:
                db.session.remove()

    def run(self) -> None:
        while not self.stopping.is_set():
            with _TICK_LOCK:
                self.run_once()
            self.stopping.wait(self.interval)

    def start(self) -> None:
        install_fork_guard()
        super().start()

    def stop(self) -> None:
        self.stopping.set()
        try:
            if self.connection.get(LOCK_KEY) == self.token.encode():
                self.connection.delete(LOCK_KEY)
        except RedisError:
            pass
