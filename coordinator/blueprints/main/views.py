"""The home page: what each staff member sees first."""

from flask import current_app, render_template

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance.search import FinanceSearchForm
from coordinator.blueprints.main import bp
from coordinator.clock import clinic_today
from coordinator.services import dashboard


@bp.route("/")
@security.any_staff
def home():
    return render_template(
        "main/home.html",
        summary=dashboard.home_summary(me(), current_app.config, clinic_today()),
        search_form=FinanceSearchForm(formdata=None),
    )
