"""Calendar feeds and single-meeting downloads: secret addresses shown once, what a feed
carries (scope, window, visibility gate), how it answers a polling client, and its events
(UID, SEQUENCE, local times, busy blocks)."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from html import unescape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import vobject
from flask import Flask
from icalendar import Calendar
from sqlalchemy import event, insert, select, update
from werkzeug.http import parse_options_header

from crm.extensions import db
from crm.models import (
    CalendarFeed,
    Contact,
    Interaction,
    InteractionContact,
    Sensitivity,
    User,
    WorkArea,
    interaction_organizations,
    interaction_staff,
    interaction_work_areas,
)
from crm.services.calendar import (
    FeedInput,
    FeedWindow,
    built_feeds,
    create_feed,
    feed_by_token,
    polled_feed,
    revoke_feed,
)
from crm.services.contacts import ContactInput, EmailInput, update_contact
from crm.services.interactions import (
    InteractionInput,
    create_interaction,
    delete_interaction,
    update_interaction,
)
from crm.services.users import UserInput, update_user
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    count,
    page,
    redirect_target,
    row,
    without_csrf_tokens,
)

TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]+")


# --- Helpers: feeds, fetching, reading calendars -----------------------------------------


def new_feed(owner: User, **fields: Any) -> str:
    """A feed made through the service; its secret token."""
    _feed, token = create_feed(FeedInput(**fields), owner)
    db.session.commit()
    return token


def feed_form(**changes: Any) -> dict[str, Any]:
    """What a browser sends from the new-feed form (unticked boxes are simply absent)."""
    data: dict[str, Any] = {
        "name": "",
        "scope": "mine",
        "organization_name": "",
        "work_area_id": "",
        "include_emails": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def address(html: str, field_id: str) -> str:
    """The address shown in the read-only input ``feed-https`` or ``feed-webcal``."""
    match = re.search(rf'<input id="{field_id}"[^>]*\bvalue="([^"]*)"', html)
    assert match, f"no address {field_id!r} on the page"
    return unescape(match.group(1))


def token_from(html: str) -> str:
    match = re.search(r"/calendar/feeds/([^/.\"]+)\.ics$", address(html, "feed-https"))
    assert match
    return match.group(1)


def listed_feeds(html: str) -> list[str]:
    """The names in the "Your feeds" table (first cell of each row)."""
    return [unescape(name) for name in re.findall(r"<tr>\s*<td>([^<]*)</td>", html)]


def feed_url(token: str) -> str:
    return f"/calendar/feeds/{token}.ics"


def fetch(app: Flask, token: str, **headers: str) -> Any:
    """The feed as a calendar client fetches it: no session, no cookies. Every feed served
    is also read by a second, independent parser, which must find the same events."""
    response = app.test_client().get(feed_url(token), headers=headers)
    if response.status_code == 200:
        assert_independent_parser_agrees(response.get_data())
    return response


def assert_independent_parser_agrees(body: bytes) -> None:
    """vobject (which shares no code with icalendar) reads the same events at the same times."""
    ours = {
        str(e["UID"]): (str(e["SUMMARY"]), e.decoded("DTSTART"))
        for e in Calendar.from_ical(body).walk("VEVENT")
    }
    theirs = {
        e.uid.value: (e.summary.value, e.dtstart.value)
        for calendar in vobject.readComponents(body.decode("utf-8"))
        for e in calendar.contents.get("vevent", [])
    }
    assert theirs == ours


def vevents(response: Any) -> list[Any]:
    assert response.status_code == 200, response.status_code
    return list(Calendar.from_ical(response.get_data()).walk("VEVENT"))


def subjects(response: Any) -> set[str]:
    return {str(e["SUMMARY"]) for e in vevents(response)}


def the_event(response: Any, uid: str) -> Any:
    found = [e for e in vevents(response) if str(e["UID"]) == uid]
    assert len(found) == 1, f"{len(found)} events with UID {uid}"
    return found[0]


def as_list(value: Any) -> list[Any]:
    """A property that occurs once or several times (ATTENDEE), as a list."""
    return value if isinstance(value, list) else [value]


def attendee_names(vevent: Any) -> list[str]:
    return [str(a.params["CN"]) for a in as_list(vevent.get("ATTENDEE", []))]


def body(response: Any) -> str:
    """The calendar text with folded lines joined, for "appears nowhere" checks."""
    return response.get_data(as_text=True).replace("\r\n ", "").replace("\\,", ",")


def in_days(days: int, hour: int = 10) -> datetime:
    return datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0) + timedelta(
        days=days
    )


def meeting_input(**changes: Any) -> InteractionInput:
    """A meeting next week in Tijuana, as the interaction form would hand it to the service."""
    values: dict[str, Any] = {
        "subject": "Port of entry working group",
        "day": date.today() + timedelta(days=7),
        "start": time(10, 0),
        "end": time(11, 0),
        "timezone": "America/Tijuana",
        "location": "Garita El Chaparral",
        "summary": "Wait times.",
    }
    values.update(changes)
    return InteractionInput(**values)


def edit(interaction: Interaction, data: InteractionInput, actor: User) -> InteractionInput:
    update_interaction(interaction, data, actor)
    db.session.commit()
    return data


def interaction_form(**changes: Any) -> dict[str, Any]:
    """What a browser sends from the interaction form when the user presses Save."""
    data: dict[str, Any] = {
        "subject": "Consular protection roundtable",
        "kind": "meeting",
        "status": "planned",
        "day": (date.today() + timedelta(days=5)).isoformat(),
        "start": "10:00",
        "end": "11:00",
        "end_day": "",
        "timezone": "America/Los_Angeles",
        "location": "Consulate, room 2",
        "video_url": "",
        "sensitivity": "official",
        "summary": "",
        "outcome": "",
        "organization_names-0": "",
        "organization_names-1": "",
        "organization_names-2": "",
        "contact_search": "",
        "action": "save",
    }
    data.update(changes)
    return data


def rename_contact(contact: Contact, given_names: str, actor: User) -> None:
    update_contact(
        contact,
        ContactInput(
            given_names=given_names,
            family_name=contact.family_name,
            emails=[EmailInput(e.address) for e in contact.emails],
        ),
        actor,
    )
    db.session.commit()


def set_user(user: User, admin: User, **changes: Any) -> None:
    """An administrator changes an account (clearance, active) on the admin page's service."""
    values: dict[str, Any] = {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "clearance": user.clearance.code,
        "timezone": user.timezone,
        "active": user.active,
    }
    values.update(changes)
    update_user(user, UserInput(**values), admin)
    db.session.commit()


