"""iCalendar (RFC 5545, RFC 7986) for meetings: published calendars out, invitations in.

Calendars written here carry no METHOD: they are plain published calendars, which every
client subscribes to or imports. (METHOD:REQUEST makes Outlook treat a file as an invitation,
and RFC 5546's PUBLISH forbids attendees.) Every TZID used is defined by a VTIMEZONE, without
which Outlook shifts times by an hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Component, Event, Timezone, vCalAddress, vDuration, vUri
from icalendar.parser import Parameters
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from crm.formats import FormatError

PRODUCT_ID = "-//Liaison CRM//Liaison CRM//EN"
# The years every VTIMEZONE covers.
ZONE_YEARS = (2000, 2040)
CONFIRMED = "CONFIRMED"
CANCELLED = "CANCELLED"
TENTATIVE = "TENTATIVE"
# Params whose values are always written in double quotes (RFC 5545 allows it for any value;
# some clients mis-read an unquoted display name).
_QUOTED_PARAMS = (*Parameters.always_quoted, "CN")


@dataclass(frozen=True)
class Person:
    """An organizer or attendee. Without an e-mail, ``address`` names them (a ``urn:``)."""

    name: str
    email: str = ""
    address: str = ""

    @property
    def cal_address(self) -> str:
        return f"mailto:{self.email}" if self.email else self.address


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    # Aware instants; a whole-day item starts and ends at local midnight in ``timezone``.
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    last_modified: datetime
    created: datetime | None = None
    sequence: int = 0
    all_day: bool = False
    status: str = CONFIRMED
    location: str = ""
    video_url: str = ""
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    organizer: Person | None = None
    attendees: tuple[Person, ...] = ()
    # PUBLIC, PRIVATE or CONFIDENTIAL (RFC 5545 CLASS).
    classification: str = "PUBLIC"


@dataclass(frozen=True)
class CalendarInfo:
    name: str
    description: str = ""
    # How often clients should fetch the calendar again.
    refresh: timedelta = timedelta(hours=1)
    url: str = ""


def busy_block(event: CalendarEvent, summary: str) -> CalendarEvent:
    """The same time slot with nothing else: no subject, place, people or link."""
    return CalendarEvent(
        uid=event.uid,
        summary=summary,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        last_modified=event.last_modified,
        created=event.created,
        sequence=event.sequence,
        all_day=event.all_day,
        status=event.status,
        classification="CONFIDENTIAL",
    )


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(person.cal_address)
    address.params.always_quoted = _QUOTED_PARAMS
    address.params["CN"] = person.name
    address.params["CUTYPE"] = "INDIVIDUAL"
    return address


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _wall_clock(instant: datetime, zone: ZoneInfo) -> datetime:
    """The local time with its zone; in UTC when it is the second of a repeated hour (clocks
    falling back), which a TZID time cannot say: readers take the first one."""
    local = instant.astimezone(zone)
    return instant.astimezone(UTC) if local.fold else local


def _vevent(item: CalendarEvent) -> Event:
    zone = ZoneInfo(item.timezone)
    event = Event()
    event.add("uid", item.uid)
    # Without a METHOD, DTSTAMP is when the information was last revised (RFC 5545 3.8.7.2).
    event.add("dtstamp", item.last_modified.astimezone(UTC))
    if item.all_day:
        first = _local_day(item.starts_at, zone)
        end = _local_day(item.ends_at, zone) if item.ends_at else first + timedelta(days=1)
        event.add("dtstart", first)
        event.add("dtend", max(end, first + timedelta(days=1)))
    else:
        event.add("dtstart", _wall_clock(item.starts_at, zone))
        if item.ends_at is not None:
            event.add("dtend", _wall_clock(item.ends_at, zone))
    event.add("sequence", item.sequence)
    if item.created is not None:
        event.add("created", item.created.astimezone(UTC))
    event.add("last-modified", item.last_modified.astimezone(UTC))
    event.add("summary", item.summary)
    location = item.location or item.video_url
    if location:
        event.add("location", location)
    if item.description:
        event.add("description", item.description)
    if item.url:
        event.add("url", vUri(item.url), parameters={"VALUE": "URI"})
    if item.video_url:
        event.add(
            "conference",
            vUri(item.video_url),
            parameters={"VALUE": "URI", "FEATURE": "VIDEO"},
        )
    if item.categories:
        event.add("categories", list(item.categories))
    event.add("status", item.status)
    event.add("class", item.classification)
    event.add("transp", "TRANSPARENT" if item.status == CANCELLED else "OPAQUE")
    if item.organizer is not None:
        event.add("organizer", _address(item.organizer))
    for person in item.attendees:
        attendee = _address(person)
        attendee.params["ROLE"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee)
    return event


def calendar_bytes(info: CalendarInfo, events: Iterable[CalendarEvent]) -> bytes:
    """A published calendar: UTF-8, CRLF line ends, lines folded at 75 octets."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", info.name)
    calendar.add("x-wr-calname", info.name)
    if info.description:
        calendar.add("description", info.description)
        calendar.add("x-wr-caldesc", info.description)
    if info.url:
        calendar.add("url", vUri(info.url), parameters={"VALUE": "URI"})
    calendar.add("refresh-interval", info.refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(info.refresh))
    first: date | None = None
    last: date | None = None
    written: list[bytes] = []
    zones: set[str] = set()
    for item in events:
        lines, used = _event_lines(item)
        written.append(lines)
        zones |= used
        day = item.starts_at.date()
        first = day if first is None or day < first else first
        last = day if last is None or day > last else last
    definitions: list[bytes] = []
    if first is not None and last is not None:
        # Before the events, as clients expect. Every file defines a zone over the same years
        # (wider only for events outside them): clients that keep the first definition they
        # saw for a TZID then still read every later file right.
        years = (min(ZONE_YEARS[0], first.year - 1), max(ZONE_YEARS[1], last.year + 1))
        definitions = [_vtimezone(tzid, *years).to_ical() for tzid in sorted(zones)]
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return head.removesuffix(end) + b"".join(definitions) + b"".join(written) + end


