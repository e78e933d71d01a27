"""The bell, the notification list and marking as read: own notifications only, CSRF on, cheap bell."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from coordinator.contracts.notifications import NotificationFilterInput
from coordinator.extensions import db
from coordinator.models import Notification, utcnow
from coordinator.roles import Role
from coordinator.services import notifications
from tests.fixtures.users import login_as


def add_notifications(
    app,
    user,
    count: int = 1,
    *,
    link: str | None = "/inquiries/",
    read: bool = False,
    title: str = "An inquiry needs first contact",
) -> list[int]:
    """Notifications for `user`, newest last, written directly (as the in-app channel would)."""
    now = utcnow()
    with app.app_context():
        rows = [
            Notification(
                user_id=user.id,
                title=f"{title} {i + 1}",
                body="Open the record to follow up.",
                link=link,
                created_at=now - timedelta(minutes=count - i),
                read_at=now if read else None,
            )
            for i in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def read_at(app, notification_id: int):
    with app.app_context():
        return db.session.get(Notification, notification_id).read_at


def bell_count(html: str) -> str | None:
    match = re.search(r'data-testid="unread-count">([^<]+)<', html)
    return match.group(1) if match else None


@pytest.fixture
def alice(create_user):
    return create_user(Role.ADMISSIONS, full_name="Alice Admissions")


@pytest.fixture
def bob(create_user):
    return create_user(Role.CLINICIAN, full_name="Bob Clinician")


# --- the bell ------------------------------------------------------------------------------------


def test_the_bell_shows_the_signed_in_users_unread_count(client, app, alice, bob):
    add_notifications(app, alice, 3)
    add_notifications(app, alice, 2, read=True)
    add_notifications(app, bob, 7)
    login_as(client, alice)
    html = client.get("/").get_data(as_text=True)
    assert bell_count(html) == "3"
    assert 'aria-label="Notifications, 3 unread"' in html


def test_the_bell_has_no_badge_when_nothing_is_unread(client, app, alice):
    add_notifications(app, alice, 2, read=True)
    login_as(client, alice)
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="notification-bell"' in html and bell_count(html) is None


def test_the_bell_caps_large_counts(client, app, alice):
    add_notifications(app, alice, 120)
    login_as(client, alice)
    assert bell_count(client.get("/").get_data(as_text=True)) == "99+"


def test_the_bell_costs_one_constant_query(client, app, alice, count_queries):
    login_as(client, alice)
    client.get("/")  # warm up: session refresh writes happen at most every 30 s
    with count_queries() as few:
        assert client.get("/notifications/").status_code == 200
    add_notifications(app, alice, 40)
    with count_queries() as many:
        assert client.get("/notifications/").status_code == 200
    assert many.count == few.count


def test_the_unread_count_is_computed_once_per_request(client, app, alice):
    add_notifications(app, alice, 2)
    login_as(client, alice)
    statements = _statements_during(app, lambda: client.get("/notifications/"))
    counts = [
        s
        for s in statements
        if "count(" in s.lower()
        and "notification" in s.lower()
        and "read_at is null" in s.lower()
        and "order by" not in s.lower()
    ]
    assert len(counts) == 1, counts


def test_anonymous_pages_never_query_notifications(client, app):
    statements = _statements_during(app, lambda: client.get("/auth/login"))
    assert not [s for s in statements if "notification" in s.lower()]
    assert 'data-testid="notification-bell"' not in client.get("/auth/login").get_data(as_text=True)


def test_no_bell_while_the_password_must_be_changed(client, create_user):
    user = create_user(Role.BILLING, must_change_password=True)
    login_as(client, user)
    html = client.get("/account/password").get_data(as_text=True)
    assert 'data-testid="notification-bell"' not in html


def _statements_during(app, action) -> list[str]:
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
    return seen


# --- the list --------------------------------------------------------------------------------------


def test_the_list_shows_only_ones_own_notifications(client, app, alice, bob):
    add_notifications(app, alice, 1, title="For Alice")
    add_notifications(app, bob, 1, title="For Bob")
    login_as(client, alice)
    html = client.get("/notifications/").get_data(as_text=True)
    assert "For Alice 1" in html and "For Bob" not in html


def _next(html: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', html)
    return unescape(match.group(1)) if match else None


def test_the_list_filters_unread_and_pages(client, app, alice):
    add_notifications(app, alice, 30)
    add_notifications(app, alice, 1, read=True, title="Already seen")
    login_as(client, alice)
    first = client.get("/notifications/").get_data(as_text=True)
    assert "Showing 1–25 of 31" in first
    assert "Already seen" not in first  # unread first, so the read one is on the next page
    second = client.get(_next(first)).get_data(as_text=True)
    assert "Already seen" in second and "cursor=" in _next(first) and _next(second) is None
    unread = client.get("/notifications/?show=unread").get_data(as_text=True)
    assert "of 30" in unread
    unread_next = client.get(_next(unread)).get_data(as_text=True)
    assert "Already seen" not in unread_next and "An inquiry needs first contact 1<" in unread_next


def test_next_walks_every_notification_once_unread_then_read_newest_first(client, app, alice):
    read = add_notifications(app, alice, 7, read=True, title="Seen")
    unread = add_notifications(app, alice, 60)
    login_as(client, alice)
    seen, url = [], "/notifications/"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'/notifications/(\d+)/read"', html)]
        url = _next(html)
    assert seen == unread[::-1] + read[::-1]


def test_a_later_page_runs_the_same_statements_with_few_notifications_or_many(client, app, alice, count_queries):
    login_as(client, alice)

    def second_page_statements() -> int:
        url = _next(client.get("/notifications/").get_data(as_text=True))
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    add_notifications(app, alice, 30)
    add_notifications(app, alice, 5, read=True)
    few = second_page_statements()
    add_notifications(app, alice, 1200)
    add_notifications(app, alice, 300, read=True)
    assert second_page_statements() == few
    assert "more than 1,000" in client.get("/notifications/").get_data(as_text=True)  # a capped count


@pytest.mark.parametrize(
    "query", ["show=everything", "page=0", "page=abc", "page=99999999999", "cursor=%00bad", "cursor=" + "A" * 700]
)
def test_bad_list_options_are_ignored_with_a_message(client, alice, query):
    login_as(client, alice)
    response = client.get(f"/notifications/?{query}")
    assert response.status_code == 200
    assert "were not understood and were ignored" in response.get_data(as_text=True)


def test_an_old_page_number_link_shows_the_first_page(client, app, alice):
    add_notifications(app, alice, 3)
    login_as(client, alice)
    response = client.get("/notifications/?page=500")
    assert response.status_code == 200 and "An inquiry needs first contact 3" in response.get_data(as_text=True)


def test_only_local_links_are_offered_as_open(client, app, alice):
    add_notifications(app, alice, 1, link="https://elsewhere.example/phish", title="Outside")
    login_as(client, alice)
    html = client.get("/notifications/").get_data(as_text=True)
    assert ">Mark as read<" in html and ">Open<" not in html


# --- marking read ----------------------------------------------------------------------------------


def test_marking_one_read_goes_to_its_local_link(client, app, alice):
    (nid,) = add_notifications(app, alice, 1, link="/inquiries/42")
    login_as(client, alice)
    response = client.post_form(f"/notifications/{nid}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/inquiries/42"
    assert read_at(app, nid) is not None
    again = client.post_form(f"/notifications/{nid}/read")  # idempotent: the first time is kept
    assert again.status_code == 302


@pytest.mark.parametrize(
    "link", [None, "https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "inquiries/1"]
)
def test_a_link_that_is_not_a_local_path_goes_to_the_list(client, app, alice, link):
    (nid,) = add_notifications(app, alice, 1, link=link)
    login_as(client, alice)
    response = client.post_form(f"/notifications/{nid}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/notifications/"
    assert read_at(app, nid) is not None


def test_nobody_can_mark_someone_elses_notification_read(client, app, alice, bob):
    (bobs,) = add_notifications(app, bob, 1, link="/inquiries/7")
    login_as(client, alice)
    response = client.post_form(f"/notifications/{bobs}/read")
    assert response.status_code == 404
    assert "/inquiries/7" not in response.headers.get("Location", "")
    assert read_at(app, bobs) is None


def test_an_unknown_notification_is_404(client, alice):
    login_as(client, alice)
    assert client.post_form("/notifications/987654/read").status_code == 404


def test_mark_all_read_touches_only_ones_own(client, app, alice, bob):
    mine = add_notifications(app, alice, 3)
    (bobs,) = add_notifications(app, bob, 1)
    login_as(client, alice)
    response = client.post_form("/notifications/read-all", follow_redirects=True)
    assert "3 notifications marked as read." in response.get_data(as_text=True)
    assert all(read_at(app, nid) is not None for nid in mine)
    assert read_at(app, bobs) is None
    again = client.post_form("/notifications/read-all", follow_redirects=True)
    assert "Nothing was unread." in again.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/notifications/{nid}/read", "/notifications/read-all"])
def test_marking_read_needs_the_csrf_token(client, app, alice, path):
    (nid,) = add_notifications(app, alice, 1)
    login_as(client, alice)
    response = client.post(path.format(nid=nid), data={})
    assert response.status_code == 400
    assert read_at(app, nid) is None


# --- the service directly --------------------------------------------------------------------------


def test_service_functions_are_scoped_to_the_owner(app, alice, bob):
    (alices,) = add_notifications(app, alice, 1)
    add_notifications(app, bob, 2)
    from coordinator.errors import NotFound
    from coordinator.models import User

    with app.app_context():
        a, b = db.session.get(User, alice.id), db.session.get(User, bob.id)
        assert notifications.unread_count(a.id) == 1 and notifications.unread_count(b.id) == 2
        with pytest.raises(NotFound):
            notifications.mark_read(b, alices)
        assert notifications.mark_all_read(b) == 2
        db.session.commit()
        assert notifications.unread_count(a.id) == 1 and notifications.unread_count(b.id) == 0
        assert [n.id for n in notifications.list_for(a, NotificationFilterInput(), 10).items] == [alices]
