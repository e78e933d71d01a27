"""Demo data for the care half (never run in production): patients whose episodes show the
partner-hospital detox, the step-down chain to virtual IOP with discharge and aftercare, a
patient in residential now (in a named bed), a returning patient with two episodes, and the
residential waitlist."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.contracts.care import AsamAssessmentInput, MoveInput, PlacementDecisionInput
from coordinator.contracts.census import BedAssignmentInput, BedInput, WaitlistInput
from coordinator.contracts.intake import StaffInquiry
from coordinator.domain.care import LevelOfCare
from coordinator.domain.intake import Channel
from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, Patient, Program, User
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import care_reminders, episodes, intake, patients, placement, places

# Very high MME (80 mg oxycodone three times a day: 360 MME/day) and heart disease: detox first.
SPOUSE_CALL = {
    "caller_name": "Maria Whitfield",
    "caller_relationship": "spouse_partner",
    "caller_phone": "+1 503 555 7001",
    "patient_name": "Daniel Whitfield",
    "patient_dob": "1971-04-12",
    "patient_sex": "male",
    "referral_source": "family",
    "presenting_concerns": "On oxycodone since spinal fusion; runs out early; heart attack three years ago.",
    "substances": ["prescribed_opioids"],
    "regimen": [{"drug": "oxycodone", "dose": "80", "unit": "mg", "doses_per_day": 3}],
}


def _inquiry(desk: User, **overrides) -> Inquiry:
    data = {**SPOUSE_CALL, **overrides, "assigned_to_id": desk.id}
    return intake.create_inquiry(desk, StaffInquiry.parse(data), channel=Channel.PHONE)


def _admit(actor: User, inquiry: Inquiry, program: Program, on: date, choice: str = "new") -> Admission:
    patient = patients.patient_for_admission(actor, inquiry, choice)
    admission = Admission(
        inquiry_id=inquiry.id, patient_id=patient.id, program_id=program.id, admit_date=on, admitted_by_id=actor.id
    )
    admission.program = program
    db.session.add(admission)
    db.session.flush()
    patients.open_first_segment(actor, admission, program)
    inquiry.status = InquiryStatus.ADMITTED
    db.session.flush()
    care_reminders.episode_changed(admission)  # as an admission through the admit form
    return admission


def _move(actor: User, admission: Admission, kind: str, on: date, reason: str, program: Program | None = None, **more):
    data = {"kind": kind, "on": on.isoformat(), "reason": reason, **more}
    if program is not None:
        data.update(level_of_care=program.level_of_care.value, program_id=str(program.id))
    episodes.move(actor, admission.id, MoveInput.parse(data))


def seed_care(users: dict[str, User], programs: list[Program], today: date) -> int:
    """The care stories; returns how many inquiries they added (four, for three patients)."""
    desk = users["admissions@demo.coordinator.test"]
    manager = users["casemanager@demo.coordinator.test"]
    physician = users["physician@demo.coordinator.test"]
    by_level = {p.level_of_care: p for p in programs}
    residential, php, iop = by_level[LevelOfCare.RESIDENTIAL], by_level[LevelOfCare.PHP], by_level[LevelOfCare.IOP]
    virtual, detox = by_level[LevelOfCare.VIRTUAL_IOP], by_level[LevelOfCare.PARTNER_HOSPITAL_DETOX]

    # The spouse's call: detox at St. Mary's, residential on day 5, PHP 30, IOP 45, virtual IOP 60, discharged.
    start = today - timedelta(days=75)
    inquiry = _inquiry(desk)
    episode = _admit(desk, inquiry, detox, start)
    assessment = placement.record_assessment(
        physician,
        episode,
        inquiry,
        AsamAssessmentInput.parse(
            {
                "edition": "fourth_2023",
                "rating_1": "3",
                "rating_2": "3",
                "rating_3": "2",
                "rating_4": "3",
                "rating_5": "2",
                "rating_6": "1",
                "notes_2": "Myocardial infarction 2023; on a beta blocker.",
                "notes_5": "Wife supportive; home is calm.",
            }
        ),
    )
    placement.decide(
        physician,
        episode,
        PlacementDecisionInput.parse(
            {
                "assessment_id": str(assessment.id),
                "level_of_care": "partner_hospital_detox",
                "program_id": str(detox.id),
            }
        ),
    )
    for day, program in ((5, residential), (30, php), (45, iop), (60, virtual)):
        _move(
            manager, episode, "step_down", start + timedelta(days=day), "Stable; ready for less intensive care", program
        )
    _move(manager, episode, "discharge", start + timedelta(days=70), "Completed the program", discharge_kind="planned")

    # In residential now, stepped down from detox a week ago.
    now = _inquiry(
        desk,
        patient_name="Grace Okafor",
        patient_dob="1983-09-30",
        caller_name="Grace Okafor",
        caller_relationship="self",
        caller_phone="+1 503 555 7002",
    )
    current = _admit(desk, now, detox, today - timedelta(days=12))
    _move(
        manager,
        current,
        "step_down",
        today - timedelta(days=7),
        "Withdrawal settled at the hospital",
        residential,
    )
    episodes.set_planned_discharge(manager, current, today + timedelta(days=21))  # discharge planning reminded

    # A returning patient: an earlier stay, discharged, and readmitted to IOP this week.
    first = _inquiry(
        desk,
        patient_name="Tomas Reyes",
        patient_dob="1966-02-17",
        caller_name="Tomas Reyes",
        caller_relationship="self",
        caller_phone="+1 503 555 7003",
    )
    earlier = _admit(desk, first, residential, today - timedelta(days=200))
    _move(
        manager,
        earlier,
        "discharge",
        today - timedelta(days=170),
        "Left against advice",
        discharge_kind="against_medical_advice",
    )
    again = _inquiry(
        desk,
        patient_name="Tomas Reyes",
        patient_dob="1966-02-17",
        caller_name="Tomas Reyes",
        caller_relationship="self",
        caller_phone="+1 503 555 7003",
    )
    readmitted = _admit(desk, again, iop, today - timedelta(days=3), choice=str(earlier.patient_id))
    seed_beds_and_waitlist(users, residential, current, readmitted)
    return 4


def seed_beds_and_waitlist(users: dict[str, User], residential: Program, occupant: Admission, waiting: Admission):
    """Named beds in residential (Grace in the first), and its waitlist: an inquiry offered a
    place and Tomas, in IOP, waiting to step up."""
    admin = users["admin@demo.coordinator.test"]
    manager = users["casemanager@demo.coordinator.test"]
    beds = [places.add_bed(admin, residential, BedInput.parse({"name": f"Riverside {n}"})) for n in range(1, 7)]
    places.assign_bed(
        manager,
        residential,
        BedAssignmentInput.parse({"bed_id": str(beds[0].id), "episode_id": str(occupant.id)}),
        clinic_today(),
    )
    offered = db.session.scalar(
        sa.select(Inquiry.id)
        .where(Inquiry.status == InquiryStatus.PLACEMENT_OFFERED, Inquiry.is_restricted.is_(False))
        .order_by(Inquiry.id)
        .limit(1)
    )
    if offered is not None:
        places.add_to_waitlist(manager, residential, WaitlistInput.parse({"inquiry_id": str(offered)}))
    places.add_to_waitlist(
        manager,
        residential,
        WaitlistInput.parse(
            {
                "mrn": db.session.get(Patient, waiting.patient_id).mrn,
                "note": "In IOP; the team wants a step up when a bed frees.",
            }
        ),
    )
