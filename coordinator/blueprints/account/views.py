"""One's own account: changing one's password."""

from flask import current_app, flash, redirect, render_template, url_for

from coordinator import security
from coordinator.blueprints.account import bp
from coordinator.blueprints.account.forms import ChangePasswordForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.services import accounts
from coordinator.sessions import current_token


@bp.route("/password", methods=["GET", "POST"])
@security.during_password_change
@security.any_staff
def change_password():
    form = ChangePasswordForm()
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    if form.validate_on_submit() and submit(
        form, accounts.change_own_password, me(), profile=profile, current_token=current_token()
    ):
        flash("Your password has been changed. Other sessions of yours were signed out.", "success")
        return redirect(url_for("main.home"))
    return render_template("account/change_password.html", form=form)
