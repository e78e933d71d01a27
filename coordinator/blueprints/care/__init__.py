from flask import Blueprint

bp = Blueprint("care", __name__)

from coordinator.blueprints.care import views  # noqa: E402,F401
from coordinator.blueprints.care import census_views  # noqa: E402,F401
