"""Flask-Login wiring: the browser's cookie only names a server-side session row.

Flask's cookie session is signed, not revocable, so on its own a cookie copied before
logout would keep working. We store a random token in it and check that token's row on
every request; ending the row (logout, idle timeout, absolute lifetime, deactivation,
password reset) makes any copy of the cookie worthless.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, request, session
from flask_login import login_user, logout_user

from coordinator.extensions import login_manager
from coordinator.models import User
from coordinator.services import authentication
from coordinator.transaction import durable

SESSION_KEY = "sid"
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
    # request itself fails and is rolled back.
    result = durable(
        lambda: authentication.check_session(
            token, user_id, current_app.config["IDLE_TIMEOUT"], current_app.config["SESSION_LIFETIME"]
        )
    )
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