@pytest.fixture
def officer(users: dict[str, User]) -> User:
    """The feed owner: an officer with clearance "official"."""
    return users["officer"]


# --- Creating a feed ----------------------------------------------------------------------


def test_a_new_feed_shows_its_https_and_webcal_addresses_and_a_google_link(
    client, officer, login_as
):
    login_as(officer)

    response = client.post("/calendar/feeds", data=feed_form(name="My meetings"))

    html = page(response)
    assert response.status_code == 200
    token = token_from(html)
    https_url = address(html, "feed-https")
    webcal_url = address(html, "feed-webcal")
    assert https_url == f"http://localhost/calendar/feeds/{token}.ics"
    assert webcal_url == f"webcal://localhost/calendar/feeds/{token}.ics"
    google = "https://calendar.google.com/calendar/r?cid=" + quote(webcal_url, safe="")
    assert f'href="{google}"' in html
    assert "Cache-Control" in response.headers
    assert "no-store" in response.headers["Cache-Control"]


def test_the_token_has_at_least_128_bits_and_differs_for_every_feed(client, officer, login_as):
    login_as(officer)

    first = token_from(page(client.post("/calendar/feeds", data=feed_form())))
    second = token_from(page(client.post("/calendar/feeds", data=feed_form())))

    for token in (first, second):
        assert TOKEN_CHARS.fullmatch(token)
        assert len(token) >= 22  # 22 url-safe base64 characters carry 132 bits
    assert first != second


def test_only_a_sha256_hash_of_the_token_is_stored(client, officer, login_as):
    login_as(officer)

    token = token_from(page(client.post("/calendar/feeds", data=feed_form(name="Mine"))))

    feed = db.session.scalars(select(CalendarFeed)).one()
    stored = row(CalendarFeed, feed.id)
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in stored.values())


def test_the_feed_list_shows_the_new_feed_but_not_its_address(client, officer, login_as):
    login_as(officer)
    token = token_from(page(client.post("/calendar/feeds", data=feed_form(name="Border desk"))))

    listing = page(client.get("/calendar/"))

    assert listed_feeds(listing) == ["Border desk"]
    assert token not in listing
    assert "feed-https" not in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"scope": "organization", "organization_name": "Nonexistent Agency"},
            "organization_name",
            "No organization with this name was found.",
        ),
        (
            {"scope": "organization", "organization_name": "Vetted Unit"},
            "organization_name",
            "No organization with this name was found.",
        ),
        ({"scope": "work_area", "work_area_id": ""}, "work_area_id", "Choose a work area"),
        ({"name": "x" * 121}, "name", "120 characters"),
    ],
    ids=["unknown-organization", "hidden-organization", "no-work-area", "name-too-long"],
)
def test_bad_feed_input_is_shown_beside_the_field_and_creates_nothing(
    client, officer, login_as, changes, field, message
):
    factories.make_organization(name="Vetted Unit", sensitivity=Sensitivity.CONFIDENTIAL)
    login_as(officer)

    response = client.post("/calendar/feeds", data=feed_form(**changes))

    html = page(response)
    assert_error_beside(html, field, message)
    assert "feed-https" not in html
    assert count(CalendarFeed) == 0


# --- Managing feeds: rename, new address, revoke, other users ------------------------------


def test_renaming_a_feed_keeps_its_address_working(app, client, officer, login_as):
    login_as(officer)
    token = token_from(page(client.post("/calendar/feeds", data=feed_form(name="Old name"))))
    feed = db.session.scalars(select(CalendarFeed)).one()

    saved = client.post(f"/calendar/feeds/{feed.id}/edit", data=feed_form(name="Border desk"))

    assert redirect_target(saved) == "/calendar/"
    fetched = fetch(app, token)
    assert fetched.status_code == 200
    assert "Border desk" in str(Calendar.from_ical(fetched.get_data())["X-WR-CALNAME"])


def test_a_new_address_replaces_the_old_one(app, client, officer, login_as):
    login_as(officer)
    old = token_from(page(client.post("/calendar/feeds", data=feed_form())))
    feed = db.session.scalars(select(CalendarFeed)).one()

    rotated = client.post(f"/calendar/feeds/{feed.id}/rotate")

    assert rotated.status_code == 200
    assert "no-store" in rotated.headers["Cache-Control"]
    new = token_from(page(rotated))
    assert new != old
    assert fetch(app, old).status_code == 404
    assert fetch(app, new).status_code == 200


