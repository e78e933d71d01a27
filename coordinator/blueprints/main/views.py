from flask import current_app, render_template
from flask_login import current_user

from coordinator import security
from coordinator.blueprints.main import bp
from coordinator.services import dashboard


@bp.route("/")
@security.any_staff
def home():
    summary = dashboard.home_summary(current_user._get_current_object(), current_app.config)
    return render_template("main/home.html", summary=summary)
