"""iCalendar files out (published calendars) and in (invitations), checked by parsing them back.

Everything written is read again with icalendar and, independently, with vobject; times are
also resolved by hand against the file's own VTIMEZONE, as a strict client would.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from dateutil.rrule import rrulestr
from icalendar import Calendar, Component, vDuration

from crm.formats.ics import (
    BAD_END,
    CANCELLED,
    CONFIRMED,
    DAMAGED,
    MAX_INVITATION_BYTES,
    NO_EVENT,
    NO_START,
    NOT_ICALENDAR,
    TOO_LARGE,
    CalendarEvent,
    CalendarInfo,
    InvitationError,
    Person,
    busy_block,
    calendar_bytes,
    iana_zone,
    read_invitation,
)

# --- Helpers ------------------------------------------------------------------------------

LA = ZoneInfo("America/Los_Angeles")
TIJUANA = ZoneInfo("America/Tijuana")
MEXICO_CITY = ZoneInfo("America/Mexico_City")
EDITED = datetime(2026, 2, 10, 18, 5, tzinfo=UTC)
MADE = datetime(2026, 1, 5, 16, 0, tzinfo=UTC)

# Every character that needs escaping in TEXT values or parameters, and some that need UTF-8.
TRICKY = 'Reunión, “bilateral”; C:\\actas\\2026\nSegunda línea: Ñuñoa & Querétaro — á "ok"'


def event(**changes: Any) -> CalendarEvent:
    """A one-hour meeting in Los Angeles; keyword arguments replace any field."""
    fields: dict[str, Any] = {
        "uid": "interaction-1@liaison.example",
        "summary": "Cross-border water meeting",
        "starts_at": datetime(2026, 5, 12, 10, 0, tzinfo=LA),
        "ends_at": datetime(2026, 5, 12, 11, 0, tzinfo=LA),
        "timezone": "America/Los_Angeles",
        "last_modified": EDITED,
    }
    fields.update(changes)
    return CalendarEvent(**fields)


def write(*events: CalendarEvent, **info: Any) -> bytes:
    """A published calendar of the events; keyword arguments are CalendarInfo fields."""
    info.setdefault("name", "Liaison meetings")
    return calendar_bytes(CalendarInfo(**info), events)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def vevents(data: bytes) -> dict[str, Component]:
    return {str(c["UID"]): c for c in parse(data).walk("VEVENT")}


def only_vevent(data: bytes) -> Component:
    (found,) = parse(data).walk("VEVENT")
    return found


def unfolded(data: bytes) -> str:
    """The text with folds undone, to search for content lines or leaked words."""
    return data.decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")


def content_lines(data: bytes, name: str) -> list[str]:
    return [line for line in unfolded(data).split("\r\n") if re.match(rf"{name}[;:]", line)]


def as_list(value: object) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def categories(component: Component) -> list[str]:
    return [str(c) for prop in as_list(component.get("CATEGORIES")) for c in prop.cats]


def vtimezone(calendar: Calendar, tzid: str) -> Component:
    (found,) = [c for c in calendar.walk("VTIMEZONE") if str(c["TZID"]) == tzid]
    return found


def onsets(observance: Component, until: datetime) -> list[datetime]:
    """Local wall-clock times at which a STANDARD or DAYLIGHT observance takes effect."""
    first = observance.decoded("DTSTART")
    found = [first]
    for rdate in as_list(observance.get("RDATE")):
        found += [d.dt for d in rdate.dts]
    if "RRULE" in observance:
        rule = rrulestr(observance["RRULE"].to_ical().decode(), dtstart=first, ignoretz=True)
        found += rule.between(first, until, inc=True)
    return found


def offset_in_file(calendar: Calendar, tzid: str, wall: datetime) -> timedelta:
    """The TZOFFSETTO the file's own VTIMEZONE gives a local time (RFC 5545 3.6.5)."""
    latest: tuple[datetime, timedelta] | None = None
    for observance in vtimezone(calendar, tzid).subcomponents:
        for onset in onsets(observance, wall):
            if onset <= wall and (latest is None or onset > latest[0]):
                latest = (onset, observance.decoded("TZOFFSETTO"))
    assert latest is not None, f"{tzid} defines no offset for {wall}"
    return latest[1]


def instant_in_file(calendar: Calendar, component: Component, name: str) -> datetime:
    """A DATE-TIME property resolved with the file's own VTIMEZONE, not the reader's zoneinfo."""
    prop = component[name]
    wall = prop.dt.replace(tzinfo=None)
    if "TZID" not in prop.params:
        assert prop.to_ical().endswith(b"Z"), f"{name} is neither UTC nor tied to a VTIMEZONE"
        return wall.replace(tzinfo=UTC)
    offset = offset_in_file(calendar, prop.params["TZID"], wall)
    return (wall - offset).replace(tzinfo=UTC)


def vobject_events(data: bytes) -> dict[str, vobject.base.Component]:
    return {e.uid.value: e for e in vobject.readOne(data.decode("utf-8")).vevent_list}


def ics_file(*lines: str, method: str | None = None, prodid: str = "-//Test//EN") -> bytes:
    """An invitation as a client would send it: CRLF line ends, UTF-8."""
    head = ["BEGIN:VCALENDAR", f"PRODID:{prodid}", "VERSION:2.0"]
    if method:
        head.append(f"METHOD:{method}")
    return "\r\n".join([*head, *lines, "END:VCALENDAR", ""]).encode("utf-8")


