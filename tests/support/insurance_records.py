"""Records the insurance matrix rows' placeholders refer to (see tests/platform/test_access_control.py):
a payer with an X12 id, a primary coverage, a confirmed verification with a line, a 271 draft
and an approved authorization, all on the matrix's inquiry."""

from __future__ import annotations

from datetime import date, timedelta


def insurance_records(app, staff_member, inquiry_id: int) -> dict:
    from coordinator.contracts.authorization import AuthorizationInput
    from coordinator.contracts.coverage import CoverageInput
    from coordinator.contracts.verification import VerificationInput
    from coordinator.domain.insurance import ServiceLine, VerificationMethod, VerificationStatus
    from coordinator.extensions import db
    from coordinator.models import BenefitVerification, Inquiry, Payer, VerificationLine
    from coordinator.services import authorizations, coverages, verifications

    with app.app_context():
        actor = db.session.merge(staff_member)
        inquiry = db.session.get(Inquiry, inquiry_id)
        payer = Payer(name="Matrix Mutual Health", payer_code="MMH01")
        db.session.add(payer)
        db.session.flush()
        today = date.today()
        coverage = coverages.add_coverage(
            actor,
            inquiry,
            CoverageInput.parse(
                {"rank": "primary", "payer_id": str(payer.id), "member_id": "MMH123456", "plan_type": "ppo"}
            ),
        )
        verification = verifications.record_verification(
            actor,
            coverage,
            VerificationInput.parse(
                {
                    "status": "verified_active",
                    "method": "phone",
                    "network_status": "in_network",
                    "sud_residential": {
                        "covered": "yes",
                        "coinsurance_percent": "20",
                        "deductible_individual": "1500",
                        "deductible_individual_met": "500",
                        "prior_auth_required": "yes",
                    },
                }
            ),
        )
        draft = BenefitVerification(
            coverage_id=coverage.id,
            status=VerificationStatus.VERIFIED_ACTIVE,
            method=VerificationMethod.ELECTRONIC_271,
            findings=[],
            source_271="ISA*00~",
        )
        draft.lines = [VerificationLine(service_line=ServiceLine.SUD_RESIDENTIAL, covered=True)]
        db.session.add(draft)
        authorization = authorizations.record_authorization(
            actor,
            inquiry,
            AuthorizationInput.parse(
                {
                    "level_of_care": "residential",
                    "status": "approved",
                    "auth_number": "MX-1",
                    "approved_units": "14",
                    "start_date": today.isoformat(),
                    "next_review_date": (today + timedelta(days=7)).isoformat(),
                },
                today=today,
            ),
            today,
        )
        db.session.commit()
        return {
            "ins_coverage": coverage.id,
            "ins_verification": verification.id,
            "ins_draft": draft.id,
            "ins_authorization": authorization.id,
        }
