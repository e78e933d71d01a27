import hashlib

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coordinator import security
from coordinator.blueprints.auth import bp
from coordinator.blueprints.auth.forms import LoginForm
from coordinator.blueprints.navigation import is_safe_next
from coordinator.extensions import db, limiter
from coordinator.services import authentication
from coordinator.sessions import begin_session, end_session


def _failed_attempt(response) -> bool:
    # Only failed sign-ins count toward the limits; a success redirects.
    return response.status_code != 302


def _account_key() -> str:
    email = authentication.normalise_email(request.form.get("email", ""))
    return "account:" + hashlib.sha256(email.encode()).hexdigest()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed_attempt, scope="login-ip"
)
@security.public
def login():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authentication.authenticate(
            form.email.data, form.password.data, current_app.config["PASSWORD_HASH_PROFILE"]
        )
        if user is not None:
            begin_session(user)
            db.session.commit()
            if user.must_change_password:
                flash("Choose a new password before you continue.", "info")
                return redirect(url_for("account.change_password"))
            return redirect(next_url if is_safe_next(next_url) else url_for("main.home"))
        db.session.commit()  # keep the login_failed audit row
        form.password.errors.append("The email or password is not correct, or the account is not active.")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@security.during_password_change
@security.any_staff
def logout():
    end_session()
    db.session.commit()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