def test_a_revoked_feed_answers_404_and_leaves_the_list(app, client, officer, login_as):
    login_as(officer)
    token = token_from(page(client.post("/calendar/feeds", data=feed_form(name="Border desk"))))
    feed = db.session.scalars(select(CalendarFeed)).one()
    assert fetch(app, token).status_code == 200

    revoked = client.post(f"/calendar/feeds/{feed.id}/revoke")

    assert redirect_target(revoked) == "/calendar/"
    assert fetch(app, token).status_code == 404
    assert listed_feeds(page(client.get("/calendar/"))) == []


def test_another_user_can_neither_see_nor_change_my_feed(app, client, users, officer, login_as):
    token = new_feed(officer, name="Officer's meetings")
    feed = db.session.scalars(select(CalendarFeed)).one()
    login_as("admin")

    assert listed_feeds(page(client.get("/calendar/"))) == []
    assert client.get(f"/calendar/feeds/{feed.id}/edit").status_code == 404
    renamed = client.post(f"/calendar/feeds/{feed.id}/edit", data=feed_form(name="Mine now"))
    assert renamed.status_code == 404
    assert client.post(f"/calendar/feeds/{feed.id}/rotate").status_code == 404
    assert client.post(f"/calendar/feeds/{feed.id}/revoke").status_code == 404

    still = fetch(app, token)
    assert still.status_code == 200
    assert "Officer's meetings" in str(Calendar.from_ical(still.get_data())["X-WR-CALNAME"])


def test_an_unknown_token_answers_404(app, officer):
    new_feed(officer)

    assert fetch(app, "A" * 43).status_code == 404


# --- The feed over HTTP: headers, conditional requests, rate limit -------------------------


def test_a_feed_is_an_inline_utf8_calendar_with_validators_and_no_cookie(app, officer):
    factories.make_interaction(officer, subject="Reunión binacional")
    token = new_feed(officer)

    response = fetch(app, token)

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert "Set-Cookie" not in response.headers
    assert response.headers.get("ETag")
    assert response.headers.get("Last-Modified")
    assert subjects(response) == {"Reunión binacional"}


def test_the_same_etag_is_answered_with_304_and_no_body(app, officer):
    factories.make_interaction(officer)
    token = new_feed(officer)
    etag = fetch(app, token).headers["ETag"]

    again = fetch(app, token, **{"If-None-Match": etag})

    assert again.status_code == 304
    assert again.get_data() == b""


def test_if_modified_since_last_modified_is_answered_with_304(app, officer):
    factories.make_interaction(officer)
    token = new_feed(officer)
    last_modified = fetch(app, token).headers["Last-Modified"]

    again = fetch(app, token, **{"If-Modified-Since": last_modified})

    assert again.status_code == 304
    assert again.get_data() == b""


def test_a_fetch_is_recorded_once_an_hour_and_leaves_the_version(app, officer):
    factories.make_interaction(officer)
    token = new_feed(officer)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == officer.id))
    assert feed.last_fetched_at is None

    etag = fetch(app, token).headers["ETag"]
    db.session.refresh(feed)
    first_fetch = feed.last_fetched_at
    assert first_fetch is not None
    assert datetime.now(UTC) - first_fetch < timedelta(minutes=1)

    # Within the hour a fetch changes nothing: the version neither.
    assert fetch(app, token, **{"If-None-Match": etag}).status_code == 304
    db.session.refresh(feed)
    assert feed.last_fetched_at == first_fetch

    # An hour on, the fetch is noted again, and the calendar still hears "unchanged".
    db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.id == feed.id)
        .values(last_fetched_at=first_fetch - timedelta(hours=2), updated_at=feed.updated_at)
    )
    db.session.commit()
    assert fetch(app, token, **{"If-None-Match": etag}).status_code == 304
    db.session.refresh(feed)
    assert feed.last_fetched_at > first_fetch


@pytest.mark.parametrize("how", ["revoked", "owner deactivated"])
def test_a_feed_that_goes_dead_after_the_poll_is_not_built(app, officer, how):
    token = new_feed(officer)
    polled = feed_by_token(token, FeedWindow(), datetime.now(UTC))
    assert polled is not None
    feed = polled_feed(polled)
    assert feed is not None and feed.user == officer

    if how == "revoked":
        revoke_feed(feed)
    else:
        officer.active = False
    db.session.commit()

    assert polled_feed(polled) is None
    assert feed_by_token(token, FeedWindow(), datetime.now(UTC)) is None


def refetch_after(app: Flask, token: str, change: Callable[[], None]) -> tuple[Any, Any]:
    """Fetch, check the ETag gets 304, make the change, fetch with the old ETag again."""
    first = fetch(app, token)
    etag = first.headers["ETag"]
    assert fetch(app, token, **{"If-None-Match": etag}).status_code == 304
    change()
    db.session.commit()
    again = fetch(app, token, **{"If-None-Match": etag})
    assert again.status_code == 200, "the change was not noticed"
    assert again.headers["ETag"] != etag
    return first, again


