"""Taking a phone inquiry: the staff form, its validation, and what gets written."""

from datetime import UTC, date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.contracts.intake import NewInquiry
from coordinator.contracts.values import phone_digits
from coordinator.domain.intake import Channel
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, InquiryActivity, OpioidRegimenLine, Referrer
from coordinator.roles import Role
from coordinator.services import intake
from tests.fixtures.intake import spouse_call, staff_inquiry
from tests.fixtures.users import login_as

TODAY = date(2026, 11, 23)


def form_data(**overrides) -> dict:
    data = spouse_call()
    regimen = data.pop("regimen")
    data["substances"] = data["substances"]
    data.pop("may_leave_message")
    for i, line in enumerate(regimen):
        for key, value in line.items():
            data[f"regimen-{i}-{key}"] = str(value)
    data.update(overrides)
    return data


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_admissions_takes_a_call_from_a_worried_spouse(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    response = client.post_form("/inquiries/new", form_data(assigned_to_id=str(user.id)))
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        assert response.headers["Location"] == f"/inquiries/{inquiry.id}"
        assert inquiry.channel.value == "phone" and inquiry.status.value == "new"
        assert inquiry.caller_relationship.value == "spouse_partner"
        assert inquiry.may_leave_message is False
        assert inquiry.mme_per_day == 90  # oxycodone 20 mg x 3 x 1.5
        assert inquiry.assigned_to_id == user.id and inquiry.created_by_id == user.id
        assert inquiry.caller_phone_digits.endswith("5550100") or inquiry.caller_phone_digits.isdigit()
        kinds = [a.kind.value for a in db.session.scalars(sa.select(InquiryActivity))]
        assert kinds == ["arrived"]
        audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "inquiry_created")).one()
        assert audit.entity_id == str(inquiry.id) and audit.actor_user_id == user.id
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Do not leave messages" in page
    assert inquiry.patient_name in page


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"patient_name": ""}, "patient_name", "Enter the prospective patient"),
        ({"patient_dob": "2026-02-30"}, "patient_dob", "real date"),
        ({"patient_dob": "2099-01-01"}, "patient_dob", "cannot be in the future"),
        ({"patient_dob": "1850-01-01"}, "patient_dob", "cannot be before 1900"),
        ({"caller_phone": "call me", "caller_email": ""}, "caller_phone", "7 to 15 digits"),
        ({"caller_email": "not-an-email"}, "caller_email", "email address"),
        ({"presenting_concerns": "x" * 4001}, "presenting_concerns", "at most 4000"),
        ({"substances": ["moonshine"]}, "substances", "Choose substances from the list"),
        ({"regimen-0-drug": "unobtainium"}, "regimen-0-drug", "Unknown medicine"),
        ({"regimen-0-dose": "-5"}, "regimen-0-dose", "more than 0"),
        ({"regimen-0-dose": "50000"}, "regimen-0-dose", "not a plausible single dose"),
        ({"regimen-0-doses_per_day": "99"}, "regimen-0-doses_per_day", "1 to 24"),
        ({"referral_source": ""}, "referral_source", "Choose how the inquiry was referred"),
        (
            {"caller_phone": "", "caller_email": "", "patient_phone": "", "patient_email": ""},
            "caller_phone",
            "at least one",
        ),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    app, client, create_user, overrides, field, message
):
    login_as(client, create_user(Role.ADMISSIONS))
    response = client.post_form("/inquiries/new", form_data(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Inquiry) == 0 and count(app, OpioidRegimenLine) == 0 and count(app, InquiryActivity) == 0


def test_a_blank_regimen_row_in_the_middle_keeps_its_error_on_the_row_the_user_sees(app, client, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    data = form_data(
        **{
            "regimen-2-drug": "morphine",
            "regimen-2-dose": "abc",
            "regimen-2-unit": "mg",
            "regimen-2-doses_per_day": "2",
        }
    )
    response = client.post_form("/inquiries/new", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    row = body[body.index('name="regimen-2-dose"') : body.index('name="regimen-2-unit"')]
    assert "Enter the dose as a number." in row  # on the third row, as posted, though row two was blank


def test_a_restricted_record_needs_an_assignee(app, client, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    response = client.post_form("/inquiries/new", form_data(is_restricted="y", assigned_to_id=""))
    assert response.status_code == 400
    assert "restricted record needs an assignee" in response.get_data(as_text=True)
    assert count(app, Inquiry) == 0


def test_referrers_are_kept_once_for_reporting(app, create_user):
    user = create_user(Role.ADMISSIONS)
    with app.app_context():
        actor = db.session.merge(user)
        for _n in range(2):
            intake.create_inquiry(
                actor,
                staff_inquiry(
                    referral_source="physician", referrer_name="Dr. Lee ", referrer_organization="Eastside Spine"
                ),
                channel=Channel.PHONE,
            )
        db.session.commit()
        referrers = db.session.scalars(sa.select(Referrer)).all()
        assert [(r.name, r.organization, r.kind.value) for r in referrers] == [
            ("Dr. Lee", "Eastside Spine", "physician")
        ]


@pytest.mark.parametrize(
    "payload, fields",
    [
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "555 0100 200",
                "patient_dob": date(2026, 11, 24),
            },
            {"patient_dob"},
        ),
        ({"patient_name": "A" * 161, "referral_source": "self", "caller_phone": "5550100200"}, {"patient_name"}),
        ({"patient_name": "A", "referral_source": "carrier pigeon", "caller_phone": "5550100200"}, {"referral_source"}),
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "5550100200",
                "may_leave_message": "maybe",
            },
            {"may_leave_message"},
        ),
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "5550100200",
                "substances": "alcohol",
                "regimen": "oxycodone",
            },
            {"regimen"},
        ),
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "5550100200",
                "patient_name\x00": 1,
                "caller_name": "nul\x00byte",
            },
            {"caller_name", "patient_name\x00"},  # an unknown field is refused too, named as sent
        ),
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "5550100200",
                "preferred_contact": "email",
            },
            {"preferred_contact"},
        ),
        (
            {"patient_name": "A", "referral_source": "self", "caller_phone": "5550100200", "referrer_name": "Dr. X"},
            {"referrer_name"},
        ),
        (
            {
                "patient_name": "A",
                "referral_source": "self",
                "caller_phone": "5550100200",
                "regimen": [{"drug": "fentanyl_transdermal", "dose": 25, "unit": "mcg/hr", "doses_per_day": 3}],
            },
            {"regimen-0-doses_per_day"},
        ),
    ],
)
def test_the_contract_names_every_bad_field(payload, fields):
    with pytest.raises(ValidationFailed) as refused:
        NewInquiry.parse(payload, today=TODAY, zone=UTC)
    assert {field for field, _ in refused.value.reasons} == fields


