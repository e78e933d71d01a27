"""Pages for the public, with no sign-in: the web inquiry form on the provider's website."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from coordinator.blueprints.public import views  # noqa: E402,F401