def test_editing_an_interaction_through_the_service_refreshes_the_feed(app, officer):
    meeting = create_interaction(meeting_input(staff_ids=[officer.id]), officer)
    token = new_feed(officer)

    _first, again = refetch_after(
        app, token, lambda: update_interaction(meeting, meeting_input(subject="Moved"), officer)
    )

    assert subjects(again) == {"Moved"}


def test_editing_an_interaction_on_its_form_refreshes_the_feed(app, client, officer, login_as):
    login_as(officer)
    created = client.post("/interactions/new", data=interaction_form(staff_ids=[officer.id]))
    meeting_id = int(redirect_target(created).rsplit("/", 1)[1])
    token = new_feed(officer)

    def edit_on_form() -> None:
        response = client.post(
            f"/interactions/{meeting_id}/edit",
            data=interaction_form(location="Palacio Municipal", staff_ids=[officer.id]),
        )
        assert response.status_code == 302

    first, again = refetch_after(app, token, edit_on_form)

    uid = db.session.get(Interaction, meeting_id).uid
    assert str(the_event(first, uid)["LOCATION"]) == "Consulate, room 2"
    assert str(the_event(again, uid)["LOCATION"]) == "Palacio Municipal"


def test_renaming_a_participant_refreshes_the_feed(app, users, officer):
    rosa = factories.make_contact(given_names="Rosa", family_name="Ibarra")
    meeting = factories.make_interaction(officer, contacts=[rosa])
    token = new_feed(officer)

    first, again = refetch_after(
        app, token, lambda: rename_contact(rosa, "Rosalía", users["admin"])
    )

    assert "Rosa Ibarra" in attendee_names(the_event(first, meeting.uid))
    assert "Rosalía Ibarra" in attendee_names(the_event(again, meeting.uid))


def test_changing_the_owners_clearance_refreshes_the_feed(app, users, officer):
    factories.make_interaction(officer, subject="Routine call")
    factories.make_interaction(
        officer, subject="Vetted unit briefing", sensitivity=Sensitivity.CONFIDENTIAL
    )
    token = new_feed(officer)

    first, again = refetch_after(
        app, token, lambda: set_user(officer, users["admin"], clearance="confidential")
    )

    assert subjects(first) == {"Routine call"}
    assert subjects(again) == {"Routine call", "Vetted unit briefing"}


def test_ticking_all_day_on_a_midnight_to_midnight_meeting_refreshes_the_feed(app, officer):
    # Logged as 00:00 to 00:00 the next day, then made "All day": the instants stay the same,
    # only the whole-day flag changes, and the calendar must show a date instead of times.
    day = date.today() + timedelta(days=4)
    data = meeting_input(
        day=day,
        start=time(0, 0),
        end=time(0, 0),
        end_day=day + timedelta(days=1),
        staff_ids=[officer.id],
    )
    meeting = create_interaction(data, officer)
    db.session.commit()
    token = new_feed(officer)
    whole_day = replace(data, all_day=True, start=None, end=None, end_day=None)

    first, again = refetch_after(
        app, token, lambda: update_interaction(meeting, whole_day, officer)
    )

    assert type(the_event(first, meeting.uid).decoded("DTSTART")) is datetime
    assert the_event(again, meeting.uid).decoded("DTSTART") == day


def test_feed_fetches_are_rate_limited_per_address(other_app, officer):
    limited = other_app(RATELIMIT_ENABLED=True, CALENDAR_FEED_RATE_LIMIT="2 per minute")
    token = new_feed(officer)

    codes = [fetch(limited, token).status_code for _ in range(3)]

    assert codes == [200, 200, 429]


# --- Scopes -----------------------------------------------------------------------------------


def test_my_meetings_are_those_i_own_or_attend_as_staff(app, users, officer):
    factories.make_interaction(officer, subject="I own it")
    factories.make_interaction(users["admin"], subject="I attend it", staff=[officer])
    factories.make_interaction(users["admin"], subject="Someone else's", staff=[users["admin"]])
    token = new_feed(officer, scope="mine")

    assert subjects(fetch(app, token)) == {"I own it", "I attend it"}


def test_the_office_feed_has_everyones_meetings(app, users, officer):
    factories.make_interaction(officer, subject="I own it")
    factories.make_interaction(users["admin"], subject="Someone else's")
    factories.make_interaction(None, subject="Nobody's")
    token = new_feed(officer, scope="office")

    assert subjects(fetch(app, token)) == {"I own it", "Someone else's", "Nobody's"}


def test_an_organization_feed_has_its_meetings_its_representatives_and_its_people(
    app, users, officer
):
    consulate = factories.make_organization(name="Consulado de México")
    other = factories.make_organization(name="Port Authority")
    current = factories.make_contact(given_names="Current")
    factories.make_affiliation(current, consulate, start=date(2020, 1, 1))
    former = factories.make_contact(given_names="Former")
    factories.make_affiliation(former, consulate, start=date(2010, 1, 1), end=date(2015, 1, 1))
    visitor = factories.make_contact(given_names="Visitor")
    admin = users["admin"]
    factories.make_interaction(admin, subject="With the consulate", organizations=[consulate])
    factories.make_interaction(admin, subject="Represented it", contacts=[(visitor, consulate)])
    factories.make_interaction(admin, subject="With its consul", contacts=[current])
    factories.make_interaction(admin, subject="With a former employee", contacts=[former])
    factories.make_interaction(admin, subject="Unrelated", organizations=[other])
    token = new_feed(officer, scope="organization", organization_name="Consulado de Mexico")

    assert subjects(fetch(app, token)) == {
        "With the consulate",
        "Represented it",
        "With its consul",
    }


