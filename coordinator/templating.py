"""Template globals and filters: role-aware navigation, the notification bell, dates in the clinic's time zone."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.exc import SQLAlchemyError

from coordinator.contracts.values import ascii_domain
from coordinator.domain.intake import Substance
from coordinator.roles import Role
from coordinator.security import policy_for

log = logging.getLogger(__name__)

# (label, endpoint, endpoints that highlight it). A link shows only to users whose role
# the endpoint's policy admits, so the menu never offers a page that would answer 403.
NAVIGATION = [
    ("Home", "main.home", ("main.home",)),
    (
        "Inquiries",
        "inquiries.index",
        ("inquiries.index", "inquiries.detail", "inquiries.edit", "inquiries.break_glass"),
    ),
    ("Pipeline board", "board.index", ("board.index",)),
    ("Patients", "care.patients_list", ("care.patients_list", "care.patient")),
    ("Census", "care.census_index", ("care.census_index", "care.census_board", "care.waitlist_page")),
    ("Phone inquiry", "inquiries.new", ("inquiries.new",)),
    ("Billing", "finance.index", ("finance.index",)),
]
# Administration lives under one "Admin" menu so the bar stays on one line.
ADMIN_NAVIGATION = [
    ("Users", "admin.users", ("admin.users", "admin.new_user", "admin.edit_user", "admin.reset_password")),
    (
        "Programs",
        "admin.programs_list",
        ("admin.programs_list", "admin.new_program", "admin.edit_program", "admin.program_beds"),
    ),
    (
        "Fee schedules",
        "admin.fee_schedules_list",
        ("admin.fee_schedules_list", "admin.new_fee_schedule", "admin.edit_fee_schedule"),
    ),
    ("Payers", "admin.payers_list", ("admin.payers_list", "admin.new_payer", "admin.edit_payer")),
    ("Break the glass", "admin.break_glass_log", ("admin.break_glass_log",)),
    ("API clients", "admin.api_clients_list", ("admin.api_clients_list", "admin.new_api_client")),
    ("Audit log", "admin.audit_log", ("admin.audit_log",)),
    ("Reminders", "admin.reminders_list", ("admin.reminders_list",)),
    ("Settings", "admin.reminder_settings", ("admin.reminder_settings", "admin.clinic_settings")),
]


def _visible_items(entries) -> list[tuple[str, str, bool]]:
    items = []
    for label, endpoint, highlights in entries:
        policy = policy_for(current_app, endpoint)
        if policy is not None and policy.admits_role(current_user.role):
            items.append((label, endpoint, request.endpoint in highlights))
    return items


def _may_roam() -> bool:
    return current_user.is_authenticated and not (current_user.must_change_password or current_user.must_enrol_mfa)


def nav_items() -> list[tuple[str, str, bool]]:
    """The menu for the signed-in user: (label, endpoint, is this the current page). None while
    they must change their password or set up a second factor: every page leads back there."""
    if not _may_roam():
        return []
    return _visible_items(NAVIGATION)


def admin_nav_items() -> list[tuple[str, str, bool]]:
    """The "Admin" menu's entries the signed-in user may open (none for most roles)."""
    if not _may_roam():
        return []
    return _visible_items(ADMIN_NAVIGATION)


def unread_notifications() -> int:
    """The bell's count for the signed-in user: one COUNT per request, none for anonymous pages."""
    if not current_user.is_authenticated:
        return 0
    if "unread_notifications" not in g:
        from coordinator.extensions import db
        from coordinator.services import notifications

        try:
            g.unread_notifications = notifications.unread_count(current_user.id)
        except SQLAlchemyError:  # the bell must never take a page (or an error page) down with it
            log.warning("could not count unread notifications")
            db.session.rollback()
            g.unread_notifications = 0
    return g.unread_notifications


def format_datetime(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """Show a UTC timestamp in the clinic's time zone."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return value.astimezone(zone).strftime(fmt)


def format_duration(value: timedelta | None) -> str:
    """A span of time in the largest sensible units: "45 s", "12 min", "3 h 5 min", "2 d 4 h"."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def email_address(value: str | None) -> Markup:
    """An email address as staff see it: an internationalized domain is followed by its punycode
    form, "ana@bücher.example (xn--bcher-kva.example)", so look-alike letters cannot hide."""
    if not value:
        return Markup("")
    ascii_form = ascii_domain(value)
    if ascii_form is None:
        return escape(value)
    return Markup('{} <span class="text-body-secondary text-nowrap" data-punycode>({})</span>').format(
        value, ascii_form
    )


def substance_label(value: str) -> str:
    return Substance(value).label if value in Substance._value2member_map_ else value


def emergency_access(inquiry) -> dict | None:
    """The break-the-glass banner's facts for this page of `inquiry` (`blueprints/glass.banner`)."""
    from coordinator.blueprints import glass

    return glass.banner(inquiry)


def opens_inquiry(inquiry) -> bool:
    """Whether the signed-in user may open `inquiry`'s clinical record (finance breadcrumbs link
    to it only then: billing goes back by the finance pages)."""
    from coordinator.services import finance_access

    return finance_access.opens_inquiry(current_user, inquiry)


def program_label(program) -> str:
    """A program's name with its level of care in brackets, unless the name already says it
    ("Intensive outpatient (IOP)" is not followed by "(Intensive outpatient (IOP))")."""
    level = program.level_of_care.label
    return program.name if level.casefold() in program.name.casefold() else f"{program.name} ({level})"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        nav_items=nav_items,
        admin_nav_items=admin_nav_items,
        Role=Role,
        substance_label=substance_label,
        unread_notifications=unread_notifications,
        emergency_access=emergency_access,
        opens_inquiry=opens_inquiry,
        program_label=program_label,
    )
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["email_address"] = email_address
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
