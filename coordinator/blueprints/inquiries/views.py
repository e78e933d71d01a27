"""The inquiry list, phone intake, editing details, and each inquiry's record page.

Views load (the services raise NotFound / NotPermitted, which the app shows as 404 / 403 pages),
hand a form to one service through `submit`, and redirect; the request commits once.
"""

from __future__ import annotations

import contextlib
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints import glass
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.blueprints.inquiries import bp
from coordinator.blueprints.inquiries.forms import (
    CallForm,
    ConfirmForm,
    EmailForm,
    InquiryEditForm,
    InquiryFilterForm,
    InquiryForm,
    MergeForm,
    NoteForm,
    TaskForm,
    TransitionForm,
)
from coordinator.clock import clinic_context
from coordinator.contracts.pipeline import InquiryFilter
from coordinator.domain.intake import BreakGlassScope, Channel
from coordinator.errors import ValidationFailed
from coordinator.models import utcnow
from coordinator.roles import Role
from coordinator.rules import inquiry_lifecycle as lifecycle
from coordinator.services import (
    clearance,
    duplicates,
    finance_access,
    inquiries,
    inquiry_access,
    intake,
    patients,
    programs,
    screenings,
    tasks,
)

READ_ROLES = tuple(inquiry_access.READERS)
EDIT_ROLES = tuple(inquiry_access.EDITORS)


def assignee_choices(blank: str = "— nobody yet —") -> list[tuple[str, str]]:
    return [("", blank)] + [(str(u.id), u.full_name) for u in inquiries.assignable_users()]


def program_choices(blank: str = "— choose a program —") -> list[tuple[str, str]]:
    return [("", blank)] + [(str(p.id), p.name) for p in programs.active_programs()]


# --- list and intake ---------------------------------------------------------------------------


@bp.route("/")
@security.roles(*READ_ROLES)
def index():
    form = InquiryFilterForm(request.args)
    form.assignee.choices = [("", "Anyone"), ("me", "Me"), ("none", "Nobody")] + assignee_choices()[1:]
    try:
        filters = InquiryFilter.from_form(form, **clinic_context())
    except ValidationFailed:
        flash("Some filters were not understood and were ignored.", "warning")
        form, filters = InquiryFilterForm(formdata=None), InquiryFilter.parse({}, **clinic_context())
        form.assignee.choices = [("", "Anyone")]
    page, rows = inquiries.search(me(), filters, current_app.config["INQUIRIES_PAGE_SIZE"])
    return render_template(
        "inquiries/index.html",
        form=form,
        page=page,
        rows=rows,
        can_create=me().role in inquiry_access.EDITORS,
        now=utcnow(),
    )


def _render_form(form, inquiry, saved_regimen=None):
    rows = [entry.data for entry in form.regimen] if request.method == "POST" else _saved_rows(saved_regimen)
    status = 400 if request.method == "POST" else 200
    return render_template(
        "inquiries/form.html", form=form, inquiry=inquiry, regimen=rows, regimen_errors=form.regimen_errors()
    ), status


def _saved_rows(regimen) -> list[dict]:
    return [
        {
            "drug": line.drug,
            "dose": f"{line.dose.normalize():f}",
            "unit": line.unit,
            "doses_per_day": line.doses_per_day or "",
            "purpose": line.purpose,
        }
        for line in regimen or ()
    ]