def test_the_contract_normalises_good_input():
    clean = NewInquiry.parse(
        {
            "patient_name": "  Daniel  ",
            "referral_source": "family",
            "caller_email": "Maria@Example.ORG",
            "caller_phone": "+1 (555) 010-0001",
            "patient_dob": "1975-04-12",
            "substances": ["alcohol", "prescribed_opioids"],
            "may_leave_message": "y",
            "regimen": [
                {"drug": "fentanyl_transdermal", "dose": "25", "unit": "mcg/hr"},
                {"drug": "buprenorphine", "dose": "8", "unit": "mg", "doses_per_day": 2, "purpose": "oud"},
            ],
        },
        today=TODAY,
        zone=UTC,
    )
    assert clean.patient_name == "Daniel"
    assert clean.caller_email == "Maria@example.org"
    assert clean.patient_dob == date(1975, 4, 12)
    assert [s.value for s in clean.substances] == ["prescribed_opioids", "alcohol"]
    assert clean.may_leave_message is True
    mme = clean.regimen.result
    assert mme.total_mme_per_day == 60  # buprenorphine excluded
    assert [e.drug for e in mme.excluded] == ["buprenorphine"]


def test_birth_date_today_is_accepted_and_tomorrow_refused():
    base = {"patient_name": "A", "referral_source": "self", "caller_phone": "5550100200"}
    assert NewInquiry.parse({**base, "patient_dob": TODAY.isoformat()}, today=TODAY, zone=UTC).patient_dob == TODAY
    with pytest.raises(ValidationFailed):
        NewInquiry.parse({**base, "patient_dob": (TODAY + timedelta(days=1)).isoformat()}, today=TODAY, zone=UTC)


@pytest.mark.parametrize(
    "text, digits",
    [("+1 (555) 010-0001", "15550100001"), ("", None), (None, None), ("0044 20 7946 0018 ext", "00442079460018")],
)
def test_phone_digits(text, digits):
    assert phone_digits(text) == digits


def test_contact_instructions_are_kept_and_shown_beside_the_contact_details(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    words = "Please text, don't call at work.\nMornings only."
    response = client.post_form("/inquiries/new", form_data(contact_instructions=words))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="contact-instructions"' in page and "Mornings only." in page
    with app.app_context():
        assert db.session.scalar(sa.select(Inquiry.contact_instructions)) == words
