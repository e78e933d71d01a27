"""Flask-Login wiring: the browser's cookie only names a server-side session row.

Flask's cookie session is signed, not revocable, so on its own a cookie copied before
logout would keep working. We store a random token in it and check that token's row on
every request; ending the row (logout, idle timeout, absolute lifetime, deactivation,
password reset) makes any copy of the cookie worthless.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, g, request, session
from flask_login import login_user, logout_user

from coordinator import sign_in_throttle
from coordinator.extensions import login_manager
from coordinator.models import User
from coordinator.services import authentication
from coordinator.transaction import durable, retry_if_disconnected

SESSION_KEY = "sid"
# Between a right password and the code of a multi-factor sign-in: who, since when, where to go.
HELD_KEY = "mfa_held"
_ENDED_MESSAGES = {
    "idle": "You were signed out after {minutes} minutes without activity. Please sign in again.",
    "expired": "Your session reached its maximum length. Please sign in again.",
    "deactivated": "This account has been deactivated.",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None

    # The check may end an expired session or refresh last_seen_at: keep that even when the
    # request itself fails and is rolled back. It is the request's first statement, so it is
    # retried once if the pooled connection turns out to be dead (no pre-ping).
    def check():
        return authentication.check_session(
            token, user_id, current_app.config["IDLE_TIMEOUT"], current_app.config["SESSION_LIFETIME"]
        )

    result = durable(lambda: retry_if_disconnected(check))
    if result.user is None:
        session.pop(SESSION_KEY, None)
        if result.ended_reason:
            g.session_ended_reason = result.ended_reason
    return result.user


def begin_session(user: User) -> None:
    """Sign the user in on this browser with a fresh session (the caller commits)."""
    session.clear()  # a new session on every sign-in: no fixation
    token = authentication.open_session(user, request.remote_addr, request.headers.get("User-Agent"))
    session[SESSION_KEY] = token
    login_user(user, remember=False)


def end_session() -> None:
    """Sign the current browser out and end its server-side session (the caller commits)."""
    token = session.get(SESSION_KEY)
    if token:
        authentication.close_session(token)
    logout_user()
    session.clear()


def hold_for_code(user: User, next_url: str | None) -> None:
    """Half sign-in: the password was right, the code is still to come. The signed cookie only
    names the account; it grants nothing (no session row, no `current_user`) and lapses after
    `MFA_PENDING_SECONDS`."""
    session.clear()
    session[HELD_KEY] = {
        "uid": user.id,
        "account": sign_in_throttle.account_digest(user.email),
        "at": int(time.time()),
        "next": next_url or "",
    }


def _held() -> dict | None:
    held = session.get(HELD_KEY)
    if not isinstance(held, dict):
        return None
    if time.time() - held.get("at", 0) >= current_app.config["MFA_PENDING_SECONDS"]:
        session.pop(HELD_KEY, None)
        return None
    return held


def held_user() -> tuple[User, str] | None:
    """The account waiting for its code and where to go after, or None (none, or it lapsed)."""
    held = _held()
    user = held and authentication.user_awaiting_code(held["uid"])
    return (user, held["next"]) if user else None


def held_account() -> str | None:
    held = _held()
    return held["account"] if held else None


def release_hold() -> None:
    session.pop(HELD_KEY, None)


def current_token() -> str | None:
    return session.get(SESSION_KEY)


def flash_session_end() -> None:
    """Tell a user who was just signed out by the server why."""
    reason = g.pop("session_ended_reason", None)
    if reason in _ENDED_MESSAGES:
        minutes = int(current_app.config["IDLE_TIMEOUT"].total_seconds() // 60)
        flash(_ENDED_MESSAGES[reason].format(minutes=minutes), "warning")


def init_sessions(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
