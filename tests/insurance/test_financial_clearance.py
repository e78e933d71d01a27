"""Financial clearance on the inquiry and at admission: insurance with the authorization it
needs, a private-pay deposit, or an administrator's audited override."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import CoverageRank, ServiceLine, VerificationMethod, VerificationStatus
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    AuditEvent,
    Authorization,
    BenefitVerification,
    ClearanceOverride,
    Coverage,
    Inquiry,
    VerificationLine,
)
from coordinator.roles import Role
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.fixtures.intake import make_program, record_deposit
from tests.fixtures.users import login_as

TODAY = date.today()


@pytest.fixture
def offered(app, create_inquiry):
    """An inquiry at "placement offered", one step from admission."""
    inquiry = create_inquiry(None)
    with app.app_context():
        db.session.execute(
            sa.update(Inquiry).where(Inquiry.id == inquiry.id).values(status=InquiryStatus.PLACEMENT_OFFERED)
        )
        db.session.commit()
    return inquiry


@pytest.fixture
def residential(app):
    return make_program(app, name="Residential — Riverside House")


def insure(
    app,
    inquiry_id,
    *,
    prior_auth=True,
    confirmed=True,
    status=VerificationStatus.VERIFIED_ACTIVE,
    authorization=None,
    auth_start=TODAY,
):
    with app.app_context():
        coverage = Coverage(
            inquiry_id=inquiry_id, rank=CoverageRank.PRIMARY, payer_name="Blue Harbor PPO", member_id="BHP123456"
        )
        db.session.add(coverage)
        db.session.flush()
        now = datetime.now(UTC)
        verification = BenefitVerification(
            coverage_id=coverage.id,
            status=status,
            method=VerificationMethod.ELECTRONIC_271,
            confirmed_at=now if confirmed else None,
            verified_at=now,
        )
        verification.lines = [
            VerificationLine(service_line=ServiceLine.SUD_RESIDENTIAL, covered=True, prior_auth_required=prior_auth)
        ]
        db.session.add(verification)
        if authorization:
            db.session.add(
                Authorization(
                    inquiry_id=inquiry_id,
                    coverage_id=coverage.id,
                    level_of_care=LevelOfCare.RESIDENTIAL,
                    status=authorization,
                    auth_number="A-77",
                    approved_units=14,
                    start_date=auth_start,
                    end_date=auth_start + timedelta(days=13),
                    next_review_date=auth_start + timedelta(days=10),
                )
            )
        db.session.commit()


def admit(client, inquiry, program, **extra):
    return client.post_form(
        f"/inquiries/{inquiry.id}/status",
        {"action": "admit", "program_id": str(program.id), "admit_date": TODAY.isoformat(), **extra},
    )


def admissions_of(app):
    with app.app_context():
        return db.session.scalars(sa.select(Admission)).all()


def test_admitting_without_clearance_is_refused_and_changes_nothing(app, client, create_user, offered, residential):
    login_as(client, create_user(Role.ADMISSIONS))
    response = admit(client, offered, residential)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Not financially cleared to admit." in page
    assert "An administrator can admit with an override and a reason." in page
    assert admissions_of(app) == []
    with app.app_context():
        assert db.session.get(Inquiry, offered.id).status is InquiryStatus.PLACEMENT_OFFERED


def test_an_admissions_user_cannot_override_even_with_a_reason(app, client, create_user, offered, residential):
    login_as(client, create_user(Role.ADMISSIONS))
    response = admit(client, offered, residential, override_reason="The director agreed on the phone")
    assert response.status_code == 400
    assert admissions_of(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ClearanceOverride)) == 0


def test_an_administrator_must_give_a_reason_and_the_override_is_audited(app, client, admin, offered, residential):
    login_as(client, admin)
    response = admit(client, offered, residential)
    assert response.status_code == 400
    assert "To admit anyway, give the reason for the override." in response.get_data(as_text=True)
    assert "Reason to admit without financial clearance" in response.get_data(as_text=True)
    response = admit(client, offered, residential, override_reason="short")
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert admissions_of(app) == []

    response = admit(client, offered, residential, override_reason="Charity bed approved by the director")
    assert response.status_code == 302
    [admission] = admissions_of(app)
    with app.app_context():
        override = db.session.scalars(sa.select(ClearanceOverride)).one()
        assert (override.inquiry_id, override.granted_by_id) == (offered.id, admin.id)
        assert admission.clearance_override_id == override.id
        assert admission.clearance_basis == "Administrator override: Charity bed approved by the director"
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(offered.id))).all()
        assert "clearance_overridden" in actions


def test_a_deposit_clears_the_admission(app, client, create_user, offered, residential):
    record_deposit(app, offered.id)
    login_as(client, create_user(Role.ADMISSIONS))
    assert admit(client, offered, residential).status_code == 302
    [admission] = admissions_of(app)
    assert admission.clearance_basis == (
        "Private pay: a deposit of 100,000.00 THB has been received (the quote asks for 100,000.00 THB)."
    )
    assert admission.clearance_override_id is None


def test_verified_insurance_with_an_approved_authorization_clears(app, client, create_user, offered, residential):
    insure(app, offered.id, authorization=AuthorizationStatus.APPROVED)
    login_as(client, create_user(Role.ADMISSIONS))
    assert admit(client, offered, residential).status_code == 302
    [admission] = admissions_of(app)
    assert admission.clearance_basis == (
        "Primary — Blue Harbor PPO: verified active; authorization for residential approved."
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"authorization": None},  # authorization needed, none recorded
        {"authorization": AuthorizationStatus.PENDING},  # not granted yet
        {"confirmed": False, "prior_auth": False},  # a 271 draft nobody confirmed
        {"status": VerificationStatus.INACTIVE, "prior_auth": False},  # coverage inactive
    ],
    ids=["no-authorization", "pending", "unconfirmed-draft", "inactive"],
)
def test_insurance_that_falls_short_does_not_clear(app, client, create_user, offered, residential, kwargs):
    insure(app, offered.id, **kwargs)
    login_as(client, create_user(Role.ADMISSIONS))
    assert admit(client, offered, residential).status_code == 400
    assert admissions_of(app) == []


def test_clinicians_see_whether_cleared_but_not_why(app, client, create_user, offered):
    login_as(client, create_user(Role.CLINICIAN))
    page = client.get(f"/inquiries/{offered.id}").get_data(as_text=True)
    assert "Not cleared yet" in page
    assert "No private-pay deposit has been received." not in page
    assert "Insurance and payment" not in page
    record_deposit(app, offered.id)
    page = client.get(f"/inquiries/{offered.id}").get_data(as_text=True)
    assert "Cleared to admit" in page and "deposit" not in page
    assert client.get(f"/finance/inquiry/{offered.id}").status_code == 403


def test_finance_readers_see_what_is_missing_on_the_inquiry(app, client, create_user, offered):
    login_as(client, create_user(Role.CASE_MANAGER))
    page = client.get(f"/inquiries/{offered.id}").get_data(as_text=True)
    assert "No insurance is recorded." in page and "No private-pay deposit has been received." in page
    assert f"/finance/inquiry/{offered.id}" in page


def test_clearance_is_judged_for_the_admission_date_everywhere(app, client, create_user, offered, residential):
    """Issue 13, bug 1: an authorization from 5 days ahead refuses "admit" today (saying so once),
    clears an admission planned for its first day, and the pages then agree with the admission."""
    start = TODAY + timedelta(days=5)
    insure(app, offered.id, authorization=AuthorizationStatus.APPROVED, auth_start=start)
    login_as(client, create_user(Role.ADMISSIONS))
    refused = admit(client, offered, residential)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    admit_box = page[page.index('id="action-admit"') :]
    admit_box = admit_box[: admit_box.index("</form>")]
    assert admit_box.count("Not financially cleared") == 1, "the admit box says the refusal once"
    assert admit_box.count(f"covering {TODAY:%d %b %Y} is needed") == 1
    assert admit(client, offered, residential, admit_date=start.isoformat()).status_code == 302
    [admission] = admissions_of(app)
    assert admission.clearance_basis.endswith("authorization for residential approved.")
    page = client.get(f"/inquiries/{offered.id}").get_data(as_text=True)
    assert "Cleared to admit" in page and "Not cleared yet" not in page
    assert f"For the admission date, {start:%d %b %Y}" in page
    finance = client.get(f"/finance/inquiry/{offered.id}").get_data(as_text=True)
    assert "Cleared to admit" in finance and "Not cleared yet" not in finance
    assert f"For the admission date, {start:%d %b %Y}" in finance


def test_a_refused_admission_shows_clearance_for_the_date_asked(app, client, create_user, offered, residential):
    """The admit box, shown again after a refusal for another reason, judges the date typed."""
    start = TODAY + timedelta(days=5)
    insure(app, offered.id, authorization=AuthorizationStatus.APPROVED, auth_start=start)
    login_as(client, create_user(Role.ADMISSIONS))
    response = client.post_form(
        f"/inquiries/{offered.id}/status", {"action": "admit", "program_id": "", "admit_date": start.isoformat()}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose the program the person is admitted to." in page
    assert f"Financially cleared for {start:%d %b %Y}" in page


def test_the_finance_page_never_calls_an_unconfirmed_draft_verified_active(app, client, create_user, offered):
    """Issue 13, bug 4 (its last sentence): a 271 draft saying "active" is shown as a draft to
    review, with what the 271 says, never with the "Verified active" badge."""
    insure(app, offered.id, confirmed=False, prior_auth=False)
    login_as(client, create_user(Role.BILLING))
    page = client.get(f"/finance/inquiry/{offered.id}").get_data(as_text=True)
    assert "271 draft to review" in page and "the 271 says “verified active”; not confirmed" in page
    assert ">Verified active<" not in page and "Cleared to admit" not in page
