from flask import Blueprint

bp = Blueprint("account", __name__)

from coordinator.blueprints.account import mfa_views, views  # noqa: E402,F401
