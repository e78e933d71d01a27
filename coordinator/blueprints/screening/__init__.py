from flask import Blueprint

bp = Blueprint("screening", __name__)

from coordinator.blueprints.screening import views  # noqa: E402,F401
