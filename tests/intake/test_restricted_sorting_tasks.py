"""Restricted rows do not leak through sorting, filters, counts and tasks (issue 11, item 6)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import AuditEvent, FollowUpTask, Inquiry, Reminder
from coordinator.roles import Role
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as
from tests.intake.test_phone_intake import form_data

SORTS = ["newest", "oldest", "updated", "name", "urgency"]


def _set(app, inquiry_id: int, **values) -> None:
    with app.app_context():
        row = db.session.get(Inquiry, inquiry_id)
        for name, value in values.items():
            setattr(row, name, value)
        db.session.commit()


@pytest.fixture
def people(create_user):
    return {
        "assignee": create_user(Role.ADMISSIONS, full_name="Assigned Person"),
        "reader": create_user(Role.ADMISSIONS, full_name="Other Reader"),
        "admin": create_user(Role.ADMIN),
    }


@pytest.fixture
def rows(app, people):
    """Two visible inquiries and two hidden ones whose private values would put them first or last
    in every sort: "Bob Secret" arrived in 2019, "Aaron Secret" just now, urgent and admitted."""
    reader, assignee = people["reader"], people["assignee"]
    mary = make_inquiry(app, reader, patient_name="Mary Visible", urgency="soon")
    bob = make_inquiry(
        app, assignee, assigned_to_id=assignee.id, is_restricted=True, patient_name="Bob Secret", urgency="routine"
    )
    zed = make_inquiry(app, reader, patient_name="Zed Visible", urgency="soon")
    aaron = make_inquiry(
        app,
        assignee,
        assigned_to_id=assignee.id,
        is_restricted=True,
        patient_name="Aaron Secret",
        urgency="urgent",
        referral_source="physician",
        referrer_name="Dr. Secret",
    )
    old = datetime(2019, 3, 4, 15, 0, tzinfo=UTC)
    _set(app, bob.id, arrived_at=old, status_changed_at=old)
    later = datetime.now(UTC) + timedelta(minutes=5)
    _set(app, aaron.id, status=InquiryStatus.ADMITTED, status_changed_at=later, arrived_at=later)
    return {"mary": mary, "zed": zed, "bob": bob, "aaron": aaron}


def listed(client, query: str = "") -> list[int]:
    body = client.get("/inquiries/?" + query).get_data(as_text=True)
    table = body[body.index('data-testid="inquiry-table"') : body.index("</table>")]
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/inquiries/(\d+)"', table))]


@pytest.mark.parametrize("sort", SORTS)
def test_hidden_rows_sort_after_the_others_as_one_block_by_number(client, people, rows, sort):
    login_as(client, people["reader"])
    order = listed(client, f"sort={sort}")
    assert order[-2:] == [rows["bob"].id, rows["aaron"].id]
    assert set(order[:2]) == {rows["mary"].id, rows["zed"].id}


def test_by_name_the_visible_rows_keep_their_order(client, people, rows):
    login_as(client, people["reader"])
    assert listed(client, "sort=name") == [rows[k].id for k in ("mary", "zed", "bob", "aaron")]


@pytest.mark.parametrize("who", ["assignee", "admin"])
def test_those_who_may_open_them_see_them_sorted_by_their_real_values(client, people, rows, who):
    login_as(client, people[who])
    assert listed(client, "sort=name") == [rows[k].id for k in ("aaron", "bob", "mary", "zed")]
    assert listed(client, "sort=oldest")[0] == rows["bob"].id
    assert listed(client, "sort=urgency")[0] == rows["aaron"].id


def test_a_hidden_row_shows_no_status_dates_source_urgency_or_assignee(client, people, rows):
    login_as(client, people["reader"])
    body = client.get("/inquiries/?sort=name").get_data(as_text=True)
    for key in ("aaron", "bob"):
        start = body.index(f'href="/inquiries/{rows[key].id}"')
        row = body[body.rindex("<tr>", 0, start) : body.index("</tr>", start)]
        assert "Restricted record" in row
        for private in ("Admitted", "New", "Urgent", "Routine", "Physician", "Family", "Assigned Person", "2019"):
            assert private not in row, private
        assert "not yet" not in row and re.search(r"\d{1,2} \w{3} \d{4}", row) is None


@pytest.mark.parametrize(
    "query",
    ["status=admitted", "source=physician", "arrived_to=2019-12-31", "arrived_from=2019-01-01&arrived_to=2019-12-31"],
)
def test_filters_on_private_columns_never_find_a_hidden_row(client, new_client, people, rows, query):
    login_as(client, people["reader"])
    assert not {rows["aaron"].id, rows["bob"].id} & set(listed(client, query))
    admin = login_as(new_client(), people["admin"])
    assert {rows["aaron"].id, rows["bob"].id} & set(listed(admin, query))


def test_filtering_by_the_assignee_finds_none_of_their_hidden_rows(client, people, rows):
    login_as(client, people["reader"])
    assert listed(client, f"assignee={people['assignee'].id}") == []
    assert "Showing 1–4 of 4" in client.get("/inquiries/").get_data(as_text=True)  # unfiltered: all listed


def _pipeline_count(client, status: str) -> int:
    home = client.get("/").get_data(as_text=True)
    return int(re.search(rf'<span class="badge status-{status}">(\d+)</span>', home).group(1))


def test_home_page_counts_only_what_the_reader_may_see(client, new_client, people, rows):
    login_as(client, people["reader"])
    assert _pipeline_count(client, "admitted") == 0 and _pipeline_count(client, "new") == 2
    admin = login_as(new_client(), people["admin"])
    assert _pipeline_count(admin, "admitted") == 1 and _pipeline_count(admin, "new") == 3


def test_the_list_sorted_by_name_runs_the_same_number_of_queries(app, client, people, rows, count_queries):
    login_as(client, people["reader"])

    def measure() -> int:
        with count_queries() as counter:
            assert client.get("/inquiries/?sort=name").status_code == 200
        return counter.count

    few = measure()
    for n in range(12):
        make_inquiry(app, people["assignee"], assigned_to_id=people["assignee"].id, is_restricted=n % 2 == 0)
    assert measure() == few


# --- tasks ------------------------------------------------------------------------------------------


def _due() -> str:
    return (datetime.now(UTC) + timedelta(hours=2)).astimezone().strftime("%Y-%m-%dT%H:%M")


def _task(client, inquiry_id: int, user_id: int, title: str = "Call back discreetly"):
    return client.post_form(
        f"/inquiries/{inquiry_id}/tasks", {"title": title, "due_at": _due(), "assigned_to_id": str(user_id)}
    )


def test_a_task_on_a_restricted_record_goes_only_to_someone_who_may_open_it(app, client, people, rows):
    login_as(client, people["assignee"])
    aaron = rows["aaron"].id
    refused = _task(client, aaron, people["reader"].id)
    assert refused.status_code == 400
    assert "a task on it can go only to its assignee or an administrator" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpTask)) == 0
    assert _task(client, aaron, people["assignee"].id).status_code == 302
    assert _task(client, aaron, people["admin"].id).status_code == 302


def test_a_break_the_glass_grant_is_not_enough_to_be_given_a_task(client, new_client, people, rows):
    reader = login_as(new_client(), people["reader"])
    reason = {"scope": "clinical", "reason": "Covering the desk while the assignee is away"}
    assert reader.post_form(f"/inquiries/{rows['aaron'].id}/break-glass", reason).status_code == 302
    login_as(client, people["assignee"])
    assert _task(client, rows["aaron"].id, people["reader"].id).status_code == 400


def test_the_task_form_offers_only_those_who_may_open_the_record(client, people, rows):
    login_as(client, people["assignee"])
    page = client.get(f"/inquiries/{rows['aaron'].id}").get_data(as_text=True)
    select = page[page.index('name="assigned_to_id"') : page.index("</select>", page.index('name="assigned_to_id"'))]
    assert "Assigned Person" in select and people["admin"].full_name in select and "Other Reader" not in select
    visible_page = client.get(f"/inquiries/{rows['mary'].id}").get_data(as_text=True)
    assert "Other Reader" in visible_page[visible_page.index('name="assigned_to_id"') :]


def test_when_a_record_becomes_restricted_its_tasks_go_to_its_assignee(app, client, new_client, people):
    reader, assignee = people["reader"], people["assignee"]
    inquiry = make_inquiry(app, reader, patient_name="Later Restricted", assigned_to_id=reader.id)
    worker = login_as(new_client(), reader)
    assert _task(worker, inquiry.id, reader.id, title="Ask about the detox history").status_code == 302
    assert "Ask about the detox history" in worker.get("/").get_data(as_text=True)

    login_as(client, people["admin"])
    edit = form_data(patient_name="Later Restricted", is_restricted="y", assigned_to_id=str(assignee.id))
    assert client.post_form(f"/inquiries/{inquiry.id}/edit", edit).status_code == 302

    home = worker.get("/").get_data(as_text=True)
    tasks = home[home.index('data-testid="my-tasks"') : home.index("</ul>", home.index('data-testid="my-tasks"'))]
    assert "Ask about the detox history" not in tasks and "Later Restricted" not in tasks and "No open tasks" in tasks
    assert "Ask about the detox history" in login_as(new_client(), assignee).get("/").get_data(as_text=True)
    with app.app_context():
        task = db.session.scalars(sa.select(FollowUpTask)).one()
        assert task.assigned_to_id == assignee.id
        recipients = set(db.session.scalars(sa.select(Reminder.recipient_user_id).where(Reminder.task_id == task.id)))
        assert recipients == {assignee.id}
        handed = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "task_handed_over")).one()
        assert handed.entity_id == str(task.id)


def test_a_task_left_on_a_hidden_record_shows_nothing_of_it_on_the_home_page(app, client, people, rows):
    # Data from before the rule: a task held by someone who cannot open the record.
    with app.app_context():
        db.session.add(
            FollowUpTask(
                inquiry_id=rows["aaron"].id,
                title="Ring Aaron about his detox",
                due_at=datetime.now(UTC) + timedelta(hours=1),
                assigned_to_id=people["reader"].id,
                created_by_id=people["assignee"].id,
            )
        )
        db.session.commit()
    login_as(client, people["reader"])
    home = client.get("/").get_data(as_text=True)
    assert "Task on restricted inquiry" in home
    assert "Aaron" not in home and "detox" not in home
