"""Signing in (throttled, audited either way): the password, then for accounts with a second
factor the code step; and signing out."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coordinator import security, sign_in_throttle
from coordinator.blueprints.auth import bp
from coordinator.blueprints.auth.forms import CodeForm, LoginForm
from coordinator.blueprints.forms import submit
from coordinator.blueprints.navigation import is_safe_next
from coordinator.contracts.messages import message
from coordinator.extensions import limiter
from coordinator.models import User
from coordinator.services import authentication, mfa
from coordinator.sessions import begin_session, end_session, held_user, hold_for_code, release_hold


def _failed_attempt(response) -> bool:
    # Only failed sign-ins count toward the limits; a success redirects.
    return response.status_code != 302


def _after_sign_in(next_url: str | None) -> str:
    return next_url if is_safe_next(next_url) else url_for("main.home")


def _signed_in(user: User, next_url: str | None):
    begin_session(user)
    if user.must_change_password:
        flash("Choose a new password before you continue.", "info")
        return redirect(url_for("account.change_password"))
    if user.must_enrol_mfa:
        flash("Administrators sign in with a second factor: set it up before you continue.", "info")
        return redirect(url_for("account.mfa"))
    return redirect(_after_sign_in(next_url))


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
        if attempt.user.has_mfa:
            hold_for_code(attempt.user, request.args.get("next"))
            return redirect(url_for("auth.code"))
        return _signed_in(attempt.user, request.args.get("next"))
    if attempt:
        # A refusal is an answer, not an error: the page (and its login_failed row) is committed.
        form.password.errors.append(attempt.refusal)
    return render_template("auth/login.html", form=form)


@bp.route("/code", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["MFA_CODE_LIMIT"],
    key_func=sign_in_throttle.code_key,
    methods=["POST"],
    deduct_when=_failed_attempt,
    scope="login-code",
)
@security.public
def code():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    held = held_user()
    if held is None:
        flash("Sign in again: the time to enter a code ran out.", "warning")
        return redirect(url_for("auth.login"))
    user, next_url = held
    form = CodeForm()
    accepted = submit(form, mfa.check_sign_in_code, user) if form.validate_on_submit() else None
    if accepted is True:
        release_hold()
        return _signed_in(user, next_url)
    if accepted is False:
        # Audited as mfa_code_failed; the page and that row are committed.
        form.code.errors = [*form.code.errors, message("mfa_code_wrong")]
    return render_template("auth/code.html", form=form)


@bp.route("/logout", methods=["POST"])
@security.during_mfa_enrolment
@security.during_password_change
@security.any_staff
def logout():
    end_session()
    flash("You are signed out.", "success")
    return redirect(url_for("auth.login"))
