"""What a viewer cannot see or do, and the interaction form with JavaScript turned off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from crm.models import Contact, Organization, Sensitivity
from tests.e2e.browser import (
    OFFICER,
    VIEWER,
    LiveServer,
    consulate_people,
    fill_meeting,
    pick_participant,
    screenshot,
    section,
)


def test_a_viewer_sees_no_edit_buttons_and_nothing_above_their_clearance(
    live_server: LiveServer, signed_in: Callable[..., Page]
) -> None:
    public_org = live_server.one(
        select(Organization).where(Organization.sensitivity == Sensitivity.PUBLIC)
    )
    hidden = live_server.one(
        select(Contact).where(Contact.sensitivity > Sensitivity.PUBLIC).order_by(Contact.name_key)
    )
    page = signed_in(VIEWER)

    page.goto("/organizations/")
    expect(page.get_by_role("link", name=public_org.name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="New organization")).to_have_count(0)
    page.get_by_role("link", name=public_org.name, exact=True).click()
    expect(page.locator("main h1")).to_contain_text(public_org.name)
    for label in ("Edit", "Move to trash", "Add follow-up"):
        expect(page.get_by_role("button", name=label)).to_have_count(0)
    expect(page.get_by_role("link", name="Log an interaction")).to_have_count(0)

    page.goto(f"/contacts/?q={hidden.family_name}")
    expect(page.get_by_role("link", name=hidden.display_name)).to_have_count(0)
    page.get_by_label("Search organizations, people and meetings").fill(hidden.full_name)
    page.get_by_label("Search organizations, people and meetings").press("Enter")
    expect(page.locator("main h1")).to_have_text("Search")
    expect(page.get_by_role("link", name=hidden.display_name)).to_have_count(0)
    response = page.goto(f"/contacts/{hidden.id}")
    assert response is not None and response.status == 404
    expect(page.get_by_text(hidden.family_name)).to_have_count(0)
    screenshot(page, "not-found-viewer-desktop")


def test_a_meeting_can_be_logged_without_javascript(
    live_server: LiveServer, signed_in: Callable[..., Page]
) -> None:
    consulate, people = consulate_people(live_server)
    page = signed_in(OFFICER, javascript=False)

    page.goto(f"/organizations/{consulate.id}")
    page.get_by_role("link", name="Log an interaction").click()
    page.get_by_role("button", name="Save").click()
    subject_field = page.get_by_label("Subject")
    expect(subject_field).to_have_attribute("aria-invalid", "true")
    expect(subject_field).to_have_accessible_description("Enter a subject.")
    subject = "Follow-up call on consular notifications (no script)"
    fill_meeting(page, subject, date.today() + timedelta(days=3))
    for person in people:
        pick_participant(page, person, javascript=False)
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_have_text("Interaction saved.")
    expect(page.locator("main h1")).to_have_text(subject)
    for person in people:
        expect(section(page, "Participants").get_by_text(person.display_name)).to_be_visible()
