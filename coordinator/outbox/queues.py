"""The RQ queue names, listed once: `workers/` listens to them, the staff page shows their depth."""

from __future__ import annotations

REMINDERS = "reminders"  # send jobs: ids of due reminders, in batches
DEFAULT = "default"

# What a worker listens to by default, in order of priority.
QUEUES: tuple[str, ...] = (REMINDERS, DEFAULT)

# Reminders per send job: one fork, one database and one SMTP connection for each batch. A
# forked job costs ~70 ms before its first message (fork, connections, RQ's bookkeeping): at 20
# a job that was 3.5 ms a reminder, at 50 it is 1.4 ms (issue 12, item 5).
JOB_SIZE = 50
TIMEOUT_MESSAGES = 20  # the job timeout allows this many messages to wait the SMTP timeout


def job_timeout(config) -> int:
    """How long a send job may run: TIMEOUT_MESSAGES messages each waiting the SMTP timeout
    once, plus a margin (a connection failure stops the batch's sending at the first timeout,
    so a healthy-but-slow server is the only way past it). RQ stops a job past it; the relay
    hands its reminders out again, and the sent journal keeps what it had sent from going
    twice (outbox/journal.py)."""
    return TIMEOUT_MESSAGES * config["SMTP_TIMEOUT_SECONDS"] + config["REMINDER_JOB_MARGIN_SECONDS"]
