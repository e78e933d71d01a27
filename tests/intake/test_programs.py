"""Programs are reference data kept by admins."""

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, Program


def test_admin_adds_and_edits_a_program(app, admin_client):
    response = admin_client.post_form(
        "/admin/programs/new",
        {
            "name": "Residential — Chiang Mai",
            "level_of_care": "residential",
            "asam_edition": "fourth_2023",
            "asam_level": "3.7",
            "capacity": "24",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        program = db.session.scalars(sa.select(Program)).one()
        assert (program.level_of_care.value, program.asam_edition.value, program.asam_level) == (
            "residential",
            "fourth_2023",
            "3.7",
        )
    page = admin_client.get("/admin/programs").get_data(as_text=True)
    assert "Medically Managed Residential" in page  # the 4th-edition name of 3.7
    response = admin_client.post_form(
        f"/admin/programs/{program.id}",
        {
            "name": "Residential — Chiang Mai",
            "level_of_care": "residential",
            "asam_edition": "fourth_2023",
            "asam_level": "3.5",
            "capacity": "30",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        program = db.session.get(Program, program.id)
        assert (program.asam_level, program.capacity, program.is_active) == ("3.5", 30, False)
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "program")
            )
            == 2
        )


def test_program_levels_must_fit_the_edition_and_level_of_care(app, admin_client):
    for data, message in [
        (
            {"asam_edition": "fourth_2023", "asam_level": "3.3", "level_of_care": "residential"},
            "not a level in this edition",
        ),
        ({"asam_edition": "third_2013", "asam_level": "2.1", "level_of_care": "php"}, "does not fit"),
        (
            {"asam_edition": "third_2013", "asam_level": "2.5", "level_of_care": "php", "capacity": "0"},
            "as a whole number from 1 to 10,000",
        ),
    ]:
        response = admin_client.post_form("/admin/programs/new", {"name": "PHP", "capacity": "10", **data})
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)) == 0


def test_program_names_are_unique(app, admin_client):
    data = {"name": "IOP", "level_of_care": "iop", "asam_edition": "third_2013", "asam_level": "2.1", "capacity": "12"}
    assert admin_client.post_form("/admin/programs/new", data).status_code == 302
    response = admin_client.post_form("/admin/programs/new", {**data, "name": "iop"})
    assert response.status_code == 400 and "already has this name" in response.get_data(as_text=True)


def test_admitted_now_counts_only_admissions_that_have_started(app, admin_client):
    # Issue 13, bug 9: an admission booked for next week was counted as a person admitted now.
    from datetime import timedelta

    from coordinator.clock import clinic_today
    from coordinator.domain.care import AdmissionStatus
    from coordinator.models import Admission, Patient
    from coordinator.services.patients import next_mrn
    from tests.fixtures.intake import make_inquiry, make_program

    program = make_program(app, name="Started Count Program")
    today = clinic_today_in(app, clinic_today)
    starts = {
        today - timedelta(days=3): AdmissionStatus.ACTIVE,
        today: AdmissionStatus.ACTIVE,
        today + timedelta(days=1): AdmissionStatus.ACTIVE,
        today + timedelta(days=8): AdmissionStatus.ACTIVE,
    }
    with app.app_context():
        for n, (start, status) in enumerate(starts.items()):
            inquiry_id = make_inquiry(app).id
            patient = Patient(mrn=next_mrn(), full_name=f"Started {n}", name_key=f"started {n}")
            db.session.add(patient)
            db.session.flush()
            db.session.add(
                Admission(
                    inquiry_id=inquiry_id, patient_id=patient.id, program_id=program.id, admit_date=start, status=status
                )
            )
        db.session.commit()
    page = admin_client.get("/admin/programs").get_data(as_text=True)
    row = page[page.index("Started Count Program") :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end">2</td>' in row, row


def clinic_today_in(app, clinic_today):
    with app.app_context():
        return clinic_today()
