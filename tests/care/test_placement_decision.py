"""Issue 14, item 4: the placement decision beside the rules' recommendation — who and when, a
reason when it differs, levels of one edition only."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordinator.domain.care import AsamEdition, LevelOfCare
from coordinator.extensions import db
from coordinator.models import AuditEvent, PlacementDecision
from coordinator.roles import Role
from tests.care.test_assessments import GOOD, record_screenings
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

# 80 mg oxycodone three times a day: 360 MME/day, over the clinic's "very high" default of 200.
HIGH_DOSE = [{"drug": "oxycodone", "dose": "80", "unit": "mg", "doses_per_day": 3}]


@pytest.fixture
def setup(app, client, create_user):
    desk = create_user(Role.ADMISSIONS)
    clinician = create_user(Role.CLINICIAN, full_name="Dr Cora Clinician")
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id, regimen=HIGH_DOSE)
    residential = make_program(app, name="Residential 3.7")
    hospital = make_program(
        app, name="St Mary partner detox", level_of_care=LevelOfCare.PARTNER_HOSPITAL_DETOX, asam_level="4-WM"
    )
    fourth = make_program(app, name="Residential (4th ed.)", asam_edition=AsamEdition.FOURTH, asam_level="3.7")
    php = make_program(app, name="Day program", level_of_care=LevelOfCare.PHP, asam_level="2.5")
    made = admit_directly(app, desk, inquiry.id, residential.id)
    record_screenings(app, inquiry.id, clinician)  # COWS 13, PHQ-9, a cardiac flag
    login_as(client, clinician)
    url = f"/care/placement/inquiry/{inquiry.id}"
    assert client.post_form(f"{url}/assess", GOOD).status_code == 302
    with app.app_context():
        from coordinator.models import AsamAssessment

        assessment_id = db.session.scalar(
            sa.select(AsamAssessment.id).where(AsamAssessment.admission_id == made["episode"])
        )
    return {
        **made,
        "url": url,
        "assessment": assessment_id,
        "clinician": clinician,
        "residential": residential.id,
        "hospital": hospital.id,
        "fourth": fourth.id,
        "php": php.id,
    }


def decisions(app, episode_id: int) -> list[PlacementDecision]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(PlacementDecision).where(PlacementDecision.admission_id == episode_id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def decide(client, setup, **data):
    return client.post_form(f"{setup['url']}/decide", {"assessment_id": str(setup["assessment"]), **data})


def test_the_page_recommends_hospital_detox_first_with_every_reason_and_the_thresholds(client, setup):
    page = client.get(setup["url"]).get_data(as_text=True)
    assert 'data-testid="detox-first"' in page
    assert "Very high opioid load: 360 MME/day" in page and "Heart disease" in page
    assert "Residential" in page.split('data-testid="recommended-level"')[1][:200]
    assert "ASAM 3.7" in page and 'data-testid="thresholds"' in page and "default 200" in page


def test_following_the_recommendation_needs_no_reason_and_keeps_who_and_when(app, client, setup):
    response = decide(client, setup, level_of_care="partner_hospital_detox", program_id=str(setup["hospital"]))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (saved,) = decisions(app, setup["episode"])
    assert (saved.chosen_level_of_care, saved.chosen_asam_level, saved.asam_edition) == (
        LevelOfCare.PARTNER_HOSPITAL_DETOX,
        "4-WM",
        AsamEdition.THIRD,
    )
    assert (saved.recommended_level_of_care, saved.recommended_asam_level, saved.detox_first) == (
        LevelOfCare.RESIDENTIAL,
        "3.7",
        True,
    )
    assert saved.decided_by_id == setup["clinician"].id and saved.decided_at is not None and saved.reason is None
    assert "very_high_mme" in saved.recommendation["detox_reason_codes"]
    page = client.get(setup["url"]).get_data(as_text=True)
    assert page.count('data-testid="decision"') == 1 and "Dr Cora Clinician" in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1)) in {
            "patient_placement_viewed",
            "placement_decided",
        }
        assert "placement_decided" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_a_different_choice_needs_a_reason(app, client, setup):
    refused = decide(client, setup, level_of_care="php", program_id=str(setup["php"]))
    assert refused.status_code == 400
    assert "differs from the recommendation (Residential, ASAM 3.7): say why" in refused.get_data(as_text=True)
    assert decisions(app, setup["episode"]) == []
    kept = decide(client, setup, level_of_care="php", program_id=str(setup["php"]), reason="Family cannot leave work")
    assert kept.status_code == 302
    assert decisions(app, setup["episode"])[0].reason == "Family cannot leave work"


def test_skipping_hospital_detox_when_it_comes_first_is_following_the_level(app, client, setup):
    # Residential 3.7 is what the rules recommend after detox: choosing it directly is allowed
    # without a reason (the detox reasons stay on the record with the decision).
    assert decide(client, setup, level_of_care="residential", program_id=str(setup["residential"])).status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        ({"level_of_care": "residential", "program_id": "fourth"}, "never mixed"),
        ({"level_of_care": "php", "program_id": "residential"}, "not a partial hospitalization (php) program"),
        ({"level_of_care": "moon_base", "program_id": "residential"}, ""),
        ({"level_of_care": "residential", "program_id": "2147483648"}, ""),
        ({"level_of_care": "residential", "program_id": "999999"}, "Choose an active program"),
        ({"level_of_care": "residential", "program_id": "residential", "assessment_id": "999999"}, "assessments"),
        ({"level_of_care": "php", "program_id": "php", "reason": "x" * 100_000}, ""),
        ({"level_of_care": "php", "program_id": "php", "reason": "nul\x00byte"}, ""),
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_saved(app, client, setup, data, message):
    data = {k: str(setup[v]) if k == "program_id" and v in setup else v for k, v in data.items()}
    response = decide(client, setup, **data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert decisions(app, setup["episode"]) == []


def test_an_assessment_of_another_episode_is_refused(app, client, setup, create_user):
    other = admit_directly(app, setup["clinician"], make_inquiry(app, None).id, setup["residential"])
    response = client.post_form(
        f"/care/placement/inquiry/{other['admitted_inquiry']}/decide",
        {
            "assessment_id": str(setup["assessment"]),
            "level_of_care": "residential",
            "program_id": str(setup["residential"]),
        },
    )
    assert response.status_code == 400 and decisions(app, other["episode"]) == []


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.ADMISSIONS, Role.ADMIN])
def test_only_clinicians_and_the_clinical_lead_decide(app, client, setup, create_user, role):
    assert client.post_form("/auth/logout", {}).status_code == 302
    login_as(client, create_user(role))
    response = decide(client, setup, level_of_care="partner_hospital_detox", program_id=str(setup["hospital"]))
    assert response.status_code == 403 and decisions(app, setup["episode"]) == []


def test_the_database_refuses_a_different_choice_without_a_reason(app, setup):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(
            PlacementDecision(
                admission_id=setup["episode"],
                assessment_id=setup["assessment"],
                asam_edition="third_2013",
                recommended_level_of_care="residential",
                recommended_asam_level="3.7",
                detox_first=False,
                recommendation={},
                chosen_level_of_care="php",
                chosen_asam_level="2.5",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
