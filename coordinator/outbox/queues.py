"""The RQ queue names, listed once: `workers/` listens to them, the staff page shows their depth."""

from __future__ import annotations

REMINDERS = "reminders"  # send jobs: ids of due reminders, in batches
DEFAULT = "default"

# What a worker listens to by default, in order of priority.
QUEUES: tuple[str, ...] = (REMINDERS, DEFAULT)

JOB_SIZE = 20  # reminders per send job: one SMTP connection and one job's overhead for each batch


def job_timeout(config) -> int:
    """How long a send job may run: every message of a full batch waiting the SMTP timeout once,
    plus a margin. RQ stops a job past it, and the relay re-queues that job's reminders."""
    return JOB_SIZE * config["SMTP_TIMEOUT_SECONDS"] + config["REMINDER_JOB_MARGIN_SECONDS"]
