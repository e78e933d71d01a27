"""Admitting through the real admit form, and reading what it made."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, Patient
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.fixtures.intake import record_deposit


def ready_to_admit(app, inquiry_id: int) -> None:
    """Financially cleared and at placement_offered (the steps before are tested elsewhere)."""
    record_deposit(app, inquiry_id)
    with app.app_context():
        db.session.get(Inquiry, inquiry_id).status = InquiryStatus.PLACEMENT_OFFERED
        db.session.commit()


def admit(client, inquiry_id: int, program_id: int, on: date | None = None, **extra):
    data = {"action": "admit", "program_id": str(program_id), "admit_date": (on or date.today()).isoformat()}
    return client.post_form(f"/inquiries/{inquiry_id}/status", {**data, **extra})


def admission_of(app, inquiry_id: int) -> Admission | None:
    with app.app_context():
        admission = db.session.scalar(sa.select(Admission).where(Admission.inquiry_id == inquiry_id))
        if admission is not None:
            db.session.expunge(admission)
        return admission


def patient(app, patient_id: int) -> Patient:
    with app.app_context():
        row = db.session.get(Patient, patient_id)
        db.session.expunge(row)
        return row


def discharge_directly(app, admission_id: int, on: date) -> None:
    """End an episode without the discharge form (tested in test_episode_moves)."""
    from coordinator.domain.care import AdmissionStatus
    from coordinator.models import CareSegment
    from coordinator.rules.level_moves import DischargeKind

    with app.app_context():
        admission = db.session.get(Admission, admission_id)
        admission.status, admission.discharged_on, admission.discharge_kind = (
            AdmissionStatus.DISCHARGED,
            on,
            DischargeKind.PLANNED,
        )
        for segment in db.session.scalars(
            sa.select(CareSegment).where(CareSegment.admission_id == admission_id, CareSegment.ends_on.is_(None))
        ):
            segment.ends_on = on
        db.session.commit()
