"""Issue 13, item 13: axe-core (bundled by the axe-playwright-python package, MPL-2.0) finds no
serious or critical problem on the main pages, and at 390 px wide nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from coordinator.extensions import db
from coordinator.models import BillingAccount, Inquiry
from coordinator.roles import Role
from tests.browser.conftest import sign_in_as

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("COORDINATOR_SHOTS", "")) if os.environ.get("COORDINATOR_SHOTS") else None

# Pages a staff member spends the day on ({inquiry}: a demo inquiry paying privately).
STAFF_PAGES = [
    "/",
    "/inquiries/",
    "/inquiries/new",
    "/inquiries/{inquiry}",
    "/inquiries/{inquiry}/edit",
    "/screening/inquiry/{inquiry}",
    "/finance/",
    "/finance/inquiry/{inquiry}",
    "/finance/inquiry/{inquiry}/account",
    "/finance/inquiry/{inquiry}/statement",
    "/care/patients",
    "/notifications/",
    "/admin/users",
    "/admin/audit",
    "/admin/programs",
    "/admin/payers",
    "/admin/fee-schedules",
    "/admin/reminders",
    "/account/password",
]
PUBLIC_PAGES = ["/inquire", "/auth/login"]
ACCOUNT = "/finance/inquiry/{inquiry}/account"


@pytest.fixture
def demo(app, create_user):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        inquiry_id = db.session.scalar(
            sa.select(Inquiry.id).join(BillingAccount, BillingAccount.inquiry_id == Inquiry.id).order_by(Inquiry.id)
        )
    # An administrator with a second factor already set up (the demo's own sets it up first).
    return {"inquiry": inquiry_id, "admin": create_user(Role.ADMIN, full_name="Axe Admin")}


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): " + "; ".join(n["target"][0] for n in v["nodes"][:5])
        for v in results.response["violations"]
        # Empty table headers are "minor" to axe but leave a screen reader a nameless column.
        if v["impact"] in ("serious", "critical") or v["id"] == "empty-table-header"
    ]


def shoot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_main_pages_have_no_serious_accessibility_problems(app, page, live_server, demo):
    problems = {}
    for path in PUBLIC_PAGES:
        page.goto(live_server + path)
        problems[path] = serious(page)
        shoot(page, "desktop" + path.replace("/", "_"))
    sign_in_as(page, live_server, app, demo["admin"])
    for template in STAFF_PAGES:
        path = template.format(inquiry=demo["inquiry"])
        response = page.goto(live_server + path)
        assert response.status == 200 and page.url == live_server + path, path
        problems[template] = serious(page)
        shoot(page, "desktop" + template.replace("/", "_").replace("{", "").replace("}", "") or "home")
    found = {path: found for path, found in problems.items() if found}
    assert found == {}


def test_at_390_px_nothing_scrolls_sideways_and_the_callers_phone_is_near_the_top(app, browser, live_server, demo):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    try:
        sign_in_as(phone, live_server, app, demo["admin"])
        wide, problems = {}, {}
        for template in STAFF_PAGES + PUBLIC_PAGES:
            path = template.format(inquiry=demo["inquiry"])
            phone.goto(live_server + path)
            width = phone.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[template] = width
            # Tables scroll inside themselves here: each such box must take keyboard focus.
            found = serious(phone)
            if found:
                problems[template] = found
            shoot(phone, "390" + template.replace("/", "_").replace("{", "").replace("}", ""))
        assert wide == {}
        assert problems == {}
        phone.goto(live_server + ACCOUNT.format(inquiry=demo["inquiry"]))
        for testid in ("balance", "total-charges", "total-payments"):
            box = phone.get_by_test_id(testid).bounding_box()
            card = phone.get_by_test_id(testid).locator("xpath=..").bounding_box()
            assert box is not None and box["x"] >= card["x"] and box["x"] + box["width"] <= card["x"] + card["width"]
        phone.goto(f"{live_server}/inquiries/{demo['inquiry']}")
        reach = phone.locator("dt", has_text="Caller's phone").first.bounding_box()
        assert reach is not None and reach["y"] < 700, reach
    finally:
        context.close()
