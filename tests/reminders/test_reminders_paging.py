"""The admins' reminders list pages by keyset cursors across its parts (issue 12): failed (latest
due first), then stuck (waiting longest first), then the other open ones soonest due first (issue
13, bug 9), then sent and cancelled ones latest first; Next walks every row once even while rows
are added; statements for a later page do not grow with the rows."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from coordinator.blueprints.admin import reminders as reminders_view
from coordinator.models import utcnow
from coordinator.rules.reminder_lifecycle import ReminderStatus
from tests.reminders.test_reminders_admin import LIST, add_reminder

SIZE = 3


def _ids(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr data-reminder="(\d+)"', body)]


def _next(body: str) -> str | None:
    match = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', body)
    return html.unescape(match.group(1)) if match else None


def _fill(app, n: int) -> dict[str, list[int]]:
    now = utcnow()
    made: dict[str, list[tuple]] = {"failed": [], "stuck": [], "open": [], "done": []}
    for k in range(n):
        due = now - timedelta(hours=2, minutes=k) if k % 3 != 2 else now + timedelta(hours=1, minutes=(k * 7) % 50)
        if k % 4 == 0:
            rid = add_reminder(app, status=ReminderStatus.FAILED, attempts=5, failed_at=now, due_at=due)
            made["failed"].append((due, rid))
        elif due < now and k % 5 == 1:
            made["done"].append((due, add_reminder(app, status=ReminderStatus.SENT, sent_at=due, due_at=due)))
        elif due < now:  # pending long past due: stuck
            made["stuck"].append((due, add_reminder(app, due_at=due)))
        else:
            made["open"].append((due, add_reminder(app, due_at=due)))
    latest_first = {"failed", "done"}
    return {name: [rid for _, rid in sorted(rows, reverse=name in latest_first)] for name, rows in made.items()}


def test_next_walks_failed_then_stuck_then_the_rest(admin_client, app, monkeypatch):
    monkeypatch.setattr(reminders_view, "PAGE_SIZE", SIZE)
    made = _fill(app, 20)
    expected = made["failed"] + made["stuck"] + made["open"] + made["done"]
    assert all(made.values())
    seen: list[int] = []
    url = LIST
    while url:
        body = admin_client.get(url).get_data(as_text=True)
        seen += _ids(body)
        url = _next(body)
        if url and len(seen) == SIZE:
            # A reminder failing meanwhile goes to the top; the pages after this one do not shift
            # (by page number they would, and show a row twice).
            assert "cursor=" in url
            add_reminder(app, status=ReminderStatus.FAILED, attempts=5, failed_at=utcnow(), due_at=utcnow())
        assert len(seen) <= 40
    assert seen == expected


def test_a_later_page_runs_the_same_statements_with_few_rows_or_many(admin_client, app, count_queries, monkeypatch):
    monkeypatch.setattr(reminders_view, "PAGE_SIZE", SIZE)
    _fill(app, 14)

    def measure() -> int:
        second = _next(admin_client.get(LIST).get_data(as_text=True))
        with count_queries() as counter:
            assert admin_client.get(second).status_code == 200
        return counter.count

    few = measure()
    _fill(app, 70)
    assert measure() == few
