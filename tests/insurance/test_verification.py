"""Manual verifications of benefits (phone, portal), the verification page, correcting and
confirming drafts, and who may do what."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordinator.contracts.verification import DraftVerificationInput, VerificationInput
from coordinator.domain.insurance import (
    CopayPer,
    LimitUnit,
    NetworkStatus,
    ServiceLine,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, VerificationLine
from coordinator.roles import Role
from coordinator.services import verifications as verification_service
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.conftest import audit_actions, count, make_coverage

R = "sud_residential__"
GOOD = {
    "status": "verified_active",
    "method": "phone",
    "network_status": "in_network",
    "out_of_network_benefits": "no",
    "payer_reference": "REF-2026-0042",
    "payer_contact": "Tina at provider services",
    "plan_begin": "2026-01-01",
    "plan_end": "2026-12-31",
    "currency": "USD",
    "notes": "Called at 9:40.",
    R + "covered": "yes",
    R + "deductible_individual": "1,500",
    R + "deductible_individual_met": "600.50",
    R + "deductible_family": "3000",
    R + "deductible_family_met": "0",
    R + "oop_individual": "5000",
    R + "oop_individual_met": "1250",
    R + "copay": "25",
    R + "copay_per": "day",
    R + "coinsurance_percent": "20",
    R + "prior_auth_required": "yes",
    R + "limit_quantity": "30",
    R + "limit_unit": "days",
    R + "limit_period": "calendar year",
    "pharmacy__covered": "yes",
    "pharmacy__copay": "10",
    "pharmacy__copay_per": "visit",
}


@pytest.fixture
def coverage_id(app, editor, inquiry) -> int:
    return make_coverage(app, editor, inquiry.id)


def verifications(app):
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(BenefitVerification)
                .order_by(BenefitVerification.id)
                .options(sa.orm.selectinload(BenefitVerification.lines))
            )
        )


def make_draft(app, coverage_id) -> int:
    with app.app_context():
        draft = BenefitVerification(
            coverage_id=coverage_id,
            status=VerificationStatus.VERIFIED_ACTIVE,
            method=VerificationMethod.ELECTRONIC_271,
            findings=["A payer message."],
            source_271="ISA*00~",
        )
        draft.lines = [
            VerificationLine(
                service_line=ServiceLine.SUD_RESIDENTIAL,
                covered=True,
                coinsurance_percent=Decimal("20"),
                deductible_individual=Decimal("1500.00"),
            ),
            VerificationLine(service_line=ServiceLine.PHARMACY, covered=True),
        ]
        db.session.add(draft)
        db.session.commit()
        return draft.id


def test_a_phone_verification_is_recorded_confirmed_and_shown(app, editor, editor_client, coverage_id, inquiry):
    form = editor_client.get(f"/finance/coverages/{coverage_id}/verifications/new")
    assert form.status_code == 200 and "Substance use — residential / inpatient" in form.get_data(as_text=True)
    response = editor_client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", GOOD)
    assert response.status_code == 302
    [saved] = verifications(app)
    assert response.headers["Location"] == f"/finance/verifications/{saved.id}"
    assert (saved.status, saved.method, saved.network_status, saved.out_of_network_benefits) == (
        VerificationStatus.VERIFIED_ACTIVE,
        VerificationMethod.PHONE,
        NetworkStatus.IN_NETWORK,
        False,
    )
    assert (saved.payer_reference, saved.plan_begin, saved.plan_end, saved.currency) == (
        "REF-2026-0042",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "USD",
    )
    assert saved.confirmed_at is not None and saved.confirmed_at == saved.verified_at
    assert saved.confirmed_by_id == saved.verified_by_id == saved.created_by_id == editor.id
    residential, pharmacy = saved.lines
    assert (residential.service_line, pharmacy.service_line) == (ServiceLine.SUD_RESIDENTIAL, ServiceLine.PHARMACY)
    assert (
        residential.deductible_individual,
        residential.deductible_individual_met,
        residential.deductible_family_met,
        residential.copay,
        residential.copay_per,
        residential.coinsurance_percent,
    ) == (Decimal("1500.00"), Decimal("600.50"), Decimal("0.00"), Decimal("25.00"), CopayPer.DAY, Decimal("20"))
    assert (
        residential.covered,
        residential.prior_auth_required,
        residential.limit_quantity,
        residential.limit_unit,
        residential.limit_period,
    ) == (True, True, 30, LimitUnit.DAYS, "calendar year")
    assert (pharmacy.copay, pharmacy.copay_per, pharmacy.deductible_individual) == (
        Decimal("10.00"),
        CopayPer.VISIT,
        None,
    )
    assert audit_actions(app, "benefit_verification") == ["verification_recorded"]

    page = editor_client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    for expected in (
        "Verified active",
        "Phone",
        "In network",
        "REF-2026-0042",
        "1,500.00 USD",
        "600.50 USD met",
        "25.00 USD per day",
        "20%",
        "30 days per calendar year",
        "Ada Admissions",
        "Called at 9:40.",
    ):
        assert expected in text, expected
    assert 'data-testid="draft-banner"' not in text and 'data-testid="raw-271"' not in text


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"status": ""}, "Choose what the check found."),
        ({"status": "great"}, "Choose one of the listed options (requested, in_progress,"),
        ({"method": ""}, "Say how benefits were checked."),
        ({"method": "electronic_271"}, "Electronic verifications come from a 271 file"),
        ({"network_status": "maybe"}, "Choose one of the listed options (in_network, out_of_network, unknown)."),
        ({"out_of_network_benefits": "perhaps"}, "Choose yes, no or not known."),
        ({"payer_reference": "REF*1~"}, "Use letters, digits, spaces and . - / # (at most 80)"),
        ({"plan_begin": "2026-12-31", "plan_end": "2026-01-01"}, "The plan year cannot end before it begins."),
        ({"plan_end": "31/12/2026"}, "Enter the plan year&#39;s last day as a real date (YYYY-MM-DD)."),
        ({"currency": "XYZ"}, "is not an ISO 4217 currency code; use three letters such as THB or USD."),
        ({"currency": "BHD"}, "Benefit amounts are kept to the cent; BHD uses 3 decimal places."),
        (
            {R + "deductible_individual_met": "2000"},
            "The amount met cannot be more than the deductible itself (1,500.00 USD).",
        ),
        (
            {R + "oop_individual_met": "5000.01"},
            "The amount met cannot be more than the out-of-pocket maximum itself (5,000.00 USD).",
        ),
        ({R + "copay": "-5"}, "Enter the co-pay as an amount such as 1500 or 1,500.50."),
        ({R + "copay": "12.345"}, "USD amounts have at most 2 decimal places."),
        ({R + "copay": "ten dollars"}, "Enter the co-pay as an amount such as 1500 or 1,500.50."),
        ({R + "deductible_family": "1" * 41}, "Enter the family deductible as an amount such as 1500 or 1,500.50."),
        ({R + "copay_per": ""}, "Say what the co-pay is charged per: visit, day or admission."),
        ({R + "coinsurance_percent": "120"}, "Enter the co-insurance as a percentage from 0 to 100."),
        ({R + "coinsurance_percent": "twenty"}, "Enter the co-insurance as a percentage from 0 to 100."),
        ({R + "limit_quantity": "0"}, "Enter the limit as a whole number from 1 to 10,000."),
        ({R + "limit_unit": ""}, "Say what the limit counts: days, visits or hours."),
        ({R + "covered": "maybe"}, "Choose yes, no or not known."),
        ({R + "carve_out": "c" * 301}, "Use at most 300 characters (this has 301)."),
        ({R + "limit_period": "calendar\x00year"}, "This text contains a character that is not allowed."),
    ],
)
def test_bad_verification_input_is_explained_and_nothing_saved(app, editor_client, coverage_id, overrides, message):
    response = editor_client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", {**GOOD, **overrides})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "Nothing was saved" in page
    assert count(app, BenefitVerification) == 0 and count(app, VerificationLine) == 0
    assert "verification_recorded" not in audit_actions(app)


def test_blank_service_lines_are_not_stored(app, editor, coverage_id):
    with app.app_context():
        coverage = db.session.get(Coverage, coverage_id)
        blank = dict.fromkeys(("covered", "copay", "copay_per", "notes"), "")
        saved = verification_service.record_verification(
            editor,
            coverage,
            VerificationInput.parse(
                {"status": "inactive", "method": "portal", "sud_outpatient": {"covered": "no"}, "pharmacy": blank}
            ),
        )
        db.session.commit()
        assert [(line.service_line, line.covered) for line in saved.lines] == [(ServiceLine.SUD_OUTPATIENT, False)]
        assert saved.currency == "USD" and saved.network_status is NetworkStatus.UNKNOWN


def test_unknown_service_lines_are_refused(app):
    # The contract refuses them now (an unknown field), before the service is called.
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        VerificationInput.parse({"status": "inactive", "method": "phone", "dental": {"covered": "yes"}})
    assert [(p.field, p.code) for p in refused.value.problems] == [("dental", "unknown_field")]


def test_a_draft_is_corrected_then_confirmed(app, editor, editor_client, coverage_id):
    draft_id = make_draft(app, coverage_id)
    page = editor_client.get(f"/finance/verifications/{draft_id}").get_data(as_text=True)
    assert 'data-testid="draft-banner"' in page and "Confirm" in page and "A payer message." in page
    assert "not say whether this program is in the plan's network" in page
    form = editor_client.get(f"/finance/verifications/{draft_id}/edit")
    assert form.status_code == 200
    text = form.get_data(as_text=True)
    assert 'value="1500.00"' in text and 'name="method"' not in text
    response = editor_client.post_form(
        f"/finance/verifications/{draft_id}/edit",
        {
            "status": "verified_active",
            "network_status": "in_network",
            "currency": "USD",
            "plan_begin": "2026-01-01",
            R + "covered": "yes",
            R + "coinsurance_percent": "30",
            R + "deductible_individual": "1500",
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/finance/verifications/{draft_id}"
    [saved] = verifications(app)
    assert saved.is_draft and saved.method is VerificationMethod.ELECTRONIC_271
    assert saved.network_status is NetworkStatus.IN_NETWORK
    assert [(line.service_line, line.coinsurance_percent) for line in saved.lines] == [
        (ServiceLine.SUD_RESIDENTIAL, Decimal("30.00"))
    ]  # the pharmacy line was cleared
    assert saved.findings == ["A payer message."] and saved.source_271 == "ISA*00~"

    assert editor_client.get(f"/finance/verifications/{draft_id}/confirm").status_code == 200
    response = editor_client.post_form(f"/finance/verifications/{draft_id}/confirm", {"checked": "y"})
    assert response.status_code == 302 and response.headers["Location"] == f"/finance/verifications/{draft_id}"
    [saved] = verifications(app)
    assert not saved.is_draft and saved.confirmed_by_id == saved.verified_by_id == editor.id
    assert audit_actions(app, "benefit_verification") == ["verification_updated", "verification_confirmed"]
    again = editor_client.post_form(f"/finance/verifications/{draft_id}/confirm", follow_redirects=True)
    assert "This verification is already confirmed." in again.get_data(as_text=True)
    assert audit_actions(app, "benefit_verification") == ["verification_updated", "verification_confirmed"]


def test_bad_draft_corrections_change_nothing(app, editor_client, coverage_id):
    draft_id = make_draft(app, coverage_id)
    response = editor_client.post_form(
        f"/finance/verifications/{draft_id}/edit",
        {"status": "verified_active", R + "deductible_individual": "100", R + "deductible_individual_met": "200"},
    )
    assert response.status_code == 400
    assert "The amount met cannot be more than the deductible itself" in response.get_data(as_text=True)
    [saved] = verifications(app)
    assert len(saved.lines) == 2 and saved.lines[0].deductible_individual == Decimal("1500.00")


def test_a_confirmed_verification_is_never_rewritten(app, editor, editor_client, coverage_id):
    editor_client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", GOOD)
    [saved] = verifications(app)
    for response in (
        editor_client.get(f"/finance/verifications/{saved.id}/edit"),
        editor_client.post_form(f"/finance/verifications/{saved.id}/edit", {**GOOD, "status": "inactive"}),
    ):
        assert response.status_code == 302 and response.headers["Location"] == f"/finance/verifications/{saved.id}"
    assert verifications(app)[0].status is VerificationStatus.VERIFIED_ACTIVE
    with app.app_context(), pytest.raises(ValidationFailed):
        verification_service.update_verification(
            editor, db.session.get(BenefitVerification, saved.id), DraftVerificationInput.parse({"status": "inactive"})
        )


def test_case_managers_read_but_cannot_change(app, client, create_user, coverage_id):
    draft_id = make_draft(app, coverage_id)
    login_as(client, create_user(Role.CASE_MANAGER))
    page = client.get(f"/finance/verifications/{draft_id}")
    assert page.status_code == 200 and "Correct the draft" not in page.get_data(as_text=True)
    assert client.get(f"/finance/verifications/{draft_id}/estimate").status_code == 200
    assert client.get(f"/finance/coverages/{coverage_id}/verifications/new").status_code == 403
    assert client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", GOOD).status_code == 403
    assert client.get(f"/finance/verifications/{draft_id}/edit").status_code == 403
    assert client.post_form(f"/finance/verifications/{draft_id}/confirm").status_code == 403
    assert verifications(app)[0].is_draft and count(app, BenefitVerification) == 1


def test_clinicians_see_no_verification(app, client, create_user, coverage_id):
    draft_id = make_draft(app, coverage_id)
    login_as(client, create_user(Role.CLINICIAN))
    assert client.get(f"/finance/verifications/{draft_id}").status_code == 403
    assert client.get(f"/finance/verifications/{draft_id}/estimate").status_code == 403


def test_restricted_inquiries_are_refused(app, create_user, editor_client):
    owner = create_user(Role.ADMISSIONS)
    restricted = make_inquiry(app, owner, is_restricted=True, assigned_to_id=owner.id)
    coverage_id = make_coverage(app, owner, restricted.id)
    draft_id = make_draft(app, coverage_id)
    for response in (
        editor_client.get(f"/finance/verifications/{draft_id}"),
        editor_client.post_form(f"/finance/verifications/{draft_id}/confirm"),
        editor_client.post_form(f"/finance/coverages/{coverage_id}/verifications/new", GOOD),
    ):
        # the 403 page links to the finance page, where break-the-glass is offered
        assert response.status_code == 403
        assert f'href="/finance/inquiry/{restricted.id}"' in response.get_data(as_text=True)
    assert verifications(app)[0].is_draft and count(app, BenefitVerification) == 1
    assert audit_actions(app, "inquiry").count("restricted_finances_refused") == 3


def test_unknown_verifications_are_404(editor_client):
    for path in (
        "/finance/verifications/999999",
        "/finance/verifications/999999/edit",
        "/finance/verifications/999999/estimate",
        "/finance/coverages/999999/verifications/new",
    ):
        assert editor_client.get(path).status_code == 404
    assert editor_client.post_form("/finance/verifications/999999/confirm").status_code == 404
