"""Break-the-glass is scoped and visible (issue 11, item 7): a grant opens only the part it was
asked for, the person on emergency access sees a banner with the time left on every page of that
part, administrators and the assignee are told, the admin home counts unreviewed grants, and
refused attempts are audited (kept although the refused request is rolled back)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.intake import BreakGlassScope
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import AuditEvent, BreakGlassAccess, Notification, Reminder, utcnow
from coordinator.outbox.delivery import deliver
from coordinator.outbox.relay import relay_once
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

CLINICAL_REASON = "Assignee is on leave; caller is waiting on the line"
FINANCE_REASON = "Family is on the phone about the deposit today"
BANNER = 'data-testid="emergency-access"'


@pytest.fixture
def assignee(create_user):
    return create_user(Role.ADMISSIONS, full_name="Assigned Person")


@pytest.fixture
def restricted(app, assignee):
    return make_inquiry(app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Famous Person")


def break_glass(client, inquiry_id: int, scope: str, reason: str, *, area: str = "inquiries"):
    url = (
        f"/inquiries/{inquiry_id}/break-glass" if area == "inquiries" else f"/finance/inquiry/{inquiry_id}/break-glass"
    )
    return client.post_form(url, {"scope": scope, "reason": reason})


def grants(app) -> list[tuple[int, BreakGlassScope]]:
    with app.app_context():
        return [
            (g.user_id, g.scope) for g in db.session.scalars(sa.select(BreakGlassAccess).order_by(BreakGlassAccess.id))
        ]


def refusals(app) -> list[tuple[str | None, str | None]]:
    with app.app_context():
        return [
            (e.entity_id, e.detail)
            for e in db.session.scalars(
                sa.select(AuditEvent).where(AuditEvent.action == "break_glass_refused").order_by(AuditEvent.id)
            )
        ]


# --- (a) a grant names its scope and opens only that ------------------------------------------------


def test_a_clinical_grant_opens_the_clinical_record_and_not_its_finances(app, client, restricted, create_user):
    colleague = create_user(Role.CASE_MANAGER)  # reads both parts of an unrestricted record
    login_as(client, colleague)
    granted = break_glass(client, restricted.id, "clinical", CLINICAL_REASON)
    assert granted.status_code == 302 and granted.headers["Location"].endswith(f"/inquiries/{restricted.id}")
    assert grants(app) == [(colleague.id, BreakGlassScope.CLINICAL)]
    record = client.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    assert "Famous Person" in record
    # The record page says only whether the person is cleared, as it does for clinicians.
    assert "Not cleared yet" in record and "No insurance is recorded" not in record
    assert f'href="/finance/inquiry/{restricted.id}"' not in record
    assert client.get(f"/screening/inquiry/{restricted.id}").status_code == 200
    finances = client.get(f"/finance/inquiry/{restricted.id}")
    assert finances.status_code == 403 and "Famous Person" not in finances.get_data(as_text=True)
    assert client.get(f"/finance/inquiry/{restricted.id}/account").status_code == 403


def test_a_finance_grant_opens_the_finances_and_not_the_clinical_record(app, client, restricted, create_user):
    colleague = create_user(Role.CASE_MANAGER)
    login_as(client, colleague)
    granted = break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance")
    assert granted.status_code == 302 and granted.headers["Location"].endswith(f"/finance/inquiry/{restricted.id}")
    assert grants(app) == [(colleague.id, BreakGlassScope.FINANCE)]
    assert client.get(f"/finance/inquiry/{restricted.id}").status_code == 200
    assert client.get(f"/finance/inquiry/{restricted.id}/account").status_code == 200
    record = client.get(f"/inquiries/{restricted.id}")
    assert record.status_code == 403 and "Famous Person" not in record.get_data(as_text=True)
    assert client.get(f"/screening/inquiry/{restricted.id}").status_code == 403
    assert client.post_form(f"/inquiries/{restricted.id}/notes", {"note": "x"}).status_code == 403
    # The inquiry list and its search follow the clinical grants only.
    assert "Famous Person" not in client.get("/inquiries/?q=famous").get_data(as_text=True)


def checked(page: str) -> str | None:
    """The scope chosen on a page's break-the-glass form."""
    for tag in re.findall(r'<input[^>]*name="scope"[^>]*>', page):
        if " checked" in tag:
            return re.search(r'value="([^"]+)"', tag).group(1)
    return None


