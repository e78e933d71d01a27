from flask import Blueprint

bp = Blueprint("ops", __name__)

from coordinator.blueprints.ops import views  # noqa: E402,F401
