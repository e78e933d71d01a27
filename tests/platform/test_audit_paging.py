"""The audit log pages by keyset cursors (issue 12): Next walks every row once, newest first,
whatever rows are added meanwhile; a hostile cursor is ignored; statements per page are the same
with few rows or many."""

from __future__ import annotations

import base64
import html
import json
import re

import pytest
import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import AuditEvent
from coordinator.services import audit


def _add(app, n: int) -> None:
    with app.app_context():
        for k in range(n):
            audit.record(audit.CLI, AuditAction.USER_VIEWED, "paging_probe", str(k))
        db.session.commit()


def _link(body: str, label: str) -> str | None:
    match = re.search(rf'<a class="page-link" href="([^"]+)">{label}</a>', body)
    return html.unescape(match.group(1)) if match else None


def _event_ids(app) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(
                sa.select(AuditEvent.id)
                .where(AuditEvent.entity_type == "paging_probe")
                .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
            )
        )


def test_next_walks_the_log_once_newest_first_while_it_grows(app, admin_client):
    app.config["AUDIT_PAGE_SIZE"] = 5
    _add(app, 12)
    expected = _event_ids(app)
    seen: list[int] = []
    url = "/admin/audit?entity_type=paging_probe"
    while url:
        body = admin_client.get(url).get_data(as_text=True)
        seen += [int(n) for n in re.findall(r'data-event-id="(\d+)"', body)]
        url = _link(body, "Next")
        assert len(seen) <= 20, (seen, expected)
    # Every page view adds an audit row (of another type); the walk is not disturbed by it.
    assert seen == expected
    body = admin_client.get(
        _link(admin_client.get("/admin/audit?entity_type=paging_probe").get_data(as_text=True), "Last")
    )
    assert [int(n) for n in re.findall(r'data-event-id="(\d+)"', body.get_data(as_text=True))] == expected[-5:]


@pytest.mark.parametrize(
    "cursor",
    [
        "junk",
        base64.urlsafe_b64encode(
            json.dumps({"p": "all", "b": False, "s": "newest", "k": [["s", "x"]]}).encode()
        ).decode(),
    ],
)
def test_a_hostile_cursor_is_ignored(admin_client, cursor):
    response = admin_client.get("/admin/audit", query_string={"cursor": cursor})
    assert response.status_code == 200


def test_a_later_page_runs_the_same_statements_with_few_rows_or_many(app, admin_client, count_queries):
    app.config["AUDIT_PAGE_SIZE"] = 3

    def measure() -> int:
        second = _link(admin_client.get("/admin/audit").get_data(as_text=True), "Next")
        with count_queries() as counter:
            assert admin_client.get(second).status_code == 200
        return counter.count

    _add(app, 10)
    few = measure()
    _add(app, 40)
    assert measure() == few