def test_a_work_area_feed_has_only_meetings_tagged_with_it(app, users, officer):
    trafficking, other = db.session.scalars(select(WorkArea).order_by(WorkArea.id).limit(2))
    factories.make_interaction(users["admin"], subject="Tagged", work_areas=[trafficking])
    factories.make_interaction(users["admin"], subject="Other area", work_areas=[other])
    factories.make_interaction(users["admin"], subject="Untagged")
    token = new_feed(officer, scope="work_area", work_area_id=trafficking.id)

    assert subjects(fetch(app, token)) == {"Tagged"}


def test_e_mails_are_never_in_a_feed(app, officer):
    factories.make_interaction(officer, subject="Meeting")
    factories.make_interaction(officer, subject="Call", kind="call")
    factories.make_interaction(officer, subject="E-mail exchange", kind="email")
    token = new_feed(officer, scope="office")

    assert subjects(fetch(app, token)) == {"Meeting", "Call"}


def test_the_feed_carries_only_the_configured_days_back_and_ahead(other_app, officer):
    small = other_app(CALENDAR_FEED_PAST_DAYS=5, CALENDAR_FEED_FUTURE_DAYS=10)
    factories.make_interaction(officer, subject="Too old", starts_at=in_days(-7))
    factories.make_interaction(officer, subject="Recent", starts_at=in_days(-3))
    factories.make_interaction(officer, subject="Soon", starts_at=in_days(8))
    factories.make_interaction(officer, subject="Too far", starts_at=in_days(13))
    token = new_feed(officer)

    assert subjects(fetch(small, token)) == {"Recent", "Soon"}


# --- UID, SEQUENCE, cancellations, the trash ------------------------------------------------


def test_the_uid_stays_and_sequence_rises_with_time_place_and_status(app, officer):
    data = meeting_input(staff_ids=[officer.id])
    meeting = create_interaction(data, officer)
    db.session.commit()
    token = new_feed(officer)
    uid = meeting.uid
    assert int(the_event(fetch(app, token), uid)["SEQUENCE"]) == 0

    data = edit(meeting, replace(data, start=time(12, 0), end=time(13, 0)), officer)
    assert int(the_event(fetch(app, token), uid)["SEQUENCE"]) == 1
    data = edit(meeting, replace(data, location="Palacio Municipal"), officer)
    assert int(the_event(fetch(app, token), uid)["SEQUENCE"]) == 2
    edit(meeting, replace(data, status="cancelled"), officer)
    event_ = the_event(fetch(app, token), uid)
    assert int(event_["SEQUENCE"]) == 3
    assert event_.decoded("DTSTART").hour == 12
    assert str(event_["LOCATION"]) == "Palacio Municipal"


def test_editing_only_the_summary_keeps_the_sequence_but_marks_the_change(app, officer):
    data = meeting_input(staff_ids=[officer.id], summary="Wait times.")
    meeting = create_interaction(data, officer)
    db.session.commit()
    # As if it had been saved an hour ago, so the new modification time is visibly later.
    db.session.execute(
        update(Interaction)
        .where(Interaction.id == meeting.id)
        .values(updated_at=datetime.now(UTC) - timedelta(hours=1))
    )
    db.session.commit()
    token = new_feed(officer)
    before = the_event(fetch(app, token), meeting.uid)

    edit(meeting, replace(data, summary="Wait times and the new lane."), officer)

    after = the_event(fetch(app, token), meeting.uid)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) == 0
    assert after.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")
    assert "Wait times and the new lane." in str(after["DESCRIPTION"])
    assert "new lane" not in str(before["DESCRIPTION"])


def test_a_cancelled_meeting_stays_as_cancelled_for_a_while(app, officer):
    data = meeting_input(staff_ids=[officer.id])
    meeting = create_interaction(data, officer)
    db.session.commit()
    token = new_feed(officer)

    edit(meeting, replace(data, status="cancelled"), officer)

    event_ = the_event(fetch(app, token), meeting.uid)
    assert str(event_["STATUS"]) == "CANCELLED"
    assert int(event_["SEQUENCE"]) == 1


def test_a_meeting_cancelled_longer_ago_than_the_setting_is_gone(app, officer):
    meeting = factories.make_interaction(officer, subject="Called off", status="cancelled")
    factories.make_interaction(officer, subject="Still on")
    days = app.config["CALENDAR_CANCELLED_DAYS"]
    meeting.cancelled_at = datetime.now(UTC) - timedelta(days=days + 2)
    db.session.commit()
    token = new_feed(officer)

    assert subjects(fetch(app, token)) == {"Still on"}


def test_a_meeting_moved_to_the_trash_leaves_the_feed(app, officer):
    meeting = factories.make_interaction(officer, subject="Binned")
    factories.make_interaction(officer, subject="Kept")
    token = new_feed(officer)
    assert subjects(fetch(app, token)) == {"Binned", "Kept"}

    delete_interaction(meeting, officer)
    db.session.commit()

    assert subjects(fetch(app, token)) == {"Kept"}


# --- Times: local zones across a clock change, whole days ----------------------------------


