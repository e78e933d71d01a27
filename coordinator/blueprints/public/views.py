import logging

from flask import current_app, redirect, render_template, url_for
from flask_wtf.csrf import CSRFError

from coordinator import security
from coordinator.blueprints.forms import apply_errors
from coordinator.blueprints.public import bp
from coordinator.blueprints.public.forms import WebInquiryForm, form_field_for
from coordinator.clock import clinic_today
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import Channel
from coordinator.errors import ValidationFailed
from coordinator.extensions import db, limiter
from coordinator.services import audit, intake

log = logging.getLogger(__name__)

# The intake service words its messages for staff; visitors read these instead (same rules).
VISITOR_WORDING = {
    "Enter the prospective patient's name (a first name is enough to start).": "Please tell us their name (a first name is enough).",
    "Choose how the inquiry was referred.": "Please tell us how you heard about us.",
    "Give at least one phone number or email address so we can call back.": "Please give us a phone number or an email address, so we can get back to you.",
}
# The same for the optional insurance details (intake.clean_insurance).
INSURANCE_VISITOR_WORDING = {
    "Enter the insurance company's name as printed on the card (it is needed with any other insurance detail).": "Please tell us the name of the insurance company, as printed on the card (or leave all the "
    "insurance answers empty).",
    "Say how the patient is related to the insured person named here.": "Please tell us whose name the insurance is in.",
    "Leave this empty when the patient is the insured person, or choose how the patient is related to the insured.": "Leave this empty if the insurance is in the name of the person who needs help, or tell us whose name "
    "it is in.",
    "Enter the insured person's name as printed on the card (needed when the patient is not the insured).": "Please give the policyholder's name, as printed on the card.",
    "Enter the insured person's date of birth (needed when the patient is not the insured).": "Please give the policyholder's date of birth.",
}


def _for_visitors(failure: ValidationFailed) -> ValidationFailed:
    """The service's problems in visitors' words, each named after the form field that shows it."""
    wording = {**VISITOR_WORDING, **INSURANCE_VISITOR_WORDING}
    return ValidationFailed(
        [(form_field_for(field), wording.get(message, message)) for field, message in failure.reasons]
    )


def _accepted(response) -> bool:
    # Only submissions that reach the thank-you page count toward the limit, so a visitor
    # correcting a mistake is not held up; a bot's every "success" counts.
    return response.status_code == 302


@bp.route("/inquire", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["WEB_INQUIRY_LIMIT"], methods=["POST"], deduct_when=_accepted, scope="web-inquiry"
)
@security.public
def inquire():
    form = WebInquiryForm()
    if form.validate_on_submit():
        if form.looks_automated():
            return _discard_automated()
        today = clinic_today()
        try:
            intake.create_inquiry(audit.ANONYMOUS, form.inquiry_data(), channel=Channel.WEB_FORM, today=today)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, _for_visitors(failure))
        else:
            db.session.commit()
            return redirect(url_for("public.thanks"))
    return render_template("public/inquire.html", form=form), 400 if form.errors else 200


def _discard_automated():
    # Answer exactly as for a real inquiry, so the sender learns nothing; keep no content.
    log.warning("web inquiry discarded: the honeypot field was filled")
    audit.record(audit.ANONYMOUS, AuditAction.WEB_INQUIRY_DISCARDED, "inquiry", None, detail="honeypot field filled")
    db.session.commit()
    return redirect(url_for("public.thanks"))


@bp.route("/inquire/thanks")
@security.public
def thanks():
    return render_template("public/thanks.html")


@bp.errorhandler(429)
def too_many(_error):
    # Only posts are limited: show the visitor's answers again, so nothing they wrote is lost.
    return render_template("public/inquire.html", form=WebInquiryForm(), limited=True), 429


@bp.errorhandler(CSRFError)
def form_expired(_error):
    log.warning("CSRF check failed on the public inquiry form")
    return render_template(
        "public/problem.html",
        title="This form has expired",
        message="The page was open for a long time, or your browser blocked a cookie this form "
        "needs. Nothing was sent. Please open the form again and resend your message.",
        retry=True,
    ), 400
