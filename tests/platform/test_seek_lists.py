"""The users list and the break-the-glass review list page by keyset cursors with a capped count
(issue 12, item 2): Next walks every row once in order, a later page runs the same statements
with few rows or many, old page-number links and damaged cursors show the first page. (The
notification list's are in tests/reminders/test_notifications_ui.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from coordinator.domain.intake import BreakGlassScope
from coordinator.extensions import db
from coordinator.models import BreakGlassAccess, User, utcnow
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry

SIZE = 4


def _next(html: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', html)
    return unescape(match.group(1)) if match else None


def _walk(client, url: str, pattern: str) -> list[int]:
    seen: list[int] = []
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(pattern, html)]
        url = _next(html)
        assert len(seen) < 500
    return seen


def _second_page_statements(client, url: str, count_queries) -> int:
    later = _next(client.get(url).get_data(as_text=True))
    assert later and "cursor=" in later
    with count_queries() as counter:
        assert client.get(later).status_code == 200
    return counter.count


# --- users -------------------------------------------------------------------------------------

USER_LINK = r'href="/admin/users/(\d+)"'


def test_next_walks_every_account_once_by_name(admin_client, app, create_user):
    app.config["USERS_PAGE_SIZE"] = SIZE
    names = ["émile Zola", "Bea Ames", "bea ames", "Carl Ord", "Ann Lee", "Dee Fox", "ann lee", "Eve Ito", "Al Bo"]
    for name in names:
        create_user(Role.CLINICIAN, full_name=name)
    with app.app_context():
        expected = [
            u.id for u in db.session.query(User).order_by(sa.func.lower(User.full_name), User.id)
        ]  # the database's own order
    assert _walk(admin_client, "/admin/users", USER_LINK) == expected
    assert f"Showing 1–{SIZE} of {len(expected)}." in admin_client.get("/admin/users").get_data(as_text=True)


def test_a_later_users_page_runs_the_same_statements_with_few_accounts_or_many(
    admin_client, app, create_user, count_queries
):
    app.config["USERS_PAGE_SIZE"] = SIZE
    for _ in range(6):
        create_user(Role.CLINICIAN)
    few = _second_page_statements(admin_client, "/admin/users", count_queries)
    for _ in range(40):
        create_user(Role.BILLING)
    assert _second_page_statements(admin_client, "/admin/users", count_queries) == few


@pytest.mark.parametrize("query", ["page=7", "cursor=not-a-cursor", "cursor=%00", "cursor=" + "A" * 700])
def test_old_page_links_and_damaged_cursors_show_the_first_users_page(admin_client, app, create_user, query):
    app.config["USERS_PAGE_SIZE"] = SIZE
    for n in range(6):
        create_user(Role.CLINICIAN, full_name=f"Aaron {n}")
    response = admin_client.get(f"/admin/users?{query}")
    assert response.status_code == 200
    assert "Aaron 0" in response.get_data(as_text=True)


# --- break-the-glass review ----------------------------------------------------------------------

GRANT_ROW = r'action="/admin/break-glass/(\d+)/reviewed"'


def _grants(app, count: int, user_id: int, inquiry_id: int, reviewed: bool = False) -> list[int]:
    now = utcnow()
    with app.app_context():
        rows = [
            BreakGlassAccess(
                inquiry_id=inquiry_id,
                user_id=user_id,
                scope=BreakGlassScope.CLINICAL,
                reason="Covering the weekend on call",
                created_at=now - timedelta(minutes=n % 5),  # ties on time: the id decides
                expires_at=now + timedelta(hours=1),
                reviewed_at=now if reviewed else None,
            )
            for n in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def test_next_walks_every_unreviewed_grant_once_newest_first(admin_client, app, admin, create_user):
    app.config["AUDIT_PAGE_SIZE"] = SIZE
    clinician = create_user(Role.CLINICIAN)
    inquiry = make_inquiry(app)
    ids = _grants(app, 11, clinician.id, inquiry.id)
    _grants(app, 3, clinician.id, inquiry.id, reviewed=True)  # not in the unreviewed view
    with app.app_context():
        expected = [
            g.id
            for g in db.session.query(BreakGlassAccess)
            .filter(BreakGlassAccess.id.in_(ids))
            .order_by(BreakGlassAccess.created_at.desc(), BreakGlassAccess.id.desc())
        ]
    assert _walk(admin_client, "/admin/break-glass", GRANT_ROW) == expected


def test_a_later_grants_page_runs_the_same_statements_with_few_grants_or_many(
    admin_client, app, admin, create_user, count_queries
):
    app.config["AUDIT_PAGE_SIZE"] = SIZE
    clinician = create_user(Role.CLINICIAN)
    inquiry = make_inquiry(app)
    _grants(app, 6, clinician.id, inquiry.id)
    few = _second_page_statements(admin_client, "/admin/break-glass", count_queries)
    _grants(app, 1100, clinician.id, inquiry.id)
    assert _second_page_statements(admin_client, "/admin/break-glass", count_queries) == few
    assert "more than 1,000" in admin_client.get("/admin/break-glass").get_data(as_text=True)


def test_an_old_page_link_shows_the_first_page_of_grants(admin_client, app, admin, create_user):
    clinician = create_user(Role.CLINICIAN)
    inquiry = make_inquiry(app)
    _grants(app, 2, clinician.id, inquiry.id)
    response = admin_client.get("/admin/break-glass?page=40&show=all")
    assert response.status_code == 200 and len(re.findall(GRANT_ROW, response.get_data(as_text=True))) == 2
    assert "Showing 1–2 of 2." in response.get_data(as_text=True)  # counted without a WHERE, too
