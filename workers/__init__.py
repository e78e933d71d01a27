"""Background work: RQ job functions and the worker entry point (`python -m workers`).

Jobs take ids, never objects or patient data (arguments and tracebacks sit in Redis),
run inside an application context, and are safe to run twice. The work itself lives in
`coordinator/outbox/`, and so do the queue names (`coordinator/outbox/queues.py`): the web app
reads them too, and never imports this package.
"""