def reason(data: bytes) -> str:
    with pytest.raises(InvitationError) as caught:
        read_invitation(data, "America/Mexico_City")
    return caught.value.reason


# --- 1. Round trip of every field ---------------------------------------------------------

ORGANIZER = Person("Ana Pérez", "ana.perez@consulado.example")
GUEST = Person("José Núñez", "jose.nunez@sre.example")
NO_EMAIL = Person("Laura Chen", address="urn:uuid:6f1c2b9e-54f0-5d2a-9a3b-1f2e3d4c5b6a")

FULL = event(
    # Revision times given in local time must still be written in UTC.
    last_modified=EDITED.astimezone(MEXICO_CITY),
    created=MADE.astimezone(LA),
    sequence=3,
    location="Consulate General, Room 4",
    video_url="https://meet.example/abc-defg",
    description="Agenda: water treaty",
    url="https://crm.example/interactions/1",
    categories=("Water", "Trade, investment", "Border"),
    organizer=ORGANIZER,
    attendees=(GUEST, NO_EMAIL),
    classification="PRIVATE",
)


def test_calendar_header_names_the_product_version_scale_and_calendar():
    calendar = parse(write(FULL, name="Meetings · Liaison CRM"))
    assert str(calendar["PRODID"]) == "-//Liaison CRM//Liaison CRM//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["NAME"]) == "Meetings · Liaison CRM"
    assert str(calendar["X-WR-CALNAME"]) == "Meetings · Liaison CRM"


def test_calendar_tells_clients_how_often_to_refresh():
    data = write(FULL, refresh=timedelta(minutes=30))
    calendar = parse(data)
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.decoded("REFRESH-INTERVAL") == timedelta(minutes=30)
    assert vDuration.from_ical(str(calendar["X-PUBLISHED-TTL"])) == timedelta(minutes=30)
    assert content_lines(data, "REFRESH-INTERVAL") == ["REFRESH-INTERVAL;VALUE=DURATION:PT30M"]


def test_published_calendar_has_no_method_so_it_is_not_an_invitation():
    data = write(FULL)
    assert "METHOD" not in parse(data)
    assert content_lines(data, "METHOD") == []


def test_calendar_description_and_address_are_written_when_given():
    calendar = parse(write(FULL, description="Office meetings", url="https://crm.example/feeds/1"))
    assert str(calendar["DESCRIPTION"]) == "Office meetings"
    assert str(calendar["X-WR-CALDESC"]) == "Office meetings"
    assert str(calendar["URL"]) == "https://crm.example/feeds/1"


def test_event_keeps_its_identity_and_revision_stamps():
    found = only_vevent(write(FULL))
    assert str(found["UID"]) == "interaction-1@liaison.example"
    assert found.decoded("SEQUENCE") == 3
    for name, when in (("DTSTAMP", EDITED), ("LAST-MODIFIED", EDITED), ("CREATED", MADE)):
        assert found[name].to_ical().endswith(b"Z"), name
        assert "TZID" not in found[name].params, name
        assert found[name].dt.utcoffset() == timedelta(0), name
        assert found[name].dt == when, name


def test_an_event_written_before_is_written_as_it_is_now_with_its_zone_defined():
    before = event(
        uid="again@liaison.example",
        summary="Primera versión",
        starts_at=datetime(2026, 6, 2, 9, 0, tzinfo=TIJUANA),
        ends_at=datetime(2026, 6, 2, 10, 0, tzinfo=TIJUANA),
        timezone="America/Tijuana",
    )
    first = write(before)
    after = replace(before, summary="Segunda versión", last_modified=EDITED + timedelta(hours=1))

    changed = write(after, name="Another feed")

    assert str(only_vevent(changed)["SUMMARY"]) == "Segunda versión"
    assert [str(c["TZID"]) for c in parse(changed).walk("VTIMEZONE")] == ["America/Tijuana"]
    assert write(before) == first
    assert str(only_vevent(write(before, name="A third feed"))["SUMMARY"]) == "Primera versión"


def test_timed_events_name_their_zone_and_every_zone_has_a_vtimezone():
    data = write(
        FULL,
        event(
            uid="mx@liaison.example",
            starts_at=datetime(2026, 5, 13, 9, 0, tzinfo=MEXICO_CITY),
            ends_at=datetime(2026, 5, 13, 10, 30, tzinfo=MEXICO_CITY),
            timezone="America/Mexico_City",
        ),
    )
    calendar = parse(data)
    used = set()
    for found in calendar.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            used.add(found[name].params["TZID"])
    assert used == {"America/Los_Angeles", "America/Mexico_City"}
    assert {str(c["TZID"]) for c in calendar.walk("VTIMEZONE")} == used
    mexico = vevents(data)["mx@liaison.example"]
    assert instant_in_file(calendar, mexico, "DTSTART") == datetime(2026, 5, 13, 15, 0, tzinfo=UTC)
    assert instant_in_file(calendar, mexico, "DTEND") == datetime(2026, 5, 13, 16, 30, tzinfo=UTC)


def test_event_text_fields_and_record_link_round_trip():
    found = only_vevent(write(FULL))
    assert str(found["SUMMARY"]) == "Cross-border water meeting"
    assert str(found["LOCATION"]) == "Consulate General, Room 4"
    assert str(found["DESCRIPTION"]) == "Agenda: water treaty"
    assert str(found["URL"]) == "https://crm.example/interactions/1"


def test_location_falls_back_to_the_video_link():
    found = only_vevent(write(event(video_url="https://teams.example/l/meetup-join/1")))
    assert str(found["LOCATION"]) == "https://teams.example/l/meetup-join/1"


