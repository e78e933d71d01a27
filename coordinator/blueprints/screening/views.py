"""Screening pages for one inquiry, the opioid regimen editor, and the live preview endpoint."""

from __future__ import annotations

from datetime import datetime

from flask import flash, make_response, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.screening import bp, display
from coordinator.blueprints.screening import preview as previews
from coordinator.blueprints.screening.forms import AdministeredForm, RegimenForm
from coordinator.clock import clinic_today as _today
from coordinator.clock import clinic_zone as _zone
from coordinator.contracts import regimen as regimen_contract
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.services import audit, inquiries, screenings

KIND_PATH = "any(" + ", ".join(kind for kind, _ in screenings.KINDS) + ")"
PREVIEW_PATH = "any(mme, " + ", ".join(kind for kind, _ in screenings.KINDS) + ")"
REGIMEN_ROLES = tuple(sorted(screenings.REGIMEN_EDITORS))
RECORDER_ROLES = tuple(sorted(screenings.RECORDER_ROLES))
READER_ROLES = tuple(sorted(inquiries.READERS))
MAX_ECHO = 100  # characters of a posted value shown back in a form


def _open(inquiry_id: int, purpose: str, *, edit: bool = False):
    return inquiries.require_visible(_me(), inquiry_id, purpose=purpose, edit=edit)


def _by_field(reasons) -> tuple[dict[str, list[str]], list[str]]:
    fields: dict[str, list[str]] = {}
    for name, message in reasons:
        fields.setdefault(name or "", []).append(message)
    return fields, [m for name, m in reasons]


@bp.errorhandler(NotPermitted)
def refused(error: NotPermitted):
    # Keep the audit rows that recorded the refusal (restricted record, wrong role).
    db.session.commit()
    inquiry_id = (request.view_args or {}).get("inquiry_id")
    return render_template(
        "screening/refused.html",
        message=error.message,
        inquiry_url=display.inquiry_url(inquiry_id) if inquiry_id else None,
    ), 403


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    db.session.rollback()
    return render_template("errors/error.html", status=404, title="Not found", message=error.message), 404


@bp.route("/inquiry/<int:inquiry_id>")
@security.roles(*READER_ROLES)
def overview(inquiry_id: int):
    inquiry = _open(inquiry_id, "screenings_viewed")
    latest = screenings.latest_for(inquiry.id)
    regimen = screenings.regimen_of(inquiry.id)
    db.session.commit()
    return render_template(
        "screening/overview.html",
        inquiry=inquiry,
        screening_latest=latest,
        regimen=regimen,
        drug_names=display.DRUG_NAMES,
        can_edit_regimen=_me().role in screenings.REGIMEN_EDITORS,
    )


@bp.route(f"/inquiry/<int:inquiry_id>/record/<{KIND_PATH}:kind>", methods=["GET", "POST"])
@security.roles(*RECORDER_ROLES)
def record(inquiry_id: int, kind: str):
    me = _me()
    if not screenings.can_record(me, kind):
        audit.record_refusal(
            me, AuditAction.ACCESS_DENIED, "inquiry", inquiry_id, detail=f"recording {kind} refused for role {me.role}"
        )
        raise NotPermitted(
            f"Your role cannot record a {screenings.SHORT_LABELS[kind]}"
            + (": it is clinician-administered." if kind == "cows" else ".")
        )
    inquiry = _open(inquiry_id, "viewed_for_screening")
    form = AdministeredForm()
    reasons = []
    if request.method == "POST":
        if form.validate():
            try:
                screening = screenings.record(
                    me, inquiry, kind, request.form, today=_today(), administered_at=form.administered_at_utc(_zone())
                )
            except ValidationFailed as failure:
                db.session.rollback()
                inquiry = _open(inquiry_id, "viewed_for_screening")
                reasons = failure.reasons
                form.administered_at.errors = [m for name, m in reasons if name == "administered_at"]
            else:
                db.session.commit()
                flash(f"{screenings.KIND_LABELS[kind]} saved.", "success")
                return redirect(url_for(".view", inquiry_id=inquiry.id, screening_id=screening.id))
        else:
            reasons = [("administered_at", m) for m in form.administered_at.errors] + screenings.problems(
                kind, request.form, today=_today(), mme_per_day=inquiry.mme_per_day
            )
    elif form.administered_at.data is None:
        form.administered_at.data = datetime.now(_zone()).replace(second=0, microsecond=0, tzinfo=None)
    db.session.commit()
    errors, messages = _by_field(reasons)
    live = previews.build(kind, request.form, today=_today(), mme_per_day=inquiry.mme_per_day)
    return render_template(
        "screening/record.html",
        inquiry=inquiry,
        kind=kind,
        label=screenings.KIND_LABELS[kind],
        form=form,
        values=request.form,
        errors=errors,
        messages=messages,
        preview=live,
        checklists=display.checklists(),
        stem=display.STEMS.get(kind),
        questions=display.questions(kind) if kind in screenings.SCORED_ITEMS else (),
    )


