"""Issue 13, bugs 3 and 4: a visitor's request is not a 271 draft; confirming needs findings and a
confirm step; drafts can be discarded; a 271 for another person (name, date of birth, payer,
member id) blocks confirmation until staff explain it, and the explanation is kept and shown."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, BenefitVerification, Coverage, Inquiry
from coordinator.rules.verification_lifecycle import VerificationStage
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.conftest import X12_FIXTURES, audit_actions, make_coverage
from tests.insurance.test_verification_exchange import upload
from tests.intake.test_public_form import URL
from tests.intake.test_web_form_insurance import with_insurance

ACTIVE_PPO = (Path(X12_FIXTURES) / "active_ppo.x12").read_bytes()
R = "sud_residential__"
PHONE_CHECK = {
    "status": "verified_active",
    "method": "phone",
    "network_status": "in_network",
    "plan_begin": "2026-01-01",
    R + "covered": "yes",
}


def the_verification(app) -> BenefitVerification:
    with app.app_context():
        return db.session.scalars(sa.select(BenefitVerification)).one()


def web_request(app, client) -> tuple[int, int]:
    """A visitor's inquiry asking for a benefits check: (inquiry id, verification id)."""
    assert client.post_form(URL, with_insurance(verification_requested="y")).status_code == 302
    with app.app_context():
        verification = db.session.scalars(sa.select(BenefitVerification)).one()
        coverage = db.session.get(Coverage, verification.coverage_id)
        return coverage.inquiry_id, verification.id


# --- bug 3: a request is not a draft ---------------------------------------------------------------


def test_a_visitors_request_reads_as_a_request_and_cannot_be_confirmed(app, client, editor):
    inquiry_id, request_id = web_request(app, client)
    login_as(client, editor)
    page = client.get(f"/finance/verifications/{request_id}").get_data(as_text=True)
    assert "Verification requested" in page and 'data-testid="request-banner"' in page
    assert "Draft from a 271 file" not in page and 'data-testid="draft-banner"' not in page
    assert f"/finance/verifications/{request_id}/confirm" not in page
    overview = client.get(f"/finance/inquiry/{inquiry_id}").get_data(as_text=True)
    assert "Verification requested" in overview and "271 draft to review" not in overview
    worklist = client.get("/finance/").get_data(as_text=True)
    assert "Verification requested" in worklist and "271 draft to review" not in worklist

    refused = client.post_form(f"/finance/verifications/{request_id}/confirm", {"checked": "y"}, follow_redirects=True)
    assert "Only a draft from a 271 can be corrected or confirmed" in refused.get_data(as_text=True)
    request = the_verification(app)
    assert request.stage is VerificationStage.REQUESTED and request.confirmed_at is None
    assert "verification_confirmed" not in audit_actions(app, "benefit_verification")


def test_recording_the_check_answers_the_request(app, client, editor):
    inquiry_id, request_id = web_request(app, client)
    login_as(client, editor)
    with app.app_context():
        coverage_id = db.session.get(BenefitVerification, request_id).coverage_id
    response = client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", PHONE_CHECK)
    assert response.status_code == 302 and response.headers["Location"] == f"/finance/verifications/{request_id}"
    answered = the_verification(app)  # the same row, filled in
    assert answered.stage is VerificationStage.CONFIRMED and answered.confirmed_by_id == editor.id
    assert answered.created_by_id is None  # still the visitor's request
    page = client.get(f"/finance/inquiry/{inquiry_id}").get_data(as_text=True)
    assert "Verified active" in page and "Verification requested" not in page