def test_video_link_is_a_conference_property():
    found = only_vevent(write(FULL))
    conference = found["CONFERENCE"]
    assert str(conference) == "https://meet.example/abc-defg"
    assert conference.params["VALUE"] == "URI"
    assert conference.params["FEATURE"] == "VIDEO"


def test_categories_round_trip_even_with_a_comma_inside_one():
    assert categories(only_vevent(write(FULL))) == ["Water", "Trade, investment", "Border"]


@pytest.mark.parametrize(
    ("status", "transparency"), [(CONFIRMED, "OPAQUE"), (CANCELLED, "TRANSPARENT")]
)
def test_status_is_written_and_cancelled_meetings_do_not_block_time(status, transparency):
    found = only_vevent(write(event(status=status)))
    assert str(found["STATUS"]) == status
    assert str(found["TRANSP"]) == transparency


def test_classification_is_written():
    assert str(only_vevent(write(FULL))["CLASS"]) == "PRIVATE"
    assert str(only_vevent(write(event()))["CLASS"]) == "PUBLIC"


def test_organizer_and_attendees_carry_names_and_mailto_addresses():
    found = only_vevent(write(FULL))
    organizer = found["ORGANIZER"]
    assert str(organizer) == "mailto:ana.perez@consulado.example"
    assert organizer.params["CN"] == "Ana Pérez"
    people = {str(a): a.params["CN"] for a in as_list(found.get("ATTENDEE"))}
    assert people == {
        "mailto:jose.nunez@sre.example": "José Núñez",
        "urn:uuid:6f1c2b9e-54f0-5d2a-9a3b-1f2e3d4c5b6a": "Laura Chen",
    }


def test_display_names_are_always_double_quoted_in_the_raw_text():
    # One-word names too, which a plain writer leaves unquoted.
    data = write(
        event(
            organizer=Person("Ana", "ana@consulado.example"),
            attendees=(Person("Xóchitl", "xochitl@sre.example"), NO_EMAIL),
        )
    )
    lines = content_lines(data, "ORGANIZER") + content_lines(data, "ATTENDEE")
    assert len(lines) == 3
    for line in lines:
        assert re.search(r';CN="[^"]*"[;:]', line), line
    assert ';CN="Ana";' in lines[0]


def test_attendee_without_email_is_named_by_its_urn_not_an_empty_mailto():
    data = write(event(attendees=(NO_EMAIL,)))
    (line,) = content_lines(data, "ATTENDEE")
    assert line.endswith(":urn:uuid:6f1c2b9e-54f0-5d2a-9a3b-1f2e3d4c5b6a")
    assert "mailto" not in line.lower()


# --- 2. Daylight saving time --------------------------------------------------------------

ZONES = ["America/Los_Angeles", "America/Tijuana", "America/Mexico_City"]

# Wall-clock start and end around the US changes of 2026 (03-08 forward, 11-01 back), which
# Los Angeles and Tijuana follow and Mexico City (no DST since 2022) does not.
DST_CASES = {
    "before-spring-forward": ((2026, 3, 8, 1, 0), (2026, 3, 8, 1, 45)),
    "after-spring-forward": ((2026, 3, 8, 3, 0), (2026, 3, 8, 4, 0)),
    "across-spring-forward": ((2026, 3, 8, 1, 30), (2026, 3, 8, 3, 30)),
    "before-fall-back": ((2026, 11, 1, 0, 0), (2026, 11, 1, 0, 45)),
    "after-fall-back": ((2026, 11, 1, 2, 0), (2026, 11, 1, 3, 0)),
    "across-fall-back": ((2026, 11, 1, 0, 30), (2026, 11, 1, 2, 30)),
}

PACIFIC = {
    datetime(2026, 3, 7, 12, 0): -8,
    datetime(2026, 3, 8, 1, 59): -8,
    datetime(2026, 3, 8, 3, 0): -7,
    datetime(2026, 7, 1, 12, 0): -7,
    datetime(2026, 11, 1, 0, 59): -7,
    datetime(2026, 11, 1, 2, 0): -8,
    datetime(2026, 11, 2, 12, 0): -8,
}
EXPECTED_OFFSETS = {
    "America/Los_Angeles": PACIFIC,
    "America/Tijuana": PACIFIC,
    "America/Mexico_City": {wall: -6 for wall in PACIFIC},
}


def dst_events(zone_name: str) -> list[CalendarEvent]:
    zone = ZoneInfo(zone_name)
    return [
        event(
            uid=f"{case}@liaison.example",
            summary=case,
            starts_at=datetime(*start, tzinfo=zone),
            ends_at=datetime(*end, tzinfo=zone),
            timezone=zone_name,
        )
        for case, (start, end) in DST_CASES.items()
    ]


@pytest.mark.parametrize("zone_name", ZONES)
def test_dst_events_keep_instant_and_wall_clock_in_the_files_own_vtimezone(zone_name):
    written = dst_events(zone_name)
    data = write(*written)
    calendar = parse(data)
    found = vevents(data)
    for item in written:
        component = found[item.uid]
        assert component["DTSTART"].params["TZID"] == zone_name
        assert instant_in_file(calendar, component, "DTSTART") == item.starts_at, item.uid
        assert instant_in_file(calendar, component, "DTEND") == item.ends_at, item.uid
        for name, when in (("DTSTART", item.starts_at), ("DTEND", item.ends_at)):
            wall = when.replace(tzinfo=None)
            assert component[name].dt.replace(tzinfo=None) == wall, (item.uid, name)


