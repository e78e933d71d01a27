"""Merging never lowers protection (issue 11, item 4): the survivor takes the stricter
protection with an assignee who could already see both records, or the merge is refused and
nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, FollowUpTask, Inquiry, InquiryActivity
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

SECRET_NOTE = "Discreet executive; wife must not know"


@pytest.fixture
def owner(create_user):
    return create_user(Role.ADMISSIONS, full_name="Restricted Owner")


def note_on(client, inquiry_id: int, text: str) -> None:
    assert client.post_form(f"/inquiries/{inquiry_id}/notes", {"note": text}).status_code == 302


def merge(client, duplicate_id: int, survivor_id: int, **choices):
    return client.post_form(f"/inquiries/{duplicate_id}/merge", {"survivor_id": str(survivor_id), **choices})


def state(app, inquiry_id: int) -> tuple:
    with app.app_context():
        inquiry = db.session.get(Inquiry, inquiry_id)
        return inquiry.is_restricted, inquiry.assigned_to_id, inquiry.merged_into_id


def actions(app, inquiry_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(inquiry_id)).order_by(AuditEvent.id)
            )
        )


def test_a_restricted_inquiry_merged_into_an_open_one_makes_it_restricted(app, client, new_client, owner, create_user):
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    open_one = make_inquiry(app, owner)  # unassigned: anyone at the desk can see it
    login_as(client, owner)
    note_on(client, restricted.id, SECRET_NOTE)
    response = merge(client, restricted.id, open_one.id)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert state(app, open_one.id) == (True, owner.id, None)
    assert "inquiry_protection_raised_by_merge" in actions(app, open_one.id)
    colleague = login_as(new_client(), create_user(Role.CASE_MANAGER))
    refused = colleague.get(f"/inquiries/{open_one.id}")
    assert refused.status_code == 403 and SECRET_NOTE not in refused.get_data(as_text=True)
    assert SECRET_NOTE in client.get(f"/inquiries/{open_one.id}").get_data(as_text=True)  # the owner still does


def test_an_open_inquiry_merged_into_a_restricted_one_is_protected_like_it(app, client, new_client, owner, create_user):
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    open_one = make_inquiry(app, owner)
    login_as(client, owner)
    assert merge(client, open_one.id, restricted.id).status_code == 302
    assert state(app, restricted.id) == (True, owner.id, None)
    # The merged record is the same person's: it no longer shows to everyone, nor where it went.
    assert state(app, open_one.id) == (True, owner.id, restricted.id)
    colleague = login_as(new_client(), create_user(Role.CASE_MANAGER))
    refused = colleague.get(f"/inquiries/{open_one.id}")
    assert refused.status_code == 403 and f"/inquiries/{restricted.id}" not in refused.get_data(as_text=True)


@pytest.mark.parametrize("survivor_restricted", [False, True])
def test_a_merge_that_would_show_a_restricted_record_to_another_assignee_is_refused(
    app, client, owner, create_user, survivor_restricted
):
    other = create_user(Role.CASE_MANAGER, full_name="Other Assignee")
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    theirs = make_inquiry(app, other, assigned_to_id=other.id, is_restricted=survivor_restricted)
    login_as(client, create_user(Role.ADMIN))
    note_on(client, restricted.id, SECRET_NOTE)
    response = merge(client, restricted.id, theirs.id)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"Inquiry #{restricted.id} is restricted" in page and "Assign both inquiries to the same person" in page
    assert state(app, restricted.id) == (True, owner.id, None)
    assert state(app, theirs.id) == (survivor_restricted, other.id, None)
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count()).select_from(InquiryActivity).where(InquiryActivity.inquiry_id == theirs.id)
            )
            == 1
        )  # only its own "arrived": nothing moved
    assert "inquiry_merged" not in actions(app, restricted.id)


def test_open_tasks_of_people_who_could_not_see_the_restricted_result_refuse_the_merge(app, client, owner, create_user):
    colleague = create_user(Role.CASE_MANAGER)
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    open_one = make_inquiry(app, owner)
    login_as(client, owner)
    due = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    task = {"title": "Call back about the bed", "due_at": due, "assigned_to_id": str(colleague.id)}
    assert client.post_form(f"/inquiries/{open_one.id}/tasks", task).status_code == 302
    response = merge(client, restricted.id, open_one.id)
    assert response.status_code == 400 and "1 open task(s)" in response.get_data(as_text=True)
    assert state(app, open_one.id) == (False, None, None)
    with app.app_context():
        assert db.session.scalar(sa.select(FollowUpTask.inquiry_id)) == open_one.id


def test_the_merge_page_says_the_result_will_be_restricted(app, client, owner):
    restricted = make_inquiry(app, owner, assigned_to_id=owner.id, is_restricted=True)
    open_one = make_inquiry(app, owner)
    login_as(client, owner)
    page = client.get(f"/inquiries/{restricted.id}/merge?survivor_id={open_one.id}")
    assert page.status_code == 200
    assert "The merged record will be restricted" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("survivor", "duplicate", "expected"),
    [
        ((False, 1), (False, 2), (False, 1)),
        ((False, None), (True, 2), (True, 2)),
        ((False, 2), (True, 2), (True, 2)),
        ((True, 1), (False, None), (True, 1)),
        # The open record's assignee would lose their case: assign both to one person first.
        ((True, 1), (False, 2), (True, 1, "merge_restricted_other_assignee")),
        ((False, 1), (True, 2), (True, 1, "merge_restricted_other_assignee")),
        ((True, 1), (True, 2), (True, 1, "merge_restricted_other_assignee")),
        ((False, 1), (True, None), (True, 1, "merge_restricted_other_assignee")),
        ((False, None), (True, None), (True, None, "merge_restricted_unassigned")),
    ],
)
def test_protection_table(survivor, duplicate, expected):
    from coordinator.rules.merge import Protection, Side, protection

    assert protection(Side(*survivor), Side(*duplicate)) == Protection(*expected)


def test_two_merges_of_one_inquiry_at_once_the_second_waits_and_is_refused(app, owner, create_user):
    import threading

    from coordinator.contracts.pipeline import MergeInput
    from coordinator.errors import ValidationFailed
    from coordinator.services import merges

    duplicate = make_inquiry(app, owner)
    first, second = make_inquiry(app, owner), make_inquiry(app, owner)
    holding, outcome = threading.Event(), {}

    def merge_into(survivor_id: int, hold: bool) -> None:
        with app.app_context():
            actor = db.session.get(type(owner), owner.id)
            try:
                merges.merge(
                    actor, db.session.get(Inquiry, duplicate.id), MergeInput.parse({"survivor_id": survivor_id})
                )
                db.session.flush()
                if hold:
                    holding.set()
                    threading.Event().wait(1.0)  # keep the locks while the other merge starts
                db.session.commit()
                outcome[survivor_id] = "merged"
            except ValidationFailed as refusal:
                db.session.rollback()
                outcome[survivor_id] = refusal.problems[0].code

    one = threading.Thread(target=merge_into, args=(first.id, True))
    one.start()
    assert holding.wait(10)
    two = threading.Thread(target=merge_into, args=(second.id, False))
    two.start()
    one.join(10), two.join(10)
    assert outcome == {first.id: "merged", second.id: "merge_already_merged"}
    assert state(app, duplicate.id)[2] == first.id
