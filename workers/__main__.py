"""Start an RQ worker inside the application: `python -m workers [--burst] [queue ...]`.

The worker uses the JSON serializer (no pickle from Redis), never logs job descriptions
(they could name records), and disposes of the database connection pool inherited from
the parent process in each forked work horse, so no two processes share a connection.

Before any thread starts, SQLAlchemy's mappers are configured (a horse forked while the relay
thread held the mapper lock hung until RQ's job timeout), and the relay thread never runs a
tick across a fork (workers/relay.py). The RQ loop has its own Redis connection with a socket
timeout that fits its blocking wait; the relay has another. `workers/runner.py` keeps the
worker up through Redis outages and sets the exit code (0 only after a stop signal or a burst).
"""

from __future__ import annotations

import argparse
import logging
import sys

import sqlalchemy as sa
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer

from coordinator.outbox.queues import QUEUES, REMINDERS
from workers.relay import RelayLoop, relay_connection
from workers.runner import SteadyMixin, run, worker_connection

log = logging.getLogger("coordinator.workers")


class AppWorker(SteadyMixin, Worker):
    """An RQ worker whose work horses start with a fresh database pool."""

    def main_work_horse(self, job, queue):
        from coordinator.extensions import db

        db.engine.dispose(close=False)  # the parent's connections stay the parent's
        return super().main_work_horse(job, queue)


class SimpleAppWorker(SteadyMixin, SimpleWorker):
    """`--simple`: jobs run in the worker process itself."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers", description=__doc__.splitlines()[0])
    parser.add_argument(
        "queues", nargs="*", default=list(QUEUES), help=f"queues to listen to (default: {' '.join(QUEUES)})"
    )
    parser.add_argument("--burst", action="store_true", help="work until the queues are empty, then exit")
    parser.add_argument("--name", help="a unique worker name (default: RQ's own)")
    parser.add_argument(
        "--simple",
        action="store_true",
        help="run jobs in this process instead of a forked work horse per job "
        "(faster; loses fork isolation and hard timeouts)",
    )
    parser.add_argument(
        "--no-relay", action="store_true", help="do not take part in running the reminder relay (see workers/relay.py)"
    )
    args = parser.parse_args(argv)

    from coordinator import create_app

    app = create_app()
    redis_url = app.config.get("REDIS_URL")
    if not redis_url:
        print("error: REDIS_URL is not set. On a laptop `make run` delivers work in-process instead.", file=sys.stderr)
        return 2
    unknown = sorted(set(args.queues) - set(QUEUES))
    if unknown:
        print(f"error: unknown queue(s): {', '.join(unknown)}; known: {', '.join(QUEUES)}", file=sys.stderr)
        return 2
    sa.orm.configure_mappers()  # now, in the only thread: a forked horse never inherits the mapper lock
    connection = worker_connection(redis_url)
    queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in args.queues]
    relay = None
    if not args.no_relay and not args.burst:
        own = relay_connection(redis_url)
        reminders_queue = Queue(REMINDERS, connection=own, serializer=JSONSerializer)
        relay = RelayLoop(app, own, reminders_queue, app.config["RELAY_INTERVAL_SECONDS"])
        relay.start()
    worker_class = SimpleAppWorker if args.simple else AppWorker

    def make_worker() -> Worker:
        worker = worker_class(
            queues, connection=connection, serializer=JSONSerializer, name=args.name, log_job_description=False
        )
        log.info("worker starting on %s", ", ".join(args.queues))
        return worker

    try:
        with app.app_context():
            return run(make_worker, connection, burst=args.burst, logging_level=app.config["LOG_LEVEL"])
    finally:
        if relay is not None:
            relay.stop()


if __name__ == "__main__":
    sys.exit(main())
