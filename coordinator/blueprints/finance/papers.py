"""The papers a patient can hold: a printable quote and a printable estimate, under the same
clinic header as the statement (`billing.statement`). Each is its own page without the
navigation bar, with a Print button; `static/app.css` has the print rules.

Who may print is who may read the record: finance readers, through `finance_access.require`,
which audits the read (as "quote printed", "estimate printed") and refuses a restricted record
with the 403 page that offers break-the-glass.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import READ_ROLES
from coordinator.clock import clinic_today
from coordinator.contracts.verification import StayEstimateInput
from coordinator.errors import ValidationFailed
from coordinator.rules.money import format_money
from coordinator.services import billing_accounts, clinic_details, estimates, finance_access, quotes, verifications

STAY_FIELDS = ("service_line", "daily_rate", "days", "authorized_days")


@bp.route("/quotes/<int:quote_id>/print")
@security.roles(*READ_ROLES)
def print_quote(quote_id: int):
    quote = quotes.load_quote_for_paper(quote_id)
    inquiry = finance_access.require(me(), billing_accounts.inquiry_id_of(quote), purpose="quote_printed")
    today = clinic_today()
    return render_template(
        "finance/paper_quote.html",
        inquiry=inquiry,
        quote=quote,
        expired=quotes.is_expired(quote, today),
        clinic=clinic_details.current(),
        today=today,
        money=format_money,
    )


@bp.route("/verifications/<int:verification_id>/estimate/print")
@security.roles(*READ_ROLES)
def print_estimate(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id, purpose="estimate_printed")
    back = url_for("finance.estimate", verification_id=found.id)
    if not found.is_confirmed:
        flash("Confirm the verification before printing an estimate for the patient.", "warning")
        return redirect(back)
    try:
        stay = StayEstimateInput.parse({name: request.args.get(name) for name in STAY_FIELDS})
        result = estimates.estimate(found, stay)
    except ValidationFailed as refused:
        flash("The estimate could not be printed: " + " ".join(message for _, message in refused.reasons), "warning")
        return redirect(back)
    return render_template(
        "finance/paper_estimate.html",
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        stay=stay,
        result=result,
        clinic=clinic_details.current(),
        today=clinic_today(),
        money=format_money,
    )
