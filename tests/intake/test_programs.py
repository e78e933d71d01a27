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


def test_admitted_now_counts_only_admissions_that_have_started(app, admin_client, create_user):
    """Issue 13, bug 9: an admission booked for next week was counted as a person admitted now.
    The count is today's census (the segments): someone who stepped down to another program
    today counts there, not here."""
    from datetime import timedelta

    from coordinator.clock import clinic_today
    from coordinator.domain.care import LevelOfCare, SegmentMove
    from coordinator.models import CareSegment
    from coordinator.roles import Role
    from tests.fixtures.intake import make_inquiry, make_program
    from tests.support.care_records import admit_directly

    program = make_program(app, name="Started Count Program")
    day_program = make_program(app, name="Day Count Program", level_of_care=LevelOfCare.PHP, asam_level="2.5")
    staff = create_user(Role.ADMISSIONS)
    today = clinic_today_in(app, clinic_today)
    made = [
        admit_directly(app, staff, make_inquiry(app).id, program.id, today + timedelta(days=offset))
        for offset in (-3, 0, 1, 8, -10)
    ]
    with app.app_context():  # the one admitted ten days ago stepped down to the day program today
        first = db.session.get(CareSegment, made[-1]["segment"])
        first.ends_on = today - timedelta(days=1)
        db.session.add(
            CareSegment(
                admission_id=made[-1]["episode"],
                level_of_care=LevelOfCare.PHP,
                program_id=day_program.id,
                starts_on=today,
                move=SegmentMove.STEP_DOWN,
                reason="Stepped down",
            )
        )
        db.session.commit()
    page = admin_client.get("/admin/programs").get_data(as_text=True)
    row = page[page.index("Started Count Program") :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end">2</td>' in row, row
    day_row = page[page.index("Day Count Program") :]
    assert '<td class="text-end">1</td>' in day_row[: day_row.index("</tr>")]


def clinic_today_in(app, clinic_today):
    with app.app_context():
        return clinic_today()