# Events kept written per process. A feed's version changes with any change in the office,
# and the feed is then written again whole; nearly all of its events are as they were.
EVENTS_KEPT = 8192


@lru_cache(maxsize=EVENTS_KEPT)
def _event_lines(item: CalendarEvent) -> tuple[bytes, frozenset[str]]:
    """One event as its folded content lines, and the zones (TZIDs) it names."""
    event = _vevent(item)
    zones = {
        value.params.get("TZID")
        for _name, value in event.property_items(sorted=False)
        if hasattr(value, "params")
    }
    return event.to_ical(), frozenset(zones - {None, "UTC"})


@lru_cache(maxsize=128)
def _vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A zone's definition over whole years, built once: it is costly and only read after.

    Each onset is written at the local time of the offset it leaves (RFC 5545 3.6.5: clocks
    jumping from 02:00 to 03:00 start at 02:00). icalendar writes the clock after a jump
    forward instead, which a reader that trusts the definition (Outlook) would take as the
    change happening an hour late.
    """
    timezone = Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 12, 31)
    )
    for observance in timezone.subcomponents:
        jump = max(
            observance.decoded("TZOFFSETTO") - observance.decoded("TZOFFSETFROM"), timedelta(0)
        )
        onsets = [observance.decoded("DTSTART")] + [
            value.dt for rdates in _as_list(observance.get("RDATE")) for value in rdates.dts
        ]
        observance.pop("DTSTART")
        observance.pop("RDATE", None)
        observance.add("dtstart", onsets[0] - jump)
        # One RDATE line per onset: some readers take only the first value of a list.
        for onset in onsets[1:]:
            observance.add("rdate", onset - jump)
    return timezone


# --- Reading invitations ---------------------------------------------------------------

MAX_INVITATION_BYTES = 1_000_000


class InvitationError(FormatError):
    """The file cannot be read as a meeting invitation."""


TOO_LARGE = "too_large"
NOT_ICALENDAR = "not_icalendar"
DAMAGED = "damaged"
NO_EVENT = "no_event"
NO_START = "no_start"
BAD_END = "bad_end"


@dataclass
class Invitation:
    uid: str
    summary: str
    starts_at: datetime
    ends_at: datetime | None
    # An IANA zone when the file names one we know (Windows names included), else None.
    timezone: str | None
    all_day: bool = False
    status: str = CONFIRMED
    location: str = ""
    video_url: str = ""
    description: str = ""
    organizer: Person | None = None
    attendees: list[Person] = field(default_factory=list)
    recurring: bool = False


def iana_zone(tzid: str | None) -> str | None:
    """An IANA zone name for a TZID as Outlook, Google or Apple write it, if there is one."""
    if not tzid:
        return None
    name = tzid.strip().strip('"').removeprefix("/")
    name = WINDOWS_TO_OLSON.get(name, name)
    if name in ("UTC", "Z", "GMT", "Etc/UTC"):
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


_VIDEO_PROPERTIES = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGCONFLINK",
)


def _person(value: object) -> Person | None:
    if value is None:
        return None
    text = str(value)
    email = text[7:] if text.lower().startswith("mailto:") else ""
    params = getattr(value, "params", {})
    name = str(params.get("CN", "")).strip() or email
    return Person(name=name, email=email.strip())


def _text(event: Component, name: str) -> str:
    value = event.get(name)
    return str(value).strip() if value is not None else ""


def _instant(value: object, zone: str | None) -> tuple[datetime, bool]:
    """An aware instant and whether it was a DATE (a whole day)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:  # "floating": the wall clock of wherever the reader is
            value = value.replace(tzinfo=ZoneInfo(zone or "UTC"))
        return value, False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=ZoneInfo(zone or "UTC")), True
    raise InvitationError(NO_START)


