"""Logging a meeting from an invitation: an uploaded .ics fills in the interaction form (at
the meeting's own local time, with the attendees found among the contacts the user may see),
saves nothing by itself, and bad files are refused beside the file field."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from crm.extensions import db
from crm.models import Interaction, Sensitivity, User
from tests import factories
from tests.service_helpers import row_counts
from tests.view_helpers import assert_error_beside, page, redirect_target

# --- Helpers: invitation files ---------------------------------------------------------------

PACIFIC_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Pacific Standard Time
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0700
TZOFFSETTO:-0800
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0800
TZOFFSETTO:-0700
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE"""


def ics_file(*lines: str) -> bytes:
    """An .ics file with CRLF line ends, as mail clients write them."""
    text = "\n".join(lines)
    return ("\r\n".join(text.splitlines()) + "\r\n").encode()


def outlook_invitation(*event_lines: str, method: str = "REQUEST") -> bytes:
    """An Outlook (Exchange) invitation: Windows zone name with its VTIMEZONE, MAILTO: in
    capitals, CN before the address. 9:30-11:00 Pacific on 8 December 2026."""
    return ics_file(
        "BEGIN:VCALENDAR",
        f"METHOD:{method}",
        "PRODID:Microsoft Exchange Server 2010",
        "VERSION:2.0",
        PACIFIC_VTIMEZONE,
        "BEGIN:VEVENT",
        "ORGANIZER;CN=Laura Méndez:MAILTO:laura.mendez@sre.example",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Rosa Ibarra:MAILTO:"
        "Rosa.Ibarra@consulado.example",
        "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Ana Colleague:MAILTO:"
        "ana.colleague@office.example",
        "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Pedro Stranger:MAILTO:"
        "pedro@unknown.example",
        "ATTENDEE;ROLE=OPT-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=P. Guest:MAILTO:"
        "p.guest@vetted.example",
        "DESCRIPTION;LANGUAGE=en-US:Agenda: wait times at the port of entry.\\n",
        "UID:040000008200E00074C5B7101A82E00800000000A0B1C2D3E4F5",
        "SUMMARY;LANGUAGE=en-US:Binational border working group",
        "DTSTART;TZID=Pacific Standard Time:20261208T093000",
        "DTEND;TZID=Pacific Standard Time:20261208T110000",
        "CLASS:PUBLIC",
        "DTSTAMP:20261120T180000Z",
        "TRANSP:OPAQUE",
        "SEQUENCE:0",
        "LOCATION;LANGUAGE=en-US:Sala Juárez\\, Consulado General",
        *event_lines,
        "END:VEVENT",
        "END:VCALENDAR",
    )


def google_invitation(
    *event_lines: str, method: str = "REQUEST", status: str = "CONFIRMED", when: str = ""
) -> bytes:
    """A Google Calendar invitation: times in UTC (Z), a Meet link. 18:00-19:00 UTC on
    10 December 2026 unless ``when`` gives other DTSTART/DTEND lines."""
    times = when or "DTSTART:20261210T180000Z\nDTEND:20261210T190000Z"
    return ics_file(
        "BEGIN:VCALENDAR",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        times,
        "DTSTAMP:20261120T180000Z",
        "ORGANIZER;CN=laura.mendez@sre.example:mailto:laura.mendez@sre.example",
        "UID:7kukuqrfedlm2f9t5j3lq0bdnl@google.com",
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Rosa Ibarra;"
        "X-NUM-GUESTS=0:mailto:rosa.ibarra@consulado.example",
        "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij",
        "SUMMARY:Follow-up on extradition requests",
        "LOCATION:",
        "SEQUENCE:0",
        f"STATUS:{status}",
        *event_lines,
        "END:VEVENT",
        "END:VCALENDAR",
    )


