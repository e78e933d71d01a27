"""Reminders on a laptop without Redis: the relay and the send jobs run in a thread of the web
process, through the same code the RQ workers run (DESIGN.md, "Embedded default").

Started on the first request (not at import or by CLI commands), only when INPROCESS_REMINDERS
is on — the default when REDIS_URL is unset outside production — and never under TESTING.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from coordinator.extensions import db
from coordinator.outbox.queues import JOB_SIZE

log = logging.getLogger("coordinator.reminders")
CHUNK = JOB_SIZE


class InProcessReminders(threading.Thread):
    def __init__(self, app: Flask) -> None:
        super().__init__(name="coordinator-inprocess-reminders", daemon=True)
        self.app = app
        self.stopping = threading.Event()

    def run_once(self) -> int:
        from coordinator.outbox import relay
        from coordinator.outbox.delivery import deliver_many

        with self.app.app_context():
            try:
                ids = relay.tick(None)
                for start in range(0, len(ids), CHUNK):  # the same batch size as a worker's job
                    deliver_many(ids[start : start + CHUNK])
                return len(ids)
            except Exception:
                log.exception("in-process reminder round failed; will try again")
                db.session.rollback()
                return 0
            finally:
                db.session.remove()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.run_once()
            self.stopping.wait(self.app.config["RELAY_INTERVAL_SECONDS"])


def register_inprocess_reminders(app: Flask) -> None:
    if not app.config["INPROCESS_REMINDERS"] or app.config.get("TESTING"):
        return
    lock = threading.Lock()
    state = {"started": False}

    @app.before_request
    def start_reminder_thread():
        if state["started"]:
            return
        with lock:
            if not state["started"]:
                InProcessReminders(app).start()
                state["started"] = True
                log.info(
                    "reminders run in-process (no REDIS_URL); email goes to %s",
                    "SMTP" if app.config["SMTP_HOST"] else "the log",
                )
