from flask import Blueprint

bp = Blueprint("care", __name__)

from coordinator.blueprints.care import views  # noqa: E402,F401