def upload(client: Any, data: bytes | None, filename: str = "invite.ics") -> Any:
    """Post the file as a browser does (multipart); None is the form sent with no file."""
    fields: dict[str, Any] = {}
    if data is not None:
        fields["invitation"] = FileStorage(io.BytesIO(data), filename, content_type="text/calendar")
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, encoded = encode_multipart(fields)
    return client.post(
        "/interactions/import",
        data=encoded,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


# --- Helpers: reading the filled-in form as a browser would submit it -----------------------


class _FormReader(HTMLParser):
    """The fields of the form posting to ``action``, as a browser submits them: text and
    hidden inputs, ticked boxes, each select's chosen option (else its first), textareas."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.found_action: str | None = None
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        present = {k for k, _v in attrs}
        if tag == "form" and a.get("action") == self.action:
            self.inside, self.found_action = True, a["action"]
        if not self.inside or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in present:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in present))
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [
                v for v, _s in self._options[:1]
            ]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_fields(html: str, action: str = "/interactions/new") -> list[tuple[str, str]]:
    reader = _FormReader(action)
    reader.feed(html)
    assert reader.found_action == action, f"no form posting to {action}"
    return reader.fields


def values(html: str) -> dict[str, list[str]]:
    """Each field's submitted values, by name."""
    found: dict[str, list[str]] = {}
    for name, value in form_fields(html):
        found.setdefault(name, []).append(value)
    return found


def value(html: str, name: str) -> str:
    (only,) = values(html).get(name, [""])
    return only


def not_in_contacts(html: str) -> str:
    """The notice listing the attendees who are not among the contacts."""
    start = html.index("Not in the contacts")
    return html[start : html.index("</ul>", start)]


@pytest.fixture
def officer(users: dict[str, User]) -> User:
    return users["officer"]


@pytest.fixture
def people(users: dict[str, User]) -> dict[str, Any]:
    """Who the Outlook invitation's attendees are in the CRM: Rosa is a contact (stored in
    lower case), Ana is on the staff, and p.guest@ belongs to a confidential contact."""
    made = {
        "rosa": factories.make_contact(
            given_names="Rosa", family_name="Ibarra", emails=("rosa.ibarra@consulado.example",)
        ),
        "ana": factories.make_user(email="ana.colleague@office.example", full_name="Ana Colleague"),
        "hidden": factories.make_contact(
            given_names="Ximena",
            family_name="Sotelo",
            emails=("p.guest@vetted.example",),
            sensitivity=Sensitivity.CONFIDENTIAL,
        ),
    }
    db.session.commit()
    return made


# --- Who may import ----------------------------------------------------------------------------


def test_a_viewer_cannot_import_invitations(client, login_as):
    login_as("viewer")

    assert client.get("/interactions/import").status_code == 403
    assert upload(client, outlook_invitation()).status_code == 403


# --- An Outlook invitation fills in the form ------------------------------------------------


def test_an_outlook_invitation_fills_in_what_when_and_where(client, officer, people, login_as):
    login_as(officer)

    response = upload(client, outlook_invitation())

    html = page(response)
    assert response.status_code == 200
    assert "Filled in from the invitation" in html
    assert value(html, "subject") == "Binational border working group"
    assert value(html, "day") == "2026-12-08"
    assert value(html, "start") == "09:30"
    assert value(html, "end") == "11:00"
    assert value(html, "end_day") == ""
    assert value(html, "timezone") == "America/Los_Angeles"
    assert value(html, "location") == "Sala Juárez, Consulado General"
    assert value(html, "kind") == "meeting"
    assert value(html, "status") == "planned"
    assert "Agenda: wait times at the port of entry." in value(html, "summary")


def test_attendees_who_are_contacts_or_staff_are_ticked(client, users, officer, people, login_as):
    login_as(officer)

    html = page(upload(client, outlook_invitation()))

    fields = values(html)
    assert fields["contact_ids"] == [str(people["rosa"].id)]
    assert str(people["ana"].id) in fields["staff_ids"]
    assert str(users["admin"].id) not in fields["staff_ids"]
    assert "Rosa Ibarra" in html


def test_attendees_not_in_the_contacts_are_listed_by_name_and_address(
    client, officer, people, login_as
):
    login_as(officer)

    html = page(upload(client, outlook_invitation()))

    listed = not_in_contacts(html)
    assert "Pedro Stranger &lt;pedro@unknown.example&gt;" in listed
    assert "Laura Méndez &lt;laura.mendez@sre.example&gt;" in listed
    assert "Rosa Ibarra" not in listed
    assert "Ana Colleague" not in listed


def test_a_contact_above_the_officers_clearance_is_neither_matched_nor_revealed(
    client, officer, people, login_as
):
    login_as(officer)

    html = page(upload(client, outlook_invitation()))

    assert str(people["hidden"].id) not in values(html).get("contact_ids", [])
    assert "P. Guest &lt;p.guest@vetted.example&gt;" in not_in_contacts(html)
    assert "Ximena" not in html
    assert "Sotelo" not in html


def test_the_same_contact_is_matched_for_an_officer_cleared_to_see_them(client, people, login_as):
    cleared = factories.make_user(clearance=Sensitivity.CONFIDENTIAL)
    db.session.commit()
    login_as(cleared)

    html = page(upload(client, outlook_invitation()))

    assert str(people["hidden"].id) in values(html)["contact_ids"]
    assert "P. Guest" not in not_in_contacts(html)


def test_uploading_an_invitation_saves_nothing(client, officer, people, login_as):
    login_as(officer)
    before = row_counts()

    response = upload(client, outlook_invitation())

    assert response.status_code == 200
    assert row_counts() == before


def test_saving_the_filled_in_form_logs_the_meeting_at_the_right_instant(
    client, officer, people, login_as
):
    login_as(officer)
    html = page(upload(client, outlook_invitation()))

    saved = client.post(
        "/interactions/new", data=MultiDict([*form_fields(html), ("action", "save")])
    )

    interaction = db.session.scalars(select(Interaction)).one()
    assert redirect_target(saved) == f"/interactions/{interaction.id}"
    assert interaction.subject == "Binational border working group"
    # 9:30 Pacific Standard Time (UTC-8) is 17:30 UTC.
    assert interaction.starts_at == datetime(2026, 12, 8, 17, 30, tzinfo=UTC)
    assert interaction.ends_at == datetime(2026, 12, 8, 19, 0, tzinfo=UTC)
    assert interaction.timezone == "America/Los_Angeles"
    assert interaction.location == "Sala Juárez, Consulado General"
    assert [link.contact_id for link in interaction.contact_links] == [people["rosa"].id]
    assert people["ana"].id in [u.id for u in interaction.staff]


# --- Other invitations: Google in UTC, all day, cancelled, recurring ------------------------


def test_a_google_invitation_in_utc_is_shown_in_the_officers_own_zone(client, login_as):
    new_yorker = factories.make_user(timezone="America/New_York")
    db.session.commit()
    login_as(new_yorker)

    html = page(upload(client, google_invitation()))

    # 18:00 UTC on 10 December is 13:00 in New York (UTC-5).
    assert value(html, "timezone") == "America/New_York"
    assert value(html, "day") == "2026-12-10"
    assert value(html, "start") == "13:00"
    assert value(html, "end") == "14:00"
    assert value(html, "subject") == "Follow-up on extradition requests"
    assert value(html, "video_url") == "https://meet.google.com/abc-defg-hij"


def test_an_all_day_invitation_ticks_all_day(client, officer, login_as):
    login_as(officer)
    all_day = "DTSTART;VALUE=DATE:20261215\nDTEND;VALUE=DATE:20261216"

    html = page(upload(client, google_invitation(when=all_day)))

    assert value(html, "all_day") == "y"
    assert value(html, "day") == "2026-12-15"
    assert value(html, "start") == ""
    assert value(html, "end_day") == ""


def test_an_invitation_without_all_day_leaves_it_unticked(client, officer, login_as):
    login_as(officer)

    html = page(upload(client, google_invitation()))

    assert "all_day" not in values(html)


@pytest.mark.parametrize(
    "invitation",
    [
        outlook_invitation(method="CANCEL"),
        google_invitation(status="CANCELLED"),
    ],
    ids=["method-cancel", "status-cancelled"],
)
def test_a_cancelled_invitation_chooses_the_cancelled_status(client, officer, login_as, invitation):
    login_as(officer)

    html = page(upload(client, invitation))

    assert value(html, "status") == "cancelled"


def test_a_recurring_invitation_takes_the_first_occurrence_and_says_so(client, officer, login_as):
    login_as(officer)

    html = page(upload(client, outlook_invitation("RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=TU")))

    assert "only its first occurrence was taken" in html
    assert value(html, "day") == "2026-12-08"


def test_a_single_invitation_has_no_recurrence_note(client, officer, login_as):
    login_as(officer)

    html = page(upload(client, outlook_invitation()))

    assert "first occurrence" not in html


# --- Bad files ------------------------------------------------------------------------------


NO_EVENT = ics_file(
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Example//EN",
    "BEGIN:VTODO",
    "UID:task-1",
    "SUMMARY:Not a meeting",
    "END:VTODO",
    "END:VCALENDAR",
)
DAMAGED = outlook_invitation()[:-30]  # cut off before END:VEVENT / END:VCALENDAR
TOO_LARGE = outlook_invitation("X-PADDING:" + "x" * 1_100_000)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a calendar", "This is not an iCalendar (.ics) file."),
        (NO_EVENT, "The file holds no meeting."),
        (DAMAGED, "The iCalendar file is damaged and cannot be read."),
        (TOO_LARGE, "The file is too large for an invitation (over 1 MB)."),
        (None, "Choose an .ics file."),
    ],
    ids=["not-icalendar", "no-event", "damaged", "over-1-mb", "no-file"],
)
def test_a_bad_file_is_refused_beside_the_file_field_and_changes_nothing(
    client, officer, people, login_as, data, message
):
    login_as(officer)
    before = row_counts()

    response = upload(client, data)

    html = page(response)
    assert_error_beside(html, "invitation", message)
    assert "Filled in from the invitation" not in html
    assert row_counts() == before
