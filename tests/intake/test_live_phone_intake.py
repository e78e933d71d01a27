"""Issue 13, bug 6: a phone intake taken with the caller on the line is the first contact.

Speed to lead stays honest: only the phone form's "caller on the line" box says so; a
callback request (the box unticked), a web form and the API still wait for a first contact.
"""

import pytest
import sqlalchemy as sa

from coordinator.contracts.intake import NewInquiry
from coordinator.domain.reminders import ReminderKind
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Inquiry, InquiryActivity, Reminder
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from tests.fixtures.intake import make_inquiry, spouse_call
from tests.fixtures.users import login_as
from tests.intake.test_phone_intake import form_data


def _first_contact_reminders(inquiry_id: int) -> list[Reminder]:
    return list(
        db.session.scalars(
            sa.select(Reminder).where(
                Reminder.inquiry_id == inquiry_id, Reminder.kind == ReminderKind.FIRST_CONTACT_DUE
            )
        )
    )


def test_a_call_taken_live_is_the_first_contact_at_its_own_time(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    response = client.post_form("/inquiries/new", form_data(assigned_to_id=str(user.id), caller_on_line="y"))
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        assert inquiry.first_contact_at == inquiry.arrived_at
        assert inquiry.status.value == "contacted"
        assert _first_contact_reminders(inquiry.id) == []  # no 15-minute reminder for a caller reached
        kinds = [a.kind.value for a in db.session.scalars(sa.select(InquiryActivity).order_by(InquiryActivity.id))]
        assert kinds == ["arrived", "status_change"]
    page = client.get(f"/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "first contact: <strong>" in page and "not yet" not in page.split("first contact:")[1][:120]


def test_a_callback_request_still_waits_for_first_contact(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    response = client.post_form("/inquiries/new", form_data(assigned_to_id=str(user.id)))  # box unticked
    assert response.status_code == 302
    with app.app_context():
        inquiry = db.session.scalars(sa.select(Inquiry)).one()
        assert inquiry.first_contact_at is None and inquiry.status.value == "new"
        [reminder] = _first_contact_reminders(inquiry.id)
        assert reminder.status is ReminderStatus.PENDING


def test_the_phone_form_offers_the_box_ticked_and_the_edit_form_does_not(app, client, create_user):
    user = create_user(Role.ADMISSIONS)
    login_as(client, user)
    page = client.get("/inquiries/new").get_data(as_text=True)
    box = page[page.index('name="caller_on_line"') - 120 : page.index('name="caller_on_line"') + 120]
    assert "checked" in box
    inquiry = make_inquiry(app)
    assert 'name="caller_on_line"' not in client.get(f"/inquiries/{inquiry.id}/edit").get_data(as_text=True)


def test_the_web_form_and_the_api_cannot_claim_a_live_call(app):
    payload = {**spouse_call(), "caller_on_line": True}
    with app.app_context(), pytest.raises(ValidationFailed) as refused:
        NewInquiry.parse(payload, source="json")  # the web form's and the API's contract
    assert any(path == "caller_on_line" for path, _ in refused.value.reasons)