@pytest.mark.parametrize("zone_name", ZONES)
def test_dst_events_keep_instant_and_wall_clock_in_vobject(zone_name):
    written = dst_events(zone_name)
    found = vobject_events(write(*written))
    for item in written:
        start = found[item.uid].dtstart.value
        end = found[item.uid].dtend.value
        assert start.astimezone(UTC) == item.starts_at.astimezone(UTC), item.uid
        assert end.astimezone(UTC) == item.ends_at.astimezone(UTC), item.uid
        assert start.replace(tzinfo=None) == item.starts_at.replace(tzinfo=None), item.uid


@pytest.mark.parametrize("zone_name", ZONES)
def test_vtimezone_offsets_around_the_transitions(zone_name):
    calendar = parse(write(*dst_events(zone_name)))
    for wall, hours in EXPECTED_OFFSETS[zone_name].items():
        assert offset_in_file(calendar, zone_name, wall) == timedelta(hours=hours), wall


@pytest.mark.parametrize("zone_name", ["America/Los_Angeles", "America/Tijuana"])
def test_each_onset_is_the_local_time_the_clocks_leave_one_per_line(zone_name):
    # RFC 5545 3.6.5: the clocks go from 02:00 to 03:00 and from 02:00 back to 01:00, and
    # both onsets are written as 02:00. One RDATE per line: some readers take only one value.
    calendar = parse(write(*dst_events(zone_name)))
    onsets = {}
    for observance in vtimezone(calendar, zone_name).subcomponents:
        rdates = as_list(observance.get("RDATE"))
        assert all(len(r.dts) == 1 for r in rdates)
        days = [observance.decoded("DTSTART"), *(r.dts[0].dt for r in rdates)]
        onsets.update({d.date(): d.time() for d in days})
    assert onsets[date(2026, 3, 8)] == time(2, 0)
    assert onsets[date(2026, 11, 1)] == time(2, 0)
    assert onsets[date(2027, 3, 14)] == time(2, 0)


@pytest.mark.parametrize("zone_name", ["America/Los_Angeles", "America/Tijuana"])
def test_meeting_in_the_repeated_hour_after_fall_back_keeps_its_instant(zone_name):
    # 09:30 UTC on 2026-11-01 is 01:30 PST, the second time the clocks show 01:30 that night.
    # Written as a bare 01:30 local time, every reader takes the first 01:30 (PDT, RFC 5545
    # 3.3.5) and shows the meeting an hour early.
    starts = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    item = event(
        starts_at=starts, ends_at=starts + timedelta(hours=1), timezone=zone_name, summary="late"
    )
    data = write(item)
    found = only_vevent(data)
    assert instant_in_file(parse(data), found, "DTSTART") == starts
    assert vobject_events(data)[item.uid].dtstart.value.astimezone(UTC) == starts


# --- 3. Escaping --------------------------------------------------------------------------


def tricky_vevent() -> Component:
    return only_vevent(
        write(
            event(
                summary=TRICKY,
                location=TRICKY,
                description=TRICKY,
                attendees=(Person(TRICKY, "guest@sre.example"),),
            )
        )
    )


def test_special_characters_survive_in_text_fields():
    found = tricky_vevent()
    for name in ("SUMMARY", "LOCATION", "DESCRIPTION"):
        assert str(found[name]) == TRICKY, name


def test_special_characters_survive_in_a_display_name():
    (attendee,) = as_list(tricky_vevent()["ATTENDEE"])
    assert attendee.params["CN"] == TRICKY
    assert str(attendee) == "mailto:guest@sre.example"


# --- 4. Line folding ----------------------------------------------------------------------

LONG_SUMMARY = "Reunión bilateral sobre el río Bravo 🇲🇽 con la delegación de Ñuñoa — " * 12


def long_calendar() -> bytes:
    return write(
        event(
            summary=LONG_SUMMARY,
            description=LONG_SUMMARY,
            attendees=(Person("Æ" * 60 + " ñ🇲🇽" * 20, "long@sre.example"),),
        )
    )


def test_every_physical_line_is_at_most_75_octets():
    data = long_calendar()
    lines = data.split(b"\r\n")
    assert any(line.startswith(b" ") for line in lines), "nothing was folded"
    assert max(len(line) for line in lines) <= 75


def test_no_character_is_split_across_a_fold():
    for line in long_calendar().split(b"\r\n"):
        line.decode("utf-8")  # raises if a fold cut a multibyte character


def test_every_line_ends_with_crlf_and_there_is_no_bare_lf_or_cr():
    data = long_calendar()
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


def test_folded_text_unfolds_to_the_original():
    found = only_vevent(long_calendar())
    assert str(found["SUMMARY"]) == LONG_SUMMARY
    assert str(found["DESCRIPTION"]) == LONG_SUMMARY
    assert as_list(found["ATTENDEE"])[0].params["CN"] == "Æ" * 60 + " ñ🇲🇽" * 20


# --- 5. All-day events --------------------------------------------------------------------


def all_day(first: date, days: int, zone_name: str = "America/Mexico_City") -> CalendarEvent:
    zone = ZoneInfo(zone_name)
    start = datetime(first.year, first.month, first.day, tzinfo=zone)
    end_day = first + timedelta(days=days)
    end = datetime(end_day.year, end_day.month, end_day.day, tzinfo=zone)
    return event(all_day=True, starts_at=start, ends_at=end, timezone=zone_name)


