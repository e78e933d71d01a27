"""The patient page (every episode as a timeline of level-of-care segments) and placement on an
inquiry (ASAM assessments, the recommendation, the decision).

Every page opens its record through `patient_access` / `inquiry_access` (the read is audited; a
restricted record is refused with a way to break the glass); the request commits once.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.care import bp
from coordinator.blueprints.care.forms import AssessmentForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.clock import clinic_today
from coordinator.errors import NotFound
from coordinator.rules import asam_dimensions
from coordinator.services import inquiry_access, patient_access, patients, placement

READER_ROLES = tuple(sorted(patient_access.READERS))


@bp.route("/patients/<int:patient_id>")
@security.roles(*READER_ROLES)
def patient(patient_id: int):
    record = patient_access.require_visible(me(), patient_id)
    return render_template(
        "care/patient.html", patient=record, episodes=patients.episodes_of(record), today=clinic_today()
    )


# --- placement on an inquiry --------------------------------------------------------------------


def _open_episode(inquiry_id: int, purpose: str):
    """The inquiry and its episode, the read audited on the patient (`purpose`); an inquiry not
    admitted yet is opened (and audited) as an inquiry, with no episode."""
    inquiry = inquiry_access.load(inquiry_id)
    episode = placement.episode_of(inquiry)
    if episode is None:
        return inquiry_access.require_visible(me(), inquiry_id), None
    patient_access.require_visible(me(), episode.patient_id, purpose=purpose)
    return inquiry, episode


@bp.route("/placement/inquiry/<int:inquiry_id>")
@security.roles(*READER_ROLES)
def placement_page(inquiry_id: int):
    inquiry, episode = _open_episode(inquiry_id, "placement_viewed")
    facts = placement.intake_facts(inquiry)
    return render_template(
        "care/placement.html",
        inquiry=inquiry,
        episode=episode,
        assessments=placement.assessments_of(episode) if episode else [],
        facts_now=placement.facts_by_dimension(facts),
        describe=placement.facts_by_dimension,
        dimension_name=asam_dimensions.name,
        can_write=placement.can_write(me()),
    )


@bp.route("/placement/inquiry/<int:inquiry_id>/assess", methods=["GET", "POST"])
@security.roles(*READER_ROLES)
def assess(inquiry_id: int):
    placement.require_writer(me())
    inquiry, episode = _open_episode(inquiry_id, "opened_for_assessment")
    if episode is None:
        raise NotFound("Assessments belong to an episode of care: admit the person first.")
    facts = placement.intake_facts(inquiry)
    if request.method == "GET":
        form = AssessmentForm(data={"edition": episode.program.asam_edition.value, **placement.prefilled_notes(facts)})
    else:
        form = AssessmentForm()
    if form.validate_on_submit() and submit(form, placement.record_assessment, me(), episode, inquiry):
        flash("ASAM assessment saved.", "success")
        return redirect(url_for(".placement_page", inquiry_id=inquiry.id))
    return render_template(
        "care/assess.html",
        inquiry=inquiry,
        episode=episode,
        form=form,
        facts=placement.facts_by_dimension(facts),
        names=asam_dimensions.NAMES,
        ratings=asam_dimensions.RATINGS,
    ), 400 if form.errors or form.form_errors else 200