@bp.route(f"/inquiry/<int:inquiry_id>/history/<{KIND_PATH}:kind>")
@security.roles(*READER_ROLES)
def history(inquiry_id: int, kind: str):
    inquiry = _open(inquiry_id, "screening_history_viewed")
    rows = [(s, display.describe(s)) for s in screenings.history(inquiry.id, kind)]
    db.session.commit()
    return render_template(
        "screening/history.html",
        inquiry=inquiry,
        kind=kind,
        rows=rows,
        label=screenings.KIND_LABELS[kind],
        can_record=screenings.can_record(_me(), kind),
        limit=screenings.HISTORY_LIMIT,
    )


@bp.route("/inquiry/<int:inquiry_id>/<int:screening_id>")
@security.roles(*READER_ROLES)
def view(inquiry_id: int, screening_id: int):
    inquiry = _open(inquiry_id, "screening_viewed")
    screening = screenings.get(inquiry.id, screening_id)
    db.session.commit()
    return render_template(
        "screening/view.html",
        inquiry=inquiry,
        screening=screening,
        result=display.describe(screening),
        can_record=screenings.can_record(_me(), screening.kind),
    )


def _posted_rows(form) -> list[dict]:
    rows = []
    for i in range(regimen_contract.MAX_LINES):
        row = {
            name: form.get(f"regimen-{i}-{name}", "") for name in ("drug", "dose", "unit", "doses_per_day", "purpose")
        }
        rows.append({k: v[:MAX_ECHO] if isinstance(v, str) else "" for k, v in row.items()})
    while rows and not any(rows[-1].values()):
        rows.pop()
    return rows


@bp.route("/inquiry/<int:inquiry_id>/regimen", methods=["GET", "POST"])
@security.roles(*REGIMEN_ROLES)
def regimen(inquiry_id: int):
    inquiry = _open(inquiry_id, "viewed_for_regimen", edit=True)
    form = RegimenForm()
    reasons = []
    if form.validate_on_submit():
        try:
            result = screenings.set_regimen(_me(), inquiry, request.form)
        except ValidationFailed as failure:
            db.session.rollback()
            inquiry = _open(inquiry_id, "viewed_for_regimen", edit=True)
            reasons = failure.reasons
        else:
            db.session.commit()
            flash(
                "Opioid regimen saved: "
                + (f"{display.plain_number(result.total_mme_per_day)} MME/day." if result else "no opioids recorded."),
                "success",
            )
            return redirect(url_for(".overview", inquiry_id=inquiry.id))
    if request.method == "POST":
        rows = _posted_rows(request.form)
    else:
        rows = [
            {
                "drug": line.drug,
                "dose": display.plain_number(line.dose),
                "unit": line.unit,
                "doses_per_day": line.doses_per_day or "",
                "purpose": line.purpose,
            }
            for line in screenings.regimen_of(inquiry.id)
        ]
    db.session.commit()
    errors, messages = _by_field(reasons)
    live = previews.build("mme", request.form if request.method == "POST" else _as_form(rows), today=_today())
    return render_template(
        "screening/regimen.html", inquiry=inquiry, form=form, rows=rows, errors=errors, messages=messages, preview=live
    )


def _as_form(rows: list[dict]) -> dict:
    return {f"regimen-{i}-{name}": str(value) for i, row in enumerate(rows) for name, value in row.items()}


@bp.route(f"/preview/<{PREVIEW_PATH}:kind>", methods=["POST"])
@security.roles(*RECORDER_ROLES)
def preview(kind: str):
    live = previews.build(kind, request.form, today=_today())
    response = make_response(render_template("screening/_preview.html", preview=live))
    # The script only shows fragments carrying this header (never a login page after a timeout).
    response.headers["X-Preview-Fragment"] = "1"
    return response


@bp.app_template_global("screening_card")
def screening_card(inquiry, latest):
    return display.screening_card(inquiry, latest)


@bp.app_template_global("regimen_choices")
def regimen_choices():
    return display.regimen_choices()


@bp.app_template_global("screening_inquiry_url")
def screening_inquiry_url(inquiry_id: int):
    return display.inquiry_url(inquiry_id)


@bp.app_template_filter("plain_number")
def plain_number(value):
    return display.plain_number(value)
