"""Merging never loses what the patient told us (issue 11, item 5): the merge page shows what
differs and staff choose; the stricter contact wish wins by default; coverages, verification
requests, billing accounts and reminders move; a refused merge changes nothing; the audit row
names fields, never values."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.domain.insurance import CoverageRank, VerificationStatus
from coordinator.domain.reminders import ReminderKind
from coordinator.extensions import db
from coordinator.models import (
    AuditEvent,
    BenefitVerification,
    BillingAccount,
    Coverage,
    Inquiry,
    LedgerEntry,
    OpioidRegimenLine,
    Reminder,
    User,
)
from coordinator.roles import Role
from coordinator.rules.reminder_lifecycle import ReminderStatus
from coordinator.services import ledger
from tests.billing import use_cases
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

INSURANCE = {"insurer_name": "Acme Health", "member_id": "XYZ123456789", "verification_requested": True}


@pytest.fixture
def desk(create_user):
    return create_user(Role.ADMISSIONS)


@pytest.fixture
def signed_in(client, desk):
    return login_as(client, desk)


def merge(client, duplicate_id: int, survivor_id: int, **choices):
    return client.post_form(f"/inquiries/{duplicate_id}/merge", {"survivor_id": str(survivor_id), **choices})


def loaded(app, inquiry_id: int) -> Inquiry:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        db.session.expunge(inquiry)
        return inquiry


def test_contact_details_follow_the_choices_and_blanks_are_filled(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_phone="555 100 2000", patient_phone=None, patient_email=None)
    duplicate = make_inquiry(
        app, desk, caller_phone="555 300 4000", patient_phone="555 777 8888", patient_email="dan@example.org"
    )
    response = merge(signed_in, duplicate.id, survivor.id, keep_caller_phone="duplicate")
    assert response.status_code == 302, response.get_data(as_text=True)
    kept = loaded(app, survivor.id)
    assert (kept.caller_phone, kept.caller_phone_digits) == ("555 300 4000", "5553004000")
    assert (kept.patient_phone, kept.patient_email, kept.patient_email_key) == (
        "555 777 8888",
        "dan@example.org",
        "dan@example.org",
    )
    assert kept.caller_email != loaded(app, duplicate.id).caller_email  # the survivor's own, by default


def test_the_stricter_contact_wish_wins_by_default(app, signed_in, desk):
    survivor = make_inquiry(app, desk, may_leave_message=True, preferred_contact="phone")
    duplicate = make_inquiry(app, desk, may_leave_message=False, preferred_contact="email")
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    kept = loaded(app, survivor.id)
    assert kept.may_leave_message is False  # "do not leave messages" wins
    assert kept.preferred_contact.value == "email"  # the more discreet method wins


def test_staff_may_choose_the_less_strict_wish_explicitly(app, signed_in, desk):
    survivor = make_inquiry(app, desk, may_leave_message=True)
    duplicate = make_inquiry(app, desk, may_leave_message=False)
    assert merge(signed_in, duplicate.id, survivor.id, keep_may_leave_message="survivor").status_code == 302
    assert loaded(app, survivor.id).may_leave_message is True


def test_free_text_and_substances_keep_both(app, signed_in, desk):
    survivor = make_inquiry(app, desk, presenting_concerns="Runs out early.", substances=["prescribed_opioids"])
    duplicate = make_inquiry(
        app, desk, presenting_concerns="Please text, don't call at work.", substances=["alcohol", "prescribed_opioids"]
    )
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    kept = loaded(app, survivor.id)
    assert kept.presenting_concerns.startswith("Runs out early.")
    assert "Please text, don't call at work." in kept.presenting_concerns
    assert f"merged inquiry #{duplicate.id}" in kept.presenting_concerns
    assert kept.substances == ["prescribed_opioids", "alcohol"]


def test_contact_instructions_of_both_are_kept(app, signed_in, desk):
    survivor = make_inquiry(app, desk, contact_instructions="Mornings only.")
    duplicate = make_inquiry(app, desk, contact_instructions="Please text, don't call at work.")
    page = signed_in.get(f"/inquiries/{duplicate.id}/merge?survivor_id={survivor.id}").get_data(as_text=True)
    assert 'id="keep_contact_instructions-both" value="both" checked' in page
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    kept = loaded(app, survivor.id).contact_instructions
    assert kept.startswith("Mornings only.") and kept.endswith("Please text, don't call at work.")
    shown = signed_in.get(f"/inquiries/{survivor.id}").get_data(as_text=True)
    assert "How to reach them:" in shown and "Please text, don&#39;t call at work." in shown


def test_the_opioid_regimen_is_filled_or_taken_as_chosen(app, signed_in, desk):
    morphine = [{"drug": "morphine", "dose": "30", "unit": "mg", "doses_per_day": 2}]
    blank = make_inquiry(app, desk, regimen=[])
    told = make_inquiry(app, desk, regimen=morphine)
    assert merge(signed_in, told.id, blank.id).status_code == 302  # a blank regimen takes the other's
    survivor = make_inquiry(app, desk)  # oxycodone 20 mg x 3
    duplicate = make_inquiry(app, desk, regimen=morphine)
    page = signed_in.get(f"/inquiries/{duplicate.id}/merge?survivor_id={survivor.id}").get_data(as_text=True)
    assert 'data-field="regimen"' in page and "morphine 30 mg × 2/day" in page
    assert merge(signed_in, duplicate.id, survivor.id, keep_regimen="duplicate").status_code == 302
    with app.app_context():
        for inquiry_id in (blank.id, survivor.id):
            lines = db.session.execute(
                sa.select(OpioidRegimenLine.drug, OpioidRegimenLine.doses_per_day).where(
                    OpioidRegimenLine.inquiry_id == inquiry_id
                )
            ).all()
            assert lines == [("morphine", 2)]
            assert db.session.get(Inquiry, inquiry_id).mme_per_day == 60


def test_keeping_both_is_refused_for_a_single_value(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_phone="555 100 2000")
    duplicate = make_inquiry(app, desk, caller_phone="555 300 4000")
    response = merge(signed_in, duplicate.id, survivor.id, keep_caller_phone="both")
    assert response.status_code == 400 and "Only free text and lists can keep both" in response.get_data(as_text=True)
    assert loaded(app, duplicate.id).merged_into_id is None


def test_a_preference_the_kept_details_cannot_serve_is_refused(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_email=None, patient_email=None, preferred_contact="phone")
    duplicate = make_inquiry(app, desk, caller_email="x@example.org", preferred_contact="email")
    response = merge(signed_in, duplicate.id, survivor.id, keep_caller_email="survivor")
    assert response.status_code == 400 and "no email address for this preference" in response.get_data(as_text=True)
    assert loaded(app, duplicate.id).merged_into_id is None


def test_the_coverage_and_its_verification_request_move(app, signed_in, desk):
    survivor = make_inquiry(app, desk)
    duplicate = make_inquiry(app, desk, insurance=INSURANCE)
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        coverage = db.session.scalars(sa.select(Coverage)).one()
        assert (coverage.inquiry_id, coverage.rank) == (survivor.id, CoverageRank.PRIMARY)
        verification = db.session.scalars(sa.select(BenefitVerification)).one()
        assert (verification.coverage_id, verification.status) == (coverage.id, VerificationStatus.REQUESTED)
        audited = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "coverage"))
        assert "coverage_moved_by_merge" in list(audited)
    assert "Acme Health" in signed_in.get(f"/finance/inquiry/{survivor.id}").get_data(as_text=True)


def test_a_second_primary_becomes_secondary(app, signed_in, desk):
    survivor = make_inquiry(app, desk, insurance={"insurer_name": "First Health"})
    duplicate = make_inquiry(app, desk, insurance=INSURANCE)
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        ranks = dict(db.session.execute(sa.select(Coverage.payer_name, Coverage.rank)).all())
        assert ranks == {"First Health": CoverageRank.PRIMARY, "Acme Health": CoverageRank.SECONDARY}
        assert {c for (c,) in db.session.execute(sa.select(Coverage.inquiry_id))} == {survivor.id}


def open_account(app, user: User, inquiry_id: int, currency: str, payment: str | None = None) -> int:
    with app.app_context():
        actor = db.session.merge(user)
        account = use_cases.open_account(actor, db.session.get(Inquiry, inquiry_id), currency)
        db.session.flush()
        if payment:
            use_cases.record_payment(actor, account, payment, date.today().isoformat(), "card", None, currency=currency)
        db.session.commit()
        return account.id


def test_a_billing_account_moves_when_the_survivor_has_none(app, signed_in, desk):
    survivor = make_inquiry(app, desk)
    duplicate = make_inquiry(app, desk)
    account = open_account(app, desk, duplicate.id, "USD", payment="250.00")
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        assert db.session.get(BillingAccount, account).inquiry_id == survivor.id


def test_accounts_in_one_currency_are_combined(app, signed_in, desk):
    survivor = make_inquiry(app, desk)
    duplicate = make_inquiry(app, desk)
    kept = open_account(app, desk, survivor.id, "USD", payment="100.00")
    emptied = open_account(app, desk, duplicate.id, "USD", payment="250.00")
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        assert {a for (a,) in db.session.execute(sa.select(LedgerEntry.account_id))} == {kept}
        assert ledger.ledger_view(db.session.get(BillingAccount, kept), date.today()).balance == -350
        assert db.session.get(BillingAccount, emptied).inquiry_id == duplicate.id


def test_accounts_in_different_currencies_refuse_the_merge_and_nothing_changes(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_phone="555 100 2000", may_leave_message=True)
    duplicate = make_inquiry(app, desk, caller_phone="555 300 4000", may_leave_message=False, insurance=INSURANCE)
    open_account(app, desk, survivor.id, "USD")
    open_account(app, desk, duplicate.id, "THB")
    response = merge(signed_in, duplicate.id, survivor.id, keep_caller_phone="duplicate")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "in USD and THB" in page
    kept, merged = loaded(app, survivor.id), loaded(app, duplicate.id)
    assert (kept.caller_phone, kept.may_leave_message, merged.merged_into_id) == ("555 100 2000", True, None)
    with app.app_context():
        assert db.session.scalar(sa.select(Coverage.inquiry_id)) == duplicate.id
        assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "inquiry_merged")).all()


def test_pending_reminders_follow_their_records_and_first_contact_is_cancelled(app, signed_in, desk):
    survivor = make_inquiry(app, desk)
    duplicate = make_inquiry(app, desk)
    due = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    task = {"title": "Call back", "due_at": due, "assigned_to_id": str(desk.id)}
    assert signed_in.post_form(f"/inquiries/{duplicate.id}/tasks", task).status_code == 302
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        rows = db.session.execute(
            sa.select(Reminder.kind, Reminder.inquiry_id, Reminder.status).where(Reminder.dedupe_key.notlike("first-%"))
        ).all()
        assert {(kind, inquiry_id) for kind, inquiry_id, _ in rows} == {
            (ReminderKind.TASK_DUE, survivor.id),
            (ReminderKind.TASK_OVERDUE, survivor.id),
        }
        first = db.session.scalar(
            sa.select(Reminder.status).where(Reminder.dedupe_key == f"first-contact-{duplicate.id}")
        )
        assert first is ReminderStatus.CANCELLED


def test_the_audit_row_names_the_fields_chosen_never_their_values(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_phone="555 100 2000", presenting_concerns="Runs out early.")
    duplicate = make_inquiry(app, desk, caller_phone="555 300 4000", presenting_concerns="Sleeps badly.")
    assert merge(signed_in, duplicate.id, survivor.id, keep_caller_phone="duplicate").status_code == 302
    with app.app_context():
        detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "inquiry_merged"))
    assert "kept merged: " in detail and "caller_phone" in detail and "presenting_concerns" in detail
    for value in ("555", "Runs out", "Sleeps", "Daniel", "Maria"):
        assert value not in detail


def test_the_merge_page_shows_what_differs_and_merges_as_chosen(app, signed_in, desk):
    survivor = make_inquiry(app, desk, caller_phone="555 100 2000", may_leave_message=True, patient_name="Dan Ex")
    duplicate = make_inquiry(app, desk, caller_phone="555 300 4000", may_leave_message=False, patient_name="Dan Ex")
    detail_page = signed_in.get(f"/inquiries/{duplicate.id}").get_data(as_text=True)
    assert f'action="/inquiries/{duplicate.id}/merge"' in detail_page and "Compare and merge" in detail_page
    response = signed_in.get(f"/inquiries/{duplicate.id}/merge?survivor_id={survivor.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-field="caller_phone"' in page and "555 300 4000" in page and "555 100 2000" in page
    assert 'data-field="may_leave_message"' in page and "Do not leave messages" in page
    assert 'data-field="patient_name"' not in page  # the same on both: no choice to make
    assert 'name="keep_may_leave_message" id="keep_may_leave_message-duplicate" value="duplicate" checked' in page
    assert 'name="keep_caller_phone" id="keep_caller_phone-survivor" value="survivor" checked' in page
    done = merge(
        signed_in, duplicate.id, survivor.id, keep_caller_phone="duplicate", keep_may_leave_message="duplicate"
    )
    assert done.status_code == 302 and done.headers["Location"] == f"/inquiries/{survivor.id}"
    kept = loaded(app, survivor.id)
    assert (kept.caller_phone, kept.may_leave_message) == ("555 300 4000", False)


@pytest.mark.parametrize("survivor_id", ["", "abc", "0", "2147483648", "1\x00"])
def test_a_merge_page_for_no_inquiry_is_a_problem_on_the_record_page(app, signed_in, desk, survivor_id):
    duplicate = make_inquiry(app, desk)
    response = signed_in.get(f"/inquiries/{duplicate.id}/merge", query_string={"survivor_id": survivor_id})
    assert response.status_code == 400


def test_every_field_chosen_fits_in_the_audit_row(app, signed_in, desk):
    from coordinator.rules.merge import FIELDS

    survivor = make_inquiry(app, desk, preferred_contact="phone", urgency="routine", patient_sex="male")
    duplicate = make_inquiry(
        app,
        desk,
        caller_relationship="parent",
        may_leave_message=True,
        contact_instructions="Evenings.",
        patient_dob="1980-01-01",
        patient_sex="female",
        patient_location="Salem, OR",
        patient_phone="555 777 8888",
        patient_email="dan@example.org",
        presenting_concerns="Other words.",
        substances=["alcohol"],
        pain_conditions="Knee.",
        prior_treatment="Detox in 2019.",
        urgency="urgent",
        preferred_contact="email",
        regimen=[{"drug": "morphine", "dose": "30", "unit": "mg", "doses_per_day": 2}],
    )
    page = signed_in.get(f"/inquiries/{duplicate.id}/merge?survivor_id={survivor.id}").get_data(as_text=True)
    assert all(f'data-field="{field.name}"' in page for field in FIELDS)
    assert merge(signed_in, duplicate.id, survivor.id).status_code == 302
    with app.app_context():
        detail = db.session.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "inquiry_merged"))
    assert all(field.name in detail for field in FIELDS) and detail.endswith("protection unchanged")
