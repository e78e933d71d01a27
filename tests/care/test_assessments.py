"""Issue 14, item 2: ASAM assessments of an episode — six dimensions rated 0-4 with notes,
intake's facts pre-filled and kept, the edition stored, repeatable; who may write and read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AsamAssessment, AuditEvent, BreakGlassAccess, utcnow
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.support.care_records import admit_directly

GOOD = {
    "edition": "third_2013",
    "occasion": "admission",
    **{f"rating_{n}": str(r) for n, r in zip(range(1, 7), (3, 2, 1, 2, 3, 1), strict=True)},
    "notes_1": "Moderate withdrawal expected.",
    "notes_4": "Ambivalent but engaged.",
}


@pytest.fixture
def episode(app, create_user):
    desk = create_user(Role.ADMISSIONS)
    inquiry = make_inquiry(
        app,
        desk,
        assigned_to_id=desk.id,
        substances=["prescribed_opioids", "benzodiazepines"],
        regimen=[{"drug": "methadone", "dose": "60", "unit": "mg", "doses_per_day": 1}],
    )
    made = admit_directly(app, desk, inquiry.id, make_program(app).id)
    return {**made, "inquiry": inquiry}


@pytest.fixture
def clinician(app, client, create_user):
    user = create_user(Role.CLINICIAN)
    login_as(client, user)
    return user


def record_screenings(app, inquiry_id: int, who) -> None:
    from coordinator.contracts.screening import CowsInput, MedicalFlagsInput, Phq9Input
    from coordinator.models import Inquiry
    from coordinator.rules import cows as cows_rule
    from coordinator.services import screenings

    with app.app_context():
        inquiry, actor = db.session.get(Inquiry, inquiry_id), db.session.merge(who)
        # The second option of every item: 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 and 3 (gooseflesh) = 13.
        cows = {item.key: str(item.options[1][0]) for item in cows_rule.ITEMS}
        screenings.record(actor, inquiry, CowsInput.parse(cows))
        screenings.record(actor, inquiry, Phq9Input.parse(dict.fromkeys(Phq9Input.items, "2")))
        screenings.record(actor, inquiry, MedicalFlagsInput.parse({"flags": ["cardiac_disease"]}))
        db.session.commit()


def assessments(app, admission_id: int) -> list[AsamAssessment]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AsamAssessment).where(AsamAssessment.admission_id == admission_id).order_by(AsamAssessment.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def test_the_form_prefills_what_intake_knows_under_each_dimension(app, client, clinician, episode):
    record_screenings(app, episode["inquiry"].id, clinician)
    page = client.get(f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "COWS 13" in text and "MME/day" in text and "long-acting opioid" in text
    assert "Heart disease" in text and "PHQ-9 18" in text and "Benzodiazepines" in text
    # Pre-filled into the notes, not only shown.
    assert 'name="notes_1"' in text and "COWS 13" in text.split('name="notes_1"')[1].split("</textarea>")[0]


def test_an_assessment_is_saved_with_its_edition_facts_and_who(app, client, clinician, episode):
    record_screenings(app, episode["inquiry"].id, clinician)
    response = client.post_form(f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess", GOOD)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    (saved,) = assessments(app, episode["episode"])
    assert saved.ratings() == {1: 3, 2: 2, 3: 1, 4: 2, 5: 3, 6: 1}
    assert saved.edition.value == "third_2013" and saved.assessed_by_id == clinician.id
    assert saved.notes()[4] == "Ambivalent but engaged."
    assert saved.facts["cows"]["total"] == "13" and saved.facts["medical_flags"] == ["cardiac_disease"]
    assert saved.facts["long_acting_opioid"] is True and saved.facts["mme_per_day"] is not None
    page = client.get(f"/care/placement/inquiry/{episode['admitted_inquiry']}").get_data(as_text=True)
    assert "Ambivalent but engaged." in page and "ASAM Criteria, 3rd edition" in page
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "asam_assessment_recorded" in actions and "patient_placement_viewed" in actions


def test_assessments_repeat_newest_first(app, client, clinician, episode):
    url = f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess"
    assert client.post_form(url, GOOD).status_code == 302
    assert client.post_form(url, {**GOOD, "occasion": "review", "edition": "fourth_2023"}).status_code == 302
    saved = assessments(app, episode["episode"])
    assert [(a.occasion.value, a.edition.value) for a in saved] == [
        ("admission", "third_2013"),
        ("review", "fourth_2023"),
    ]
    page = client.get(f"/care/placement/inquiry/{episode['admitted_inquiry']}").get_data(as_text=True)
    assert page.count('data-testid="assessment"') == 2
    assert page.index("Level-of-care review") < page.index("Admission ·")
    assert "Person-Centered Considerations" in page  # the 4th edition's dimension 6


@pytest.mark.parametrize(
    "change, message",
    [
        ({"rating_3": "5"}, "from 0 to 4"),
        ({"rating_3": "-1"}, "from 0 to 4"),
        ({"rating_3": ""}, "Rate this dimension"),
        ({"rating_3": "2.5"}, "from 0 to 4"),
        ({"rating_3": "9" * 40}, "from 0 to 4"),
        ({"edition": "fifth_2030"}, "ASAM"),
        ({"edition": ""}, "Choose the ASAM Criteria edition"),
        ({"occasion": "whenever"}, ""),
        ({"notes_2": "x" * 100_000}, ""),
        ({"notes_2": "bad\x00byte"}, ""),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_saved(app, client, clinician, episode, change, message):
    response = client.post_form(f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess", {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert assessments(app, episode["episode"]) == []


@pytest.mark.parametrize("role", [Role.ADMISSIONS, Role.CASE_MANAGER, Role.ADMIN])
def test_only_clinicians_and_the_clinical_lead_write(app, client, create_user, episode, role):
    login_as(client, create_user(role))
    url = f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess"
    assert client.post_form(url, GOOD).status_code == 403
    assert assessments(app, episode["episode"]) == []
    assert client.get(f"/care/placement/inquiry/{episode['admitted_inquiry']}").status_code == 200


def test_a_case_manager_chosen_as_clinical_lead_may_assess(app, client, create_user, episode):
    from coordinator.models import User
    from coordinator.services.settings import CLINICAL_LEAD_USER, set_value

    lead = create_user(Role.CASE_MANAGER)
    with app.app_context():
        set_value(db.session.get(User, lead.id), CLINICAL_LEAD_USER, str(lead.id))
        db.session.commit()
    login_as(client, lead)
    url = f"/care/placement/inquiry/{episode['admitted_inquiry']}/assess"
    assert client.post_form(url, GOOD).status_code == 302


def test_billing_sees_no_assessment(app, client, create_user, episode):
    login_as(client, create_user(Role.BILLING))
    assert client.get(f"/care/placement/inquiry/{episode['admitted_inquiry']}").status_code == 403


def test_a_restricted_patients_assessments_need_the_glass(app, client, create_user):
    owner = create_user(Role.CASE_MANAGER)
    inquiry = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    made = admit_directly(app, owner, inquiry.id, make_program(app).id)
    other = create_user(Role.CLINICIAN)
    login_as(client, other)
    url = f"/care/placement/inquiry/{inquiry.id}"
    assert client.get(url).status_code == 403
    assert client.post_form(f"{url}/assess", GOOD).status_code == 403
    assert assessments(app, made["episode"]) == []
    with app.app_context():
        db.session.add(
            BreakGlassAccess(
                inquiry_id=inquiry.id,
                user_id=other.id,
                scope="clinical",
                reason="Emergency review tonight",
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.session.commit()
    assert client.get(url).status_code == 200


def test_an_inquiry_not_admitted_shows_intake_facts_and_cannot_be_assessed(app, client, clinician, create_user):
    inquiry = make_inquiry(app, None)
    page = client.get(f"/care/placement/inquiry/{inquiry.id}")
    assert page.status_code == 200 and "Not admitted yet" in page.get_data(as_text=True)
    assert client.get(f"/care/placement/inquiry/{inquiry.id}/assess").status_code == 404


def test_the_database_refuses_a_rating_outside_0_to_4(app, episode):
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        db.session.add(
            AsamAssessment(
                admission_id=episode["episode"],
                edition="third_2013",
                occasion="admission",
                facts={},
                **{f"rating_{n}": 5 if n == 2 else 0 for n in range(1, 7)},
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
