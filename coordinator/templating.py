"""Template globals and filters: role-aware navigation, dates in the clinic's time zone."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request
from flask_login import current_user

from coordinator.roles import Role
from coordinator.security import policy_for

# (label, endpoint, endpoints that highlight it). A link shows only to users whose role
# the endpoint's policy admits, so the menu never offers a page that would answer 403.
NAVIGATION = [
    ("Home", "main.home", ("main.home",)),
    ("Users", "admin.users", ("admin.users", "admin.new_user", "admin.edit_user", "admin.reset_password")),
    ("Audit log", "admin.audit_log", ("admin.audit_log",)),
]


def nav_items() -> list[tuple[str, str, bool]]:
    """The menu for the signed-in user: (label, endpoint, is this the current page)."""
    if not current_user.is_authenticated:
        return []
    items = []
    for label, endpoint, highlights in NAVIGATION:
        policy = policy_for(current_app, endpoint)
        if policy is not None and policy.admits_role(current_user.role):
            items.append((label, endpoint, request.endpoint in highlights))
    return items


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Show a UTC timestamp in the clinic's time zone."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return value.astimezone(zone).strftime(fmt)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(nav_items=nav_items, Role=Role)
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
