"""Records the care matrix rows' placeholders refer to: an admitted inquiry, its patient and
episode (see tests/platform/test_access_control.py)."""

from __future__ import annotations

from datetime import date


def admit_directly(app, staff_member, inquiry_id: int, program_id: int, admit_date: date | None = None) -> dict:
    """Admit `inquiry_id` to `program_id` the way the admit form does, without its financial
    clearance (tested elsewhere): a patient, the episode and its first segment."""
    from coordinator.extensions import db
    from coordinator.models import Admission, Inquiry, Program
    from coordinator.rules.inquiry_lifecycle import InquiryStatus
    from coordinator.services import patients

    with app.app_context():
        actor = db.session.merge(staff_member)
        inquiry = db.session.get(Inquiry, inquiry_id)
        program = db.session.get(Program, program_id)
        patient = patients.patient_for_admission(actor, inquiry, "new")
        admission = Admission(
            inquiry_id=inquiry.id,
            patient_id=patient.id,
            program_id=program.id,
            admit_date=admit_date or date.today(),
            admitted_by_id=actor.id,
        )
        db.session.add(admission)
        db.session.flush()
        segment = patients.open_first_segment(actor, admission, program)
        inquiry.status = InquiryStatus.ADMITTED
        db.session.commit()
        return {
            "patient": patient.id,
            "episode": admission.id,
            "admitted_inquiry": inquiry.id,
            "segment": segment.id,
            "mrn": patient.mrn,
        }


def care_records(app, staff_member, inquiry_id: int) -> dict:
    from tests.fixtures.intake import make_inquiry, make_program

    admitted = make_inquiry(app, None)
    program = make_program(app)
    return admit_directly(app, staff_member, admitted.id, program.id)
