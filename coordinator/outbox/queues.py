"""The RQ queue names, listed once: `workers/` listens to them, the staff page shows their depth."""

from __future__ import annotations

REMINDERS = "reminders"  # send jobs: ids of due reminders, in batches
DEFAULT = "default"

# What a worker listens to by default, in order of priority.
QUEUES: tuple[str, ...] = (REMINDERS, DEFAULT)
