from flask import Blueprint

bp = Blueprint("admin", __name__)

from coordinator.blueprints.admin import views  # noqa: E402,F401
from coordinator.blueprints.admin import payers, programs  # noqa: E402,F401
from coordinator.blueprints.admin import api_clients  # noqa: E402,F401
from coordinator.blueprints.admin import reminders  # noqa: E402,F401
from coordinator.blueprints.admin import fee_schedules  # noqa: E402,F401
