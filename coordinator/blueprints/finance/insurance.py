"""Insurance views: coverages, verifications of benefits, the 270 download, the 271 import,
estimates and authorizations. Services validate and audit; views shape input and commit once.

Every view opens the inquiry through `common.inquiry_or_refuse` (which audits the read and
refuses restricted or read-only access); a coverage, verification or authorization id is loaded
first (404 when it does not exist) and its inquiry checked.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import EDIT_ROLES, READ_ROLES, inquiry_or_refuse
from coordinator.blueprints.finance.insurance_forms import (
    AuthorizationForm,
    ConfirmForm,
    CoverageForm,
    DraftVerificationForm,
    EstimateForm,
    Import271Form,
    VerificationForm,
    line_fields,
)
from coordinator.blueprints.forms import apply_errors
from coordinator.clock import clinic_today as _today
from coordinator.domain.insurance import ServiceLine, SubscriberRelationship
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Coverage
from coordinator.rules import money
from coordinator.services import authorizations, finance_access, insurance

COVERAGE_FIELDS = (
    "rank",
    "payer_id",
    "payer_name",
    "plan_type",
    "plan_name",
    "member_id",
    "group_number",
    "relationship_to_subscriber",
    "subscriber_name",
    "subscriber_dob",
    "subscriber_sex",
    "effective_from",
    "effective_to",
    "notes",
)
VERIFICATION_FIELDS = (
    "status",
    "method",
    "network_status",
    "out_of_network_benefits",
    "payer_reference",
    "payer_contact",
    "plan_begin",
    "plan_end",
    "currency",
    "notes",
)
AUTHORIZATION_FIELDS = (
    "level_of_care",
    "coverage_id",
    "status",
    "auth_number",
    "unit",
    "requested_units",
    "approved_units",
    "start_date",
    "end_date",
    "next_review_date",
    "payer_contact",
)


def _overview(inquiry_id: int):
    return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))


def _posted(names) -> dict:
    return {name: request.form.get(name) for name in names}


def _can_edit() -> bool:
    return _me().role in finance_access.EDITORS


# --- coverages -------------------------------------------------------------------------------------


def _payer_choices(current_payer=None) -> list:
    payers = insurance.active_payers()
    options = [("", "— not listed —")] + [(str(p.id), p.name) for p in payers]
    if current_payer is not None and all(p.id != current_payer.id for p in payers):
        options.append((str(current_payer.id), f"{current_payer.name} (no longer in use)"))
    return choices(options)


def _coverage_page(form, inquiry, coverage, status):
    return render_template("finance/coverage_form.html", form=form, inquiry=inquiry, coverage=coverage), status


@bp.route("/inquiry/<int:inquiry_id>/coverages/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_coverage(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(inquiry_id)
    form = CoverageForm()
    form.payer_id.choices = _payer_choices()
    if request.method == "GET":
        has_primary = any(c.rank.value == "primary" for c in insurance.coverages_for(inquiry))
        form.rank.data = "secondary" if has_primary else "primary"
        form.relationship_to_subscriber.data = SubscriberRelationship.SELF.value
        db.session.commit()
        return _coverage_page(form, inquiry, None, 200)
    if form.validate_on_submit():
        try:
            insurance.add_coverage(_me(), inquiry, _posted(COVERAGE_FIELDS), _today())
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Coverage added.", "success")
            return _overview(inquiry_id)
    return _coverage_page(form, inquiry, None, 400)


def _coverage_or_404(coverage_id: int) -> Coverage:
    coverage = insurance.load_coverage(coverage_id)
    if coverage is None:
        abort(404)
    return coverage


@bp.route("/coverages/<int:coverage_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_coverage(coverage_id: int):
    coverage = _coverage_or_404(coverage_id)
    inquiry = inquiry_or_refuse(coverage.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(coverage.inquiry_id)
    form = CoverageForm(obj=coverage) if request.method == "GET" else CoverageForm()
    form.payer_id.choices = _payer_choices(coverage.payer)
    if request.method == "GET":
        form.rank.data = coverage.rank.value
        form.payer_id.data = str(coverage.payer_id or "")
        form.relationship_to_subscriber.data = coverage.relationship_to_subscriber.value
        for name in ("plan_type", "subscriber_sex"):
            value = getattr(coverage, name)
            getattr(form, name).data = value.value if value else ""
        for name in ("subscriber_dob", "effective_from", "effective_to"):
            value = getattr(coverage, name)
            getattr(form, name).data = value.isoformat() if value else ""
        db.session.commit()
        return _coverage_page(form, inquiry, coverage, 200)
    if form.validate_on_submit():
        try:
            insurance.update_coverage(_me(), coverage, _posted(COVERAGE_FIELDS), _today())
        except ValidationFailed as failure:
            db.session.rollback()
            coverage = _coverage_or_404(coverage_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Coverage saved.", "success")
            return _overview(coverage.inquiry_id)
    return _coverage_page(form, inquiry, coverage, 400)


# --- verifications ---------------------------------------------------------------------------------


def _verification_page(form, inquiry, coverage, verification, status):
    lines = [(line, line_fields(form, line)) for line in ServiceLine]
    return render_template(
        "finance/verification_form.html",
        form=form,
        inquiry=inquiry,
        coverage=coverage,
        verification=verification,
        lines=lines,
    ), status


@bp.route("/coverages/<int:coverage_id>/verifications/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_verification(coverage_id: int):
    coverage = _coverage_or_404(coverage_id)
    inquiry = inquiry_or_refuse(coverage.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(coverage.inquiry_id)
    form = VerificationForm()
    if request.method == "GET":
        db.session.commit()
        return _verification_page(form, inquiry, coverage, None, 200)
    if form.validate_on_submit():
        try:
            verification = insurance.record_verification(
                _me(), coverage, _posted(VERIFICATION_FIELDS), insurance.lines_from_form(request.form), _today()
            )
        except ValidationFailed as failure:
            db.session.rollback()
            coverage = _coverage_or_404(coverage_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Verification recorded.", "success")
            return redirect(url_for("finance.verification", verification_id=verification.id))
    return _verification_page(form, inquiry, coverage, None, 400)


def _verification_or_404(verification_id: int):
    verification = insurance.load_verification(verification_id)
    if verification is None:
        abort(404)
    return verification


@bp.route("/verifications/<int:verification_id>")
@security.roles(*READ_ROLES)
def verification(verification_id: int):
    found = _verification_or_404(verification_id)
    inquiry = inquiry_or_refuse(found.coverage.inquiry_id)
    if inquiry is None:
        return _overview(found.coverage.inquiry_id)
    people = insurance.people_named(found)
    db.session.commit()
    return render_template(
        "finance/verification.html",
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        people=people,
        can_edit=_can_edit() and not inquiry.merged_into_id,
        confirm_form=ConfirmForm(),
        money=money,
    )


@bp.route("/verifications/<int:verification_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_verification(verification_id: int):
    found = _verification_or_404(verification_id)
    inquiry = inquiry_or_refuse(found.coverage.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(found.coverage.inquiry_id)
    if not found.is_draft:
        db.session.commit()
        flash("This verification is confirmed and cannot be changed; record a new verification instead.", "warning")
        return redirect(url_for("finance.verification", verification_id=found.id))
    if request.method == "GET":
        form = DraftVerificationForm(obj=found)
        for name in ("status", "network_status"):
            getattr(form, name).data = getattr(found, name).value
        form.out_of_network_benefits.data = {True: "yes", False: "no"}.get(found.out_of_network_benefits, "")
        form.plan_begin.data = found.plan_begin.isoformat() if found.plan_begin else ""
        form.plan_end.data = found.plan_end.isoformat() if found.plan_end else ""
        _fill_lines(form, found)
        db.session.commit()
        return _verification_page(form, inquiry, found.coverage, found, 200)
    form = DraftVerificationForm()
    if form.validate_on_submit():
        try:
            insurance.update_verification(
                _me(), found, _posted(VERIFICATION_FIELDS), insurance.lines_from_form(request.form)
            )
        except ValidationFailed as failure:
            db.session.rollback()
            found = _verification_or_404(verification_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Draft saved. Confirm it once it matches what the payer said.", "success")
            return redirect(url_for("finance.verification", verification_id=found.id))
    return _verification_page(form, inquiry, found.coverage, found, 400)


def _fill_lines(form, verification) -> None:
    for line in verification.lines:
        fields = line_fields(form, line.service_line)
        for name, field in fields.items():
            value = getattr(line, name)
            if isinstance(value, bool):
                field.data = "yes" if value else "no"
            elif value is None:
                field.data = ""
            elif hasattr(value, "value"):
                field.data = value.value
            else:
                field.data = str(value)


@bp.route("/verifications/<int:verification_id>/confirm", methods=["POST"])
@security.roles(*EDIT_ROLES)
def confirm_verification(verification_id: int):
    found = _verification_or_404(verification_id)
    inquiry = inquiry_or_refuse(found.coverage.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(found.coverage.inquiry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        insurance.confirm_verification(_me(), found)
    except ValidationFailed as failure:
        db.session.rollback()
        flash(failure.message, "warning")
    else:
        db.session.commit()
        flash("Verification confirmed. It now counts toward financial clearance.", "success")
    return redirect(url_for("finance.verification", verification_id=verification_id))


# --- the 270/271 exchange ---------------------------------------------------------------------------


@bp.route("/coverages/<int:coverage_id>/270")
@security.roles(*EDIT_ROLES)
def download_270(coverage_id: int):
    coverage = _coverage_or_404(coverage_id)
    inquiry = inquiry_or_refuse(coverage.inquiry_id, edit=True, purpose="opened_for_270")
    if inquiry is None:
        return _overview(coverage.inquiry_id)
    try:
        built = insurance.build_270_for(_me(), coverage, _today())
    except ValidationFailed as failure:
        db.session.commit()  # keep the audit row of the read; nothing else was written
        return render_template(
            "finance/insurance_270_refused.html",
            inquiry=inquiry,
            coverage=coverage,
            reasons=[message for _, message in failure.reasons],
        ), 400
    db.session.commit()
    return Response(
        built.text, mimetype="text/plain", headers={"Content-Disposition": f'attachment; filename="{built.filename}"'}
    )


@bp.route("/coverages/<int:coverage_id>/271", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def import_271(coverage_id: int):
    coverage = _coverage_or_404(coverage_id)
    inquiry = inquiry_or_refuse(coverage.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(coverage.inquiry_id)
    form = Import271Form()
    if request.method == "GET":
        db.session.commit()
        return render_template("finance/import_271.html", form=form, inquiry=inquiry, coverage=coverage)
    if form.validate_on_submit():
        upload = form.file.data
        limit = current_app.config["X12_MAX_BYTES"]
        content = upload.stream.read(limit + 1)
        try:
            verification = insurance.import_271(_me(), coverage, content, upload.filename)
        except ValidationFailed as failure:
            db.session.rollback()
            coverage = _coverage_or_404(coverage_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("271 imported as a draft. Review it against the file, then confirm it.", "success")
            return redirect(url_for("finance.verification", verification_id=verification.id))
    return render_template("finance/import_271.html", form=form, inquiry=inquiry, coverage=coverage), 400


# --- estimate --------------------------------------------------------------------------------------


@bp.route("/verifications/<int:verification_id>/estimate", methods=["GET", "POST"])
@security.roles(*READ_ROLES)
def estimate(verification_id: int):
    found = _verification_or_404(verification_id)
    inquiry = inquiry_or_refuse(found.coverage.inquiry_id, purpose="estimate_viewed")
    if inquiry is None:
        return _overview(found.coverage.inquiry_id)
    db.session.commit()
    form = EstimateForm()
    form.service_line.choices = choices([(line.service_line.value, line.service_line.label) for line in found.lines])
    result, status = None, 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                result = insurance.estimate_from_form(
                    found, _posted(("service_line", "daily_rate", "days", "authorized_days"))
                )
            except ValidationFailed as failure:
                apply_errors(form, failure)
            else:
                status = 200
    return render_template(
        "finance/estimate.html",
        form=form,
        inquiry=inquiry,
        coverage=found.coverage,
        verification=found,
        result=result,
        money=money,
    ), status


# --- authorizations --------------------------------------------------------------------------------


def _coverage_choices(inquiry) -> list:
    return choices(
        [("", "— none / not known —")]
        + [(str(c.id), f"{c.rank.label} — {c.insurer}") for c in insurance.coverages_for(inquiry)]
    )


def _authorization_page(form, inquiry, auth, status):
    return render_template("finance/authorization_form.html", form=form, inquiry=inquiry, authorization=auth), status


@bp.route("/inquiry/<int:inquiry_id>/authorizations/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_authorization(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(inquiry_id)
    form = AuthorizationForm()
    form.coverage_id.choices = _coverage_choices(inquiry)
    if request.method == "GET":
        db.session.commit()
        return _authorization_page(form, inquiry, None, 200)
    if form.validate_on_submit():
        data = _posted(AUTHORIZATION_FIELDS)
        data["note"] = request.form.get("note")
        try:
            authorizations.record_authorization(_me(), inquiry, data, _today())
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Authorization recorded.", "success")
            return _overview(inquiry_id)
    return _authorization_page(form, inquiry, None, 400)


@bp.route("/authorizations/<int:authorization_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit_authorization(authorization_id: int):
    auth = authorizations.load_authorization(authorization_id)
    if auth is None:
        abort(404)
    inquiry = inquiry_or_refuse(auth.inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _overview(auth.inquiry_id)
    form = AuthorizationForm(obj=auth) if request.method == "GET" else AuthorizationForm()
    form.coverage_id.choices = _coverage_choices(inquiry)
    if request.method == "GET":
        form.note.data = ""
        form.coverage_id.data = str(auth.coverage_id or "")
        for name in ("level_of_care", "status", "unit"):
            getattr(form, name).data = getattr(auth, name).value
        for name in ("requested_units", "approved_units"):
            value = getattr(auth, name)
            getattr(form, name).data = "" if value is None else str(value)
        for name in ("start_date", "end_date", "next_review_date"):
            value = getattr(auth, name)
            getattr(form, name).data = value.isoformat() if value else ""
        db.session.commit()
        return _authorization_page(form, inquiry, auth, 200)
    if form.validate_on_submit():
        try:
            authorizations.update_authorization(
                _me(), auth, _posted(AUTHORIZATION_FIELDS), request.form.get("note"), _today()
            )
        except ValidationFailed as failure:
            db.session.rollback()
            auth = authorizations.load_authorization(authorization_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Authorization updated.", "success")
            return _overview(auth.inquiry_id)
    return _authorization_page(form, inquiry, auth, 400)
