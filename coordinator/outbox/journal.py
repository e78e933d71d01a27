"""Sent marks kept in Redis from a message's acceptance until its batch's commit.

A send job commits the "sent" marks of its whole batch in one transaction at the end (a
PostgreSQL commit per email cost a fifth of a worker's time: issue 12, item 5). What keeps a
crash from sending again what it had sent is this journal: straight after the SMTP server
accepted a message, one Redis `SET` records it (`coordinator:sent:<reminder>:<user>:<channel>`
→ the Message-ID), before the next message goes out — the same one-message window the
per-email commit had. Whoever would hand a claim left "sending" to another try reads the
journal first and marks what it finds as sent instead:

- the relay, freeing the claims of a dead or vanished job (`outbox/relay.py`);
- a job taking over a claim older than the lease (`outbox/claims.py`).

After the batch commits, its entries are deleted; entries a crash leaves behind expire after
a day (`TTL_SECONDS`, well past the lease and the relay's minute). Without Redis (a laptop:
no REDIS_URL) or when a `SET` fails, delivery falls back to committing each mark at once.
A Redis that loses its data while a job is killed mid-batch can still cause a resend of that
batch's accepted messages (with the same Message-ID); either alone cannot.
"""

from __future__ import annotations

from collections.abc import Iterable

from redis import Redis

TTL_SECONDS = 86400
SOCKET_TIMEOUT = 5
Key = tuple[int, int, str]  # (reminder id, user id, channel value)


def _name(key: Key) -> str:
    reminder_id, user_id, channel = key
    return f"coordinator:sent:{int(reminder_id)}:{int(user_id)}:{channel}"


class SentJournal:
    def __init__(self, connection: Redis) -> None:
        self.connection = connection

    def record(self, key: Key, reference: str | None) -> None:
        """The server accepted this message (raises RedisError if Redis cannot say so)."""
        self.connection.set(_name(key), reference or "", ex=TTL_SECONDS)

    def recorded(self, keys: Iterable[Key]) -> dict[Key, str]:
        """Which of these messages were accepted, with their references (one round trip)."""
        keys = list(keys)
        if not keys:
            return {}
        values = self.connection.mget([_name(k) for k in keys])
        return {k: v.decode() for k, v in zip(keys, values, strict=True) if v is not None}

    def forget(self, keys: Iterable[Key]) -> None:
        """The marks are committed: drop their entries (they expire anyway if this fails)."""
        names = [_name(k) for k in keys]
        if names:
            self.connection.delete(*names)


def journal_for(app) -> SentJournal | None:
    """The app's journal on its REDIS_URL (one client per process; redis-py gives a forked work
    horse fresh connections), or None on a laptop without Redis."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    cached = app.extensions.get("coordinator.sent_journal")
    if cached is None or cached[0] != url:
        client = Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT)
        cached = (url, SentJournal(client))
        app.extensions["coordinator.sent_journal"] = cached
    return cached[1]
