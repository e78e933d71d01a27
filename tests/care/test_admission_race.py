"""Two admissions of one returning person at once: the second waits for the first and is told
the patient is in care (a 400 through the form), never the one-active-episode index's error."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import Admission, Inquiry, User
from coordinator.roles import Role
from tests.care.helpers import discharge_directly
from tests.fixtures.intake import make_inquiry, make_program
from tests.support.care_records import admit_directly

TODAY = date.today()


def test_two_admissions_of_one_returning_patient_at_once_the_second_is_refused(app, create_user):
    from coordinator.errors import ValidationFailed
    from coordinator.services import patients

    desk = create_user(Role.ADMISSIONS)
    program = make_program(app)
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Racing Rosa", patient_dob="1975-05-05")
    earlier = admit_directly(app, desk, first.id, program.id, admit_date=TODAY - timedelta(days=60))
    discharge_directly(app, earlier["episode"], TODAY - timedelta(days=30))
    one, two = (
        make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Racing Rosa", patient_dob="1975-05-05")
        for _ in range(2)
    )
    holding, outcome = threading.Event(), {}

    def admit(inquiry_id: int, hold: bool) -> None:
        with app.app_context():
            actor = db.session.get(User, desk.id)
            try:
                patient = patients.patient_for_admission(
                    actor, db.session.get(Inquiry, inquiry_id), str(earlier["patient"])
                )
                db.session.add(
                    Admission(
                        inquiry_id=inquiry_id,
                        patient_id=patient.id,
                        program_id=program.id,
                        admit_date=TODAY,
                        admitted_by_id=actor.id,
                    )
                )
                db.session.flush()
                if hold:
                    holding.set()
                    threading.Event().wait(1.0)  # keep the lock while the other admission starts
                db.session.commit()
                outcome[inquiry_id] = "admitted"
            except ValidationFailed as refusal:
                db.session.rollback()
                outcome[inquiry_id] = refusal.problems[0].code
            except Exception as error:  # the unique index's IntegrityError before the fix
                db.session.rollback()
                outcome[inquiry_id] = type(error).__name__

    first_thread = threading.Thread(target=admit, args=(one.id, True))
    first_thread.start()
    assert holding.wait(10)
    second_thread = threading.Thread(target=admit, args=(two.id, False))
    second_thread.start()
    first_thread.join(10), second_thread.join(10)
    assert outcome == {one.id: "admitted", two.id: "patient_in_care"}
    with app.app_context():
        admitted = db.session.scalars(
            sa.select(Admission.inquiry_id).where(Admission.patient_id == earlier["patient"]).order_by(Admission.id)
        ).all()
    assert admitted == [first.id, one.id]