def read_invitation(data: bytes, fallback_zone: str) -> Invitation:
    """The first meeting in an .ics file, as Outlook, Google or Apple send invitations.

    Times in a zone the file does not name in IANA or Windows terms are converted to
    ``fallback_zone``.
    """
    if len(data) > MAX_INVITATION_BYTES:
        raise InvitationError(TOO_LARGE)
    if b"\x00" in data:
        raise InvitationError(NOT_ICALENDAR)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise InvitationError(NOT_ICALENDAR)
    try:
        calendar = Calendar.from_ical(text)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise InvitationError(DAMAGED) from error
    events = calendar.walk("VEVENT")
    if not events:
        raise InvitationError(NO_EVENT)
    # The series itself if the file has it; an update to one occurrence comes alone.
    event = next((c for c in events if "RECURRENCE-ID" not in c), events[0])
    try:
        start_value = event.decoded("DTSTART")
    except (KeyError, ValueError) as error:
        raise InvitationError(NO_START) from error
    tzid = event["DTSTART"].params.get("TZID") if "DTSTART" in event else None
    zone = iana_zone(tzid)
    if zone is None and isinstance(start_value, datetime) and start_value.tzinfo is not None:
        zone = iana_zone(str(start_value.tzinfo)) if tzid is None else None
    starts_at, all_day = _instant(start_value, zone or fallback_zone)
    ends_at: datetime | None = None
    try:
        if "DTEND" in event:
            ends_at, _ = _instant(event.decoded("DTEND"), zone or fallback_zone)
        elif "DURATION" in event:
            ends_at = starts_at + event.decoded("DURATION")
    except (KeyError, ValueError, TypeError) as error:
        raise InvitationError(BAD_END) from error
    if ends_at is not None and ends_at < starts_at:
        raise InvitationError(BAD_END)
    location = _text(event, "LOCATION")
    video = next((_text(event, p) for p in _VIDEO_PROPERTIES if _text(event, p)), "")
    if not video and location.startswith(("https://", "http://")):
        video, location = location, ""
    attendees = [p for p in (_person(a) for a in _as_list(event.get("ATTENDEE"))) if p]
    status = _text(event, "STATUS").upper() or CONFIRMED
    if str(calendar.get("METHOD", "")).upper() == "CANCEL":
        status = CANCELLED
    return Invitation(
        uid=_text(event, "UID"),
        summary=_text(event, "SUMMARY"),
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=zone,
        all_day=all_day,
        status=status,
        location=location,
        video_url=video,
        description=_text(event, "DESCRIPTION"),
        organizer=_person(event.get("ORGANIZER")),
        attendees=attendees,
        recurring="RRULE" in event or "RDATE" in event,
    )


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]
