"""One request, one commit (indico's `RH.process`): views load, call one service and answer;
this module commits or rolls back for all of them.

- A view that returns normally (a page, a redirect, a form shown again with its errors) has its
  work committed once, after the view and before the response leaves.
- A view that raises (a domain error turned into a 404 or 403 page, an `abort`, a bug) has its
  work rolled back, all of it.
- Some writes must survive a refusal: the audit row saying someone was refused, the session
  check that ended an idle session, the API key's last use. Code makes them with `durable(...)`:
  they happen in the request's transaction as usual, and if the request is rolled back they are
  made again, alone, and committed.

A failed form submission does not fail the request: `blueprints/forms.submit` runs the use case
inside a savepoint and undoes only that, so the page's reads (and their audit rows) still commit.

Outside a request (CLI commands, jobs, tests calling services) nothing here applies: the caller
commits, and `durable` simply runs its write.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from flask import Flask, g, has_request_context

from coordinator.extensions import db
from coordinator.request_bodies import BoundedRequest

log = logging.getLogger(__name__)
T = TypeVar("T")


def durable(write: Callable[[], T]) -> T:
    """Run `write` now; if this request is later rolled back, run it again and commit it alone.

    A row `write` returns is also written again if a savepoint it was made in is rolled back
    (a refusal met inside a form's use case) while the request itself succeeds."""
    result = write()
    if has_request_context():
        g.setdefault("_durable_writes", []).append((write, result))
    return result


def retry_if_disconnected(work: Callable[[], T]) -> T:
    """Run `work()` — a request's first, idempotent statement (the session or API key check) —
    and if it failed because its pooled connection was dead (SQLAlchemy has then invalidated the
    pool), roll back the empty transaction and run it once more on a fresh connection. Stands in
    for the pool's pre-ping (`database._drop_closed_connections` catches most dead ones first).

    Only when `work` opened the transaction: had anything run before it, rolling back would
    silently drop that work, so the error then stands (the request fails and is rolled back)."""
    first = db.session().get_transaction() is None
    try:
        return work()
    except sa.exc.DBAPIError as exc:
        if not (first and exc.connection_invalidated):
            raise
        log.warning("database connection was dead; retrying on a new one")
        db.session.rollback()
        return work()


def mark_failed() -> None:
    """The request failed: roll back its work when it ends (keeping its durable writes)."""
    if has_request_context():
        g._request_failed = True


def finish(response):
    """after_request: commit the request's work, or roll it back and keep its durable writes."""
    if g.get("_request_failed"):
        _roll_back()
    elif db.session.is_active:
        try:
            _rewrite_undone()
            db.session.commit()
        except Exception:
            _roll_back()
            raise
    return response


def _rewrite_undone() -> None:
    for write, result in g.get("_durable_writes", []):
        state = sa.inspect(result, raiseerr=False)
        if state is not None and state.transient:  # added, then undone by a savepoint
            write()


def _roll_back() -> None:
    db.session.rollback()
    writes = g.pop("_durable_writes", [])
    if not writes:
        return
    try:
        for write, _ in writes:
            write()
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not keep %d durable write(s) after a rollback", len(writes))


def register_transaction(app: Flask) -> None:
    app.after_request(finish)


class TransactionalFlask(Flask):
    """Flask that notes every exception a request raised, so `finish` rolls back (and whose
    requests hold every body to its size limit: `request_bodies.BoundedRequest`)."""

    request_class = BoundedRequest

    def handle_user_exception(self, e):
        mark_failed()
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        mark_failed()
        return super().handle_exception(e)
