"""One member id, however it came in: the web form, the API and the staff coverage form store it the
same way (without the spaces people type), so a 271 for that member matches and a 270 carries it
as printed by the payer. Before, web-form and API coverages kept their spaces and every 271 for
them showed a false "member id mismatch".
"""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, Inquiry
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.insurance.test_verification_exchange import fixture_bytes, upload
from tests.intake import test_api as api
from tests.intake.test_public_form import URL as WEB_FORM
from tests.intake.test_public_form import visitor_answers

# The member of tests/insurance/x12_fixtures/active_ppo.x12, as three people might type it.
AS_PRINTED = "XJH123456789"
TYPED = {"web form": "XJH 1234 56789", "api": "xjh 123456 789", "staff": " XJH 123 456 789 "}


def stored_member_ids(app) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(sa.select(Inquiry.channel, Coverage.member_id).join(Inquiry)).all()
        return {channel.value: member_id for channel, member_id in rows}


def test_the_same_card_is_stored_the_same_way_and_matches_its_271(app, client, new_client, create_user):
    visitor = new_client()
    answers = visitor_answers(insurance_insurer_name="Acme Health", insurance_member_id=TYPED["web form"])
    assert visitor.post_form(WEB_FORM, answers).status_code == 302

    admin = create_user(Role.ADMIN)
    _, key = api.make_api_client(app, admin.id)
    insurance = {"insurer_name": "Acme Health", "member_id": TYPED["api"]}
    assert api.post(client, key, api.api_payload(insurance=insurance)).status_code == 201

    staff = create_user(Role.ADMISSIONS)
    phoned = make_inquiry(app, staff, assigned_to_id=staff.id)
    staff_client = login_as(new_client(), staff)
    coverage = {"rank": "primary", "payer_name": "Acme Health", "member_id": TYPED["staff"]}
    assert staff_client.post_form(f"/finance/inquiry/{phoned.id}/coverages/new", coverage).status_code == 302

    stored = stored_member_ids(app)
    assert stored == {"web_form": AS_PRINTED, "api": AS_PRINTED.lower(), "phone": AS_PRINTED}

    with app.app_context():
        coverage_ids = list(db.session.scalars(sa.select(Coverage.id).order_by(Coverage.id)))
    admin_client = login_as(new_client(), admin)
    for coverage_id in coverage_ids:
        assert upload(admin_client, coverage_id, fixture_bytes("active_ppo")).status_code == 302
    with app.app_context():
        drafts = db.session.scalars(
            sa.select(BenefitVerification).where(BenefitVerification.coverage_id.in_(coverage_ids))
        ).all()
        assert len(drafts) == 3
        assert not any("member id" in finding for draft in drafts for finding in draft.findings)
