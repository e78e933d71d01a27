"""Capacity and census (issue 14, items 6 and 8): the programs with their census, a program's
census board for any day (who, by level, with beds; expected admissions and transfers out; the
waitlist), the waitlist page, bed assignments; and the beds administrators keep.

Names appear only for patients the reader may open (`services/census.py`); the board's read is
audited; the request commits once.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp as admin_bp
from coordinator.blueprints.admin.forms import ConfirmForm
from coordinator.blueprints.care import bp
from coordinator.blueprints.care.census_forms import BedAssignmentForm, BedForm, OfferForm, OutcomeForm, WaitlistForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.clock import clinic_today
from coordinator.contracts.census import CensusDay
from coordinator.errors import ValidationFailed
from coordinator.models import Bed
from coordinator.roles import Role
from coordinator.services import census, places, programs, records

BOARD_ROLES = (Role.ADMIN, Role.CASE_MANAGER, Role.CLINICIAN)


def _day() -> tuple:
    """The day asked for (`?on=YYYY-MM-DD`), today when none; a bad date is a 400 with the reason."""
    raw = request.args.get("on", "")
    try:
        return CensusDay.parse({"on": raw}).on or clinic_today(), None
    except ValidationFailed as failure:
        return clinic_today(), "; ".join(message for _, message in failure.reasons)


@bp.route("/census")
@security.roles(*BOARD_ROLES)
def census_index():
    census.require_reader(me())
    today = clinic_today()
    return render_template(
        "care/census_index.html", programs=programs.active_programs(), counts=census.census_counts(today), today=today
    )


def render_board(program, *, assign_form=None, status: int = 200):
    day, problem = _day()
    board = census.board(me(), program, day)
    form = assign_form or BedAssignmentForm(formdata=None)
    form.bed_id.choices = [("", "— a free bed —")] + [(str(b.id), b.name) for b in board.free_beds]
    form.episode_id.choices = [("", "— a patient without a bed —")] + [
        (str(r.episode_id), f"{r.person.name} · {r.person.mrn}") for r in board.rows if r.person.visible and not r.bed
    ]
    return render_template(
        "care/census_board.html",
        board=board,
        day_problem=problem,
        today=clinic_today(),
        assign_form=form,
        can_manage=_can_manage(),
    ), 400 if problem else status


def _can_manage() -> bool:
    return census.may_manage(me())


@bp.route("/census/<int:program_id>")
@security.roles(*BOARD_ROLES)
def census_board(program_id: int):
    return render_board(programs.load(program_id))


@bp.route("/census/<int:program_id>/beds", methods=["POST"])
@security.roles(*BOARD_ROLES)
def assign_bed(program_id: int):
    census.require_manager(me())
    program = programs.load(program_id)
    form = BedAssignmentForm()
    if form.validate_on_submit() and submit(form, places.assign_bed, me(), program, today=clinic_today()):
        flash("Bed assigned.", "success")
        return redirect(url_for(".census_board", program_id=program.id))
    return render_board(program, assign_form=form, status=400)


def render_waitlist(program, *, add_form=None, status: int = 200):
    census.require_reader(me())
    rows = places.waitlist(me(), program.id)
    free = [b for b in places.beds_of(program.id) if b.id in set(places.free_bed_ids(program.id))]
    offer_form = OfferForm(formdata=None)
    offer_form.bed_id.choices = [("", "— the first free bed —")] + [(str(b.id), b.name) for b in free]
    return render_template(
        "care/waitlist.html",
        program=program,
        rows=rows,
        free_beds=free,
        add_form=add_form or WaitlistForm(formdata=None),
        offer_form=offer_form,
        outcome_form=OutcomeForm(formdata=None),
        can_manage=_can_manage(),
    ), status


@bp.route("/census/<int:program_id>/waitlist", methods=["GET", "POST"])
@security.roles(*BOARD_ROLES)
def waitlist_page(program_id: int):
    program = programs.load(program_id)
    if request.method == "GET":
        return render_waitlist(program)
    census.require_manager(me())
    form = WaitlistForm()
    if form.validate_on_submit() and submit(form, places.add_to_waitlist, me(), program):
        flash("Added to the waitlist.", "success")
        return redirect(url_for(".waitlist_page", program_id=program.id))
    return render_waitlist(program, add_form=form, status=400)


def _button(form, operation, program, entry_id: int, done: str):
    census.require_manager(me())
    if form.validate_on_submit() and submit(form, operation, me(), program, entry_id, today=clinic_today()):
        flash(done, "success")
        return redirect(url_for(".waitlist_page", program_id=program.id))
    for message in form.form_errors:
        flash(message, "danger")
    for errors in form.errors.values():
        for message in errors if isinstance(errors, list) else []:
            flash(message, "danger")
    return render_waitlist(program, status=400)


@bp.route("/census/<int:program_id>/waitlist/<int:entry_id>/offer", methods=["POST"])
@security.roles(*BOARD_ROLES)
def offer_place(program_id: int, entry_id: int):
    return _button(OfferForm(), places.offer, programs.load(program_id), entry_id, "Place offered.")


@bp.route("/census/<int:program_id>/waitlist/<int:entry_id>/outcome", methods=["POST"])
@security.roles(*BOARD_ROLES)
def close_waitlist_entry(program_id: int, entry_id: int):
    return _button(OutcomeForm(), places.close_entry, programs.load(program_id), entry_id, "Outcome recorded.")


# --- beds, kept by administrators ------------------------------------------------------------------


@admin_bp.route("/programs/<int:program_id>/beds", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def program_beds(program_id: int):
    program = programs.load(program_id)
    form = BedForm() if request.method == "POST" else BedForm(formdata=None)
    if request.method == "POST" and form.validate_on_submit() and submit(form, places.add_bed, me(), program):
        flash("Bed added.", "success")
        return redirect(url_for("admin.program_beds", program_id=program.id))
    beds = places.beds_of(program.id, active_only=False)
    status = 400 if request.method == "POST" else 200
    return render_template("admin/program_beds.html", program=program, beds=beds, form=form), status


@admin_bp.route("/beds/<int:bed_id>/active", methods=["POST"])
@security.roles(Role.ADMIN)
def toggle_bed(bed_id: int):
    bed = records.load(Bed, bed_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    places.set_bed_active(me(), bed, not bed.is_active)
    flash("Bed updated.", "success")
    return redirect(url_for("admin.program_beds", program_id=bed.program_id))