@bp.route("/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new():
    form = InquiryForm()
    form.assigned_to_id.choices = assignee_choices()
    if request.method == "GET" and me().role in (Role.ADMISSIONS, Role.CASE_MANAGER):
        form.assigned_to_id.data = str(me().id)
    if request.method == "GET":
        form.caller_on_line.data = True  # most phone intakes are taken live; staff untick a callback request
    if form.validate_on_submit() and (inquiry := submit(form, intake.create_inquiry, me(), channel=Channel.PHONE)):
        flash("Inquiry saved. Screen the patient or log your next step below.", "success")
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    return _render_form(form, None)


def _details_of(inquiry) -> dict:
    """The saved details, as the edit form shows them."""
    data = {name: getattr(inquiry, name) for name in intake.DETAIL_FIELDS}
    referrer = inquiry.referrer
    for name in ("name", "organization", "phone", "email"):
        data[f"referrer_{name}"] = getattr(referrer, name) if referrer else ""
    data.update(
        substances=list(inquiry.substances or ()),
        assigned_to_id=str(inquiry.assigned_to_id or ""),
        is_restricted=inquiry.is_restricted,
    )
    return data


@bp.route("/<int:inquiry_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit(inquiry_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, edit=True, purpose="opened_for_edit")
    form = InquiryEditForm(data=_details_of(inquiry) if request.method == "GET" else None)
    form.assigned_to_id.choices = assignee_choices()
    if form.validate_on_submit() and submit(form, intake.update_inquiry, me(), inquiry):
        flash("Changes saved.", "success")
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    return _render_form(form, inquiry, inquiries.regimen_of(inquiry))


# --- one inquiry --------------------------------------------------------------------------------


def _forms(inquiry, **overrides) -> dict:
    task = TaskForm(formdata=None)
    task.assigned_to_id.data = str(me().id if tasks.may_hold_task(me(), inquiry) else inquiry.assigned_to_id or "")
    transition = TransitionForm(formdata=None)
    transition.program_id.choices = program_choices()
    forms = {
        "call_form": CallForm(formdata=None),
        "email_form": EmailForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "task_form": task,
        "transition_form": transition,
        "merge_form": MergeForm(formdata=None),
        "confirm": ConfirmForm(),
        "failed_action": None,
    }
    forms.update(overrides)
    # Only people who may open the record (for a restricted one: its assignee and administrators).
    forms["task_form"].assigned_to_id.choices = [
        (str(u.id), f"{u.full_name} ({u.role.label})") for u in tasks.possible_assignees(inquiry)
    ]
    return forms


def _asked_admission(form) -> dict:
    """The date and program a refused admit form asked about (what its clearance is shown for)."""
    if form is None or form.action.data != "admit":
        return {}
    asked = {}
    typed = str(form.admit_date.data or "")
    if len(typed) == 10:  # YYYY-MM-DD, as the date input sends it; anything else is shown for today
        with contextlib.suppress(ValueError):
            asked["asked_on"] = date.fromisoformat(typed)
    program = str(form.program_id.data or "")
    if program.isascii() and program.isdigit() and 0 < int(program) < 2**31:
        asked["asked_program_id"] = int(program)
    return asked


def render_detail(inquiry, status: int = 200, **overrides):
    """The record page, with any form that failed shown again with its problems."""
    user = me()
    planned = clearance.for_plan(
        inquiry, clinic_context()["today"], **_asked_admission(overrides.get("transition_form"))
    )
    possible_duplicates = duplicates.shown_on(user, inquiry)
    return render_template(
        "inquiries/detail.html",
        inquiry=inquiry,
        timeline=inquiries.timeline(inquiry),
        tasks=tasks.tasks_for(inquiry),
        duplicates=possible_duplicates,
        suggested_survivor=duplicates.first_visible_match(possible_duplicates),
        admission=inquiries.admission_of(inquiry),
        screening_latest=screenings.latest_for(inquiry.id),
        actions=(actions := lifecycle.allowed_actions(inquiry.status) if inquiry.merged_into_id is None else ()),
        # Returning-patient matches for the admit form (only those the reader may open).
        patient_candidates=patients.candidates(user, inquiry)
        if user.role in inquiry_access.EDITORS and lifecycle.InquiryAction.ADMIT in actions
        else [],
        can_edit=user.role in inquiry_access.EDITORS and inquiry.merged_into_id is None,
        first_contact=inquiries.time_to_first_contact(inquiry),
        lifecycle=lifecycle,
        clearance=planned.clearance,
        planned=planned,
        # A clinical break-the-glass grant does not open the finances: then only cleared / not cleared.
        can_see_finances=finance_access.can_see(user, inquiry),
        now=utcnow(),
        **_forms(inquiry, **overrides),
    ), status


@bp.route("/<int:inquiry_id>")
@security.roles(*READ_ROLES)
def detail(inquiry_id: int):
    access = inquiry_access.open_for(me(), inquiry_id)
    if not access.visible:
        return glass.restricted_page(inquiry_id, BreakGlassScope.CLINICAL, 403)
    return render_detail(access.inquiry)


@bp.route("/<int:inquiry_id>/break-glass", methods=["POST"])
@security.roles(*READ_ROLES)
def break_glass(inquiry_id: int):
    return glass.post(inquiry_id, BreakGlassScope.CLINICAL)


from coordinator.blueprints.inquiries import record_actions  # noqa: E402,F401  (routes on the record page)