def test_single_all_day_event_uses_dates_with_an_exclusive_end():
    data = write(all_day(date(2026, 9, 16), 1))
    found = only_vevent(data)
    assert type(found.decoded("DTSTART")) is date
    assert found.decoded("DTSTART") == date(2026, 9, 16)
    assert found.decoded("DTEND") == date(2026, 9, 17)
    assert content_lines(data, "DTSTART") == ["DTSTART;VALUE=DATE:20260916"]
    assert content_lines(data, "DTEND") == ["DTEND;VALUE=DATE:20260917"]


def test_multi_day_event_ends_the_day_after_its_last_day():
    found = only_vevent(write(all_day(date(2026, 9, 14), 3)))
    assert found.decoded("DTSTART") == date(2026, 9, 14)
    assert found.decoded("DTEND") == date(2026, 9, 17)
    assert found["DTEND"].params["VALUE"] == "DATE"


def test_all_day_dates_are_local_days_even_when_given_in_utc():
    # Midnight in Tokyo is still the previous day in UTC.
    item = all_day(date(2026, 4, 29), 2, "Asia/Tokyo")
    item = event(
        all_day=True,
        starts_at=item.starts_at.astimezone(UTC),
        ends_at=item.ends_at.astimezone(UTC),
        timezone="Asia/Tokyo",
    )
    found = only_vevent(write(item))
    assert found.decoded("DTSTART") == date(2026, 4, 29)
    assert found.decoded("DTEND") == date(2026, 5, 1)


def test_all_day_event_without_an_end_lasts_one_day():
    found = only_vevent(write(replace(all_day(date(2026, 9, 16), 1), ends_at=None)))
    assert found.decoded("DTEND") == date(2026, 9, 17)


# --- 6. Busy blocks -----------------------------------------------------------------------

SECRET = event(
    uid="secret-7@liaison.example",
    summary="Extradition case Gómez-Villalobos",
    sequence=4,
    status=CANCELLED,
    created=MADE,
    location="Fiscalía, piso 9",
    video_url="https://meet.example/secret-room",
    description="Notes on the Gómez-Villalobos file",
    url="https://crm.example/interactions/7",
    categories=("Law enforcement",),
    organizer=Person("Ana Pérez", "ana.perez@consulado.example"),
    attendees=(Person("Rodrigo Villalobos", "rodrigo@fiscalia.example"), NO_EMAIL),
    classification="PRIVATE",
)


def test_busy_block_keeps_the_time_slot_identity_and_status():
    found = only_vevent(write(busy_block(SECRET, "Busy")))
    assert str(found["UID"]) == "secret-7@liaison.example"
    assert found.decoded("DTSTART") == SECRET.starts_at
    assert found.decoded("DTEND") == SECRET.ends_at
    assert found.decoded("SEQUENCE") == 4
    assert str(found["STATUS"]) == CANCELLED


def test_busy_block_has_the_given_summary_and_is_confidential():
    found = only_vevent(write(busy_block(SECRET, "Ocupado")))
    assert str(found["SUMMARY"]) == "Ocupado"
    assert str(found["CLASS"]) == "CONFIDENTIAL"


def test_busy_block_has_no_people_place_description_links_or_categories():
    found = only_vevent(write(busy_block(SECRET, "Busy")))
    for name in (
        "ATTENDEE",
        "ORGANIZER",
        "LOCATION",
        "DESCRIPTION",
        "URL",
        "CATEGORIES",
        "CONFERENCE",
    ):
        assert name not in found, name


def test_busy_block_file_leaks_no_name_subject_or_place():
    text = unfolded(write(busy_block(SECRET, "Busy"))).lower()
    for secret in (
        "Gómez-Villalobos",
        "Extradition",
        "Rodrigo",
        "Ana Pérez",
        "Laura Chen",
        "fiscalia",
        "Fiscalía",
        "secret-room",
        "interactions/7",
        "Law enforcement",
    ):
        assert secret.lower() not in text, secret


# --- 7. A second parser: vobject ----------------------------------------------------------

MIXED = (
    event(
        uid="la@liaison.example",
        summary=TRICKY,
        location="Sala 3, piso 2; edificio “B”",
        description="Línea 1\nLínea 2, con coma",
        organizer=ORGANIZER,
        attendees=(GUEST, NO_EMAIL),
    ),
    event(
        uid="tj@liaison.example",
        summary="Garita de Otay",
        starts_at=datetime(2026, 11, 1, 3, 0, tzinfo=TIJUANA),
        ends_at=datetime(2026, 11, 1, 4, 0, tzinfo=TIJUANA),
        timezone="America/Tijuana",
    ),
    event(
        uid="mx@liaison.example",
        summary="Cancelada",
        status=CANCELLED,
        starts_at=datetime(2026, 3, 8, 9, 0, tzinfo=MEXICO_CITY),
        ends_at=datetime(2026, 3, 8, 10, 0, tzinfo=MEXICO_CITY),
        timezone="America/Mexico_City",
    ),
    replace(all_day(date(2026, 9, 16), 2), uid="day@liaison.example"),
)


def test_vobject_reads_every_events_uid_summary_and_start():
    found = vobject_events(write(*MIXED))
    assert set(found) == {item.uid for item in MIXED}
    for item in MIXED:
        assert found[item.uid].summary.value == item.summary
        start = found[item.uid].dtstart.value
        if item.all_day:
            assert start == date(2026, 9, 16)
            assert found[item.uid].dtend.value == date(2026, 9, 18)
        else:
            assert start.astimezone(UTC) == item.starts_at.astimezone(UTC), item.uid


