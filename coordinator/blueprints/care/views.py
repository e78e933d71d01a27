"""The patient page (every episode as a timeline of level-of-care segments, with the moves the
rule table allows) and placement on an inquiry (ASAM assessments, the recommendation, the
decision).

Every page opens its record through `patient_access` / `inquiry_access` (the read is audited; a
restricted record is refused with a way to break the glass); the request commits once.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.care import bp
from coordinator.blueprints.care.forms import (
    AssessmentForm,
    DecisionForm,
    HospitalDetailsForm,
    MoveForm,
    PatientFilterForm,
    PlannedDischargeForm,
    RestrictionForm,
)
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.clock import clinic_today
from coordinator.contracts.care import PatientFilter
from coordinator.domain.care import LevelOfCare
from coordinator.errors import NotFound, ValidationFailed
from coordinator.models import Admission, CareSegment
from coordinator.rules.errors import RuleError
from coordinator.services import (
    care_reminders,
    episodes,
    inquiry_access,
    patient_access,
    patient_list,
    patient_restriction,
    patients,
    placement,
    programs,
    records,
)

READER_ROLES = tuple(sorted(patient_access.READERS))


def _program_choices() -> list[tuple[str, str]]:
    return [("", "— choose a program —")] + [
        (str(p.id), f"{p.name} · {p.level_of_care.label} · ASAM {p.asam_level} ({p.asam_edition.label})")
        for p in programs.active_programs()
    ]


# --- the patient ---------------------------------------------------------------------------------


def _hospital_forms(active, failed: tuple[int, HospitalDetailsForm] | None) -> dict:
    """A hospital-details form for each partner-hospital detox segment of the active episode."""
    forms = {}
    for segment in active.segments if active else ():
        if segment.level_of_care is LevelOfCare.PARTNER_HOSPITAL_DETOX:
            forms[segment.id] = HospitalDetailsForm(
                formdata=None,
                prefix=f"segment{segment.id}",
                data={
                    "hospital_name": segment.hospital_name,
                    "hospital_contact": segment.hospital_contact,
                    "expected_transfer_on": segment.expected_transfer_on.isoformat()
                    if segment.expected_transfer_on
                    else "",
                },
            )
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms


def render_patient(record, move_form=None, status: int = 200, plan_form=None, *, restriction_form=None, hospital=None):
    episode_list = patients.episodes_of(record)
    active = next((e for e in episode_list if e.admission.status.value == "active"), None)
    plan_form = plan_form or PlannedDischargeForm(
        formdata=None, data={"planned_discharge_on": active.admission.planned_discharge_on if active else None}
    )
    allowed = episodes.allowed_moves(active.admission, active.segments) if active else ()
    form = move_form or MoveForm(formdata=None)
    form.kind.choices = [("", "— choose —")] + [(kind.value, kind.label) for kind, _ in allowed]
    form.program_id.choices = _program_choices()
    restriction = restriction_form or RestrictionForm(
        formdata=None, prefix="restriction", data={"restricted": record.is_restricted}
    )
    may_move = episodes.can_move(me())
    return render_template(
        "care/patient.html",
        patient=record,
        guard=patient_access.guard_of(record),
        episodes=episode_list,
        active=active,
        allowed=allowed,
        can_move=bool(allowed) and may_move,
        move_form=form,
        restriction_form=restriction,
        can_restrict=patient_restriction.can_change(me()),
        hospital_forms=_hospital_forms(active, hospital) if may_move else {},
        plan_form=plan_form,
        next_review=care_reminders.next_review_on(active.admission) if active else None,
        today=clinic_today(),
    ), status


@bp.route("/patients")
@security.roles(*patient_list.LISTERS)
def patients_list():
    form = PatientFilterForm(request.args)
    try:
        filters = PatientFilter.from_form(form)
    except ValidationFailed:
        flash("Some filters were not understood and were ignored.", "warning")
        form, filters = PatientFilterForm(formdata=None), PatientFilter.parse({})
    page, rows = patient_list.search(me(), filters, current_app.config["INQUIRIES_PAGE_SIZE"])
    return render_template("care/patients.html", form=form, page=page, rows=rows, today=clinic_today())


@bp.route("/patients/<int:patient_id>/restriction", methods=["POST"])
@security.roles(*READER_ROLES)
def restriction(patient_id: int):
    patient_restriction.require_changer(me())
    record = patient_access.require_visible(me(), patient_id, purpose="opened_for_restriction")
    form = RestrictionForm(prefix="restriction")
    if form.validate_on_submit() and submit(form, patient_restriction.change, me(), record):
        flash("Restriction changed.", "success")
        return redirect(url_for(".patient", patient_id=record.id))
    return render_patient(record, status=400, restriction_form=form)


@bp.route("/segments/<int:segment_id>/hospital", methods=["POST"])
@security.roles(*READER_ROLES)
def hospital_details(segment_id: int):
    episodes.require_mover(me())
    segment = records.load(CareSegment, segment_id)
    admission = records.load(Admission, segment.admission_id)
    record = patient_access.require_visible(me(), admission.patient_id, purpose="opened_for_hospital_details")
    form = HospitalDetailsForm(prefix=f"segment{segment.id}")
    if form.validate_on_submit() and submit(form, episodes.record_hospital_details, me(), segment.id):
        flash("Hospital details saved.", "success")
        return redirect(url_for(".patient", patient_id=record.id))
    return render_patient(record, status=400, hospital=(segment.id, form))


@bp.route("/patients/<int:patient_id>")
@security.roles(*READER_ROLES)
def patient(patient_id: int):
    return render_patient(patient_access.require_visible(me(), patient_id))


@bp.route("/episodes/<int:episode_id>/move", methods=["POST"])
@security.roles(*READER_ROLES)
def move(episode_id: int):
    episodes.require_mover(me())
    admission = records.load(Admission, episode_id)
    record = patient_access.require_visible(me(), admission.patient_id, purpose="opened_for_move")
    form = MoveForm()
    form.program_id.choices = _program_choices()
    if form.validate_on_submit() and submit(form, episodes.move, me(), admission.id):
        flash("Saved.", "success")
        return redirect(url_for(".patient", patient_id=record.id))
    return render_patient(record, form, 400)


@bp.route("/episodes/<int:episode_id>/planned-discharge", methods=["POST"])
@security.roles(*READER_ROLES)
def plan_discharge(episode_id: int):
    episodes.require_mover(me())
    admission = records.load(Admission, episode_id)
    record = patient_access.require_visible(me(), admission.patient_id, purpose="opened_for_planned_discharge")
    form = PlannedDischargeForm()
    if form.validate_on_submit() and submit(form, episodes.plan_discharge, me(), admission.id):
        flash("Planned discharge date saved.", "success")
        return redirect(url_for(".patient", patient_id=record.id))
    return render_patient(record, status=400, plan_form=form)


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


def _recommendation(assessment):
    """The rules' recommendation for the latest assessment, or the rule's refusal in words."""
    if assessment is None:
        return None, None
    try:
        return placement.recommendation_for(assessment), None
    except RuleError as err:
        return None, err.message


def render_placement(inquiry, episode, decision_form=None, status: int = 200):
    assessments = placement.assessments_of(episode) if episode else []
    latest = assessments[0] if assessments else None
    recommendation, refusal = _recommendation(latest)
    form = decision_form or DecisionForm(formdata=None)
    if decision_form is None and recommendation is not None:
        form.level_of_care.data = (
            "partner_hospital_detox" if recommendation.detox_first else recommendation.level_of_care
        )
    form.program_id.choices = _program_choices()
    if latest is not None:
        form.assessment_id.data = str(latest.id)
    return render_template(
        "care/placement.html",
        inquiry=inquiry,
        episode=episode,
        assessments=assessments,
        latest=latest,
        recommendation=recommendation,
        refusal=refusal,
        decisions=placement.decisions_of(episode) if episode else [],
        facts_now=placement.facts_by_dimension(placement.intake_facts(inquiry), "third_2013"),
        dimension_names=placement.dimension_names(),
        can_write=placement.can_write(me()),
        decision_form=form,
    ), status


@bp.route("/placement/inquiry/<int:inquiry_id>")
@security.roles(*READER_ROLES)
def placement_page(inquiry_id: int):
    return render_placement(*_open_episode(inquiry_id, "placement_viewed"))


@bp.route("/placement/inquiry/<int:inquiry_id>/assess", methods=["GET", "POST"])
@security.roles(*READER_ROLES)
def assess(inquiry_id: int):
    placement.require_writer(me())
    inquiry, episode = _open_episode(inquiry_id, "opened_for_assessment")
    if episode is None:
        raise NotFound("Assessments belong to an episode of care: admit the person first.")
    facts = placement.intake_facts(inquiry)
    if request.method == "GET":
        edition = episode.program.asam_edition.value
        form = AssessmentForm(data={"edition": edition, **placement.prefilled_notes(facts, edition)})
    else:
        form = AssessmentForm()
    if form.validate_on_submit() and submit(form, placement.record_assessment, me(), episode, inquiry):
        flash("ASAM assessment saved.", "success")
        return redirect(url_for(".placement_page", inquiry_id=inquiry.id))
    names = placement.dimension_names()
    edition = form.edition.data if form.edition.data in names else episode.program.asam_edition.value
    return render_template(
        "care/assess.html",
        inquiry=inquiry,
        episode=episode,
        form=form,
        edition=edition,
        facts=placement.facts_by_dimension(facts, edition),
        names=names,
        ratings=placement.RATINGS,
    ), 400 if form.errors or form.form_errors else 200


@bp.route("/placement/inquiry/<int:inquiry_id>/decide", methods=["POST"])
@security.roles(*READER_ROLES)
def decide(inquiry_id: int):
    placement.require_writer(me())
    inquiry, episode = _open_episode(inquiry_id, "opened_for_decision")
    if episode is None:
        raise NotFound("Placement decisions belong to an episode of care: admit the person first.")
    form = DecisionForm()
    form.program_id.choices = _program_choices()
    if form.validate_on_submit() and submit(form, placement.decide, me(), episode):
        flash("Placement decision recorded.", "success")
        return redirect(url_for(".placement_page", inquiry_id=inquiry.id))
    return render_placement(inquiry, episode, form, 400)


@bp.app_template_global("aftercare_ends_on")
def aftercare_ends_on(admission):
    """For every page that shows an episode: the last day of its aftercare (None before discharge)."""
    return patients.aftercare_ends_on(admission)
