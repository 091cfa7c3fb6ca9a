"""The interface in Spanish, chosen on the preferences page: every main page marked as
Spanish (with a screenshot of each, desktop and phone), and reading as the Spanish catalog
(``crm/translations/es/LC_MESSAGES/messages.po``) says."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from tests.e2e.browser import SWITCHER, LiveServer, main_pages, screenshot

# Spanish, as Mexican Spanish (es-MX) or plain "es".
SPANISH = re.compile(r"^es(-[A-Z]{2})?$")
CATALOG = Path(__file__).resolve().parents[2] / "crm/translations/es/LC_MESSAGES/messages.po"
NAV = ("Organizations", "Interactions", "Contacts", "Going cold", "My follow-ups")
# Page, English heading, an English button on it.
PAGES = (
    ("/organizations/", "Organizations", "Filter"),
    ("/interactions/new", "Log an interaction", "Save"),
    ("/preferences", "Preferences", "Save"),
)


def spanish(english: str) -> str:
    """The catalog's translation of an English string, read when the test runs."""
    with CATALOG.open("rb") as file:
        message = read_po(file, locale="es").get(english)
    assert message is not None, f"{english!r} is not in the Spanish catalog"
    assert message.string, f"{english!r} has no Spanish translation in the catalog yet"
    return message.string


@pytest.fixture
def in_spanish(signed_in: Callable[..., Page]) -> Callable[..., Page]:
    """A page signed in as a user who has just chosen Spanish on the preferences page."""

    def open_page(*, phone: bool = False) -> Page:
        page = signed_in(SWITCHER, phone=phone)
        page.goto("/preferences")
        language = page.locator("select[name=language]")
        language.select_option("es")
        page.locator("form.narrow button[type=submit]").click()
        expect(page.locator("html")).to_have_attribute("lang", SPANISH)
        return page

    return open_page


def test_choosing_spanish_marks_every_page_as_spanish(
    in_spanish: Callable[..., Page], live_server: LiveServer
) -> None:
    # The administration pages are for administrators; the one who switches is an officer.
    pages = {
        name: address
        for name, address in main_pages(live_server).items()
        if not name.startswith("admin-")
    }
    for phone in (False, True):
        page = in_spanish(phone=phone)
        width = "phone" if phone else "desktop"
        for name, address in pages.items():
            page.goto(address)
            expect(page.locator("html")).to_have_attribute("lang", SPANISH)
            screenshot(page, f"{name}-es-{width}")


def test_pages_read_in_spanish_from_the_catalog(in_spanish: Callable[..., Page]) -> None:
    """Depends on the Spanish catalog: fails until its translations are filled in."""
    page = in_spanish()
    nav = page.get_by_role("navigation", name=spanish("Main"))
    for label in NAV:
        expect(nav.get_by_role("link", name=spanish(label), exact=True)).to_be_visible()
    for address, heading, button in PAGES:
        page.goto(address)
        expect(page.locator("main h1")).to_have_text(spanish(heading))
        expect(page.get_by_role("button", name=spanish(button), exact=True).first).to_be_visible()