def test_vobject_reads_attendees_and_organizer():
    la = vobject_events(write(*MIXED))["la@liaison.example"]
    people = {a.value: a.params["CN"][0] for a in la.attendee_list}
    assert people == {
        "mailto:jose.nunez@sre.example": "José Núñez",
        "urn:uuid:6f1c2b9e-54f0-5d2a-9a3b-1f2e3d4c5b6a": "Laura Chen",
    }
    assert la.organizer.value == "mailto:ana.perez@consulado.example"
    assert la.organizer.params["CN"] == ["Ana Pérez"]


def test_vobject_reads_escaped_text_and_status():
    found = vobject_events(write(*MIXED))
    assert found["la@liaison.example"].location.value == "Sala 3, piso 2; edificio “B”"
    assert found["la@liaison.example"].description.value == "Línea 1\nLínea 2, con coma"
    assert found["mx@liaison.example"].status.value == CANCELLED


# --- 8. Reading invitations ---------------------------------------------------------------

OUTLOOK_PACIFIC = [
    "BEGIN:VTIMEZONE",
    "TZID:Pacific Standard Time",
    "BEGIN:STANDARD",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0700",
    "TZOFFSETTO:-0800",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11",
    "END:STANDARD",
    "BEGIN:DAYLIGHT",
    "DTSTART:16010101T020000",
    "TZOFFSETFROM:-0800",
    "TZOFFSETTO:-0700",
    "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3",
    "END:DAYLIGHT",
    "END:VTIMEZONE",
]

OUTLOOK = ics_file(
    *OUTLOOK_PACIFIC,
    "BEGIN:VEVENT",
    'ORGANIZER;CN="Smith, John":MAILTO:john.smith@state.example',
    "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=María Góme",
    " z:MAILTO:maria.gomez@sre.example",
    "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=ops@state.",
    " example:MAILTO:ops@state.example",
    "DESCRIPTION;LANGUAGE=en-US:Agenda:\\n1. Water\\, border\\n2. Trade",
    "UID:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6B7C8D9",
    "SUMMARY;LANGUAGE=en-US:Cross-border water meeting",
    "DTSTART;TZID=Pacific Standard Time:20260309T100000",
    "DTEND;TZID=Pacific Standard Time:20260309T113000",
    "CLASS:PUBLIC",
    "PRIORITY:5",
    "DTSTAMP:20260301T180000Z",
    "TRANSP:OPAQUE",
    "STATUS:CONFIRMED",
    "SEQUENCE:0",
    "LOCATION;LANGUAGE=en-US:Microsoft Teams Meeting",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL:https://teams.microsoft.com/l/meetup-join/19%3am",
    " eeting_abc%40thread.v2/0",
    "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
    "END:VEVENT",
    method="REQUEST",
    prodid="Microsoft Exchange Server 2010",
)

GOOGLE = ics_file(
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260610T090000",
    "DTEND;TZID=America/Los_Angeles:20260610T094500",
    "DTSTAMP:20260601T150000Z",
    "ORGANIZER;CN=Laura Chen:mailto:laura.chen@example.com",
    "UID:7kq3abcdefghij@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=TRUE",
    " ;CN=Laura Chen;X-NUM-GUESTS=0:mailto:laura.chen@example.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=",
    " TRUE;CN=jose.nunez@sre.example;X-NUM-GUESTS=0:mailto:jose.nunez@sre.example",
    "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
    "DESCRIPTION:Join with Google Meet: https://meet.google.com/abc-defg-hij",
    "LOCATION:",
    "SEQUENCE:0",
    "STATUS:CONFIRMED",
    "SUMMARY:Consular coordination",
    "TRANSP:OPAQUE",
    "END:VEVENT",
    method="REQUEST",
    prodid="-//Google Inc//Google Calendar 70.9054//EN",
)

IN_UTC = ics_file(
    "BEGIN:VEVENT",
    "UID:utc-1@example.org",
    "DTSTAMP:20260101T000000Z",
    "DTSTART:20260415T160000Z",
    "DTEND:20260415T170000Z",
    "SUMMARY:Trade desk call",
    "LOCATION:https://zoom.example/j/123456",
    "END:VEVENT",
)

ALL_DAY = ics_file(
    "BEGIN:VEVENT",
    "UID:holiday@example.org",
    "DTSTAMP:20260101T000000Z",
    "DTSTART;VALUE=DATE:20260916",
    "DTEND;VALUE=DATE:20260918",
    "SUMMARY:Independence Day reception",
    "LOCATION:Consulado General\\, San Diego",
    "END:VEVENT",
)

WEEKLY_MASTER = [
    "BEGIN:VEVENT",
    "UID:weekly@example.org",
    "DTSTAMP:20260101T000000Z",
    "DTSTART;TZID=America/Los_Angeles:20260505T090000",
    "DTEND;TZID=America/Los_Angeles:20260505T100000",
    "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10",
    "SUMMARY:Weekly sync",
    "END:VEVENT",
]
MOVED_OCCURRENCE = [
    "BEGIN:VEVENT",
    "UID:weekly@example.org",
    "DTSTAMP:20260101T000000Z",
    "RECURRENCE-ID;TZID=America/Los_Angeles:20260512T090000",
    "DTSTART;TZID=America/Los_Angeles:20260512T140000",
    "DTEND;TZID=America/Los_Angeles:20260512T150000",
    "SUMMARY:Weekly sync (moved)",
    "END:VEVENT",
]


