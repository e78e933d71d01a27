"""In a real browser: the users list, the notification list and the break-the-glass review page
by "Next" links with a capped count, and the reminders page lists the soonest due first
(issue 12, item 2; issue 13, bug 9)."""

from __future__ import annotations

from datetime import timedelta

from coordinator.domain.intake import BreakGlassScope
from coordinator.extensions import db
from coordinator.models import BreakGlassAccess, Notification, utcnow
from coordinator.roles import Role
from tests.browser.conftest import ARTIFACTS, sign_in_as
from tests.fixtures.intake import make_inquiry
from tests.reminders.test_reminders_admin import add_reminder


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"seek-{name}.png"), full_page=True)


def test_admin_lists_page_by_next_links_and_reminders_come_soonest_first(page, live_server, app, create_user):
    admin = create_user(Role.ADMIN, full_name="Ada Admin")
    app.config.update(USERS_PAGE_SIZE=5, AUDIT_PAGE_SIZE=5)
    for n in range(8):
        create_user(Role.CLINICIAN, full_name=f"Clinician {n:02d}")
    inquiry = make_inquiry(app)
    now = utcnow()
    with app.app_context():
        db.session.add_all(
            BreakGlassAccess(
                inquiry_id=inquiry.id,
                user_id=admin.id,
                scope=BreakGlassScope.CLINICAL,
                reason=f"Weekend cover {n}",
                created_at=now - timedelta(minutes=n),
                expires_at=now + timedelta(hours=1),
            )
            for n in range(7)
        )
        db.session.add_all(
            Notification(
                user_id=admin.id,
                title=f"Notice {n:02d}",
                body="Open it.",
                link="/",
                created_at=now - timedelta(minutes=n),
            )
            for n in range(30)
        )
        db.session.commit()
    later = add_reminder(app, due_at=now + timedelta(hours=5))
    soonest = add_reminder(app, due_at=now + timedelta(minutes=10))
    sign_in_as(page, live_server, app, admin)

    page.goto(live_server + "/admin/users")
    assert "Showing 1–5 of 9." in page.inner_text("main")  # eight clinicians and the admin
    _shot(page, "users-first-page")
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "cursor=" in page.url and "Clinician 07" in page.inner_text("main")
    _shot(page, "users-next-page")

    page.goto(live_server + "/notifications/")
    assert "Notice 00" in page.inner_text("main") and "of 30" in page.inner_text("main")
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "Notice 25" in page.inner_text("main") and "Notice 00" not in page.inner_text("main")
    _shot(page, "notifications-next-page")

    page.goto(live_server + "/admin/break-glass")
    assert "Weekend cover 0" in page.inner_text("main") and "of 7" in page.inner_text("main")
    page.get_by_role("link", name="Next").click()
    page.wait_for_load_state()
    assert "Weekend cover 6" in page.inner_text("main")
    _shot(page, "break-glass-next-page")

    page.goto(live_server + "/admin/reminders")
    rows = page.locator("tr[data-reminder]").evaluate_all("rows => rows.map(r => r.dataset.reminder)")
    assert rows.index(str(soonest)) < rows.index(str(later))
    _shot(page, "reminders-soonest-first")
