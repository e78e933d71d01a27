"""Coverages on an inquiry: adding and editing them, every validation message, and who may."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.insurance import CoverageRank, SubscriberRelationship, VerificationMethod, VerificationStatus
from coordinator.domain.intake import Channel
from coordinator.extensions import db
from coordinator.models import Admission, BenefitVerification, Coverage, Inquiry, Patient, utcnow
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import coverages as coverage_service
from coordinator.services import verifications
from tests.fixtures.intake import make_inquiry, make_program
from tests.fixtures.users import login_as
from tests.insurance.conftest import audit_actions, count, make_coverage, make_payer

GOOD = {
    "rank": "primary",
    "payer_name": "Acme Health",
    "plan_type": "ppo",
    "plan_name": "Acme Gold PPO",
    "member_id": "XYZ 1234 5678",
    "group_number": "GRP-001",
    "relationship_to_subscriber": "self",
    "effective_from": "2026-01-01",
    "effective_to": "2026-12-31",
    "notes": "Card photographed.",
}


def coverages(app, inquiry_id):
    with app.app_context():
        return list(
            db.session.scalars(sa.select(Coverage).where(Coverage.inquiry_id == inquiry_id).order_by(Coverage.id))
        )


def test_admissions_adds_a_coverage_with_a_kept_payer(app, editor_client, inquiry):
    payer_id = make_payer(app)
    form = editor_client.get(f"/finance/inquiry/{inquiry.id}/coverages/new")
    assert form.status_code == 200 and "Blue Harbor Health" in form.get_data(as_text=True)
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/coverages/new",
        {**GOOD, "payer_id": str(payer_id), "payer_name": "ignored when a payer is chosen"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/finance/inquiry/{inquiry.id}"
    [saved] = coverages(app, inquiry.id)
    assert (saved.rank, saved.payer_id, saved.payer_name, saved.member_id, saved.group_number) == (
        CoverageRank.PRIMARY,
        payer_id,
        None,
        "XYZ12345678",
        "GRP-001",
    )
    assert (saved.effective_from, saved.effective_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert saved.relationship_to_subscriber is SubscriberRelationship.SELF and saved.subscriber_name is None
    assert audit_actions(app, "coverage") == ["coverage_added"]
    assert "finances_opened_for_change" in audit_actions(app, "inquiry")


def test_a_typed_insurer_name_is_enough(app, editor_client, inquiry):
    response = editor_client.post_form(
        f"/finance/inquiry/{inquiry.id}/coverages/new", {"rank": "primary", "payer_name": "  Small Regional Plan  "}
    )
    assert response.status_code == 302
    [saved] = coverages(app, inquiry.id)
    assert (saved.payer_id, saved.payer_name, saved.member_id) == (None, "Small Regional Plan", None)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"rank": ""}, "Choose primary or secondary."),
        ({"rank": "tertiary"}, "Choose one of the listed options (primary, secondary)."),
        ({"payer_name": ""}, "Choose the insurer from the list, or type its name below"),
        ({"payer_id": "999999"}, "Choose a payer from the list."),
        ({"payer_id": "abc"}, "Choose the payer."),
        ({"payer_name": "x" * 121}, "Use at most 120 characters (this has 121)."),
        ({"plan_type": "wizard"}, "Choose one of the listed options (ppo, hmo,"),
        (
            {"member_id": "XYZ*123"},
            "Enter the member id as printed on the card: letters, numbers, dashes and spaces only.",
        ),
        ({"member_id": "X"}, "Enter the whole member id as printed on the card (at least 2 characters)."),
        (
            {"group_number": "G~1"},
            "Enter the group number as printed on the card: letters, numbers, dashes and spaces only.",
        ),
        ({"relationship_to_subscriber": "cousin"}, "Choose one of the listed options (self, spouse, child, other)."),
        (
            {"relationship_to_subscriber": "spouse"},
            "Enter the insured person&#39;s name: the patient is not the policy holder.",
        ),
        (
            {"relationship_to_subscriber": "child", "subscriber_name": "Maria Example"},
            "Enter the insured person&#39;s date of birth: payers match on it.",
        ),
        (
            {
                "relationship_to_subscriber": "spouse",
                "subscriber_name": "Maria Example",
                "subscriber_dob": "2099-01-01",  # 2999 is now refused as out of range, before "future"
            },
            "The insured person&#39;s date of birth cannot be in the future.",
        ),
        (
            {
                "relationship_to_subscriber": "spouse",
                "subscriber_name": "Maria Example",
                "subscriber_dob": "1899-12-31",
            },
            "The insured person&#39;s date of birth cannot be before 1900.",
        ),
        (
            {
                "relationship_to_subscriber": "spouse",
                "subscriber_name": "Maria Example",
                "subscriber_dob": "1980-02-30",
            },
            "Enter the insured person&#39;s date of birth as a real date (YYYY-MM-DD).",
        ),
        ({"effective_from": "2026-06-01", "effective_to": "2026-05-31"}, "The coverage cannot end before it starts."),
        ({"effective_from": "tomorrow"}, "Enter the first day of coverage as a real date (YYYY-MM-DD)."),
        ({"plan_name": "Gold\x00PPO"}, "This text contains a character that is not allowed."),
        ({"notes": "n" * 2001}, "Use at most 2000 characters (this has 2001)."),
    ],
)
def test_bad_coverage_input_is_explained_and_nothing_saved(app, editor_client, inquiry, overrides, message):
    response = editor_client.post_form(f"/finance/inquiry/{inquiry.id}/coverages/new", {**GOOD, **overrides})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Nothing was saved" in page
    assert count(app, Coverage) == 0
    assert "coverage_added" not in audit_actions(app)


def test_one_primary_and_one_secondary_per_inquiry(app, editor_client, inquiry):
    url = f"/finance/inquiry/{inquiry.id}/coverages/new"
    assert editor_client.post_form(url, GOOD).status_code == 302
    again = editor_client.post_form(url, GOOD)
    assert again.status_code == 400
    assert (
        "This inquiry already has a primary coverage: edit that one, or add this one as secondary."
        in again.get_data(as_text=True)
    )
    # the form offers "secondary" once a primary exists
    assert '<option selected value="secondary">' in editor_client.get(url).get_data(as_text=True)
    assert editor_client.post_form(url, {**GOOD, "rank": "secondary", "payer_name": "Other Plan"}).status_code == 302
    assert [c.rank for c in coverages(app, inquiry.id)] == [CoverageRank.PRIMARY, CoverageRank.SECONDARY]


def test_a_dependent_coverage_keeps_the_subscriber_and_self_clears_it(app, editor, editor_client, inquiry):
    url = f"/finance/inquiry/{inquiry.id}/coverages/new"
    response = editor_client.post_form(
        url,
        {
            **GOOD,
            "relationship_to_subscriber": "spouse",
            "subscriber_name": "Maria Example",
            "subscriber_dob": "1977-09-30",
            "subscriber_sex": "female",
        },
    )
    assert response.status_code == 302
    [saved] = coverages(app, inquiry.id)
    assert (saved.subscriber_name, saved.subscriber_dob) == ("Maria Example", date(1977, 9, 30))
    edit = editor_client.get(f"/finance/coverages/{saved.id}/edit").get_data(as_text=True)
    assert 'value="1977-09-30"' in edit and "Maria Example" in edit
    response = editor_client.post_form(
        f"/finance/coverages/{saved.id}/edit",
        {
            **GOOD,
            "relationship_to_subscriber": "self",
            "subscriber_name": "Maria Example",
            "subscriber_dob": "1977-09-30",
        },
    )
    assert response.status_code == 302
    [saved] = coverages(app, inquiry.id)
    assert (saved.relationship_to_subscriber, saved.subscriber_name, saved.subscriber_dob) == (
        SubscriberRelationship.SELF,
        None,
        None,
    )
    assert audit_actions(app, "coverage") == ["coverage_added", "coverage_updated"]


def test_editing_keeps_its_own_rank_but_cannot_take_another(app, editor, editor_client, inquiry):
    primary = make_coverage(app, editor, inquiry.id)
    secondary = make_coverage(app, editor, inquiry.id, rank="secondary", payer_name="Second Plan")
    assert (
        editor_client.post_form(f"/finance/coverages/{primary}/edit", {**GOOD, "member_id": "NEW-1"}).status_code == 302
    )
    response = editor_client.post_form(f"/finance/coverages/{secondary}/edit", {**GOOD, "rank": "primary"})
    assert response.status_code == 400 and "already has a primary coverage" in response.get_data(as_text=True)
    assert [(c.rank, c.member_id) for c in coverages(app, inquiry.id)] == [
        (CoverageRank.PRIMARY, "NEW-1"),
        (CoverageRank.SECONDARY, "XYZ123456789"),
    ]


def test_a_retired_payer_stays_on_the_coverage_that_has_it(app, editor, editor_client, inquiry):
    payer_id = make_payer(app)
    coverage_id = make_coverage(app, editor, inquiry.id, payer_id=str(payer_id), payer_name="")
    with app.app_context():
        db.session.execute(sa.text("UPDATE payer SET is_active = false"))
        db.session.commit()
    page = editor_client.get(f"/finance/coverages/{coverage_id}/edit").get_data(as_text=True)
    assert "Blue Harbor Health (no longer in use)" in page
    response = editor_client.post_form(
        f"/finance/coverages/{coverage_id}/edit", {**GOOD, "payer_id": str(payer_id), "payer_name": ""}
    )
    assert response.status_code == 302
    # but a new coverage cannot choose it
    other = make_inquiry(app, editor)
    response = editor_client.post_form(
        f"/finance/inquiry/{other.id}/coverages/new", {**GOOD, "payer_id": str(payer_id), "payer_name": ""}
    )
    assert response.status_code == 400 and "Choose a payer from the list." in response.get_data(as_text=True)


def test_a_coverage_stays_editable_after_admission(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    program = make_program(app)
    with app.app_context():
        patient = Patient(mrn="MRN-999999-1", full_name="Test Patient", name_key="test patient")
        db.session.add(patient)
        db.session.flush()
        db.session.add(
            Admission(inquiry_id=inquiry.id, patient_id=patient.id, program_id=program.id, admit_date=date.today())
        )
        db.session.get(Inquiry, inquiry.id).status = InquiryStatus.ADMITTED
        db.session.commit()
    response = editor_client.post_form(f"/finance/coverages/{coverage_id}/edit", {**GOOD, "group_number": "NEWGRP"})
    assert response.status_code == 302
    assert coverages(app, inquiry.id)[0].group_number == "NEWGRP"


def test_unknown_coverage_is_404(editor_client):
    assert editor_client.get("/finance/coverages/999999/edit").status_code == 404
    assert editor_client.get("/finance/inquiry/999999/coverages/new").status_code == 404


def test_a_restricted_inquiry_is_refused_and_nothing_saved(app, create_user, editor_client):
    owner = create_user(Role.ADMISSIONS)
    restricted = make_inquiry(app, owner, is_restricted=True, assigned_to_id=owner.id)
    url = f"/finance/inquiry/{restricted.id}/coverages/new"
    # A refusal is the 403 page, which links to the finance page where break-the-glass is offered.
    response = editor_client.get(url)
    assert response.status_code == 403 and f'href="/finance/inquiry/{restricted.id}"' in response.get_data(as_text=True)
    response = editor_client.post_form(url, GOOD)
    assert response.status_code == 403
    assert count(app, Coverage) == 0
    assert audit_actions(app, "inquiry").count("restricted_finances_refused") == 2
    coverage_id = make_coverage(app, owner, restricted.id)
    assert (
        editor_client.post_form(f"/finance/coverages/{coverage_id}/edit", {**GOOD, "member_id": "HACK1"}).status_code
        == 403
    )
    assert coverages(app, restricted.id)[0].member_id == "XYZ123456789"


def test_a_merged_inquiry_cannot_gain_coverage(app, editor_client, inquiry, editor):
    survivor = make_inquiry(app, editor)
    with app.app_context():
        db.session.get(Inquiry, inquiry.id).merged_into_id = survivor.id
        db.session.commit()
    response = editor_client.post_form(f"/finance/inquiry/{inquiry.id}/coverages/new", GOOD)
    assert response.status_code == 403 and count(app, Coverage) == 0
    assert "This inquiry was merged into another" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.CASE_MANAGER, Role.CLINICIAN])
def test_readers_and_clinicians_cannot_change_coverage(app, client, create_user, editor, inquiry, role):
    coverage_id = make_coverage(app, editor, inquiry.id)
    login_as(client, create_user(role))
    assert client.get(f"/finance/inquiry/{inquiry.id}/coverages/new").status_code == 403
    assert (
        client.post_form(f"/finance/inquiry/{inquiry.id}/coverages/new", {**GOOD, "rank": "secondary"}).status_code
        == 403
    )
    assert client.post_form(f"/finance/coverages/{coverage_id}/edit", {**GOOD, "member_id": "HACK1"}).status_code == 403
    assert count(app, Coverage) == 1 and coverages(app, inquiry.id)[0].member_id == "XYZ123456789"


def test_coverages_for_lists_primary_first(app, editor, inquiry):
    make_coverage(app, editor, inquiry.id, rank="secondary", payer_name="Second")
    make_coverage(app, editor, inquiry.id, rank="primary", payer_name="First")
    with app.app_context():
        listed = coverage_service.coverages_for(db.session.get(Inquiry, inquiry.id))
        assert [(c.rank, c.insurer) for c in listed] == [
            (CoverageRank.PRIMARY, "First"),
            (CoverageRank.SECONDARY, "Second"),
        ]


def _verification(app, coverage_id, *, created, confirmed=True, status=VerificationStatus.VERIFIED_ACTIVE):
    with app.app_context():
        verification = BenefitVerification(
            coverage_id=coverage_id,
            status=status,
            method=VerificationMethod.PHONE,
            findings=[],
            created_at=created,
            confirmed_at=created if confirmed else None,
        )
        db.session.add(verification)
        db.session.commit()
        return verification.id


def test_latest_verifications_per_coverage_in_constant_queries(app, editor, inquiry, count_queries):
    first = make_coverage(app, editor, inquiry.id)
    second = make_coverage(app, editor, inquiry.id, rank="secondary", payer_name="Second")
    now = utcnow()
    old = _verification(app, first, created=now - timedelta(days=3))
    newest_confirmed = _verification(app, first, created=now - timedelta(days=1))
    draft = _verification(app, first, created=now, confirmed=False)
    only = _verification(app, second, created=now - timedelta(days=2), status=VerificationStatus.INACTIVE)
    with app.app_context():
        with count_queries() as few:
            latest = verifications.latest_verifications([first])
            [v.lines for v in latest.values()]
        with count_queries() as many:
            latest = verifications.latest_verifications([first, second])
            [v.lines for v in latest.values()]
        assert few.count == many.count <= 2
        assert {k: v.id for k, v in latest.items()} == {first: draft, second: only}
        confirmed = verifications.latest_verifications([first, second], confirmed_only=True)
        assert {k: v.id for k, v in confirmed.items()} == {first: newest_confirmed, second: only}
        history = verifications.verifications_for([first, second])
        assert [v.id for v in history[first]] == [draft, newest_confirmed, old]
        assert verifications.latest_verifications([]) == {}


def test_editing_keeps_where_the_coverage_came_from(app, editor, editor_client, inquiry):
    # Staff edits used to reset a web-form or API coverage's source to "phone".
    coverage_id = make_coverage(app, editor, inquiry.id)
    with app.app_context():
        db.session.execute(sa.update(Coverage).where(Coverage.id == coverage_id).values(source=Channel.WEB_FORM))
        db.session.commit()
    response = editor_client.post_form(f"/finance/coverages/{coverage_id}/edit", {**GOOD, "plan_name": "Silver"})
    assert response.status_code == 302
    assert coverages(app, inquiry.id)[0].source is Channel.WEB_FORM
