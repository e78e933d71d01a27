import logging

from flask import current_app, redirect, render_template, url_for
from flask_wtf.csrf import CSRFError

from coordinator import security
from coordinator.blueprints.forms import submit
from coordinator.blueprints.public import bp
from coordinator.blueprints.public.forms import WebInquiryForm
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import Channel
from coordinator.extensions import limiter
from coordinator.services import audit, intake

log = logging.getLogger(__name__)


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
        if submit(form, intake.create_inquiry, audit.ANONYMOUS, channel=Channel.WEB_FORM):
            return redirect(url_for("public.thanks"))
    return render_template("public/inquire.html", form=form), 400 if form.errors else 200


def _discard_automated():
    # Answer exactly as for a real inquiry, so the sender learns nothing; keep no content.
    log.warning("web inquiry discarded: the honeypot field was filled")
    audit.record(audit.ANONYMOUS, AuditAction.WEB_INQUIRY_DISCARDED, "inquiry", None, detail="honeypot field filled")
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
