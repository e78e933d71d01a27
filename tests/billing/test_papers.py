"""Issue 13, item 12: papers a patient can hold. The clinic's details (settings an administrator
edits), a printable quote and a printable estimate under that header, the statement with the
same header; who may print, audited reads, restricted records refused."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.contracts.verification import VerificationInput
from coordinator.domain.insurance import ServiceLine, VerificationMethod, VerificationStatus
from coordinator.extensions import db
from coordinator.models import (
    AppSetting,
    AuditEvent,
    BenefitVerification,
    Coverage,
    Inquiry,
    Quote,
    User,
    VerificationLine,
)
from coordinator.roles import Role
from coordinator.services import verifications
from tests.billing import use_cases as cases
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.conftest import make_coverage

CLINIC = {
    "name": "Harbor Recovery Center",
    "address": "99/1 Moo 4, Chalong\nPhuket 83130, Thailand",
    "phone": "+66 76 123 456",
    "email": "billing@harbor.example",
    "payment_details": "Bangkok Bank, account Harbor Recovery Co., 123-4-56789-0, SWIFT BKKBTHBK",
    "billed_separately": "Medication, extra psychiatric consultations, hospital visits, transport.",
}


def set_clinic(client) -> None:
    response = client.post_form("/admin/settings/clinic", CLINIC)
    assert response.status_code == 302


def account_with_quote(app, world) -> tuple[int, int]:
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        inquiry = db.session.get(Inquiry, world.inquiry_id)
        account = cases.open_account(actor, inquiry, "THB")
        quote = cases.issue_quote(actor, account, world.program_id, 1, notes="Arrival on Monday.")
        db.session.commit()
        return account.id, quote.id


def printed(app, action: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.entity_id).where(AuditEvent.action == action)))


def test_the_admin_keeps_the_clinic_details_on_the_settings_page(app, client, create_user):
    login_as(client, create_user(Role.ADMIN))
    page = client.get("/admin/reminders/settings").get_data(as_text=True)
    assert 'data-testid="clinic-details-form"' in page and "Clinic details on printed papers" in page
    bad = client.post_form("/admin/settings/clinic", {**CLINIC, "email": "not an address", "name": "x" * 201})
    assert bad.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AppSetting)) == 0
    set_clinic(client)
    again = client.get("/admin/reminders/settings").get_data(as_text=True)
    assert "Harbor Recovery Center" in again and "123-4-56789-0" in again
    with app.app_context():
        changed = db.session.scalars(sa.select(AuditEvent.entity_id).where(AuditEvent.action == "setting_changed"))
        assert set(changed) == {f"clinic_{name}" for name in CLINIC}


def test_the_printable_quote_carries_the_clinic_header_terms_and_currency(app, client, create_user, world):
    login_as(client, create_user(Role.ADMIN))
    set_clinic(client)
    _, quote_id = account_with_quote(app, world)
    billing = create_user(Role.BILLING)
    login_as(client, billing)
    account_page = client.get(f"/finance/inquiry/{world.inquiry_id}/account").get_data(as_text=True)
    assert f"/finance/quotes/{quote_id}/print" in account_page
    response = client.get(f"/finance/quotes/{quote_id}/print")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in (
        "Harbor Recovery Center",
        "99/1 Moo 4, Chalong\nPhuket 83130, Thailand",
        "Tel. +66 76 123 456",
        "billing@harbor.example",
        "SWIFT BKKBTHBK",
        "Somchai Example",
        "Residential pain and recovery",
        "280,000.00 THB",
        "All amounts in THB.",
        "data-print",
        'data-testid="included"',
        'data-testid="billed-separately"',
    ):
        assert words in page, words
    assert 'class="navbar' not in page
    with app.app_context():
        quote = db.session.get(Quote, quote_id)
        assert quote.includes and quote.includes.split()[0] in page
    assert printed(app, "finances_quote_printed") == [str(world.inquiry_id)]


def test_a_fresh_install_prints_without_clinic_details(app, client, world):
    _, quote_id = account_with_quote(app, world)
    login_as(client, world.admissions)
    page = client.get(f"/finance/quotes/{quote_id}/print").get_data(as_text=True)
    assert 'data-testid="clinic-name"' in page and 'data-testid="payment-details"' not in page
    assert 'data-testid="clinic-address"' not in page


def test_the_statement_has_the_same_header(app, client, create_user, world):
    login_as(client, create_user(Role.ADMIN))
    set_clinic(client)
    account_with_quote(app, world)
    login_as(client, create_user(Role.CASE_MANAGER))
    page = client.get(f"/finance/inquiry/{world.inquiry_id}/statement").get_data(as_text=True)
    assert 'data-testid="paper-header"' in page and "Phuket 83130" in page and "SWIFT BKKBTHBK" in page
    assert "Statement of account" in page and 'data-testid="statement-ledger"' in page


def test_who_may_print_a_quote(app, client, create_user, world):
    _, quote_id = account_with_quote(app, world)
    login_as(client, create_user(Role.CLINICIAN))
    assert client.get(f"/finance/quotes/{quote_id}/print").status_code == 403
    assert client.get("/finance/quotes/2147483648/print").status_code == 404
    assert printed(app, "finances_quote_printed") == []


def test_a_restricted_record_is_not_printed_for_someone_outside_its_team(app, client, create_user, world):
    assignee = create_user(Role.ADMISSIONS)
    secret = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Hidden Person")
    with app.app_context():
        actor = db.session.get(User, assignee.id)
        account = cases.open_account(actor, db.session.get(Inquiry, secret.id), "THB")
        quote = cases.issue_quote(actor, account, world.program_id, 1)
        db.session.commit()
        quote_id = quote.id
    login_as(client, create_user(Role.BILLING))
    refused = client.get(f"/finance/quotes/{quote_id}/print")
    assert refused.status_code == 403 and "Hidden Person" not in refused.get_data(as_text=True)
    assert client.get(f"/finance/inquiry/{secret.id}/statement").status_code == 403
    assert printed(app, "finances_quote_printed") == []


R = "sud_residential"
STAY = "service_line=sud_residential&daily_rate=1,000&days=14&authorized_days=14"


def confirmed_verification(app, actor, inquiry_id) -> int:
    coverage_id = make_coverage(app, actor, inquiry_id)
    with app.app_context():
        verification = verifications.record_verification(
            db.session.merge(actor),
            db.session.get(Coverage, coverage_id),
            VerificationInput.parse(
                {
                    "status": "verified_active",
                    "method": "phone",
                    "network_status": "in_network",
                    "payer_reference": "REF-77",
                    R: {
                        "covered": "yes",
                        "deductible_individual": "1500",
                        "deductible_individual_met": "500",
                        "oop_individual": "5000",
                        "oop_individual_met": "1250",
                        "coinsurance_percent": "20",
                    },
                }
            ),
        )
        db.session.commit()
        return verification.id


def test_the_printable_estimate(app, client, create_user, world):
    login_as(client, create_user(Role.ADMIN))
    set_clinic(client)
    verification_id = confirmed_verification(app, world.admissions, world.inquiry_id)
    login_as(client, world.admissions)
    result = client.post_form(
        f"/finance/verifications/{verification_id}/estimate",
        {"service_line": R, "daily_rate": "1,000", "days": "14", "authorized_days": "14"},
    ).get_data(as_text=True)
    assert 'data-testid="print-estimate"' in result
    response = client.get(f"/finance/verifications/{verification_id}/estimate/print?{STAY}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for words in (
        "Harbor Recovery Center",
        "You pay about <strong>3,600.00 USD</strong>",
        "of 14,000.00 USD in charges",
        "14 days at 1,000.00 USD a day",
        "Medication, extra psychiatric consultations",
        "REF-77",
        "SWIFT BKKBTHBK",
    ):
        assert words in page, words
    assert printed(app, "finances_estimate_printed") == [str(world.inquiry_id)]


def test_a_bad_or_unconfirmed_estimate_is_not_printed(app, client, world):
    verification_id = confirmed_verification(app, world.admissions, world.inquiry_id)
    login_as(client, world.admissions)
    url = f"/finance/verifications/{verification_id}/estimate/print"
    for query in (
        "",
        "service_line=dental&daily_rate=1&days=1",
        f"{STAY}0000",
        "service_line=sud_residential&daily_rate=%00&days=3",
    ):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 302 and response.headers["Location"].endswith("/estimate"), query
    with app.app_context():
        draft = BenefitVerification(
            coverage_id=db.session.get(BenefitVerification, verification_id).coverage_id,
            status=VerificationStatus.VERIFIED_ACTIVE,
            method=VerificationMethod.ELECTRONIC_271,
            findings=[],
        )
        draft.lines = [VerificationLine(service_line=ServiceLine.SUD_RESIDENTIAL, covered=True)]
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    refused = client.get(f"/finance/verifications/{draft_id}/estimate/print?{STAY}", follow_redirects=True)
    assert "Confirm the verification before printing an estimate" in refused.get_data(as_text=True)
