from flask import Blueprint

bp = Blueprint("care", __name__)

# `views` first: it loads the patient services before the census views load the admin blueprint.
from coordinator.blueprints.care import views  # noqa: E402,F401,I001
from coordinator.blueprints.care import census_views  # noqa: E402,F401,I001
