"""The estimate page: what the patient would pay for a proposed stay under a verification's benefits.
Readers may use it; nothing is stored."""

from decimal import Decimal

import pytest

from coordinator.contracts.verification import VerificationInput
from coordinator.domain.insurance import LimitUnit, NetworkStatus, ServiceLine, VerificationMethod, VerificationStatus
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, VerificationLine
from coordinator.roles import Role
from coordinator.services import estimates, verifications
from tests.fixtures.users import login_as
from tests.insurance.conftest import audit_actions, count, make_coverage

R = "sud_residential__"
CHECK = {
    "status": "verified_active",
    "method": "phone",
    "network_status": "in_network",
    R + "covered": "yes",
    R + "deductible_individual": "1500",
    R + "deductible_individual_met": "500",
    R + "oop_individual": "5000",
    R + "oop_individual_met": "1250",
    R + "coinsurance_percent": "20",
    R + "prior_auth_required": "yes",
    R + "limit_quantity": "30",
    R + "limit_unit": "days",
}
STAY = {"service_line": "sud_residential", "daily_rate": "1,000", "days": "14", "authorized_days": "14"}


@pytest.fixture
def verification_id(app, editor, inquiry) -> int:
    coverage_id = make_coverage(app, editor, inquiry.id)
    with app.app_context():
        header = {key: value for key, value in CHECK.items() if not key.startswith(R)}
        line = {key.removeprefix(R): value for key, value in CHECK.items() if key.startswith(R)}
        verification = verifications.record_verification(
            editor, db.session.get(Coverage, coverage_id), VerificationInput.parse({**header, "sud_residential": line})
        )
        db.session.commit()
        return verification.id


def test_the_estimate_shows_what_the_patient_pays_and_why(app, editor_client, verification_id):
    url = f"/finance/verifications/{verification_id}/estimate"
    form = editor_client.get(url)
    assert form.status_code == 200 and "Substance use — residential / inpatient" in form.get_data(as_text=True)
    stored = (count(app, BenefitVerification), count(app, VerificationLine))
    response = editor_client.post_form(url, STAY)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # 14 days at 1,000: deductible 1,000 left, then 20% of 13,000 = 2,600; under the 3,750 out-of-pocket left
    assert "The patient pays about 3,600.00 USD</strong>" in page and "of 14,000.00 USD in charges" in page
    assert "The insurer pays about 10,400.00 USD" in page
    for text in (
        "Deductible",
        "Co-insurance 20% of 13,000.00 USD",
        "2,600.00 USD",
        "Prior authorization: 14 days authorized.",
        "Out-of-pocket maximum remaining: 3,750.00 USD.",
        "The co-pay is not known; it is counted as none, so the estimate may be low.",
    ):
        assert text in page, text
    assert (count(app, BenefitVerification), count(app, VerificationLine)) == stored
    assert audit_actions(app, "inquiry").count("finances_estimate_viewed") == 2


def test_the_day_limit_and_the_authorized_days_cap_the_covered_days(app, editor_client, verification_id):
    response = editor_client.post_form(
        f"/finance/verifications/{verification_id}/estimate", {**STAY, "days": "20", "authorized_days": "10"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "10 days beyond the authorized days, not covered: you pay 1,000.00 USD a day in full" in page
    assert "10 of 20 days are covered." in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"service_line": ""}, "Choose the service line."),
        ({"service_line": "pharmacy"}, "This verification has no benefits recorded for pharmacy."),
        ({"service_line": "dental"}, "Choose one of the listed options (sud_residential, sud_outpatient,"),
        ({"daily_rate": ""}, "Enter the daily rate."),
        ({"daily_rate": "-5"}, "Enter the daily rate as an amount such as 1500 or 1,500.50."),
        ({"daily_rate": "0"}, "The daily rate must be more than zero."),
        ({"daily_rate": "1.234"}, "USD amounts have at most 2 decimal places."),
        ({"days": ""}, "Enter the length of stay in days."),
        ({"days": "0"}, "Enter the length of stay in days as a whole number from 1 to 365."),
        ({"days": "a week"}, "Enter the length of stay in days as a whole number from 1 to 365."),
        ({"authorized_days": "-1"}, "Enter the number of authorized days as a whole number from 0 to 365."),
    ],
)
def test_bad_estimate_input_is_explained(app, editor_client, verification_id, overrides, message):
    response = editor_client.post_form(f"/finance/verifications/{verification_id}/estimate", {**STAY, **overrides})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and 'data-testid="estimate-result"' not in page


def test_case_managers_may_estimate_and_clinicians_may_not(app, client, create_user, verification_id):
    login_as(client, create_user(Role.CASE_MANAGER))
    response = client.post_form(f"/finance/verifications/{verification_id}/estimate", STAY)
    assert response.status_code == 200 and "3,600.00 USD" in response.get_data(as_text=True)
    client.logout()
    login_as(client, create_user(Role.CLINICIAN))
    assert client.post_form(f"/finance/verifications/{verification_id}/estimate", STAY).status_code == 403


def test_a_draft_estimate_carries_a_warning(app, editor_client, editor, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    with app.app_context():
        draft = BenefitVerification(
            coverage_id=coverage_id,
            status=VerificationStatus.VERIFIED_ACTIVE,
            method=VerificationMethod.ELECTRONIC_271,
            findings=[],
        )
        draft.lines = [VerificationLine(service_line=ServiceLine.SUD_RESIDENTIAL, covered=True)]
        db.session.add(draft)
        db.session.commit()
        draft_id = draft.id
    response = editor_client.post_form(f"/finance/verifications/{draft_id}/estimate", STAY)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "unconfirmed 271 draft" in page
    # the network is not known on a 271 draft: treated as out of network, the patient pays everything
    assert "The patient pays about 14,000.00 USD</strong>" in page


def test_estimate_for_assembles_the_rule_inputs(app, editor, inquiry):
    coverage_id = make_coverage(app, editor, inquiry.id)
    with app.app_context():
        verification = BenefitVerification(
            coverage_id=coverage_id,
            status=VerificationStatus.VERIFIED_ACTIVE,
            network_status=NetworkStatus.IN_NETWORK,
            findings=[],
            currency="USD",
        )
        verification.lines = [
            VerificationLine(
                service_line=ServiceLine.SUD_OUTPATIENT,
                covered=True,
                deductible_individual=Decimal("500"),
                deductible_individual_met=Decimal("800"),
                coinsurance_percent=Decimal("10"),
                copay=Decimal("0"),
                limit_quantity=20,
                limit_unit=LimitUnit.VISITS,
                prior_auth_required=False,
            )
        ]
        db.session.add(verification)
        db.session.flush()
        result = estimates.estimate_for(verification, "sud_outpatient", Decimal("200"), 5, None)
        # met beyond the total leaves nothing; a limit in visits is not a day limit
        assert result.patient_total == Decimal("100.00") and result.covered_days == 5
        assert any("day limit is not known" in warning for warning in result.warnings)
        db.session.rollback()