def next_clock_change(zone_name: str, after: date) -> date:
    """The first day after ``after`` on which the zone's UTC offset at noon differs."""
    zone = ZoneInfo(zone_name)
    offset = datetime.combine(after, time(12), zone).utcoffset()
    day = after
    for _ in range(366):
        day += timedelta(days=1)
        if datetime.combine(day, time(12), zone).utcoffset() != offset:
            return day
    raise AssertionError(f"{zone_name} has no clock change within a year")


def test_meetings_around_a_clock_change_keep_their_local_time_and_zone(app, officer):
    change = next_clock_change("America/Tijuana", date.today() + timedelta(days=2))
    days = {"before": change - timedelta(days=2), "after": change + timedelta(days=1)}
    made = {
        key: create_interaction(
            meeting_input(subject=key, day=day, staff_ids=[officer.id]), officer
        )
        for key, day in days.items()
    }
    db.session.commit()
    token = new_feed(officer)

    response = fetch(app, token)

    for key, meeting in made.items():
        start = the_event(response, meeting.uid)["DTSTART"]
        assert start.params["TZID"] == "America/Tijuana"
        assert (start.dt.hour, start.dt.minute) == (10, 0)
        assert start.dt.date() == days[key]
        assert start.dt.astimezone(UTC) == meeting.starts_at
    zones = Calendar.from_ical(response.get_data()).walk("VTIMEZONE")
    assert "America/Tijuana" in [str(z["TZID"]) for z in zones]
    # One hour apart in UTC: the same 10:00 on either side of the change.
    gap = made["after"].starts_at - made["before"].starts_at
    assert gap != timedelta(days=3)
    assert abs(gap - timedelta(days=3)) == timedelta(hours=1)


def test_an_all_day_interaction_from_the_service_is_a_date(app, officer):
    day = date.today() + timedelta(days=10)
    meeting = create_interaction(
        meeting_input(all_day=True, day=day, start=None, end=None, staff_ids=[officer.id]),
        officer,
    )
    db.session.commit()
    token = new_feed(officer)

    event_ = the_event(fetch(app, token), meeting.uid)

    assert type(event_.decoded("DTSTART")) is date
    assert event_.decoded("DTSTART") == day
    assert event_.decoded("DTEND") == day + timedelta(days=1)


def test_an_all_day_interaction_from_the_form_is_a_date(app, client, officer, login_as):
    login_as(officer)
    day = date.today() + timedelta(days=10)
    created = client.post(
        "/interactions/new",
        data=interaction_form(
            all_day="y", day=day.isoformat(), start="", end="", staff_ids=[officer.id]
        ),
    )
    meeting = db.session.get(Interaction, int(redirect_target(created).rsplit("/", 1)[1]))
    token = new_feed(officer)

    event_ = the_event(fetch(app, token), meeting.uid)

    assert type(event_.decoded("DTSTART")) is date
    assert event_.decoded("DTSTART") == day
    assert event_.decoded("DTEND") == day + timedelta(days=1)


# --- Busy blocks and e-mail addresses ----------------------------------------------------------


def a_full_meeting(owner: User) -> Interaction:
    rosa = factories.make_contact(
        given_names="Rosa", family_name="Ibarra", emails=("rosa.ibarra@consulado.example",)
    )
    consulate = factories.make_organization(name="Consulado de México")
    return factories.make_interaction(
        owner,
        subject="Extradition case review",
        location="Consulate, room 2",
        summary="Case 2026-114.",
        contacts=[(rosa, consulate)],
        organizations=[consulate],
        staff=[owner],
    )


def test_a_busy_only_feed_shows_times_and_nothing_else(app, officer):
    meeting = a_full_meeting(officer)
    token = new_feed(officer, busy_only=True)

    response = fetch(app, token)

    event_ = the_event(response, meeting.uid)
    assert str(event_["SUMMARY"]) == "Busy"
    assert str(event_["CLASS"]) == "CONFIDENTIAL"
    assert event_.decoded("DTSTART") == meeting.starts_at
    for name in ("ATTENDEE", "ORGANIZER", "LOCATION", "DESCRIPTION", "URL", "CATEGORIES"):
        assert name not in event_, name
    text = body(response)
    for secret in ("Extradition", "Rosa", "Ibarra", "Consulado", "room 2", "2026-114", "@"):
        assert secret not in text, secret


def test_a_feed_without_e_mails_names_people_without_their_addresses(app, officer):
    meeting = a_full_meeting(officer)
    token = new_feed(officer, include_emails=False)

    response = fetch(app, token)

    event_ = the_event(response, meeting.uid)
    (rosa,) = [a for a in as_list(event_["ATTENDEE"]) if a.params["CN"] == "Rosa Ibarra"]
    assert not str(rosa).lower().startswith("mailto:")
    assert "rosa.ibarra@consulado.example" not in body(response)


def test_a_feed_with_e_mails_gives_the_participants_addresses(app, officer):
    meeting = a_full_meeting(officer)
    token = new_feed(officer)

    attendees = the_event(fetch(app, token), meeting.uid)["ATTENDEE"]

    addresses = [str(a) for a in as_list(attendees)]
    assert "mailto:rosa.ibarra@consulado.example" in addresses


# --- Visibility: a feed shows only what its owner may see, at every fetch ------------------


def test_a_meeting_marked_confidential_never_reaches_an_official_feed(app, users, officer):
    factories.make_interaction(users["admin"], subject="Routine call")
    factories.make_interaction(
        officer, subject="Vetted unit briefing", sensitivity=Sensitivity.CONFIDENTIAL
    )
    token = new_feed(officer, scope="office")

    response = fetch(app, token)

    assert subjects(response) == {"Routine call"}
    assert "Vetted unit" not in body(response)


