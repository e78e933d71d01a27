from flask import Blueprint

bp = Blueprint("admin", __name__)

from coordinator.blueprints.admin import (  # noqa: E402,F401
    api_clients,  # noqa: E402,F401
    care_settings,
    clinic_details,
    fee_schedules,  # noqa: E402,F401
    payers,
    programs,
    reminders,  # noqa: E402,F401
    views,  # noqa: E402,F401
)
