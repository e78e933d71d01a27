"""The pipeline board (issue 13, item 10): columns per status, cards, moving a card through the
same lifecycle use case as the record page, filters, restricted records, bounded queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coordinator.contracts.pipeline import TaskInput
from coordinator.domain.intake import Channel
from coordinator.extensions import db
from coordinator.models import AuditEvent, Inquiry, InquiryActivity, User, utcnow
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryAction, InquiryStatus
from coordinator.services import pipeline, tasks
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as


@pytest.fixture
def desk(create_user):
    return create_user(Role.ADMISSIONS, full_name="Ana Admissions")


def _moved(app, inquiry_id: int, *actions: InquiryAction) -> None:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        actor = db.session.scalars(sa.select(User).where(User.role == Role.ADMISSIONS)).first()
        for action in actions:
            pipeline.move(actor, inquiry, action, "for the test" if action is InquiryAction.DECLINE else None)
        db.session.commit()


def _status(app, inquiry_id: int) -> InquiryStatus:
    with app.app_context():
        return db.session.get(Inquiry, inquiry_id).status


def _card(page: str, inquiry_id: int) -> str:
    start = page.index(f'id="card-{inquiry_id}"')
    return page[start : page.index("</li>", start)]


def _column(page: str, status: str) -> str:
    start = page.index(f'data-status="{status}"')
    return page[start : page.index("</section>", start)]


def test_cards_sit_in_their_status_column_with_what_admissions_needs(app, client, desk):
    waiting = make_inquiry(
        app, desk, assigned_to_id=desk.id, patient_name="Walter Waiting", referral_source="physician"
    )
    talked = make_inquiry(app, desk, patient_name="Tina Talked", referral_source="self")
    _moved(app, talked.id, InquiryAction.RECORD_CONTACT)
    with app.app_context():
        actor = db.session.get(User, desk.id)
        due = utcnow() + timedelta(hours=2)
        tasks.create_task(
            actor,
            db.session.get(Inquiry, waiting.id),
            TaskInput.parse({"title": "Call back after lunch", "due_at": due, "assigned_to_id": desk.id}),
        )
        db.session.commit()
    login_as(client, desk)
    page = client.get("/board/").get_data(as_text=True)
    new_column, contacted_column = _column(page, "new"), _column(page, "contacted")
    assert "Walter Waiting" in new_column and "Tina Talked" in contacted_column
    card = _card(page, waiting.id)
    assert "Physician" in card and "Phone" in card  # source and channel
    assert "ago" in card  # time since arrival
    assert "waiting" in card  # no first contact yet: how long it has waited
    assert "Ana Admissions" in card
    assert "Call back after lunch" in card  # the next task
    assert "after " in _card(page, talked.id)  # time to first contact
    assert 'data-status="admitted"' not in page  # closed columns only when asked for
    assert 'data-status="admitted"' in client.get("/board/?closed=y").get_data(as_text=True)


def test_moving_a_card_runs_the_lifecycle_and_returns_to_the_same_view(app, client, desk):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id, referral_source="family")
    _moved(app, inquiry.id, InquiryAction.RECORD_CONTACT)
    login_as(client, desk)
    response = client.post_form(
        f"/board/{inquiry.id}/move",
        {"action": "start_screening", "back_assignee": "me", "back_source": "family", "back_closed": ""},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/board/?assignee=me&source=family#card-{inquiry.id}"
    assert _status(app, inquiry.id) is InquiryStatus.SCREENING
    with app.app_context():
        change = db.session.scalars(sa.select(InquiryActivity).where(InquiryActivity.to_status == "screening")).one()
        assert change.actor_id == desk.id
        assert db.session.scalar(
            sa.select(AuditEvent).where(
                AuditEvent.action == "inquiry_status_changed", AuditEvent.entity_id == str(inquiry.id)
            )
        )


def test_an_exit_asks_for_its_reason_and_changes_nothing_without_it(app, client, desk):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id)
    _moved(app, inquiry.id, InquiryAction.RECORD_CONTACT)
    login_as(client, desk)
    response = client.post_form(f"/board/{inquiry.id}/move", {"action": "decline", "reason": "  "})
    assert response.status_code == 400
    card = _card(response.get_data(as_text=True), inquiry.id)
    assert "needs a reason" in card and '<details class="mt-1" open' in card
    assert _status(app, inquiry.id) is InquiryStatus.CONTACTED
    response = client.post_form(f"/board/{inquiry.id}/move", {"action": "refer_out", "reason": ""})
    assert response.status_code == 400 and "Say to whom" in _card(response.get_data(as_text=True), inquiry.id)
    assert _status(app, inquiry.id) is InquiryStatus.CONTACTED
    response = client.post_form(
        f"/board/{inquiry.id}/move", {"action": "decline", "reason": "Chose a program nearer home"}
    )
    assert response.status_code == 302 and _status(app, inquiry.id) is InquiryStatus.DECLINED
    with app.app_context():
        assert db.session.get(Inquiry, inquiry.id).exit_reason == "Chose a program nearer home"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "admit"}, "Cannot admit"),  # the table refuses it from "new"
        ({"action": "fly_away"}, ""),
        ({"action": "mark_lost", "reason": "x\x00y"}, ""),
        ({"action": "mark_lost", "reason": "x" * 100_000}, ""),
        ({"action": ""}, ""),
    ],
)
def test_bad_moves_get_a_clear_400_and_change_nothing(app, client, desk, data, message):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id)
    login_as(client, desk)
    response = client.post_form(f"/board/{inquiry.id}/move", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _status(app, inquiry.id) is InquiryStatus.NEW


def test_a_card_that_does_not_exist_is_404_even_past_2_to_the_31(client, desk):
    login_as(client, desk)
    assert client.post_form("/board/2147483648/move", {"action": "mark_lost", "reason": "x"}).status_code == 404
    assert client.post_form("/board/999999/move", {"action": "mark_lost", "reason": "x"}).status_code == 404


def test_odd_filters_are_dropped_not_a_500(client, desk):
    login_as(client, desk)
    for query in (
        "?assignee=99999999999999",
        "?source=moon",
        "?assignee=%00",
        "?closed=maybe",
        "?source=" + "x" * 5000,
    ):
        assert client.get("/board/" + query).status_code == 200


def test_filters_by_assignee_and_source(app, client, desk, create_user):
    other = create_user(Role.ADMISSIONS, full_name="Otto Other")
    mine = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Mina Mine", referral_source="physician")
    theirs = make_inquiry(app, desk, assigned_to_id=other.id, patient_name="Theo Theirs", referral_source="family")
    nobodys = make_inquiry(app, desk, patient_name="Nora Nobody", referral_source="family")
    login_as(client, desk)
    page = client.get("/board/?assignee=me").get_data(as_text=True)
    assert "Mina Mine" in page and "Theo Theirs" not in page and "Nora Nobody" not in page
    page = client.get(f"/board/?assignee={other.id}").get_data(as_text=True)
    assert "Theo Theirs" in page and "Mina Mine" not in page
    page = client.get("/board/?assignee=none").get_data(as_text=True)
    assert "Nora Nobody" in page and "Theo Theirs" not in page
    page = client.get("/board/?source=family").get_data(as_text=True)
    assert "Theo Theirs" in page and "Nora Nobody" in page and "Mina Mine" not in page
    assert {mine.id, theirs.id, nobodys.id}


def test_a_restricted_record_is_never_a_card_for_someone_who_may_not_open_it(
    app, client, new_client, desk, create_user
):
    colleague = create_user(Role.ADMISSIONS, full_name="Colin Colleague")
    secret = make_inquiry(
        app, desk, assigned_to_id=desk.id, is_restricted=True, patient_name="Famous Person", referral_source="physician"
    )
    _moved(app, secret.id, InquiryAction.RECORD_CONTACT)
    with app.app_context():
        actor = db.session.get(User, desk.id)
        due = utcnow() + timedelta(hours=1)
        tasks.create_task(
            actor,
            db.session.get(Inquiry, secret.id),
            TaskInput.parse({"title": "Private matter", "due_at": due, "assigned_to_id": desk.id}),
        )
        db.session.commit()
    login_as(client, colleague)
    page = client.get("/board/").get_data(as_text=True)
    assert "Famous Person" not in page and "Private matter" not in page
    assert f'id="card-{secret.id}"' not in page
    assert f"Restricted record #{secret.id}" in page  # listed apart, by number, status untold
    assert ">1</span>" in _column(page, "new") or "No inquiries here" in _column(page, "new")
    assert "No inquiries here" in _column(page, "contacted")  # its column does not count it
    for query in ("?source=physician", f"?assignee={desk.id}", "?assignee=none"):
        filtered = client.get("/board/" + query).get_data(as_text=True)
        assert f"#{secret.id}" not in filtered  # a filter never tells whether a hidden record matches
    refused = client.post_form(f"/board/{secret.id}/move", {"action": "mark_lost", "reason": "peeking"})
    assert refused.status_code == 403 and _status(app, secret.id) is InquiryStatus.CONTACTED
    assignee_page = login_as(new_client(), desk).get("/board/").get_data(as_text=True)
    assert "Famous Person" in _column(assignee_page, "contacted") and "Private matter" in assignee_page


def test_a_clinician_reads_the_board_but_is_offered_no_moves(app, client, create_user, desk):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id, patient_name="Cleo Card")
    login_as(client, create_user(Role.CLINICIAN))
    page = client.get("/board/").get_data(as_text=True)
    assert "Cleo Card" in page and "Move to…" not in page and "on duty</span>" not in page
    assert client.post_form(f"/board/{inquiry.id}/move", {"action": "mark_lost", "reason": "x"}).status_code == 403


def test_the_board_is_audited_as_a_listing_of_the_cards_shown(app, client, desk):
    inquiry = make_inquiry(app, desk, assigned_to_id=desk.id)
    login_as(client, desk)
    client.get("/board/")
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "pipeline_board_viewed")).one()
        assert event.actor_user_id == desk.id and str(inquiry.id) in event.detail


def test_a_full_column_shows_its_first_cards_and_counts_the_rest_up_to_a_cap(app, client, desk, monkeypatch):
    from coordinator.services import board

    app.config["BOARD_CARDS_PER_COLUMN"] = 2
    monkeypatch.setattr(board, "COLUMN_COUNT_CAP", 4)
    ids = [make_inquiry(app, desk, assigned_to_id=desk.id).id for _ in range(6)]
    login_as(client, desk)
    column = _column(client.get("/board/").get_data(as_text=True), "new")
    assert column.count('data-testid="card"') == 2
    assert f'id="card-{ids[0]}"' in column and f'id="card-{ids[1]}"' in column  # who has waited longest first
    assert "more than 4" in column and "more than 2 more" in column


def _board_statements(client, count_queries) -> int:
    with count_queries() as counter:
        assert client.get("/board/?closed=y").status_code == 200
    return counter.count


def test_the_board_reads_in_the_same_number_of_statements_however_many_cards(app, client, desk, count_queries):
    app.config["BOARD_CARDS_PER_COLUMN"] = 5
    other = make_inquiry(app, desk, assigned_to_id=desk.id, channel=Channel.PHONE)
    _moved(app, other.id, InquiryAction.RECORD_CONTACT)
    login_as(client, desk)
    few = _board_statements(client, count_queries)
    with app.app_context():
        actor = db.session.get(User, desk.id)
        due = utcnow() + timedelta(hours=3)
        for _ in range(12):
            inquiry = db.session.get(Inquiry, make_inquiry(app, desk, assigned_to_id=desk.id).id)
            tasks.create_task(
                actor, inquiry, TaskInput.parse({"title": "Follow up", "due_at": due, "assigned_to_id": desk.id})
            )
        db.session.commit()
    many = _board_statements(client, count_queries)
    assert many == few


def test_an_admissions_user_goes_on_and_off_duty(app, client, desk):
    login_as(client, desk)
    assert client.post_form("/board/on-duty", {"on_duty": "on"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, desk.id).on_duty is True
        assert db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "on_duty_changed")).one()
    assert "You are on duty" in client.get("/board/").get_data(as_text=True)
    client.post_form("/board/on-duty", {"on_duty": "off"})
    with app.app_context():
        assert db.session.get(User, desk.id).on_duty is False
    client.post_form("/board/on-duty", {"on_duty": "maybe\x00"})
    with app.app_context():
        assert db.session.get(User, desk.id).on_duty is False
