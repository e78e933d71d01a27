"""The inquiry list pages by keyset ("seek") cursors (issue 12, item 2): next, previous, first and
last walk every row once in order, the restricted rows a reader may not see stay one block at the
end by number, a day can be jumped to, the count stops at a cap, hostile cursors are ignored, and
statements per page do not grow with the data."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from coordinator.extensions import db
from coordinator.models import Inquiry
from coordinator.roles import Role
from coordinator.services import pagination
from tests.fixtures.intake import make_inquiry
from tests.fixtures.users import login_as

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _arrive(app, inquiry_id: int, when: datetime) -> None:
    with app.app_context():
        row = db.session.get(Inquiry, inquiry_id)
        row.arrived_at = row.status_changed_at = when
        db.session.commit()


@pytest.fixture
def people(create_user):
    return {
        "reader": create_user(Role.ADMISSIONS, full_name="Paging Reader"),
        "assignee": create_user(Role.ADMISSIONS, full_name="Paging Assignee"),
        "admin": create_user(Role.ADMIN),
    }


@pytest.fixture
def listing(app, people):
    """Twelve inquiries a day apart (one of them arriving on the same instant as another), three
    of them restricted to someone else: the reader sees nine, then the three as a block by number."""
    app.config["INQUIRIES_PAGE_SIZE"] = 5
    made = []
    for n in range(12):
        restricted = n in (1, 6, 10)
        row = make_inquiry(
            app,
            people["assignee"],
            assigned_to_id=people["assignee"].id if restricted else None,
            is_restricted=restricted,
            patient_name=f"Paged Person {n}",
        )
        _arrive(app, row.id, START + timedelta(days=n if n != 5 else 4))
        made.append((row.id, restricted, START + timedelta(days=n if n != 5 else 4)))
    visible = [i for i, r, _ in sorted(made, key=lambda m: (m[2], m[0]), reverse=True) if not r]
    hidden = sorted(i for i, r, _ in made if r)
    everyone = [i for i, _, _ in sorted(made, key=lambda m: (m[2], m[0]), reverse=True)]
    return {"reader": visible + hidden, "admin": everyone}


def _ids(body: str) -> list[int]:
    table = body[body.index('data-testid="inquiry-table"') : body.index("</table>")]
    return [int(n) for n in dict.fromkeys(re.findall(r'href="/inquiries/(\d+)"', table))]


def _link(body: str, label: str) -> str | None:
    match = re.search(rf'<a class="page-link" href="([^"]+)">{label}</a>', body)
    return html.unescape(match.group(1)) if match else None


def _walk(client, url: str, label: str) -> list[list[int]]:
    pages = []
    while url is not None:
        body = client.get(url).get_data(as_text=True)
        pages.append(_ids(body))
        url = _link(body, label)
        assert len(pages) < 20
    return pages


@pytest.mark.parametrize("who", ["reader", "admin"])
def test_next_walks_every_row_once_in_order_and_previous_walks_back(client, people, listing, who):
    login_as(client, people[who])
    forward = _walk(client, "/inquiries/", "Next")
    assert [i for page in forward for i in page] == listing[who]
    assert [len(p) for p in forward] == [5, 5, 2]
    last = _link(client.get("/inquiries/").get_data(as_text=True), "Last")
    backward = _walk(client, last, "Previous")
    # "Last" is the last five rows; going back, each page is the five before, and the top of the
    # list is the first page, whole (so it may repeat rows of the page after it).
    assert backward[0] == listing[who][-5:]
    assert backward[-1] == forward[0]
    for page in backward:
        start = listing[who].index(page[0])
        assert page == listing[who][start : start + 5]
    assert {i for page in backward for i in page} == set(listing[who])


def test_a_page_can_end_in_the_visible_rows_and_the_next_begin_in_the_hidden_block(app, client, people, listing):
    app.config["INQUIRIES_PAGE_SIZE"] = 3  # nine visible rows: page 4 is the hidden block alone
    login_as(client, people["reader"])
    pages = _walk(client, "/inquiries/", "Next")
    assert pages[-1] == listing["reader"][-3:]
    body = client.get(_link(client.get("/inquiries/").get_data(as_text=True), "Last")).get_data(as_text=True)
    assert _ids(body) == listing["reader"][-3:]
    previous = client.get(_link(body, "Previous")).get_data(as_text=True)
    assert _ids(previous) == listing["reader"][6:9]


def test_a_day_can_be_jumped_to(client, people, listing):
    login_as(client, people["admin"])
    body = client.get(f"/inquiries/?on_or_before={(START + timedelta(days=6)).date().isoformat()}")
    ids = _ids(body.get_data(as_text=True))
    assert ids == listing["admin"][5:10]  # arrivals of days 6, 4 (twice), 3, 2
    first = _link(body.get_data(as_text=True), "First")
    assert _ids(client.get(first).get_data(as_text=True)) == listing["admin"][:5]


def test_the_count_stops_at_the_cap(client, people, listing, monkeypatch):
    login_as(client, people["admin"])
    assert "Showing 1–5 of 12." in client.get("/inquiries/").get_data(as_text=True)
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    assert "Showing 1–5 of more than 10." in client.get("/inquiries/").get_data(as_text=True)


def _cursor(body) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


HOSTILE = [
    "x",
    "%%%",
    "A" * 5000,
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    _cursor([1, 2]),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["t", "not a time"], ["i", 1]]}),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["t", "2026-01-01T00:00:00"], ["i", 1]]}),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["i", 10**30], ["i", 1]]}),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["s", "text"], ["i", 1]]}),  # wrong kinds
    _cursor({"p": "visible", "b": False, "s": "name", "k": [["s", "a"], ["i", 1]]}),  # another sort
    _cursor({"p": "hidden", "b": "yes", "s": "newest", "k": None}),
    _cursor({"p": "elsewhere", "b": False, "s": "newest", "k": None}),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["t", "9999-01-01T00:00:00+00:00"], ["i", 1]]}),
    _cursor({"p": "visible", "b": False, "s": "newest", "k": [["i", True], ["i", 1]]}),
]


@pytest.mark.parametrize("who", ["reader", "admin"])
@pytest.mark.parametrize("cursor", HOSTILE)
def test_a_hostile_cursor_shows_the_first_page(client, people, listing, who, cursor):
    login_as(client, people[who])
    response = client.get("/inquiries/", query_string={"cursor": cursor})
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True)) == listing[who][:5]


def test_an_admins_hidden_part_cursor_is_ignored(client, people, listing):
    """Administrators see one list; a cursor into a part they do not have starts over."""
    login_as(client, people["admin"])
    cursor = _cursor({"p": "hidden", "b": False, "s": "newest", "k": [["i", 1]]})
    assert (
        _ids(client.get("/inquiries/", query_string={"cursor": cursor}).get_data(as_text=True)) == listing["admin"][:5]
    )


@pytest.mark.parametrize("position", ["second", "last", "hidden"])
def test_statements_per_page_do_not_grow_with_the_rows(app, client, people, count_queries, position):
    """The same position in the list costs the same statements with 12 rows or 40."""
    app.config["INQUIRIES_PAGE_SIZE"] = 3
    login_as(client, people["reader"])

    def url() -> str:
        body = client.get("/inquiries/").get_data(as_text=True)
        if position == "second":
            return _link(body, "Next")
        last = _link(body, "Last")
        return last if position == "last" else _link(client.get(last).get_data(as_text=True), "Previous")

    def measure() -> int:
        target = url()
        with count_queries() as counter:
            assert client.get(target).status_code == 200
        return counter.count

    def add(n: int) -> None:
        for k in range(n):
            restricted = k % 3 == 0
            make_inquiry(
                app,
                people["assignee"],
                assigned_to_id=people["assignee"].id if restricted else None,
                is_restricted=restricted,
            )

    add(12)
    few = measure()
    add(28)
    assert measure() == few