def test_outlook_invitation_subject_and_times():
    invitation = read_invitation(OUTLOOK, "America/Mexico_City")
    assert invitation.summary == "Cross-border water meeting"
    assert invitation.uid == "040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5A6B7C8D9"
    # The day after the spring change: 10:00 PDT.
    assert invitation.starts_at == datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert invitation.ends_at == datetime(2026, 3, 9, 18, 30, tzinfo=UTC)
    assert invitation.all_day is False
    assert invitation.description == "Agenda:\n1. Water, border\n2. Trade"


def test_outlook_windows_zone_name_becomes_the_iana_zone():
    assert read_invitation(OUTLOOK, "America/Mexico_City").timezone == "America/Los_Angeles"


def test_outlook_teams_link_is_the_video_and_the_room_stays_the_location():
    invitation = read_invitation(OUTLOOK, "America/Mexico_City")
    assert invitation.video_url == (
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"
    )
    assert invitation.location == "Microsoft Teams Meeting"


def test_outlook_people_with_upper_case_mailto():
    invitation = read_invitation(OUTLOOK, "America/Mexico_City")
    assert invitation.organizer == Person("Smith, John", "john.smith@state.example")
    assert [(p.name, p.email) for p in invitation.attendees] == [
        ("María Gómez", "maria.gomez@sre.example"),
        ("ops@state.example", "ops@state.example"),
    ]


def test_google_invitation_times_zone_and_status():
    invitation = read_invitation(GOOGLE, "America/Mexico_City")
    assert invitation.summary == "Consular coordination"
    assert invitation.starts_at == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    assert invitation.ends_at == datetime(2026, 6, 10, 16, 45, tzinfo=UTC)
    assert invitation.timezone == "America/Los_Angeles"
    assert invitation.status == CONFIRMED
    assert invitation.recurring is False


def test_google_meet_link_and_attendees():
    invitation = read_invitation(GOOGLE, "America/Mexico_City")
    assert invitation.video_url == "https://meet.google.com/abc-defg-hij"
    assert invitation.location == ""
    assert invitation.organizer == Person("Laura Chen", "laura.chen@example.com")
    assert [(p.name, p.email) for p in invitation.attendees] == [
        ("Laura Chen", "laura.chen@example.com"),
        ("jose.nunez@sre.example", "jose.nunez@sre.example"),
    ]


def test_utc_invitation_keeps_its_instant_and_a_link_location_becomes_the_video():
    invitation = read_invitation(IN_UTC, "America/Mexico_City")
    assert invitation.starts_at == datetime(2026, 4, 15, 16, 0, tzinfo=UTC)
    assert invitation.ends_at == datetime(2026, 4, 15, 17, 0, tzinfo=UTC)
    assert invitation.timezone == "UTC"
    assert invitation.video_url == "https://zoom.example/j/123456"
    assert invitation.location == ""


def test_all_day_invitation_runs_midnight_to_midnight_in_the_readers_zone():
    invitation = read_invitation(ALL_DAY, "America/Mexico_City")
    assert invitation.all_day is True
    assert invitation.starts_at == datetime(2026, 9, 16, tzinfo=MEXICO_CITY)
    assert invitation.ends_at == datetime(2026, 9, 18, tzinfo=MEXICO_CITY)
    assert invitation.location == "Consulado General, San Diego"


def test_recurring_invitation_is_flagged_and_starts_at_the_first_occurrence():
    invitation = read_invitation(ics_file(*WEEKLY_MASTER), "America/Mexico_City")
    assert invitation.recurring is True
    assert invitation.starts_at == datetime(2026, 5, 5, 16, 0, tzinfo=UTC)


def test_series_with_an_override_listed_first_is_read_from_its_master():
    data = ics_file(*MOVED_OCCURRENCE, *WEEKLY_MASTER, method="REQUEST")
    invitation = read_invitation(data, "America/Mexico_City")
    assert invitation.summary == "Weekly sync"
    assert invitation.starts_at == datetime(2026, 5, 5, 16, 0, tzinfo=UTC)
    assert invitation.recurring is True


def test_update_to_one_occurrence_only_is_still_a_meeting():
    # Outlook and Google send a change to one occurrence as that occurrence alone.
    data = ics_file(*MOVED_OCCURRENCE, method="REQUEST")
    invitation = read_invitation(data, "America/Mexico_City")
    assert invitation.summary == "Weekly sync (moved)"
    assert invitation.starts_at == datetime(2026, 5, 12, 21, 0, tzinfo=UTC)


def test_cancellation_is_read_as_cancelled():
    data = ics_file(
        "BEGIN:VEVENT",
        "UID:weekly@example.org",
        "DTSTAMP:20260101T000000Z",
        "DTSTART;TZID=America/Los_Angeles:20260505T090000",
        "SEQUENCE:2",
        "SUMMARY:Canceled: Weekly sync",
        "END:VEVENT",
        method="CANCEL",
    )
    assert read_invitation(data, "America/Mexico_City").status == CANCELLED


def test_floating_time_is_the_readers_wall_clock_and_duration_gives_the_end():
    data = ics_file(
        "BEGIN:VEVENT",
        "UID:floating@example.org",
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20260505T090000",
        "DURATION:PT45M",
        "SUMMARY:Desk visit",
        "END:VEVENT",
    )
    invitation = read_invitation(data, "America/Mexico_City")
    assert invitation.starts_at == datetime(2026, 5, 5, 9, 0, tzinfo=MEXICO_CITY)
    assert invitation.ends_at == datetime(2026, 5, 5, 9, 45, tzinfo=MEXICO_CITY)
    assert invitation.timezone is None


