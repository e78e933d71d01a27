"""The partner hospital's details on a detox segment: an admission straight into the
partner-hospital program gets its hospital's name, contact and expected transfer date recorded
(and corrected) on the patient page, audited; anything else is refused with nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.extensions import db
from coordinator.models import AuditEvent, CareSegment
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

TODAY = date.today()


@pytest.fixture
def case_manager(app, client, create_user):
    user = create_user(Role.CASE_MANAGER)
    login_as(client, user)
    return user


def admitted_to(app, who, level: LevelOfCare, asam_level: str) -> dict:
    program = make_program(app, name=f"{level.value} program", level_of_care=level, asam_level=asam_level)
    inquiry = make_inquiry(app, who, assigned_to_id=who.id)
    return admit_directly(app, who, inquiry.id, program.id)


def post(client, made: dict, **data):
    prefix = f"segment{made['segment']}-"
    return client.post_form(
        f"/care/segments/{made['segment']}/hospital", {f"{prefix}{key}": value for key, value in data.items()}
    )


def segment(app, segment_id: int) -> tuple:
    with app.app_context():
        row = db.session.get(CareSegment, segment_id)
        return row.hospital_name, row.hospital_contact, row.expected_transfer_on


def audited(app, made: dict) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.detail).where(AuditEvent.action == "care_segment_hospital_details_changed")
            )
        )


def test_an_admission_straight_into_detox_records_and_corrects_the_hospital(app, client, case_manager):
    made = admitted_to(app, case_manager, LevelOfCare.PARTNER_HOSPITAL_DETOX, "4-WM")
    page = client.get(f"/care/patients/{made['patient']}").get_data(as_text=True)
    assert 'data-testid="hospital-form"' in page
    expected = TODAY + timedelta(days=5)
    saved = post(
        client, made, hospital_name="St Mary's", hospital_contact="Dr Lee, 555-0100", expected_transfer_on=expected
    )
    assert saved.status_code == 302
    assert segment(app, made["segment"]) == ("St Mary's", "Dr Lee, 555-0100", expected)
    assert audited(app, made) == [f"segment {made['segment']}"]
    text = client.get(f"/care/patients/{made['patient']}").get_data(as_text=True)
    assert "St Mary&#39;s" in text and "transfer expected" in text
    later = TODAY + timedelta(days=7)
    assert post(client, made, hospital_name="St Mary's", expected_transfer_on=later).status_code == 302
    assert segment(app, made["segment"]) == ("St Mary's", None, later)
    assert len(audited(app, made)) == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"hospital_name": "  "},
        {"hospital_name": "x" * 100_000},
        {"hospital_name": "St\x00Mary"},
        {"hospital_name": "St Mary's", "expected_transfer_on": "9999-12-31x"},
        {"hospital_name": "St Mary's", "expected_transfer_on": (TODAY - timedelta(days=1)).isoformat()},
    ],
)
def test_bad_hospital_details_are_refused_and_change_nothing(app, client, case_manager, data):
    made = admitted_to(app, case_manager, LevelOfCare.PARTNER_HOSPITAL_DETOX, "4-WM")
    response = post(client, made, **data)
    assert response.status_code == 400
    assert segment(app, made["segment"]) == (None, None, None) and audited(app, made) == []


def test_a_segment_that_is_not_detox_takes_no_hospital(app, client, case_manager):
    made = admitted_to(app, case_manager, LevelOfCare.RESIDENTIAL, "3.7")
    assert 'data-testid="hospital-form"' not in client.get(f"/care/patients/{made['patient']}").get_data(as_text=True)
    response = post(client, made, hospital_name="St Mary's")
    assert response.status_code == 400 and segment(app, made["segment"]) == (None, None, None)


def test_only_movers_record_hospital_details(app, client, new_client, case_manager, create_user):
    made = admitted_to(app, case_manager, LevelOfCare.PARTNER_HOSPITAL_DETOX, "4-WM")
    desk = login_as(new_client(), create_user(Role.ADMISSIONS))
    assert post(desk, made, hospital_name="St Mary's").status_code == 403
    assert segment(app, made["segment"]) == (None, None, None)


@pytest.mark.parametrize("segment_id", [999999, 2147483648])
def test_unknown_segments_are_not_found(client, case_manager, segment_id):
    response = client.post_form(f"/care/segments/{segment_id}/hospital", {"hospital_name": "x"})
    assert response.status_code == 404
