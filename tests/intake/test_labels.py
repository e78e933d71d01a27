"""Labels read once (issue 13, bug 9): "Intensive outpatient (IOP) (Intensive outpatient (IOP))"
is not shown, and badges written one after another keep a gap."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from coordinator import PROJECT_ROOT
from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import Admission
from coordinator.roles import Role
from coordinator.templating import program_label
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as


@pytest.mark.parametrize(
    ("name", "level", "label"),
    [
        ("Intensive outpatient (IOP)", LevelOfCare.IOP, "Intensive outpatient (IOP)"),
        ("intensive outpatient (iop) — evenings", LevelOfCare.IOP, "intensive outpatient (iop) — evenings"),
        ("Riverside House", LevelOfCare.RESIDENTIAL, "Riverside House (Residential)"),
    ],
)
def test_a_program_label_names_the_level_of_care_once(name, level, label):
    assert program_label(SimpleNamespace(name=name, level_of_care=level)) == label.replace(
        "(Residential)", f"({LevelOfCare.RESIDENTIAL.label})"
    )


def test_the_record_page_names_an_iop_admission_once(app, client, create_user):
    reader = create_user(Role.ADMISSIONS)
    program = make_program(app, name=LevelOfCare.IOP.label, level_of_care=LevelOfCare.IOP)
    inquiry_id = make_inquiry(app, reader).id
    with app.app_context():
        from coordinator.models import Patient
        from coordinator.services.patients import next_mrn

        patient = Patient(mrn=next_mrn(), full_name="Iris Iop", name_key="iris iop")
        db.session.add(patient)
        db.session.flush()
        db.session.add(
            Admission(inquiry_id=inquiry_id, patient_id=patient.id, program_id=program.id, admit_date=date(2026, 12, 8))
        )
        db.session.commit()
    login_as(client, reader)
    body = client.get(f"/inquiries/{inquiry_id}").get_data(as_text=True)
    assert "Intensive outpatient (IOP) from 08 Dec 2026" in body
    assert "(Intensive outpatient (IOP))" not in body


def test_badges_side_by_side_keep_a_gap():
    # Templates trim the line break after a block tag, so "{% endif %}" then a badge meets the
    # previous badge with no space between: the stylesheet keeps them apart.
    assert ".badge + .badge { margin-left: .25rem; }" in (PROJECT_ROOT / "static" / "app.css").read_text()