def test_unknown_zone_defined_in_the_file_keeps_the_right_instant():
    data = ics_file(
        "BEGIN:VTIMEZONE",
        "TZID:Customized Time Zone",
        "BEGIN:STANDARD",
        "DTSTART:16010101T000000",
        "TZOFFSETFROM:+0530",
        "TZOFFSETTO:+0530",
        "END:STANDARD",
        "END:VTIMEZONE",
        "BEGIN:VEVENT",
        "UID:custom@example.org",
        "DTSTAMP:20260101T000000Z",
        "DTSTART;TZID=Customized Time Zone:20260715T100000",
        "DTEND;TZID=Customized Time Zone:20260715T110000",
        "SUMMARY:Delhi call",
        "END:VEVENT",
    )
    invitation = read_invitation(data, "America/Mexico_City")
    assert invitation.starts_at == datetime(2026, 7, 15, 4, 30, tzinfo=UTC)
    assert invitation.timezone is None


# --- 9. Bad and hostile files -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Hi Ana, see you Tuesday at 10 in the consulate.\r\n", id="plain-text"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"IHDR" + bytes(range(1, 64)), id="png"),
        pytest.param(b"", id="empty"),
    ],
)
def test_files_that_are_not_icalendar_are_refused(data):
    assert reason(data) == NOT_ICALENDAR


def test_binary_with_nul_bytes_is_refused():
    # A calendar saved as UTF-16 is full of NUL bytes.
    assert reason(IN_UTC.decode("utf-8").encode("utf-16")) == NOT_ICALENDAR
    assert reason(b"BEGIN:VCALENDAR\r\n\x00\x00\x00\r\nEND:VCALENDAR\r\n") == NOT_ICALENDAR


def test_file_over_the_size_limit_is_refused():
    padding = b"X" * (MAX_INVITATION_BYTES + 1 - len(IN_UTC))
    data = IN_UTC + padding
    assert len(data) == MAX_INVITATION_BYTES + 1
    assert reason(data) == TOO_LARGE


def test_calendar_without_a_meeting_is_refused():
    data = ics_file("BEGIN:VTODO", "UID:todo@example.org", "DTSTAMP:20260101T000000Z", "END:VTODO")
    assert reason(data) == NO_EVENT
    assert reason(ics_file()) == NO_EVENT


def test_meeting_without_a_start_is_refused():
    data = ics_file(
        "BEGIN:VEVENT",
        "UID:nostart@example.org",
        "DTSTAMP:20260101T000000Z",
        "SUMMARY:Some time",
        "END:VEVENT",
    )
    assert reason(data) == NO_START


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(IN_UTC[: IN_UTC.index(b"SUMMARY")], id="cut-off-mid-event"),
        pytest.param(b"BEGIN:VCALENDAR\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", id="end-without-begin"),
    ],
)
def test_damaged_file_is_refused(data):
    assert reason(data) == DAMAGED


def test_unreadable_end_is_refused():
    data = IN_UTC.replace(b"DTEND:20260415T170000Z", b"DTEND:after lunch")
    assert reason(data) == BAD_END


def test_end_before_the_start_is_refused():
    data = IN_UTC.replace(b"DTEND:20260415T170000Z", b"DTEND:20260414T170000Z")
    assert reason(data) == BAD_END


def test_latin_1_file_still_reads():
    data = ics_file(
        "BEGIN:VEVENT",
        "UID:latin@example.org",
        "DTSTAMP:20260101T000000Z",
        "DTSTART:20260415T160000Z",
        "SUMMARY:Reunión en Querétaro",
        "LOCATION:Año Nuevo\\, Peñasco",
        "END:VEVENT",
    )
    invitation = read_invitation(data.decode("utf-8").encode("latin-1"), "America/Mexico_City")
    assert invitation.summary == "Reunión en Querétaro"
    assert invitation.location == "Año Nuevo, Peñasco"


def test_utf8_file_with_a_byte_order_mark_still_reads():
    invitation = read_invitation(b"\xef\xbb\xbf" + GOOGLE, "America/Mexico_City")
    assert invitation.summary == "Consular coordination"


# --- 10. Zone names -----------------------------------------------------------------------


def test_iana_names_are_kept_even_quoted_or_with_a_leading_slash():
    names = {
        "America/Tijuana": "America/Tijuana",
        "Europe/Madrid": "Europe/Madrid",
        '"America/Mexico_City"': "America/Mexico_City",
        "/America/Chicago": "America/Chicago",
    }
    for tzid, zone in names.items():
        assert iana_zone(tzid) == zone, tzid


def test_windows_names_map_to_iana():
    names = {
        "Pacific Standard Time": "America/Los_Angeles",
        "Pacific Standard Time (Mexico)": "America/Tijuana",
        "Central Standard Time (Mexico)": "America/Mexico_City",
        "Eastern Standard Time": "America/New_York",
    }
    for tzid, zone in names.items():
        assert iana_zone(tzid) == zone, tzid


def test_utc_spellings_are_utc():
    for tzid in ("UTC", "Z", "GMT", "Etc/UTC"):
        assert iana_zone(tzid) == "UTC", tzid


def test_unknown_names_are_none():
    for tzid in ("Customized Time Zone", "Mars/Olympus_Mons", "../../etc/passwd", "", None):
        assert iana_zone(tzid) is None, tzid
