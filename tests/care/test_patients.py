"""Issue 14, item 1: admitting makes (or, confirmed, reuses) a patient with a printable record
number; every episode hangs off the patient; restriction and break-the-glass carry over."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import Admission, AuditEvent, BreakGlassAccess, CareSegment, Patient, utcnow
from coordinator.roles import Role
from coordinator.rules import mrn
from tests.care.helpers import admission_of, admit, discharge_directly, ready_to_admit
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

TODAY = date.today()


@pytest.fixture
def desk(app, client, create_user):
    user = create_user(Role.ADMISSIONS, full_name="Ana Admissions")
    login_as(client, user)
    return user


def audit_actions(app, entity_type: str, entity_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
                .order_by(AuditEvent.id)
            )
        )


def test_admitting_makes_a_patient_with_a_record_number_and_the_first_segment(app, client, desk):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id)
    program = make_program(app, name="Residential North")
    ready_to_admit(app, inquiry.id)
    response = admit(client, inquiry.id, program.id)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    admission = admission_of(app, inquiry.id)
    with app.app_context():
        patient = db.session.get(Patient, admission.patient_id)
        assert patient.full_name == inquiry.patient_name and patient.dob == inquiry.patient_dob
        assert mrn.is_valid(patient.mrn)
        segments = db.session.scalars(sa.select(CareSegment).where(CareSegment.admission_id == admission.id)).all()
        assert [(s.level_of_care.value, s.starts_on, s.ends_on, s.move.value) for s in segments] == [
            ("residential", TODAY, None, "admission")
        ]
        patient_id, number = patient.id, patient.mrn
    assert "patient_created" in audit_actions(app, "patient", patient_id)
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert number in page and f"/care/patients/{patient_id}" in page
    patient_page = client.get(f"/care/patients/{patient_id}")
    assert patient_page.status_code == 200
    text = patient_page.get_data(as_text=True)
    assert number in text and "Residential North" in text and "day 1" in text
    assert audit_actions(app, "patient", patient_id)[-1] == "patient_viewed"


def test_record_numbers_are_unique_and_follow_each_other(app, create_user):
    from coordinator.services import patients

    with app.app_context():
        numbers = [patients.next_mrn() for _ in range(5)]
        db.session.commit()
    assert len(set(numbers)) == 5 and all(mrn.is_valid(n) for n in numbers)
    sequence = [int(n.split("-")[1]) for n in numbers]
    assert sequence == list(range(sequence[0], sequence[0] + 5))


@pytest.mark.parametrize(
    "number, printed",
    [(1, "MRN-000001-8"), (42, "MRN-000042-2"), (123456, "MRN-123456-6"), (1234567, "MRN-1234567-4")],
)
def test_record_number_format_and_check_digit(number, printed):
    assert mrn.format_mrn(number) == printed
    assert mrn.is_valid(printed)
    wrong = printed[:-1] + str((int(printed[-1]) + 1) % 10)
    assert not mrn.is_valid(wrong)


def test_a_mistyped_digit_fails_the_check():
    good = mrn.format_mrn(4711)
    body = good.split("-")[1]
    for position in range(len(body)):
        changed = body[:position] + str((int(body[position]) + 1) % 10) + body[position + 1 :]
        assert not mrn.is_valid(f"MRN-{changed}-{good[-1]}")


def test_a_returning_person_is_matched_only_after_staff_confirm(app, client, desk):
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Returning Rita", patient_dob="1970-02-03")
    program = make_program(app)
    earlier = admit_directly(app, desk, first.id, program.id, admit_date=TODAY - timedelta(days=120))
    discharge_directly(app, earlier["episode"], TODAY - timedelta(days=90))
    second = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="returning  RITA", patient_dob="1970-02-03")
    ready_to_admit(app, second.id)

    page = client.get(f"/inquiries/{second.id}").get_data(as_text=True)
    assert 'data-testid="patient-candidates"' in page and f'value="{earlier["patient"]}"' in page

    refused = admit(client, second.id, program.id)
    assert refused.status_code == 400
    assert "This may be a returning patient" in refused.get_data(as_text=True)
    assert admission_of(app, second.id) is None

    confirmed = admit(client, second.id, program.id, patient_choice=str(earlier["patient"]))
    assert confirmed.status_code == 302
    assert admission_of(app, second.id).patient_id == earlier["patient"]
    assert "patient_reused" in audit_actions(app, "patient", earlier["patient"])
    text = client.get(f"/care/patients/{earlier['patient']}").get_data(as_text=True)
    assert text.count('data-testid="episode"') == 2


def test_choosing_new_makes_a_second_patient_and_unknown_choices_are_refused(app, client, desk):
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Twin Name", patient_dob="1980-01-01")
    program = make_program(app)
    earlier = admit_directly(app, desk, first.id, program.id)
    discharge_directly(app, earlier["episode"], TODAY)
    second = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Twin Name", patient_dob="1980-01-01")
    ready_to_admit(app, second.id)
    for bad in ("999999", "2147483648", "x\x00", "-1"):
        response = admit(client, second.id, program.id, patient_choice=bad)
        assert response.status_code == 400, bad
        assert admission_of(app, second.id) is None
    assert admit(client, second.id, program.id, patient_choice="new").status_code == 302
    assert admission_of(app, second.id).patient_id != earlier["patient"]


def test_a_patient_in_care_is_not_offered_and_cannot_get_a_second_active_episode(app, client, desk):
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Still Here", patient_dob="1960-06-06")
    program = make_program(app)
    earlier = admit_directly(app, desk, first.id, program.id)
    second = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Still Here", patient_dob="1960-06-06")
    ready_to_admit(app, second.id)
    assert 'data-testid="patient-candidates"' not in client.get(f"/inquiries/{second.id}").get_data(as_text=True)
    response = admit(client, second.id, program.id, patient_choice=str(earlier["patient"]))
    assert response.status_code == 400 and admission_of(app, second.id) is None


def test_a_restricted_patient_is_refused_audited_and_opened_by_breaking_the_glass(app, client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    inquiry = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    made = admit_directly(app, owner, inquiry.id, make_program(app).id)
    other = create_user(Role.CLINICIAN)
    login_as(client, other)
    refused = client.get(f"/care/patients/{made['patient']}")
    assert refused.status_code == 403
    text = refused.get_data(as_text=True)
    assert inquiry.patient_name not in text and f"/inquiries/{inquiry.id}" in text
    assert "restricted_patient_refused" in audit_actions(app, "patient", made["patient"])
    with app.app_context():
        db.session.add(
            BreakGlassAccess(
                inquiry_id=inquiry.id,
                user_id=other.id,
                scope="clinical",
                reason="Covering the night shift",
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.session.commit()
    assert client.get(f"/care/patients/{made['patient']}").status_code == 200


def test_restricted_candidates_are_offered_only_to_who_may_open_them(app, client, create_user):
    owner = create_user(Role.ADMISSIONS)
    desk = create_user(Role.ADMISSIONS)
    hidden = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True, patient_name="Quiet Exec")
    made = admit_directly(app, owner, hidden.id, make_program(app).id)
    discharge_directly(app, made["episode"], TODAY)
    again = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Quiet Exec")
    ready_to_admit(app, again.id)
    login_as(client, desk)
    page = client.get(f"/inquiries/{again.id}").get_data(as_text=True)
    assert 'data-testid="patient-candidates"' not in page
    # Nor can the hidden record be attached by guessing its id.
    response = admit(client, again.id, make_program(app).id, patient_choice=str(made["patient"]))
    assert response.status_code == 400 and admission_of(app, again.id) is None


def test_a_restricted_inquiry_restricts_the_patient_it_returns_to(app, create_user):
    desk = create_user(Role.ADMISSIONS)
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Later Discreet")
    made = admit_directly(app, desk, first.id, make_program(app).id)
    discharge_directly(app, made["episode"], TODAY)
    second = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Later Discreet", is_restricted=True)
    from coordinator.models import Inquiry, User
    from coordinator.services import patient_access, patients

    program_id = admission_of(app, first.id).program_id
    with app.app_context():
        inquiry = db.session.get(Inquiry, second.id)
        patient = patients.patient_for_admission(db.session.get(User, desk.id), inquiry, str(made["patient"]))
        db.session.add(Admission(inquiry_id=inquiry.id, patient_id=patient.id, program_id=program_id, admit_date=TODAY))
        db.session.flush()
        # Through the guard (the inquiry), not by copying: lifting the inquiry's lifts the patient's.
        assert patient_access.guard_of(patient).restricted and not patient.is_restricted


@pytest.mark.parametrize("path", ["/care/patients/2147483648", "/care/patients/999999"])
def test_unknown_patients_are_not_found(client, desk, path):
    assert client.get(path).status_code == 404


def test_billing_cannot_open_a_patient(app, client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    made = admit_directly(app, owner, make_inquiry(app, owner).id, make_program(app).id)
    login_as(client, create_user(Role.BILLING))
    assert client.get(f"/care/patients/{made['patient']}").status_code == 403


def test_the_patient_page_reads_the_same_statements_however_many_episodes(app, client, desk, count_queries):
    first = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Many Stays")
    program = make_program(app)
    made = admit_directly(app, desk, first.id, program.id, admit_date=TODAY - timedelta(days=400))
    discharge_directly(app, made["episode"], TODAY - timedelta(days=390))

    def read() -> int:
        with count_queries() as counter:
            assert client.get(f"/care/patients/{made['patient']}").status_code == 200
        return counter.count

    few = read()
    for n in range(1, 5):
        again = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Many Stays")
        with app.app_context():
            from coordinator.models import Inquiry, User
            from coordinator.services import patients

            actor = db.session.get(User, desk.id)
            patient = patients.patient_for_admission(actor, db.session.get(Inquiry, again.id), str(made["patient"]))
            admission = Admission(
                inquiry_id=again.id,
                patient_id=patient.id,
                program_id=program.id,
                admit_date=TODAY - timedelta(days=400 - 20 * n),
            )
            db.session.add(admission)
            db.session.flush()
            patients.open_first_segment(actor, admission, db.session.get(type(program), program.id))
            db.session.commit()
        discharge_directly(app, admission.id, TODAY - timedelta(days=390 - 20 * n))
    assert read() == few
