"""Billing's worklist pages by keyset cursors (issue 12): the inquiries a billing user may see,
newest first, then the restricted ones as one block by number; Next walks every row once even
while inquiries are added; a later page runs the same statements with few rows or many."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from coordinator.blueprints.finance import overview as overview_view
from coordinator.extensions import db
from coordinator.models import BillingAccount, Inquiry
from coordinator.roles import Role
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

SIZE = 3
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def _add(app, owner, n: int, offset: int = 0) -> list[tuple[int, bool, datetime]]:
    made = []
    for k in range(n):
        restricted = k % 4 == 1
        row = make_inquiry(app, owner, assigned_to_id=owner.id if restricted else None, is_restricted=restricted)
        when = START + timedelta(hours=offset + k)
        with app.app_context():
            inquiry = db.session.get(Inquiry, row.id)
            inquiry.arrived_at = when
            db.session.add(BillingAccount(inquiry_id=row.id, currency="USD"))
            db.session.commit()
        made.append((row.id, restricted, when))
    return made


def _ids(body: str) -> list[int]:
    table = body[body.index("<table") : body.index("</table>")]
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/finance/inquiry/(\d+)"', table))]


def _next(body: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', body)
    return html.unescape(match.group(1)) if match else None


def test_next_walks_the_visible_rows_then_the_restricted_block(app, client, create_user, monkeypatch):
    monkeypatch.setattr(overview_view, "PAGE_SIZE", SIZE)
    owner = create_user(Role.ADMISSIONS)
    made = _add(app, owner, 10)
    login_as(client, create_user(Role.BILLING))
    expected = [i for i, r, w in sorted(made, key=lambda m: (m[2], m[0]), reverse=True) if not r]
    expected += sorted(i for i, r, _ in made if r)
    seen: list[int] = []
    url = "/finance/"
    while url:
        body = client.get(url).get_data(as_text=True)
        seen += _ids(body)
        url = _next(body)
        if url and len(seen) == SIZE:
            assert "cursor=" in url
            _add(app, owner, 1, offset=100)  # arrives meanwhile, at the top: later pages do not shift
        assert len(seen) <= 30
    assert seen == expected


def test_a_later_page_runs_the_same_statements_with_few_rows_or_many(
    app, client, create_user, count_queries, monkeypatch
):
    monkeypatch.setattr(overview_view, "PAGE_SIZE", SIZE)
    owner = create_user(Role.ADMISSIONS)
    login_as(client, create_user(Role.BILLING))

    def measure() -> int:
        second = _next(client.get("/finance/").get_data(as_text=True))
        with count_queries() as counter:
            assert client.get(second).status_code == 200
        return counter.count

    _add(app, owner, 8)
    few = measure()
    _add(app, owner, 30, offset=50)
    assert measure() == few


def test_a_damaged_cursor_shows_the_first_page(app, client, create_user):
    login_as(client, create_user(Role.BILLING))
    assert client.get("/finance/", query_string={"cursor": "%%not-a-cursor"}).status_code == 200