def test_the_form_offers_the_scopes_of_the_role_with_the_pages_own_chosen(client, restricted, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    record_form = client.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    assert checked(record_form) == "clinical" and 'value="finance"' in record_form
    finance_form = client.get(f"/finance/inquiry/{restricted.id}").get_data(as_text=True)
    assert checked(finance_form) == "finance" and 'value="clinical"' in finance_form


def test_billing_may_ask_only_for_finances_and_clinicians_only_for_the_clinical_record(
    app, client, new_client, restricted, create_user
):
    billing = create_user(Role.BILLING)
    login_as(client, billing)
    page = client.get(f"/finance/inquiry/{restricted.id}").get_data(as_text=True)
    assert 'value="finance"' in page and 'value="clinical"' not in page
    forged = break_glass(client, restricted.id, "clinical", CLINICAL_REASON, area="finance")
    assert forged.status_code == 403
    clinician = create_user(Role.CLINICIAN)
    other = login_as(new_client(), clinician)
    page = other.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    assert 'value="clinical"' in page and 'value="finance"' not in page
    assert break_glass(other, restricted.id, "finance", FINANCE_REASON).status_code == 403
    assert grants(app) == []
    assert refusals(app) == [
        (str(restricted.id), "clinical: role not allowed"),
        (str(restricted.id), "finance: role not allowed"),
    ]
    # Billing's own scope works, and opens the finances only.
    assert break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance").status_code == 302
    assert grants(app) == [(billing.id, BreakGlassScope.FINANCE)]


# --- (b) the banner ---------------------------------------------------------------------------------


def banner_of(response) -> str:
    body = response.get_data(as_text=True)
    match = re.search(r'<div[^>]*data-testid="emergency-access".*?</div>', body, re.S)
    return re.sub(r"\s+", " ", match.group(0)) if match else ""


def test_the_person_on_emergency_access_sees_the_time_left_on_every_page_of_the_record(
    app, client, new_client, restricted, assignee, create_user
):
    colleague = create_user(Role.ADMISSIONS)
    login_as(client, colleague)
    break_glass(client, restricted.id, "clinical", CLINICAL_REASON)
    for url in (
        f"/inquiries/{restricted.id}",
        f"/inquiries/{restricted.id}/edit",
        f"/screening/inquiry/{restricted.id}",
        f"/screening/inquiry/{restricted.id}/regimen",
        f"/screening/inquiry/{restricted.id}/record/phq9",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        banner = banner_of(response)
        assert "Emergency access" in banner and re.search(r"\b[78] h \d\d min left", banner), url
        assert "clinical record" in banner, url
    # The finances are another part: refused there, until a finance grant, whose banner says so.
    assert client.get(f"/finance/inquiry/{restricted.id}").status_code == 403
    break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance")
    for url in (f"/finance/inquiry/{restricted.id}", f"/finance/inquiry/{restricted.id}/account"):
        banner = banner_of(client.get(url))
        assert "insurance and payments" in banner and "min left" in banner, url
    # Time left is the grant's: near its end it says so.
    with app.app_context():
        db.session.execute(
            sa.update(BreakGlassAccess)
            .where(BreakGlassAccess.scope == BreakGlassScope.CLINICAL)
            .values(expires_at=utcnow() + timedelta(minutes=25))
        )
        db.session.commit()
    assert re.search(r"\b2[45] min left", banner_of(client.get(f"/inquiries/{restricted.id}")))
    # No banner for those who see the record without a grant, nor on other records.
    assert BANNER not in login_as(new_client(), assignee).get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    admin = login_as(new_client(), create_user(Role.ADMIN))
    assert BANNER not in admin.get(f"/inquiries/{restricted.id}").get_data(as_text=True)
    open_record = make_inquiry(app, colleague, assigned_to_id=colleague.id)
    assert BANNER not in client.get(f"/inquiries/{open_record.id}").get_data(as_text=True)
    # Once the grant has ended the record is closed again, with no banner.
    with app.app_context():
        db.session.execute(sa.update(BreakGlassAccess).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.get(f"/inquiries/{restricted.id}").status_code == 403


# --- (c) administrators and the assignee are told ----------------------------------------------------


def test_administrators_and_the_assignee_are_notified_of_a_grant(
    app, client, new_client, restricted, assignee, create_user
):
    first_admin = create_user(Role.ADMIN, full_name="First Admin")
    second_admin = create_user(Role.ADMIN, full_name="Second Admin")
    create_user(Role.ADMISSIONS, full_name="Bystander")
    colleague = create_user(Role.CASE_MANAGER, full_name="Casey Manager")
    login_as(client, colleague)
    break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance")
    with app.app_context():
        reminder = db.session.scalars(sa.select(Reminder).where(Reminder.kind == ReminderKind.BREAK_GLASS)).one()
        assert reminder.inquiry_id == restricted.id and reminder.due_at <= utcnow()
        assert reminder.id in relay_once(None, now=utcnow())
        assert deliver(reminder.id) == "sent"
        db.session.remove()
    with app.app_context():
        sent = {n.user_id: n for n in db.session.scalars(sa.select(Notification))}
    assert set(sent) == {first_admin.id, second_admin.id, assignee.id}
    for notification in sent.values():
        text = f"{notification.title} {notification.body}"
        assert "Casey Manager" in text and f"#{restricted.id}" in text and "insurance and payments" in text
        assert "Famous Person" not in text and "deposit" not in text  # no patient, no typed reason
    assert sent[first_admin.id].link == "/admin/break-glass"
    assert sent[assignee.id].link == f"/inquiries/{restricted.id}"
    page = login_as(new_client(), assignee).get("/notifications/").get_data(as_text=True)
    assert "Emergency access granted" in page


# --- (d) the admin home counts unreviewed grants ------------------------------------------------------


def test_the_admin_home_counts_unreviewed_grants_with_a_link_to_review_them(
    app, client, new_client, restricted, create_user
):
    admin = login_as(new_client(), create_user(Role.ADMIN))
    home = admin.get("/").get_data(as_text=True)
    assert "No unreviewed grants" in home and 'href="/admin/break-glass"' in home
    login_as(client, create_user(Role.CASE_MANAGER))
    break_glass(client, restricted.id, "clinical", CLINICAL_REASON)
    break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance")
    assert "2 unreviewed grants" in admin.get("/").get_data(as_text=True)
    with app.app_context():
        first = db.session.scalars(sa.select(BreakGlassAccess.id).order_by(BreakGlassAccess.id)).first()
    assert admin.post_form(f"/admin/break-glass/{first}/reviewed").status_code == 302
    assert "1 unreviewed grant<" in admin.get("/").get_data(as_text=True)
    # Staff who are not administrators do not see the count.
    assert "unreviewed grant" not in client.get("/").get_data(as_text=True)


def test_the_review_list_names_each_grants_scope(app, client, new_client, restricted, create_user):
    login_as(client, create_user(Role.CASE_MANAGER))
    break_glass(client, restricted.id, "finance", FINANCE_REASON, area="finance")
    page = login_as(new_client(), create_user(Role.ADMIN)).get("/admin/break-glass").get_data(as_text=True)
    assert 'data-scope="finance"' in page and "Insurance and payments" in page


# --- (e) refused attempts are audited ------------------------------------------------------------------


def test_refused_attempts_are_audited_without_the_typed_text(app, client, restricted, create_user):
    login_as(client, create_user(Role.ADMISSIONS))
    short = break_glass(client, restricted.id, "clinical", "need it")
    assert short.status_code == 400 and "at least 10 characters" in short.get_data(as_text=True)
    missing = client.post_form(f"/inquiries/{restricted.id}/break-glass", {"reason": CLINICAL_REASON})
    assert missing.status_code == 400 and "Choose what you need to open" in missing.get_data(as_text=True)
    blank = client.post_form(f"/finance/inquiry/{restricted.id}/break-glass", {"scope": "finance", "reason": ""})
    assert blank.status_code == 400
    everything = break_glass(client, restricted.id, "everything", CLINICAL_REASON)
    assert everything.status_code == 400
    unknown = break_glass(client, 999999, "clinical", CLINICAL_REASON)
    assert unknown.status_code == 404  # the request is rolled back; its audit row is kept
    assert grants(app) == []
    assert refusals(app) == [
        (str(restricted.id), "refused: break_glass_reason_short"),
        (str(restricted.id), "refused: break_glass_scope_required"),
        (str(restricted.id), "refused: break_glass_reason_short"),
        (str(restricted.id), "refused: choice_unknown"),
        ("999999", "no such inquiry"),
    ]
    assert all("need" not in (detail or "") for _, detail in refusals(app))