def test_an_empty_draft_cannot_be_confirmed(app, editor, editor_client, inquiry):
    # A 271 that says nothing usable (a rejection): status "needs information", no benefits.
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789")
    rejected = (Path(X12_FIXTURES) / "rejected.x12").read_bytes()
    assert upload(editor_client, coverage_id, rejected).status_code == 302
    draft = the_verification(app)
    step = editor_client.get(f"/finance/verifications/{draft.id}/confirm")
    assert step.status_code == 200 and 'data-testid="missing-findings"' in step.get_data(as_text=True)
    response = editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"})
    assert response.status_code == 400
    assert "Say what the payer found: coverage active or inactive" in response.get_data(as_text=True)
    assert the_verification(app).stage is VerificationStage.DRAFT
    page = editor_client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    assert "Verified" not in page.split('id="coverage-heading"')[1].split("</section>")[0]


def test_confirming_is_a_step_not_one_click(app, editor, editor_client):
    inquiry = make_inquiry(app, editor, patient_name="Jordan Rivera", patient_dob="1989-04-12")
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789")
    upload(editor_client, coverage_id, ACTIVE_PPO)
    draft = the_verification(app)
    page = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert f'href="/finance/verifications/{draft.id}/confirm"' in page  # a link to the step, not a POST button
    bare = editor_client.post_form(f"/finance/verifications/{draft.id}/confirm")
    assert bare.status_code == 400 and "Tick the box" in bare.get_data(as_text=True)
    assert the_verification(app).stage is VerificationStage.DRAFT
    assert editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"}).status_code == 302
    assert the_verification(app).stage is VerificationStage.CONFIRMED


def test_a_draft_is_discarded_with_a_reason_kept_audited_and_shown(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789")
    upload(editor_client, coverage_id, ACTIVE_PPO)
    draft = the_verification(app)
    url = f"/finance/verifications/{draft.id}/discard"
    assert editor_client.get(url).status_code == 200
    blank = editor_client.post_form(url, {"reason": "  "})
    assert blank.status_code == 400 and "Say why it is being discarded." in blank.get_data(as_text=True)
    huge = editor_client.post_form(url, {"reason": "x" * 100_000})
    assert huge.status_code == 400 and the_verification(app).stage is VerificationStage.DRAFT
    response = editor_client.post_form(url, {"reason": "271 for another patient with the same card"})
    assert response.status_code == 302
    gone = the_verification(app)
    assert (gone.stage, gone.discard_reason, gone.discarded_by_id) == (
        VerificationStage.DISCARDED,
        "271 for another patient with the same card",
        editor.id,
    )
    assert audit_actions(app, "benefit_verification")[-1] == "verification_discarded"
    with app.app_context():
        detail = db.session.scalars(sa.select(AuditEvent.detail).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert "another patient" not in detail  # the free text stays on the record, not in the audit detail
    page = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="discarded-banner"' in page and "271 for another patient with the same card" in page
    again = editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"})
    assert again.status_code == 302 and the_verification(app).stage is VerificationStage.DISCARDED


# --- bug 4: a 271 for someone else ---------------------------------------------------------------


def test_a_271_for_another_person_blocks_confirmation_until_explained(app, editor, editor_client):
    # Same member id, so only the name, the birth date and the payer tell it is someone else.
    inquiry = make_inquiry(app, editor, patient_name="Daniel Example", patient_dob="1975-04-12")
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789", payer_name="Northwind Mutual")
    upload(editor_client, coverage_id, ACTIVE_PPO)
    draft = the_verification(app)
    step = editor_client.get(f"/finance/verifications/{draft.id}/confirm").get_data(as_text=True)
    for words in (
        "The 271&#39;s subscriber is RIVERA, JORDAN; the record has Daniel Example.",
        "date of birth as 12 Apr 1989; the record has 12 Apr 1975.",
        "The 271 comes from ACME HEALTH PLAN; this coverage&#39;s payer is Northwind Mutual.",
    ):
        assert words in step, words
    refused = editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"})
    assert refused.status_code == 400 and "Explain why it is right for this patient" in refused.get_data(as_text=True)
    assert the_verification(app).stage is VerificationStage.DRAFT
    overview = editor_client.get(f"/finance/inquiry/{inquiry.id}").get_data(as_text=True)
    coverage_part = overview.split('id="coverage-heading"')[1].split("</section>")[0]
    assert "271 draft to review" in coverage_part and "verification-verified_active" not in coverage_part

    explanation = "Payer confirmed by phone (ref. 7731): the policy moved to Acme; record corrected."
    done = editor_client.post_form(
        f"/finance/verifications/{draft.id}/confirm", {"checked": "y", "explanation": explanation}
    )
    assert done.status_code == 302
    confirmed = the_verification(app)
    assert confirmed.stage is VerificationStage.CONFIRMED and confirmed.mismatch_explanation == explanation
    assert "differences from the record explained" in (db_detail(app, "verification_confirmed") or "")
    page = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="mismatch-explanation"' in page and "Payer confirmed by phone (ref. 7731)" in page


def db_detail(app, action: str) -> str | None:
    with app.app_context():
        return db.session.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == action)).first()


