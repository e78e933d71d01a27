"""Screening pages for one inquiry, the opioid regimen editor, and the live preview endpoint.

Every page opens the inquiry through `inquiry_access.require_visible` (the read is audited; a
restricted record, a missing one or a role that may not change it is refused by the app-wide
error pages). The request is committed or rolled back after the view (`coordinator/transaction`).
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.blueprints.screening import bp, display
from coordinator.blueprints.screening import preview as previews
from coordinator.blueprints.screening.forms import PREVIEW_FORMS, RECORD_FORMS, RegimenForm
from coordinator.services import inquiry_access, screenings

KIND_PATH = "any(" + ", ".join(kind for kind, _ in screenings.KINDS) + ")"
PREVIEW_PATH = "any(mme, " + ", ".join(kind for kind, _ in screenings.KINDS) + ")"
REGIMEN_ROLES = tuple(sorted(screenings.REGIMEN_EDITORS))
RECORDER_ROLES = tuple(sorted(screenings.RECORDER_ROLES))
READER_ROLES = tuple(sorted(inquiry_access.READERS))


@bp.route("/inquiry/<int:inquiry_id>")
@security.roles(*READER_ROLES)
def overview(inquiry_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, purpose="screenings_viewed")
    return render_template(
        "screening/overview.html",
        inquiry=inquiry,
        screening_latest=screenings.latest_for(inquiry.id),
        regimen=screenings.regimen_of(inquiry.id),
        drug_names=display.DRUG_NAMES,
        can_edit_regimen=screenings.can_edit_regimen(me()),
    )


@bp.route(f"/inquiry/<int:inquiry_id>/record/<{KIND_PATH}:kind>", methods=["GET", "POST"])
@security.roles(*RECORDER_ROLES)
def record(inquiry_id: int, kind: str):
    screenings.require_recorder(me(), kind, inquiry_id)
    inquiry = inquiry_access.require_visible(me(), inquiry_id, purpose="viewed_for_screening")
    form = RECORD_FORMS[kind]()
    if form.validate_on_submit() and (screening := submit(form, screenings.record, me(), inquiry)):
        flash(f"{screenings.KIND_LABELS[kind]} saved.", "success")
        return redirect(url_for(".view", inquiry_id=inquiry.id, screening_id=screening.id))
    return render_template(
        "screening/record.html",
        inquiry=inquiry,
        kind=kind,
        label=screenings.KIND_LABELS[kind],
        form=form,
        preview=previews.live(kind, form, mme_per_day=inquiry.mme_per_day),
        checklists=display.checklists(),
        stem=display.STEMS.get(kind),
        questions=display.questions(kind),
    )


@bp.route(f"/inquiry/<int:inquiry_id>/history/<{KIND_PATH}:kind>")
@security.roles(*READER_ROLES)
def history(inquiry_id: int, kind: str):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, purpose="screening_history_viewed")
    return render_template(
        "screening/history.html",
        inquiry=inquiry,
        kind=kind,
        rows=[(s, display.describe(s)) for s in screenings.history(inquiry.id, kind)],
        label=screenings.KIND_LABELS[kind],
        can_record=screenings.can_record(me(), kind),
        limit=screenings.HISTORY_LIMIT,
    )


@bp.route("/inquiry/<int:inquiry_id>/<int:screening_id>")
@security.roles(*READER_ROLES)
def view(inquiry_id: int, screening_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, purpose="screening_viewed")
    screening = screenings.get(inquiry.id, screening_id)
    return render_template(
        "screening/view.html",
        inquiry=inquiry,
        screening=screening,
        result=display.describe(screening),
        can_record=screenings.can_record(me(), screening.kind),
    )


@bp.route("/inquiry/<int:inquiry_id>/regimen", methods=["GET", "POST"])
@security.roles(*REGIMEN_ROLES)
def regimen(inquiry_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, purpose="viewed_for_regimen", edit=True)
    stored = display.regimen_data(screenings.regimen_of(inquiry.id)) if request.method == "GET" else None
    form = RegimenForm(data=stored)
    if form.validate_on_submit() and submit(form, screenings.set_regimen, me(), inquiry):
        flash(display.regimen_saved(inquiry.mme_per_day), "success")
        return redirect(url_for(".overview", inquiry_id=inquiry.id))
    return render_template("screening/regimen.html", inquiry=inquiry, form=form, preview=previews.live("mme", form))


@bp.route(f"/preview/<{PREVIEW_PATH}:kind>", methods=["POST"])
@security.roles(*RECORDER_ROLES)
def preview(kind: str):
    live = previews.live(kind, PREVIEW_FORMS[kind]())
    response = make_response(render_template("screening/_preview.html", preview=live))
    # The script only shows fragments carrying this header (never a login page after a timeout).
    response.headers["X-Preview-Fragment"] = "1"
    return response


@bp.context_processor
def form_helpers():
    return {"form_problems": display.form_problems, "regimen_form_rows": display.regimen_form_rows}


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
