"""The optional insurance fieldset on the public web form: a primary coverage, a requested benefits check
when the visitor asks for one, every problem shown beside its field, and nothing half-written."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coordinator.contracts.intake import InsuranceDetails
from coordinator.domain.insurance import CoverageRank, PlanType, SubscriberRelationship, VerificationStatus
from coordinator.domain.intake import Channel
from coordinator.extensions import db
from coordinator.models import AuditEvent, BenefitVerification, Coverage, Inquiry
from tests.intake.test_public_form import THANKS, URL, feedback_after, main_content, page_text, visitor_answers

# The insurance fields as the page names them.
INSURANCE_FORM_FIELDS = [f"insurance_{name}" for name in InsuranceDetails.model_fields]


def with_insurance(answers: dict | None = None, **insurance) -> dict:
    """The visitor's answers (changed by `answers`) plus insurance fields, named without their `insurance_` prefix."""
    card = {
        "insurer_name": "Blue Cross Blue Shield of Texas",
        "member_id": "XQY 123456-789",
        "group_number": "GRP-0042",
        "plan_type": "ppo",
    }
    card.update(insurance)
    return visitor_answers(
        **(answers or {}), **{f"insurance_{name}": value for name, value in card.items() if value is not None}
    )


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Inquiry, Coverage, BenefitVerification)
        )


def coverages(app) -> list[Coverage]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Coverage)))


def verifications(app) -> list[BenefitVerification]:
    with app.app_context():
        return list(db.session.scalars(sa.select(BenefitVerification)))


