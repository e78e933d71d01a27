"""Start an RQ worker inside the application: `python -m workers [--burst] [queue ...]`.

The worker uses the JSON serializer (no pickle from Redis), never logs job descriptions
(they could name records), and disposes of the database connection pool inherited from
the parent process in each forked work horse, so no two processes share a connection.
"""

from __future__ import annotations

import argparse
import logging
import sys

from redis import Redis
from rq import Queue, SimpleWorker, Worker
from rq.serializers import JSONSerializer

from coordinator.outbox.queues import QUEUES, REMINDERS
from workers.relay import RelayLoop

log = logging.getLogger("coordinator.workers")


class AppWorker(Worker):
    """An RQ worker whose work horses start with a fresh database pool."""

    def main_work_horse(self, job, queue):
        from coordinator.extensions import db

        db.engine.dispose(close=False)  # the parent's connections stay the parent's
        return super().main_work_horse(job, queue)


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
    connection = Redis.from_url(redis_url)
    queues = [Queue(name, connection=connection, serializer=JSONSerializer) for name in args.queues]
    relay = None
    if not args.no_relay and not args.burst:
        reminders_queue = Queue(REMINDERS, connection=connection, serializer=JSONSerializer)
        relay = RelayLoop(app, connection, reminders_queue, app.config["RELAY_INTERVAL_SECONDS"])
        relay.start()
    try:
        with app.app_context():
            worker_class = SimpleWorker if args.simple else AppWorker
            worker = worker_class(
                queues, connection=connection, serializer=JSONSerializer, name=args.name, log_job_description=False
            )
            log.info("worker starting on %s", ", ".join(args.queues))
            worker.work(burst=args.burst, with_scheduler=True, logging_level=app.config["LOG_LEVEL"])
    finally:
        if relay is not None:
            relay.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
