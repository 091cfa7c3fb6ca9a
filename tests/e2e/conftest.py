"""Browser tests: Debian's Chromium, driven by Playwright, against the app served on 127.0.0.1.

One server per run, on its own SQLite database and instance folder, migrated and loaded with
the demo office by ``flask crm setup``; one browser per run; a fresh browser context (cookies,
viewport, JavaScript on or off) per scenario.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from crm import create_app
from crm.extensions import db
from tests.e2e.browser import DESKTOP, PHONE, LiveServer, sign_in

CHROMIUM = Path("/usr/bin/chromium")
E2E_DIR = Path(__file__).resolve().parent
# Flags for a closed network: no background calls home, no sandbox when run as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"browser tests skipped: {CHROMIUM} is not installed (apt-get install chromium)"
    if os.environ.get("TEST_DATABASE_URL"):
        return (
            "browser tests skipped: they use their own SQLite database, "
            "so they run once, in the SQLite pass"
        )
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = skip_reason()
    if reason is None:
        return
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'crm.sqlite3'}",
        WTF_CSRF_ENABLED=True,
    )
    app.instance_path = str(instance)
    # Inside the server's own app context: a command finds the app through current_app, which
    # would otherwise be the unit tests' app when they ran first.
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["crm", "setup"])
    assert result.exit_code == 0, result.output
    # One line per request would bury a failing step's own output.
    request_log = logging.getLogger("werkzeug")
    level = request_log.level
    request_log.setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join()
    request_log.setLevel(level)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(
    browser: Browser, live_server: LiveServer
) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts on the server (closed after the test); ``phone=True`` is 375 px."""
    opened: list[BrowserContext] = []

    def open_context(*, phone: bool = False, javascript: bool = True) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url,
            viewport=PHONE if phone else DESKTOP,
            java_script_enabled=javascript,
            accept_downloads=True,
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def signed_in(new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """A page signed in as the given demo user."""

    def open_page(email: str, *, phone: bool = False, javascript: bool = True) -> Page:
        page = new_context(phone=phone, javascript=javascript).new_page()
        sign_in(page, email)
        expect(page.locator("form[action$='/logout']")).to_be_attached()
        return page

    return open_page
