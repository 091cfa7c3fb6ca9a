"""Every main page, checked by axe-core at desktop and phone width: no serious or critical
violation, and no sideways scrolling of the page at 375 px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from crm.models import Contact, Interaction, Organization
from tests.e2e.browser import ADMIN, LiveServer, screenshot

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def main_pages(live_server: LiveServer) -> dict[str, str]:
    """Name → address of every main page, on records from the demo office."""
    organization = live_server.one(
        select(Organization).where(Organization.name.like("Consulado General%San Diego"))
    )
    contact = live_server.one(select(Contact).order_by(Contact.name_key))
    interaction = live_server.one(select(Interaction).order_by(Interaction.id))
    return {
        "dashboard": "/",
        "organizations": "/organizations/",
        "organization": f"/organizations/{organization.id}",
        "organization-form": "/organizations/new",
        "contacts": "/contacts/",
        "contact": f"/contacts/{contact.id}",
        "contact-form": "/contacts/new",
        "interactions": "/interactions/",
        "interaction": f"/interactions/{interaction.id}",
        "interaction-form": "/interactions/new",
        "follow-ups": "/follow-ups/",
        "going-cold": "/going-cold",
        "lists": "/lists/",
        "list-form": "/lists/new",
        "exports": "/contacts/?export=open",
        "imports": "/imports/",
        "duplicates": "/duplicates/",
        "search": "/search/?q=consulado",
        "calendars": "/calendar/",
        "preferences": "/preferences",
        "admin-users": "/admin/users",
        "admin-user-form": "/admin/users/new",
        "admin-tiers": "/admin/tiers",
        "admin-work-areas": "/admin/work-areas",
        "admin-audit": "/admin/audit",
        "admin-trash": "/admin/trash",
        "not-found": "/organizations/999999",
    }


def violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page, one readable line per element."""
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            found.append(
                f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
                f"      at {' '.join(node['target'])}\n"
                f"      {node['failureSummary'].replace(chr(10), ' / ')}"
            )
    return found


WIDE_ELEMENTS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = (el) => el && el.getBoundingClientRect().right > width + 1;
  const culprits = [...document.body.querySelectorAll('*')]
    .filter((el) => wide(el) && !wide(el.parentElement) && !el.closest('.table-wrap'))
    .slice(0, 3)
    .map((el) => el.outerHTML.slice(0, 80));
  return {overflow: document.documentElement.scrollWidth - width, culprits: culprits};
}"""


def sideways_overflow(page: Page) -> str | None:
    """What makes the page wider than the window (it should scroll only down), if anything."""
    found = page.evaluate(WIDE_ELEMENTS)
    if found["overflow"] <= 0:
        return None
    return f"the page scrolls sideways by {found['overflow']}px ({', '.join(found['culprits'])})"


def check(page: Page, name: str, width: str, problems: list[str]) -> None:
    if name == "exports":
        page.get_by_text("Export", exact=True).click()
    screenshot(page, f"{name}-en-{width}")
    found = violations(page)
    if found:
        problems.append(f"{name} ({page.url}):\n" + "\n".join(found))
    if width == "phone" and (overflow := sideways_overflow(page)):
        problems.append(f"{name} ({page.url}): {overflow}")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_main_pages_pass_axe_and_fit_the_screen(
    live_server: LiveServer,
    signed_in: Callable[..., Page],
    new_context: Callable[..., object],
    width: str,
) -> None:
    phone = width == "phone"
    problems: list[str] = []

    visitor = new_context(phone=phone).new_page()  # type: ignore[attr-defined]
    visitor.goto("/login")
    check(visitor, "login", width, problems)

    page = signed_in(ADMIN, phone=phone)
    for name, address in main_pages(live_server).items():
        page.goto(address)
        check(page, name, width, problems)

    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
