"""A live server on 127.0.0.1 and a headless Debian Chromium driven by Playwright.

Without Chromium these tests are skipped with the reason printed (pytest -ra); CI sets
COORDINATOR_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (apt-get install chromium); browser tests skipped"
        if os.environ.get("COORDINATOR_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + ", but COORDINATOR_REQUIRE_BROWSER=1")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def sign_in(page, live_server: str, app, email: str, password: str) -> None:
    """Sign in through the page as a person would: the password, then (for an account with a
    second factor, as every administrator has) the code their authenticator app shows."""
    from tests.support.mfa import next_code

    page.goto(live_server + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url == live_server + "/auth/code":
        page.get_by_label("Code").fill(next_code(app, email))
        page.get_by_role("button", name="Verify and sign in").click()
        page.wait_for_load_state()


def sign_in_as(page, live_server: str, app, user) -> None:
    """Sign `user` (made by the `create_user` fixture, with the test password) in and land home."""
    from tests.fixtures.users import PASSWORD

    sign_in(page, live_server, app, user.email, PASSWORD)
    page.wait_for_url(live_server + "/")
