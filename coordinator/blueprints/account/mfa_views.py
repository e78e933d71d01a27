"""One's own multi-factor sign-in: enrol (secret, otpauth URI and QR code; confirm with a code;
recovery codes shown once), renew recovery codes, switch it off (not administrators)."""

from flask import current_app, flash, redirect, render_template, url_for

from coordinator import security
from coordinator.blueprints.account import bp
from coordinator.blueprints.account.forms import ButtonForm, DisableMfaForm, EnrolForm
from coordinator.blueprints.account.qr import qr_svg
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.services import mfa


@bp.route("/mfa", methods=["GET", "POST"], endpoint="mfa")
@security.during_mfa_enrolment
@security.any_staff
def mfa_page():
    user = me()
    if user.has_mfa:
        return render_template(
            "account/mfa_on.html",
            renew=EnrolForm(prefix="renew"),
            disable=DisableMfaForm(prefix="off"),
            left=mfa.recovery_codes_left(user),
        )
    form = EnrolForm()
    if form.validate_on_submit() and (codes := submit(form, mfa.confirm_enrolment, user)):
        flash("Multi-factor sign-in is on. From now on you enter a code after your password.", "success")
        return render_template("account/mfa_recovery_codes.html", codes=codes)
    enrolment = mfa.start_enrolment(user)
    return render_template(
        "account/mfa_enrol.html", form=form, enrolment=enrolment, qr=qr_svg(enrolment.uri), restart=ButtonForm()
    )


@bp.route("/mfa/restart", methods=["POST"])
@security.during_mfa_enrolment
@security.any_staff
def restart_mfa():
    form = ButtonForm()
    if form.validate_on_submit() and submit(form, mfa.restart_enrolment, me()):
        flash("A new secret was made: add it to your app again.", "info")
    return redirect(url_for("account.mfa"))


@bp.route("/mfa/recovery-codes", methods=["POST"])
@security.any_staff
def renew_recovery_codes():
    form = EnrolForm(prefix="renew")
    if form.validate_on_submit() and (codes := submit(form, mfa.regenerate_recovery_codes, me())):
        flash("New recovery codes: the old ones no longer work.", "success")
        return render_template("account/mfa_recovery_codes.html", codes=codes)
    _flash_problems(form)
    return redirect(url_for("account.mfa"))


@bp.route("/mfa/off", methods=["POST"])
@security.any_staff
def disable_mfa():
    form = DisableMfaForm(prefix="off")
    profile = current_app.config["PASSWORD_HASH_PROFILE"]
    if form.validate_on_submit() and submit(form, mfa.disable, me(), profile=profile):
        flash("Multi-factor sign-in is off.", "success")
        return redirect(url_for("account.mfa"))
    _flash_problems(form)
    return redirect(url_for("account.mfa"))


def _flash_problems(form) -> None:
    """The buttons of the page post here and go back: say on the page why a form was refused."""
    for error in [*form.form_errors, *(error for field in form for error in field.errors)]:
        flash(error, "danger")
