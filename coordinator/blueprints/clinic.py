"""Who is signed in, for every blueprint (the clinic's clock is `coordinator.clock`)."""

from __future__ import annotations

from flask_login import current_user


def me():
    """The signed-in staff user (the real object, not Flask-Login's proxy)."""
    return current_user._get_current_object()
