"""The finance pages around private pay: billing's worklist, one inquiry's overview (what the
viewer may do there), break-the-glass for a restricted record's finances, and the
administrator's clearance override."""

import re

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, ClearanceOverride, Inquiry, User
from coordinator.roles import Role
from tests.billing import use_cases as cases
from tests.billing.helpers import clinic_today, count_rows
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


@pytest.fixture
def owing(app, world):
    """The world's inquiry with a THB account owing 3,500 THB."""
    today = clinic_today(app)
    with app.app_context():
        actor = db.session.get(User, world.admissions.id)
        account = cases.open_account(actor, db.session.get(Inquiry, world.inquiry_id), "THB")
        cases.add_charge(actor, account, "transport", "3,500", today, None, None, today=today)
        db.session.commit()
    return world.inquiry_id


def test_the_worklist_lists_accounts_and_hides_restricted_names(app, client, create_user, owing):
    assignee = create_user(Role.ADMISSIONS)
    secret = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Hidden Person")
    with app.app_context():
        account = cases.open_account(db.session.get(User, assignee.id), db.session.get(Inquiry, secret.id), "USD")
        db.session.commit()
        assert account.currency == "USD"
    login_as(client, create_user(Role.BILLING))
    page = client.get("/finance/?view=balance_due").get_data(as_text=True)
    assert "Somchai Example" in page and "3,500.00 THB" in page
    assert "Hidden Person" not in page
    page = client.get("/finance/").get_data(as_text=True)
    assert "Restricted record" in page and "Hidden Person" not in page
    assert client.get("/finance/?view=nonsense&page=-3").status_code == 200


def test_the_worklist_puts_records_the_reader_cannot_see_after_the_others(app, client, create_user, owing):
    # The restricted record arrived last: by arrival it would head the list and so tell when it came.
    assignee = create_user(Role.ADMISSIONS)
    secret = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Hidden Person")
    with app.app_context():
        cases.open_account(db.session.get(User, assignee.id), db.session.get(Inquiry, secret.id), "USD")
        db.session.commit()

    def listed(user) -> list[int]:
        page = login_as(client, user).get("/finance/").get_data(as_text=True)
        return [int(n) for n in dict.fromkeys(re.findall(r'href="/finance/inquiry/(\d+)"', page))]

    assert listed(create_user(Role.BILLING)) == [owing, secret.id]
    client.logout()
    assert listed(assignee) == [secret.id, owing]


@pytest.mark.parametrize(
    "role, edits, opens_inquiry",
    [
        (Role.ADMISSIONS, True, True),
        (Role.BILLING, True, False),  # billing never reads the clinical record
        (Role.CASE_MANAGER, False, True),
    ],
)
def test_the_overview_offers_what_the_viewer_may_do(app, client, create_user, owing, role, edits, opens_inquiry):
    login_as(client, create_user(role))
    page = client.get(f"/finance/inquiry/{owing}").get_data(as_text=True)
    assert 'data-testid="balance">3,500.00 THB<' in page
    assert ("Add coverage" in page) is edits and ("Record an authorization" in page) is edits
    assert ("Open the inquiry" in page) is opens_inquiry
    assert "Clear with an administrator override" not in page


def test_a_clinician_is_refused_the_overview(app, client, create_user, owing):
    login_as(client, create_user(Role.CLINICIAN))
    assert client.get(f"/finance/inquiry/{owing}").status_code == 403


def test_a_restricted_record_offers_break_the_glass_and_opens_after_it(app, client, create_user):
    assignee = create_user(Role.ADMISSIONS)
    secret = make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True)
    login_as(client, create_user(Role.BILLING))
    response = client.get(f"/finance/inquiry/{secret.id}")
    assert response.status_code == 403 and "Break the glass" in response.get_data(as_text=True)
    # Every other finance page refuses with the 403 page, linking here.
    response = client.get(f"/finance/inquiry/{secret.id}/statement")
    assert response.status_code == 403 and f'href="/finance/inquiry/{secret.id}"' in response.get_data(as_text=True)
    response = client.post_form(f"/finance/inquiry/{secret.id}/break-glass", {"scope": "finance", "reason": "need"})
    assert response.status_code == 400 and "at least 10 characters" in response.get_data(as_text=True)
    response = client.post_form(
        f"/finance/inquiry/{secret.id}/break-glass",
        {"scope": "finance", "reason": "Family is on the phone about the deposit"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/finance/inquiry/{secret.id}")
    assert client.get(f"/finance/inquiry/{secret.id}").status_code == 200
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(secret.id))))
    assert {"restricted_finances_refused", "break_glass", "finances_viewed"} <= actions
    assert (
        client.post_form("/finance/inquiry/999999/break-glass", {"scope": "finance", "reason": "x" * 20}).status_code
        == 404
    )


def test_an_administrator_overrides_clearance_with_a_reason(app, admin_client, world):
    url = f"/finance/inquiry/{world.inquiry_id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Not cleared yet" in page and "Clear with an administrator override" in page
    response = admin_client.post_form(url + "/override", {"override_reason": "short"})
    assert response.status_code == 400 and "at least 10 characters" in response.get_data(as_text=True)
    assert count_rows(app, ClearanceOverride) == 0
    response = admin_client.post_form(url + "/override", {"override_reason": "Charity bed approved by the director"})
    assert response.status_code == 302
    page = admin_client.get(url).get_data(as_text=True)
    assert "Cleared to admit" in page and "Charity bed approved by the director" in page
    assert "Clear with an administrator override" not in page
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "clearance_overridden"))


def test_only_administrators_override(app, client, create_user, world):
    login_as(client, create_user(Role.BILLING))
    response = client.post_form(
        f"/finance/inquiry/{world.inquiry_id}/override", {"override_reason": "Charity bed approved by the director"}
    )
    assert response.status_code == 403 and count_rows(app, ClearanceOverride) == 0
