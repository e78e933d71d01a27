"""The pipeline board: admissions' day at a glance, one column per inquiry status; cards move
through the same lifecycle use case as the record page. Admissions users go on and off duty here."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from coordinator.blueprints.board import views  # noqa: E402,F401
