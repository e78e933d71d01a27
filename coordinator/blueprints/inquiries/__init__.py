"""The admissions pipeline: phone intake, the inquiry list, each inquiry's record and timeline."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__)

from coordinator.blueprints.inquiries import views  # noqa: E402,F401
