"""Insurance views: coverages, verifications of benefits, the 270 download, the 271 import,
estimates and authorizations. Each reads "load, call, redirect".

A coverage, verification or authorization is loaded first (a 404 page when it does not exist),
then its inquiry is opened with `finance_access.require`, which audits the read and refuses with
a 403 page (restricted records offer break-the-glass there). Forms run their use case through
`forms.submit`; the request commits once (`coordinator/transaction.py`).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import EDIT_ROLES, READ_ROLES
from coordinator.blueprints.finance.insurance_forms import (
    AuthorizationForm,
    ConfirmVerificationForm,
    CoverageForm,
    DiscardVerificationForm,
    DraftVerificationForm,
    EstimateForm,
    Import271Form,
    VerificationForm,
)
from coordinator.blueprints.forms import submit
from coordinator.contracts.messages import message
from coordinator.rules import money
from coordinator.services import (
    authorizations,
    coverages,
    eligibility,
    estimates,
    finance_access,
    verifications,
)

CHANGE = "opened_for_change"


def _overview(inquiry_id: int):
    return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))


def _to_verification(verification_id: int):
    return redirect(url_for("finance.verification", verification_id=verification_id))


def _page(template: str, form, **context):
    """A form page: 400 when the form carries problems, so a failed post is not a success."""
    return render_template(template, form=form, **context), 400 if form.errors else 200


# --- coverages -------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/coverages/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_coverage(inquiry_id: int):
    inquiry = finance_access.require(me(), inquiry_id, edit=True, purpose=CHANGE)
    form = CoverageForm() if request.method == "POST" else CoverageForm(rank=coverages.next_rank(inquiry))
    form.offer_payers(coverages.active_payers())
    if form.validate_on_submit() and submit(form, coverages.add_coverage, me(), inquiry):
        flash("Coverage added.", "success")
        return _overview(inquiry.id)
    return _page("finance/coverage_form.html", form, inquiry=inquiry, coverage=None)


@bp.route("/coverages/<int:coverage_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_coverage(coverage_id: int):
    coverage = coverages.load_coverage(coverage_id)
    inquiry = finance_access.require(me(), coverage.inquiry_id, edit=True, purpose=CHANGE)
    form = CoverageForm() if request.method == "POST" else CoverageForm(obj=coverage)
    form.offer_payers(coverages.active_payers(), coverage.payer)
    if form.validate_on_submit() and submit(form, coverages.update_coverage, me(), coverage):
        flash("Coverage saved.", "success")
        return _overview(inquiry.id)
    return _page("finance/coverage_form.html", form, inquiry=inquiry, coverage=coverage)


# --- verifications ---------------------------------------------------------------------------------


@bp.route("/coverages/<int:coverage_id>/verifications/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_verification(coverage_id: int):
    coverage = coverages.load_coverage(coverage_id)
    inquiry = finance_access.require(me(), coverage.inquiry_id, edit=True, purpose=CHANGE)
    form = VerificationForm()
    recorded = form.validate_on_submit() and submit(form, verifications.record_verification, me(), coverage)
    if recorded:
        flash("Verification recorded.", "success")
        return _to_verification(recorded.id)
    return _page("finance/verification_form.html", form, inquiry=inquiry, coverage=coverage, verification=None)


@bp.route("/verifications/<int:verification_id>")
@security.roles(*READ_ROLES)
def verification(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id)
    return render_template(
        "finance/verification.html",
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        people=verifications.people_named(found),
        can_edit=finance_access.can_edit(me(), inquiry),
        mismatches=verifications.identity_mismatches(found) if found.source_271 else [],
        money=money,
    )


@bp.route("/verifications/<int:verification_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_verification(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id, edit=True, purpose=CHANGE)
    if not found.is_draft:
        flash(message("verification_confirmed" if found.is_confirmed else "verification_not_draft"), "warning")
        return _to_verification(found.id)
    if request.method == "POST":
        form = DraftVerificationForm()
    else:
        form = DraftVerificationForm(obj=found, **verifications.lines_by_service(found))
    if form.validate_on_submit() and submit(form, verifications.update_verification, me(), found):
        flash("Draft saved. Confirm it once it matches what the payer said.", "success")
        return _to_verification(found.id)
    return _page("finance/verification_form.html", form, inquiry=inquiry, coverage=found.coverage, verification=found)


@bp.route("/verifications/<int:verification_id>/confirm", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def confirm_verification(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id, edit=True, purpose=CHANGE)
    if not found.is_draft:
        flash(message("verification_already_confirmed" if found.is_confirmed else "verification_not_draft"), "warning")
        return _to_verification(found.id)
    form = ConfirmVerificationForm()
    if form.validate_on_submit() and submit(form, verifications.confirm_verification, me(), found):
        flash("Verification confirmed. It now counts toward financial clearance.", "success")
        return _to_verification(found.id)
    return _page(
        "finance/verification_confirm.html",
        form,
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        missing=verifications.confirmation_problems(found),
        mismatches=verifications.identity_mismatches(found),
        money=money,
    )


@bp.route("/verifications/<int:verification_id>/discard", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def discard_verification(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id, edit=True, purpose=CHANGE)
    if not found.is_open:
        flash(message("verification_not_open"), "warning")
        return _to_verification(found.id)
    form = DiscardVerificationForm()
    if form.validate_on_submit() and submit(form, verifications.discard_verification, me(), found):
        flash("Discarded. It stays on the record with your reason and no longer waits for review.", "success")
        return _overview(inquiry.id)
    return _page(
        "finance/verification_discard.html", form, inquiry=inquiry, coverage=found.coverage, verification=found
    )


# --- the 270/271 exchange ---------------------------------------------------------------------------


@bp.route("/coverages/<int:coverage_id>/270")
@security.roles(*EDIT_ROLES)
def download_270(coverage_id: int):
    coverage = coverages.load_coverage(coverage_id)
    inquiry = finance_access.require(me(), coverage.inquiry_id, edit=True, purpose="opened_for_270")
    built = eligibility.build_270_for(me(), coverage)
    if built.refusals:
        return render_template(
            "finance/insurance_270_refused.html", inquiry=inquiry, coverage=coverage, reasons=built.refusals
        ), 400
    attachment = {"Content-Disposition": f'attachment; filename="{built.filename}"'}
    return Response(built.text, mimetype="text/plain", headers=attachment)


@bp.route("/coverages/<int:coverage_id>/271", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def import_271(coverage_id: int):
    coverage = coverages.load_coverage(coverage_id)
    inquiry = finance_access.require(me(), coverage.inquiry_id, edit=True, purpose=CHANGE)
    form = Import271Form()
    draft = form.validate_on_submit() and submit(form, eligibility.import_271, me(), coverage, form.file.data)
    if draft:
        flash("271 imported as a draft. Review it against the file, then confirm it.", "success")
        return _to_verification(draft.id)
    return _page("finance/import_271.html", form, inquiry=inquiry, coverage=coverage)


# --- estimate --------------------------------------------------------------------------------------


@bp.route("/verifications/<int:verification_id>/estimate", methods=["GET", "POST"])
@security.roles(*READ_ROLES)
def estimate(verification_id: int):
    found = verifications.load_verification(verification_id)
    inquiry = finance_access.require(me(), found.coverage.inquiry_id, purpose="estimate_viewed")
    form = EstimateForm()
    form.offer_lines(found)
    result = form.validate_on_submit() and submit(form, estimates.estimate, found)
    return _page(
        "finance/estimate.html",
        form,
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        result=result or None,
        money=money,
    )


# --- authorizations --------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/authorizations/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_authorization(inquiry_id: int):
    inquiry = finance_access.require(me(), inquiry_id, edit=True, purpose=CHANGE)
    form = AuthorizationForm()
    form.offer(coverages.coverages_for(inquiry))
    if form.validate_on_submit() and submit(form, authorizations.record_authorization, me(), inquiry):
        flash("Authorization recorded.", "success")
        return _overview(inquiry.id)
    return _page("finance/authorization_form.html", form, inquiry=inquiry, authorization=None)


@bp.route("/authorizations/<int:authorization_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_authorization(authorization_id: int):
    auth = authorizations.load_authorization(authorization_id)
    inquiry = finance_access.require(me(), auth.inquiry_id, edit=True, purpose=CHANGE)
    form = AuthorizationForm() if request.method == "POST" else AuthorizationForm(obj=auth)
    form.offer(coverages.coverages_for(inquiry), auth.status)
    if form.validate_on_submit() and submit(form, authorizations.update_authorization, me(), auth):
        flash("Authorization updated.", "success")
        return _overview(inquiry.id)
    return _page("finance/authorization_form.html", form, inquiry=inquiry, authorization=auth)
