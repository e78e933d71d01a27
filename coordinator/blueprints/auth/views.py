"""Signing in (throttled, audited either way) and signing out."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coordinator import security, sign_in_throttle
from coordinator.blueprints.auth import bp
from coordinator.blueprints.auth.forms import LoginForm
from coordinator.blueprints.forms import submit
from coordinator.blueprints.navigation import is_safe_next
from coordinator.extensions import limiter
from coordinator.services import authentication
from coordinator.sessions import begin_session, end_session


def _failed_attempt(response) -> bool:
    # Only failed sign-ins count toward the limits; a success redirects.
    return response.status_code != 302


def _after_sign_in(next_url: str | None) -> str:
    return next_url if is_safe_next(next_url) else url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=sign_in_throttle.account_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_IP"],
    key_func=sign_in_throttle.account_ip_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-account-ip",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed_attempt, scope="login-ip"
)
@security.public
def login():
    if current_user.is_authenticated:
        return redirect(_after_sign_in(request.args.get("next")))
    form = LoginForm()
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    attempt = form.validate_on_submit() and submit(form, authentication.authenticate, profile=profile)
    if attempt and attempt.user is not None:
        begin_session(attempt.user)
        if attempt.user.must_change_password:
            flash("Choose a new password before you continue.", "info")
            return redirect(url_for("account.change_password"))
        return redirect(_after_sign_in(request.args.get("next")))
    if attempt:
        # A refusal is an answer, not an error: the page (and its login_failed row) is committed.
        form.password.errors.append(attempt.refusal)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@security.during_password_change
@security.any_staff
def logout():
    end_session()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