def audit_rows(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def insurance_section(body: str) -> str:
    start = body.index('<details class="card shadow-sm mb-3" id="insurance"')
    return body[start : body.index("</details>", start)]


# --- the fieldset -------------------------------------------------------------------------------


def test_the_form_has_a_folded_optional_insurance_fieldset_in_plain_words(client):
    body = page_text(client.get(URL))
    section = insurance_section(body)
    assert section.startswith('<details class="card shadow-sm mb-3" id="insurance">')  # folded: not open
    assert "Insurance (optional)" in section
    for name in INSURANCE_FORM_FIELDS:
        assert f'name="{name}"' in section, name
    for words in (
        "Insurance company",
        "As printed on the insurance card",
        "Member ID",
        "Group number",
        "Type of plan",
        "Whose name is the insurance in?",
        "The policyholder&#39;s name",
        "Please check my insurance benefits before you call me",
        "Not sure",
    ):
        assert words in section, words
    assert re.search(r'<input[^>]*name="insurance_verification_requested"[^>]*type="checkbox"', section) or re.search(
        r'<input[^>]*type="checkbox"[^>]*name="insurance_verification_requested"', section
    )
    for plan in PlanType:
        assert f'value="{plan.value}"' in section


# --- saving -------------------------------------------------------------------------------------


def test_insurance_details_become_the_primary_coverage_from_the_web_form(client, app):
    response = client.post_form(URL, with_insurance())
    assert response.status_code == 302 and response.headers["Location"] == THANKS
    [coverage] = coverages(app)
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
    assert coverage.inquiry_id == inquiry.id
    assert (coverage.rank, coverage.source) == (CoverageRank.PRIMARY, Channel.WEB_FORM)
    assert (coverage.payer_id, coverage.payer_name) == (None, "Blue Cross Blue Shield of Texas")
    assert (coverage.member_id, coverage.group_number, coverage.plan_type) == (
        "XQY123456-789",  # stored as a 271 writes it, whatever way it came in
        "GRP-0042",
        PlanType.PPO,
    )
    assert coverage.relationship_to_subscriber == SubscriberRelationship.SELF
    assert (coverage.subscriber_name, coverage.subscriber_dob, coverage.created_by_id) == (None, None, None)
    assert verifications(app) == []  # not asked for
    [created] = audit_rows(app, "coverage_created")
    assert created.actor_label == "anonymous" and created.entity_id == str(coverage.id)
    assert "XQY" not in created.detail and "Blue" not in created.detail
    assert audit_rows(app, "benefit_verification_requested") == []


def test_ticking_the_box_requests_a_benefits_check_with_no_method_yet(client, app):
    response = client.post_form(URL, with_insurance(verification_requested="y"))
    assert response.status_code == 302
    [coverage] = coverages(app)
    [verification] = verifications(app)
    assert verification.coverage_id == coverage.id
    assert verification.status == VerificationStatus.REQUESTED
    assert verification.method is None and verification.verified_at is None and verification.confirmed_at is None
    assert verification.created_by_id is None
    [requested] = audit_rows(app, "benefit_verification_requested")
    assert requested.actor_label == "anonymous" and requested.entity_id == str(verification.id)


def test_a_policy_in_someone_elses_name_keeps_the_policyholder(client, app):
    response = client.post_form(
        URL,
        with_insurance(
            relationship_to_subscriber="spouse",
            subscriber_name="  Maria Visitor ",
            subscriber_birth_date="1977-09-30",
            plan_type="",
        ),
    )
    assert response.status_code == 302
    [coverage] = coverages(app)
    assert coverage.relationship_to_subscriber == SubscriberRelationship.SPOUSE
    assert (coverage.subscriber_name, coverage.subscriber_dob) == ("Maria Visitor", date(1977, 9, 30))
    assert coverage.plan_type is None


@pytest.mark.parametrize(
    "insurance",
    [
        {},
        {
            "insurer_name": "",
            "member_id": "   ",
            "group_number": "",
            "plan_type": "",
            "relationship_to_subscriber": "",
            "subscriber_name": "",
            "subscriber_birth_date": "",
        },
    ],
)
def test_no_insurance_answers_write_nothing_insurance_related(client, app, insurance):
    answers = visitor_answers(**{f"insurance_{name}": value for name, value in insurance.items()})
    assert client.post_form(URL, answers).status_code == 302
    assert counts(app) == (1, 0, 0)
    assert audit_rows(app, "coverage_created") == []


def test_the_thank_you_page_reveals_no_insurance_detail(client, app):
    after = client.post_form(
        URL,
        with_insurance(
            verification_requested="y",
            relationship_to_subscriber="child",
            subscriber_name="Rosa Parent",
            subscriber_birth_date="1950-01-02",
        ),
        follow_redirects=True,
    )
    assert after.status_code == 200
    for secret in ("Blue Cross", "XQY", "123456", "GRP", "PPO", "Rosa", "1950", "insurance", "Insurance"):
        assert secret not in main_content(after), secret
    assert main_content(after) == main_content(client.get(THANKS))


# --- refusing -----------------------------------------------------------------------------------

FUTURE = (date.today() + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    "insurance, field, message",
    [
        ({"insurer_name": None}, "insurer_name", "Please tell us the name of the insurance company"),
        ({"insurer_name": "   "}, "insurer_name", "Please tell us the name of the insurance company"),
        (
            {
                "insurer_name": None,
                "member_id": None,
                "group_number": None,
                "plan_type": None,
                "verification_requested": "y",
            },
            "insurer_name",
            "Please tell us the name of the insurance company",
        ),
        ({"insurer_name": "B" * 121}, "insurer_name", "Use at most 120 characters (this has 121)"),
        ({"insurer_name": "Aetna\x00"}, "insurer_name", "not allowed"),
        ({"insurer_name": "Aetna\x07"}, "insurer_name", "not allowed"),
        ({"member_id": "XQY#123"}, "member_id", "letters, numbers, dashes and spaces only"),
        ({"member_id": "---"}, "member_id", "letters, numbers, dashes and spaces only"),
        ({"member_id": "1" * 81}, "member_id", "Use at most 80 characters"),
        ({"group_number": "G" * 51}, "group_number", "Use at most 50 characters"),
        ({"group_number": "G\tH"}, "group_number", "not allowed"),
        ({"plan_type": "gold"}, "plan_type", "Choose one of the listed options"),
        ({"relationship_to_subscriber": "cousin"}, "relationship_to_subscriber", "Choose one of the listed options"),
        (
            {"relationship_to_subscriber": "spouse", "subscriber_birth_date": "1977-09-30"},
            "subscriber_name",
            "Please give the policyholder&#39;s name, as printed on the card.",
        ),
        (
            {"relationship_to_subscriber": "other", "subscriber_name": "Rosa Parent"},
            "subscriber_birth_date",
            "Please give the policyholder&#39;s date of birth.",
        ),
        (
            {"subscriber_name": "Rosa Parent", "subscriber_birth_date": "1950-01-02"},
            "relationship_to_subscriber",
            "Please tell us whose name the insurance is in.",
        ),
        (
            {"relationship_to_subscriber": "self", "subscriber_name": "Rosa Parent"},
            "subscriber_name",
            "Leave this empty if the insurance is in the name of the person who needs help",
        ),
        (
            {"relationship_to_subscriber": "self", "subscriber_birth_date": "1950-01-02"},
            "subscriber_birth_date",
            "Leave this empty if the insurance is in the name of the person who needs help",
        ),
        (
            {
                "relationship_to_subscriber": "child",
                "subscriber_name": "R" * 161,
                "subscriber_birth_date": "1950-01-02",
            },
            "subscriber_name",
            "Use at most 160 characters",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": "1950-02-30"},
            "subscriber_birth_date",
            "Enter the date of birth as a real date",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": FUTURE},
            "subscriber_birth_date",
            "cannot be in the future",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Rosa", "subscriber_birth_date": "1899-12-31"},
            "subscriber_birth_date",
            "cannot be before 1900",
        ),
    ],
)
def test_bad_insurance_answers_are_shown_beside_their_field_and_save_nothing(client, app, insurance, field, message):
    response = client.post_form(URL, with_insurance(**insurance))
    assert response.status_code == 400
    body = page_text(response)
    assert "Nothing has been sent yet" in body
    assert message in feedback_after(body, f"insurance_{field}")
    assert insurance_section(body).startswith('<details class="card shadow-sm mb-3" id="insurance" open>')
    assert counts(app) == (0, 0, 0)
    assert audit_rows(app, "inquiry_created") == audit_rows(app, "coverage_created") == []


def test_inquiry_and_insurance_problems_are_shown_together(client, app):
    response = client.post_form(
        URL,
        with_insurance(
            {"patient_name": "", "patient_dob": "2026-02-30"}, member_id="!!", relationship_to_subscriber="spouse"
        ),
    )
    assert response.status_code == 400
    body = page_text(response)
    assert "Please tell us their name" in feedback_after(body, "patient_name")
    assert "real date" in feedback_after(body, "patient_dob")
    assert "letters, numbers, dashes and spaces" in feedback_after(body, "insurance_member_id")
    assert "policyholder&#39;s name" in feedback_after(body, "insurance_subscriber_name")
    assert "policyholder&#39;s date of birth" in feedback_after(body, "insurance_subscriber_birth_date")
    assert counts(app) == (0, 0, 0)


def test_insurance_answers_are_kept_when_the_form_comes_back(client):
    body = page_text(
        client.post_form(
            URL,
            with_insurance(
                {"patient_name": ""},
                verification_requested="y",
                relationship_to_subscriber="spouse",
                subscriber_name="Maria Visitor",
                subscriber_birth_date="1977-09-30",
            ),
        )
    )
    section = insurance_section(body)
    assert section.startswith('<details class="card shadow-sm mb-3" id="insurance" open>')  # it holds answers
    assert 'value="Blue Cross Blue Shield of Texas"' in section and 'value="XQY 123456-789"' in section
    assert re.search(r'<option selected value="ppo">|<option value="ppo" selected>', section)
    assert re.search(r'<option selected value="spouse">|<option value="spouse" selected>', section)
    assert 'value="1977-09-30"' in section
    assert re.search(
        r'checked[^>]*name="insurance_verification_requested"|'
        r'name="insurance_verification_requested"[^>]*checked',
        section,
    )


def test_every_insurance_visitor_wording_replaces_a_message_the_service_really_gives():
    from zoneinfo import ZoneInfo

    from coordinator.blueprints.public.wording import VISITOR_WORDING
    from coordinator.contracts.intake import InsuranceDetails
    from coordinator.errors import ValidationFailed

    given = set()
    for details in (
        {"member_id": "1"},
        {"relationship_to_subscriber": "spouse"},
        {"subscriber_name": "A", "insurer_name": "B"},
        {"relationship_to_subscriber": "self", "subscriber_name": "A", "insurer_name": "B"},
    ):
        with pytest.raises(ValidationFailed) as failure:
            InsuranceDetails.parse(details, today=date.today(), zone=ZoneInfo("UTC"))
        given |= {problem.code for problem in failure.value.problems}
    insurance_codes = {code for code in VISITOR_WORDING if "insur" in code or "subscriber" in code}
    assert insurance_codes and insurance_codes <= given


# --- random posts -------------------------------------------------------------------------------

TRICKY = [
    "",
    " ",
    "\x00",
    "y",
    "on",
    "false",
    "self",
    "spouse",
    "child",
    "other",
    "ppo",
    "medicaid",
    "gold",
    "1975-04-12",
    "2026-02-30",
    "9999-12-31",
    "1899-12-31",
    "XQY 123-456",
    "---",
    "A" * 200,
    "😀" * 30,
    "\u202e",
    "<b>b</b>",
    "'; DROP TABLE coverage; --",
]
insurance_value = st.one_of(st.text(max_size=60), st.sampled_from(TRICKY))
insurance_answers = st.dictionaries(
    st.sampled_from(sorted(INSURANCE_FORM_FIELDS)),
    st.one_of(insurance_value, st.lists(insurance_value, max_size=3)),
    max_size=8,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(insurance=insurance_answers)
def test_random_insurance_answers_never_fail_and_never_half_save(app, client, insurance):
    app.config["WEB_INQUIRY_LIMIT"] = "100000 per hour"  # the app fixture restores the config afterwards
    before = counts(app)
    response = client.post_form(URL, {**visitor_answers(), **insurance})
    event(f"status {response.status_code}")
    assert response.status_code in (302, 400), response.status_code
    inquiries, covered, checks = (after - first for after, first in zip(counts(app), before, strict=True))
    if response.status_code == 400:
        assert (inquiries, covered, checks) == (0, 0, 0)
        assert "Nothing has been sent yet" in page_text(response)
    else:
        assert inquiries == 1 and covered in (0, 1) and checks <= covered
