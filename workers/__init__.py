"""Background work: RQ job functions and the worker entry point (`python -m workers`).

Jobs take ids, never objects or patient data (arguments and tracebacks sit in Redis),
run inside an application context, and are safe to run twice.
"""

# Queue names, listed once. The worker listens to them in this order of priority.
QUEUES = ["reminders", "default"]
