"""The reminder outbox: turning reminder rows into emails and in-app notifications, each once.

- `relay.py` claims due reminders and hands their ids to workers (or to the in-process runner),
  and runs the sweep that adds daily digests;
- `delivery.py` is the body of a send job: decide, claim, send, close;
- `claims.py` holds the delivery rows (one per reminder, recipient and channel) that make a
  second run of a job send nothing;
- `journal.py` keeps, in Redis, what the SMTP server accepted until the batch's commit;
- `recipients.py` says whether a reminder is still wanted and who receives it;
- `compose.py` words it (no patient, drug, program or result: a sentence and a link);
- `channels.py` sends it (email over SMTP or to the log, in-app notifications);
- `inprocess.py` runs the relay and the deliveries in a thread of the web process on a laptop;
- `queues.py` names the RQ queues (`workers/` and the staff page read them from here).

Writing reminders with their cause (`services/reminders.py`) and the staff's list, retry and
cancel (`services/reminder_admin.py`) are ordinary services: they never commit.

**This package is the documented exception to "services never commit".** It runs outside any
request (an RQ job, the relay thread, the laptop runner), and its commits are the protocol:

- the relay commits "queued" in the same transaction that hands the ids to Redis, so when
  Redis is down the claim rolls back and the reminder stays pending: nothing is lost;
- delivery commits its claims (and the in-app notifications written with them) before any
  email leaves, so a second run of the same job (RQ may run a job twice) finds the claims and
  sends nothing; it records each acceptance by the server in the sent journal at once
  (`journal.py`, Redis) and commits the batch's "sent" marks together, so a crash can repeat
  at most the one message in flight (with the same Message-ID: `channels.py`) — without Redis
  it commits each "sent" at once instead; and it commits a released claim and the retry
  before going on, so the next try may send what this one could not;
- the sweep commits the day's digests.

One transaction per request could not give these guarantees: an email cannot be rolled back.
Status changes here are conditional UPDATEs built from `rules/reminder_lifecycle.py`, so a job
never undoes a cancel made while it ran.
"""