def test_a_confidential_participant_hides_the_meeting_and_their_name(app, users, officer):
    informant = factories.make_contact(
        given_names="Ximena",
        family_name="Sotelo",
        emails=("xsotelo@hidden.example",),
        sensitivity=Sensitivity.CONFIDENTIAL,
    )
    rosa = factories.make_contact(given_names="Rosa", family_name="Ibarra")
    admin = users["admin"]
    factories.make_interaction(admin, subject="Debrief", contacts=[informant, rosa])
    factories.make_interaction(admin, subject="Routine call", contacts=[rosa], staff=[officer])
    token = new_feed(officer, scope="office")

    response = fetch(app, token)

    assert subjects(response) == {"Routine call"}
    text = body(response)
    for secret in ("Debrief", "Ximena", "Sotelo", "xsotelo"):
        assert secret not in text, secret


@pytest.mark.parametrize("how", ["organization", "represented"])
def test_a_confidential_organization_hides_the_meeting_and_its_name(app, users, officer, how):
    vetted = factories.make_organization(
        name="Unidad de Investigación Sensible", sensitivity=Sensitivity.CONFIDENTIAL
    )
    rosa = factories.make_contact(given_names="Rosa", family_name="Ibarra")
    admin = users["admin"]
    if how == "organization":
        factories.make_interaction(admin, subject="Joint operation", organizations=[vetted])
    else:
        factories.make_interaction(admin, subject="Joint operation", contacts=[(rosa, vetted)])
    factories.make_interaction(admin, subject="Routine call", contacts=[rosa])
    token = new_feed(officer, scope="office")

    response = fetch(app, token)

    assert subjects(response) == {"Routine call"}
    text = body(response)
    assert "Joint operation" not in text
    assert "Investigaci" not in text


def test_raising_a_participants_sensitivity_hides_the_meeting_at_the_next_fetch(
    app, users, officer
):
    rosa = factories.make_contact(given_names="Rosa", family_name="Ibarra")
    factories.make_interaction(officer, subject="With Rosa", contacts=[rosa])
    factories.make_interaction(officer, subject="Routine call")
    token = new_feed(officer)

    def raise_rosa() -> None:
        rosa.sensitivity = Sensitivity.CONFIDENTIAL

    first, again = refetch_after(app, token, raise_rosa)

    assert subjects(first) == {"With Rosa", "Routine call"}
    assert subjects(again) == {"Routine call"}
    assert "Ibarra" not in body(again)


def test_lowering_the_owners_clearance_hides_meetings_from_the_old_feed(app, users, officer):
    factories.make_interaction(officer, subject="Official meeting")
    factories.make_interaction(officer, subject="Public event", sensitivity=Sensitivity.PUBLIC)
    token = new_feed(officer)
    assert subjects(fetch(app, token)) == {"Official meeting", "Public event"}

    set_user(officer, users["admin"], clearance="public")

    response = fetch(app, token)
    assert subjects(response) == {"Public event"}
    assert "Official meeting" not in body(response)


def test_a_deactivated_owners_feed_answers_404(app, users, officer):
    factories.make_interaction(officer, subject="Official meeting")
    token = new_feed(officer)
    assert fetch(app, token).status_code == 200

    set_user(officer, users["admin"], active=False)

    response = fetch(app, token)
    assert response.status_code == 404
    assert "Official meeting" not in page(response)


def consulate_feed_then_raised(users: dict[str, User], officer: User) -> str:
    """An officer's feed of the consulate's meetings; then an administrator marks the
    consulate confidential and renames it. Returns the feed's token."""
    consulate = factories.make_organization(name="Consulado de México")
    factories.make_interaction(
        users["admin"], subject="With the consulate", organizations=[consulate]
    )
    token = new_feed(
        officer,
        name="Consulate desk",
        scope="organization",
        organization_name="Consulado de México",
    )
    consulate.sensitivity = Sensitivity.CONFIDENTIAL
    consulate.name = "Unidad Consular Reservada"
    db.session.commit()
    return token


def test_an_organization_feed_empties_once_the_organization_is_above_the_owner(app, users, officer):
    token = consulate_feed_then_raised(users, officer)

    response = fetch(app, token)

    assert vevents(response) == []
    assert "Reservada" not in body(response)


def test_the_feed_list_does_not_name_an_organization_now_above_the_owner(
    client, users, officer, login_as
):
    consulate_feed_then_raised(users, officer)
    login_as(officer)

    listing = page(client.get("/calendar/"))

    assert listed_feeds(listing) == ["Consulate desk"]
    assert "Reservada" not in listing


def test_the_feed_edit_page_does_not_name_an_organization_now_above_the_owner(
    client, users, officer, login_as
):
    consulate_feed_then_raised(users, officer)
    feed = db.session.scalars(select(CalendarFeed)).one()
    login_as(officer)

    response = client.get(f"/calendar/feeds/{feed.id}/edit")

    assert response.status_code == 200
    assert "Reservada" not in page(response)


# --- How many queries a feed takes ---------------------------------------------------------


