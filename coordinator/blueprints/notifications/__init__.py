"""In-app notifications: each staff member's own list, and marking them read (the navbar bell)."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)

from coordinator.blueprints.notifications import views  # noqa: E402,F401
