"""The home page: what each staff member sees first; `/login`, the address people guess."""

from flask import current_app, redirect, render_template, request, url_for

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


@bp.route("/login")
@security.public
def login():
    # The sign-in page checks `next` itself (only paths on this site are followed).
    target = request.args.get("next")
    return redirect(url_for("auth.login", next=target) if target else url_for("auth.login"), code=301)