def add_meetings(owner: User, how_many: int, first: int = 0) -> None:
    """Meetings in bulk, each with three people (one representing a body), two organizations,
    two staff members and two work areas."""
    people = [
        factories.make_contact(given_names=f"Bulk{n}", emails=(f"bulk{n}@x.example",))
        for n in range(4)
    ]
    bodies = [factories.make_organization() for _ in range(3)]
    staff = [owner, factories.make_user()]
    areas = list(db.session.scalars(select(WorkArea).order_by(WorkArea.id).limit(3)))
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [
        {
            "uid": str(uuid.uuid4()),
            "kind": "meeting",
            "subject": f"Bulk meeting {n}",
            "starts_at": now + timedelta(hours=n + 1),
            "ends_at": now + timedelta(hours=n + 2),
            "timezone": "America/Los_Angeles",
            "all_day": False,
            "location": f"Room {n}",
            "video_url": "",
            "status": "planned",
            "summary": "Bulk",
            "outcome": "",
            "sensitivity": Sensitivity.OFFICIAL,
            "owner_id": owner.id,
            "sequence": 0,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(first, first + how_many)
    ]
    ids = list(db.session.scalars(insert(Interaction).returning(Interaction.id), rows))
    db.session.execute(
        insert(InteractionContact),
        [
            {
                "interaction_id": i,
                "contact_id": people[(k + j) % 4].id,
                "organization_id": bodies[0].id if j == 0 else None,
            }
            for k, i in enumerate(ids)
            for j in range(3)
        ],
    )
    db.session.execute(
        insert(interaction_organizations),
        [{"interaction_id": i, "organization_id": o.id} for i in ids for o in bodies[1:]],
    )
    db.session.execute(
        insert(interaction_staff),
        [{"interaction_id": i, "user_id": u.id} for i in ids for u in staff],
    )
    db.session.execute(
        insert(interaction_work_areas),
        [
            {"interaction_id": i, "work_area_id": a.id}
            for k, i in enumerate(ids)
            for a in areas[k % 2 :][:2]
        ],
    )
    db.session.commit()


def statements_to_fetch(app: Flask, token: str) -> tuple[int, Any]:
    """How many SQL statements one fetch of the feed runs, and the response."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = app.test_client().get(feed_url(token))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements), response


def test_a_feed_of_300_events_takes_as_many_queries_as_one_of_30(app, officer):
    add_meetings(officer, 30)
    token = new_feed(officer, scope="office")
    fetch(app, token)  # the first fetch of the hour also records it

    built_feeds.clear()  # measure a full build each time
    small, small_response = statements_to_fetch(app, token)
    add_meetings(officer, 270, first=30)
    built_feeds.clear()
    large, large_response = statements_to_fetch(app, token)

    assert len(vevents(small_response)) == 30
    large_events = vevents(large_response)
    assert len(large_events) == 300
    assert all(len(attendee_names(e)) == 5 for e in large_events)
    assert large == small


def test_a_feed_fetch_takes_at_most_six_queries(app, officer):
    add_meetings(officer, 30)
    token = new_feed(officer, scope="office")
    fetch(app, token)  # the first fetch of the hour also records it

    built_feeds.clear()
    statements, response = statements_to_fetch(app, token)

    assert len(vevents(response)) == 30
    assert statements <= 6


def test_a_feed_fetched_again_unchanged_is_served_without_building_it(app, officer):
    add_meetings(officer, 30)
    token = new_feed(officer, scope="office")
    first = fetch(app, token)

    statements, again = statements_to_fetch(app, token)

    assert again.get_data() == first.get_data()
    assert statements <= 3  # the feed, its version, nothing per event
    add_meetings(officer, 1, first=30)
    assert len(vevents(fetch(app, token))) == 31


# --- One meeting as a file --------------------------------------------------------------------


def test_one_meeting_downloads_as_an_ics_attachment_named_by_date_and_subject(
    client, officer, login_as
):
    meeting = create_interaction(
        meeting_input(
            subject="Reunión binacional: Niñez y Migración",
            day=date(2026, 12, 3),
            staff_ids=[officer.id],
        ),
        officer,
    )
    db.session.commit()
    login_as(officer)

    response = client.get(f"/calendar/interactions/{meeting.id}.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert params["filename"] == "2026-12-03-reunion-binacional-ninez-y-migracion.ics"
    (event_,) = vevents(response)
    assert str(event_["UID"]) == meeting.uid
    assert str(event_["SUMMARY"]) == "Reunión binacional: Niñez y Migración"


def test_a_meeting_above_the_viewers_clearance_is_404_like_a_missing_one(client, users, login_as):
    secret = factories.make_contact(sensitivity=Sensitivity.CONFIDENTIAL)
    hidden = factories.make_interaction(users["admin"], subject="Debrief", contacts=[secret])
    db.session.commit()
    login_as("viewer")

    refused = client.get(f"/calendar/interactions/{hidden.id}.ics")
    missing = client.get(f"/calendar/interactions/{hidden.id + 1000}.ics")

    assert refused.status_code == missing.status_code == 404
    assert without_csrf_tokens(page(refused)) == without_csrf_tokens(page(missing))
    assert "Debrief" not in page(refused)


def test_a_viewer_may_download_a_meeting_they_can_see(client, users, login_as):
    meeting = factories.make_interaction(users["admin"], subject="Routine call")
    db.session.commit()
    login_as("viewer")

    response = client.get(f"/calendar/interactions/{meeting.id}.ics")

    assert response.status_code == 200
    assert [str(e["UID"]) for e in vevents(response)] == [meeting.uid]
