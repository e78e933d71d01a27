from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from coordinator import security
from coordinator.blueprints.account import bp
from coordinator.blueprints.account.forms import ChangePasswordForm
from coordinator.blueprints.forms import apply_errors
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.services import accounts
from coordinator.sessions import current_token


@bp.route("/password", methods=["GET", "POST"])
@security.during_password_change
@security.any_staff
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user._get_current_object(),
                form.current_password.data,
                form.new_password.data,
                current_app.config["PASSWORD_HASH_PROFILE"],
                current_token=current_token(),
            )
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Your password has been changed. Other sessions of yours were signed out.", "success")
            return redirect(url_for("main.home"))
    return render_template("account/change_password.html", form=form)