def test_names_match_without_case_accents_or_spacing(app, editor, editor_client):
    inquiry = make_inquiry(app, editor, patient_name="Jórdan  Rivera", patient_dob="1989-04-12")
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="xjh 1234 56789", payer_name="Acme Health")
    upload(editor_client, coverage_id, ACTIVE_PPO)
    draft = the_verification(app)
    page = editor_client.get(f"/finance/verifications/{draft.id}").get_data(as_text=True)
    assert 'data-testid="mismatches"' not in page
    assert editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", {"checked": "y"}).status_code == 302


def test_a_dependent_is_compared_with_the_insured_on_the_coverage(app, editor, editor_client):
    inquiry = make_inquiry(app, editor, patient_name="Jordan Rivera", patient_dob="1989-04-12")
    coverage_id = make_coverage(
        app,
        editor,
        inquiry.id,
        member_id="XJH123456789",
        relationship_to_subscriber="spouse",
        subscriber_name="Maria Visitor",
        subscriber_dob="1977-09-30",
    )
    upload(editor_client, coverage_id, ACTIVE_PPO)
    draft = the_verification(app)
    step = editor_client.get(f"/finance/verifications/{draft.id}/confirm").get_data(as_text=True)
    assert "the record has Maria Visitor" in step


def test_the_request_on_an_inquiry_is_answered_by_an_imported_271(app, client, editor):
    inquiry_id, request_id = web_request(app, client)
    login_as(client, editor)
    with app.app_context():
        coverage_id = db.session.get(BenefitVerification, request_id).coverage_id
        db.session.execute(sa.update(Inquiry).where(Inquiry.id == inquiry_id).values(patient_name="Jordan Rivera"))
        db.session.commit()
    response = upload(client, coverage_id, ACTIVE_PPO)
    assert response.headers["Location"] == f"/finance/verifications/{request_id}"
    draft = the_verification(app)
    assert draft.stage is VerificationStage.DRAFT and draft.source_271


def test_hostile_input_on_the_confirm_and_discard_steps_changes_nothing(app, editor, editor_client, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id, member_id="XJH123456789")
    upload(editor_client, coverage_id, ACTIVE_PPO)  # for another person: an explanation is needed
    draft = the_verification(app)
    for data in (
        {"checked": "y", "explanation": "x" * 100_000},
        {"checked": "y", "explanation": "fine\x00"},
        {"checked": "\x00"},
    ):
        response = editor_client.post_form(f"/finance/verifications/{draft.id}/confirm", data)
        assert response.status_code == 400, data
    for data in ({"reason": "why\x00"}, {"reason": "r" * 501}):
        assert editor_client.post_form(f"/finance/verifications/{draft.id}/discard", data).status_code == 400
    assert the_verification(app).stage is VerificationStage.DRAFT
    for url in ("/finance/verifications/2147483648/confirm", "/finance/verifications/2147483648/discard"):
        assert editor_client.get(url).status_code == 404
