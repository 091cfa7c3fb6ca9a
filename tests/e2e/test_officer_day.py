"""An officer's day in the browser: find a consulate, log a meeting, follow up, take it away."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.e2e.browser import (
    CONSULATE,
    OFFICER,
    LiveServer,
    consulate_people,
    fill_meeting,
    pick_participant,
    screenshot,
    section,
)


def test_officer_finds_a_consulate_logs_a_meeting_and_exports(
    live_server: LiveServer, signed_in: Callable[..., Page]
) -> None:
    consulate, people = consulate_people(live_server)
    page = signed_in(OFFICER)
    screenshot(page, "dashboard-en-desktop")

    # The header search: accentless, partial words; suggestions as you type, results on Enter.
    search = page.get_by_label("Search organizations, people and meetings")
    search.press_sequentially("consul mexico san die", delay=20)
    suggestion = page.locator("#search-options option").first
    expect(suggestion).to_have_attribute("value", CONSULATE)
    search.press("Enter")
    expect(page.locator("main h1")).to_have_text("Search")
    results = section(page, "Organizations")
    expect(results.get_by_role("link", name=CONSULATE, exact=True)).to_be_visible()
    screenshot(page, "search-en-desktop")

    # Choosing a suggestion opens the consulate's page.
    header_search = page.get_by_label("Search organizations, people and meetings")
    header_search.fill("")
    header_search.press_sequentially("consulado san diego", delay=20)
    expect(page.locator("#search-options option").first).to_have_attribute("value", CONSULATE)
    header_search.fill(CONSULATE)
    page.wait_for_url(f"**/organizations/{consulate.id}")
    expect(page.locator("main h1")).to_contain_text(CONSULATE)
    screenshot(page, "organization-en-desktop")

    # Log a planned meeting with two of its people, picked by type-ahead.
    page.get_by_role("link", name="Log an interaction").click()
    subject = "Consular notification review, San Diego"
    day = date.today() + timedelta(days=2)
    fill_meeting(page, subject, day)
    expect(page.get_by_label("Organization", exact=True).first).to_have_value(CONSULATE)
    for person in people:
        pick_participant(page, person)
    screenshot(page, "interaction-form-en-desktop")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Interaction saved.")
    expect(page.locator("main h1")).to_have_text(subject)
    participants = section(page, "Participants")
    for person in people:
        expect(participants.get_by_role("link", name=person.display_name).first).to_be_visible()

    # A follow-up noted late (its due date long past) leads the dashboard's overdue ones.
    task = "Send the consulate the signed notification protocol"
    page.get_by_label("Follow-up", exact=True).fill(task)
    page.get_by_label("Due").fill((date.today() - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_text(task)).to_be_visible()
    interaction_url = page.url
    screenshot(page, "interaction-en-desktop")

    page.get_by_role("link", name="Liaison CRM").click()
    upcoming = section(page, "My upcoming meetings")
    expect(upcoming.get_by_role("link", name=subject)).to_be_visible()
    overdue = section(page, "My overdue follow-ups")
    expect(overdue.get_by_role("listitem").first).to_contain_text(task)
    screenshot(page, "dashboard-with-follow-up-en-desktop")
    overdue.get_by_role("link", name="All my follow-ups").click()
    expect(page.get_by_text(task)).to_be_visible()
    screenshot(page, "follow-ups-en-desktop")

    # The meeting as an iCalendar file.
    page.goto(interaction_url)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Add to calendar").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(download.path().read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == subject
    starts = event.decoded("DTSTART")
    assert (starts.date(), starts.hour, starts.minute) == (day, 10, 0)
    assert str(starts.tzinfo) == "America/Los_Angeles"

    # The consulate's people, exported to CSV from the filtered contact list.
    page.goto(f"/contacts/?organization={consulate.id}")
    page.get_by_text("Export", exact=True).click()
    page.get_by_label("Format", exact=True).select_option("csv")
    screenshot(page, "export-en-desktop")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download.path().read_text("utf-8"))))
    names = {" ".join(row.values()) for row in rows}
    for person in people:
        assert any(person.family_name in row and person.given_names in row for row in names)
    listed = page.locator("main table tbody tr")
    expect(listed).to_have_count(len(rows))
