"""What the browser tests share: the demo logins, the server handle, signing in, screenshots."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation, Contact, Interaction, Organization, Sensitivity
from crm.services.demo_data import DEMO_PASSWORD
from crm.services.normalize import fold

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}

OFFICER = "officer@liaison.demo"
VIEWER = "viewer@liaison.demo"
ADMIN = "admin@liaison.demo"
SWITCHER = "daniel.reyes@liaison.demo"
CONSULATE = "Consulado General de México en San Diego"


@dataclass
class LiveServer:
    app: Flask
    url: str

    def query(self, statement: Any) -> list[Any]:
        """Read records straight from the server's database (to find ids and names)."""
        with self.app.app_context():
            rows = list(db.session.scalars(statement))
            db.session.expunge_all()
            return rows

    def one(self, statement: Any) -> Any:
        rows = self.query(statement.limit(1))
        assert rows, f"nothing matched {statement}"
        return rows[0]


def sign_in(page: Page, email: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: not url.split("?")[0].endswith("/login"))


def screenshot(page: Page, name: str) -> None:
    """Keep a full-page picture as a test artefact (JPEG: a quarter of the time of a PNG)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.jpg"), full_page=True, quality=80)


def section(page: Page, heading: str) -> Locator:
    """The part of the page under a heading (which may end with a count)."""
    title = page.get_by_role("heading", name=re.compile(rf"^{re.escape(heading)}\b"))
    return page.locator("section", has=title)


def consulate_people(live_server: LiveServer) -> tuple[Organization, list[Contact]]:
    """The San Diego consulate and two of its current people an officer may see."""
    consulate = live_server.one(select(Organization).where(Organization.name == CONSULATE))
    people = live_server.query(
        select(Contact)
        .join(Affiliation, Affiliation.contact_id == Contact.id)
        .where(
            Affiliation.organization_id == consulate.id,
            Affiliation.end_date.is_(None),
            Contact.sensitivity <= Sensitivity.OFFICIAL,
        )
        .order_by(Contact.name_key)
        .limit(2)
    )
    assert len(people) == 2
    return consulate, people


def typed_name(contact: Contact) -> str:
    """What an officer types: the start of the surname and of the first name, no accents."""
    return f"{fold(contact.family_name)[:4]} {fold(contact.given_names.split()[0])[:3]}"


def pick_participant(page: Page, contact: Contact, *, javascript: bool = True) -> None:
    """Find a person on the interaction form and tick them (type-ahead first when there is JS)."""
    search = page.get_by_label("Find people")
    search.fill("")
    if javascript:
        search.press_sequentially(typed_name(contact), delay=20)
        suggestion = page.locator("#contact-options option").first
        expect(suggestion).to_have_attribute("value", contact.full_name)
        search.fill(suggestion.get_attribute("value") or "")
    else:
        search.fill(typed_name(contact))
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_role("checkbox", name=contact.display_name).check()


def fill_meeting(page: Page, subject: str, day: date) -> None:
    page.get_by_label("Subject").fill(subject)
    page.get_by_label("Kind").select_option("meeting")
    page.get_by_label("Status").select_option("planned")
    page.get_by_label("Date", exact=True).fill(day.isoformat())
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends", exact=True).fill("11:30")
    page.get_by_label("Location").fill("Consulate, 1549 India St, San Diego")


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
