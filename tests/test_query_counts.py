"""No page runs a query per record: each main page is fetched with a small office and again
with about five times the data, and must run the same number of SQL statements both times
(and never more than a fixed bound).

A failure lists the statements that ran more often with more data: the repeated one is the
N+1, and its shape (``WHERE users.id = ?``, ``WHERE ? = contact_emails.contact_id``) names the
relationship loaded one record at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import (
    Contact,
    ContactList,
    ContactListMember,
    FollowUp,
    Interaction,
    InteractionContact,
    Organization,
    RelationshipTier,
    User,
    WorkArea,
)
from crm.services.audit import act_as
from crm.services.calendar import FeedInput, create_feed
from tests import factories
from tests.query_count import CountedQueries, count_queries, growth_report, normalized

# The small office has this many "units" of data (an organization with its people, meeting,
# follow-ups, list and feed); the large one has five times as many.
SMALL_OFFICE = 3
LARGE_OFFICE = 5 * SMALL_OFFICE
# No page may need more statements than this, however much data there is.
MAX_STATEMENTS = 40
# A word every generated organization, person and meeting carries, for searches and filters.
WORD = "Binational"


# --- The counter itself ---------------------------------------------------------------------


def test_the_counter_counts_statements_and_leaves_out_transaction_control(app: Flask) -> None:
    db.session.commit()
    with count_queries(db.engine) as queries:
        with db.session.begin_nested():  # SAVEPOINT ... RELEASE SAVEPOINT
            db.session.scalar(select(func.count()).select_from(Organization))
        db.session.commit()
    assert [normalized(s) for s in queries.statements] == [
        "SELECT count(*) AS count_1 FROM organizations"
    ]


def test_the_same_statement_with_a_longer_in_list_reads_the_same() -> None:
    assert normalized("SELECT a FROM t\nWHERE t.id IN (?, ?, ?)") == normalized(
        "SELECT a FROM t WHERE t.id IN (?)"
    )
    assert normalized("WHERE t.id IN (%(id_1_1)s::INTEGER, %(id_1_2)s::INTEGER)") == (
        "WHERE t.id IN (...)"
    )
    assert "IN (SELECT" in normalized("WHERE t.id IN (SELECT u.id FROM u)")


# --- The office: a few records every page shows, and a way to grow it ---------------------


@dataclass
class Office:
    """The records the pages are measured on. ``grow`` adds units until there are ``n``."""

    officer: User
    area: WorkArea
    tiers: list[RelationshipTier]
    # The organization every unit adds people, units and meetings to.
    big_organization: Organization
    # The person who takes part in every meeting: a long timeline.
    busy_contact: Contact
    # The meeting every unit adds participants, bodies and staff to.
    crowded_meeting: Interaction
    # The officer's own list; every unit adds its two people.
    contact_list: ContactList
    # The secret token of the officer's office-wide calendar feed (made through the page).
    feed_token: str = ""
    units: int = 0
    # What the newest unit is called: names the pages must show.
    last_names: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<Office of {self.units} units>"


def start_office(officer: User) -> Office:
    """The big organization, the busy contact, the crowded meeting and the officer's list."""
    area = db.session.scalars(select(WorkArea).order_by(WorkArea.id)).first()
    assert area is not None
    tiers = list(db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank)))
    big = factories.make_organization(
        name=f"{WORD} Commission", acronym="BC", tier=tiers[0], owner=officer, work_areas=[area]
    )
    busy = factories.make_contact(
        given_names="Marisol",
        family_name=WORD,
        emails=("marisol@commission.example",),
        phones=("+19165550000",),
        tier=tiers[0],
        owner=officer,
    )
    factories.make_affiliation(busy, big, start=date(2020, 1, 1), is_primary=True, title="Chair")
    crowded = factories.make_interaction(
        officer,
        subject=f"{WORD} summit",
        contacts=[(busy, big)],
        organizations=[big],
        staff=[officer],
        work_areas=[area],
    )
    contact_list = ContactList(owner=officer, name=f"{WORD} reception", description="")
    contact_list.memberships = [ContactListMember(contact=busy, added_by_id=officer.id)]
    db.session.add(contact_list)
    db.session.commit()
    return Office(officer, area, tiers, big, busy, crowded, contact_list)


def add_unit(office: Office, n: int) -> None:
    """One more of everything: a staff member (who owns and logs this unit's records), an
    organization that is a unit of the big one, two people with two e-mails, two phones (one
    shared: a duplicate candidate), two tags and posts, a meeting of them with the busy contact,
    places at the crowded meeting, follow-ups, list members, a list and a calendar feed."""
    now = datetime.now(UTC).replace(microsecond=0)
    today = date.today()
    officer, big, busy = office.officer, office.big_organization, office.busy_contact
    tier = office.tiers[n % len(office.tiers)]
    staff = factories.make_user(full_name=f"Staff {WORD} {n:02d}")
    act_as(db.session, staff)  # the audit log then names a different person for each unit

    organization = factories.make_organization(
        name=f"{WORD} Agency {n:02d}",
        acronym=f"BA{n:02d}",
        parent=big,
        tier=tier,
        owner=staff,
        work_areas=[office.area],
    )
    factories.tag(organization, f"Region {n:02d}", WORD)
    shared_phone = f"+1916555{n:04d}"
    people = []
    for given, second_phone in (("Ana", f"+1916556{n:04d}"), ("Luis", f"+1916557{n:04d}")):
        person = factories.make_contact(
            given_names=f"{given}{n:02d}",
            family_name=WORD,
            emails=(f"{given.lower()}{n}@agency.example", f"{given.lower()}{n}@home.example"),
            phones=(shared_phone, second_phone),
            tier=tier,
            owner=staff,
        )
        factories.tag(person, f"Desk {n:02d}", WORD)
        factories.make_affiliation(
            person, organization, start=date(2021, 1, 1), is_primary=True, title="Director"
        )
        people.append(person)
    ana, luis = people
    # The big organization: Ana works there now, Luis used to.
    factories.make_affiliation(ana, big, start=date(2022, 1, 1), title="Liaison")
    factories.make_affiliation(luis, big, start=date(2019, 1, 1), end=date(2020, 12, 31))
    # The busy contact's long career.
    factories.make_affiliation(
        busy, organization, start=date(2010, 1, 1), end=date(2011, 1, 1), title="Adviser"
    )

    # Held meetings in the recent past and planned ones ahead (all inside the feed's window).
    if n % 2:
        when, status = now + timedelta(days=n, hours=1), "planned"
    else:
        when, status = now - timedelta(days=n + 1), "held"
    meeting = factories.make_interaction(
        staff,
        subject=f"{WORD} meeting {n:02d}",
        status=status,
        starts_at=when,
        contacts=[(ana, organization), (luis, organization), (busy, big)],
        organizations=[organization, big],
        staff=[officer, staff],
        work_areas=[office.area],
    )
    crowded = office.crowded_meeting
    for person in people:
        crowded.contact_links.append(InteractionContact(contact=person, organization=organization))
    crowded.organizations.append(organization)
    crowded.staff.append(staff)

    db.session.add_all(
        [
            # The officer's own: overdue, this week, later, and one done.
            FollowUp(
                description=f"Send the minutes {n:02d}",
                due_date=today - timedelta(days=2),
                assignee=officer,
                interaction=meeting,
            ),
            FollowUp(
                description=f"Call {ana.full_name}",
                due_date=today + timedelta(days=3),
                assignee=officer,
                contact=ana,
            ),
            FollowUp(
                description=f"Visit {organization.name}",
                due_date=today + timedelta(days=30),
                assignee=officer,
                organization=organization,
            ),
            FollowUp(
                description=f"Book the room {n:02d}",
                due_date=today,
                assignee=officer,
                interaction=meeting,
                done_at=now,
            ),
            # Others', on the big organization, the busy contact and the crowded meeting.
            FollowUp(
                description=f"Brief the commission {n:02d}",
                due_date=today + timedelta(days=n),
                assignee=staff,
                organization=big,
            ),
            FollowUp(
                description=f"Thank Marisol {n:02d}",
                due_date=today + timedelta(days=n),
                assignee=staff,
                contact=busy,
            ),
            FollowUp(
                description=f"Summit logistics {n:02d}",
                due_date=today + timedelta(days=n),
                assignee=staff,
                interaction=crowded,
            ),
        ]
    )
    office.contact_list.memberships.extend(
        ContactListMember(contact=p, added_by_id=officer.id) for p in people
    )
    # A list of the staff member's own, shared with the officer.
    shared = ContactList(
        owner=staff, name=f"{WORD} roster {n:02d}", description="", shared_with=[officer]
    )
    shared.memberships = [ContactListMember(contact=p, added_by_id=staff.id) for p in people]
    db.session.add(shared)
    # One more of the officer's calendar feeds: this organization's meetings.
    create_feed(FeedInput(scope="organization", organization_name=organization.name), officer)

    act_as(db.session, None)
    db.session.commit()
    office.units = n
    office.last_names = {
        "staff": staff.full_name,
        "organization": organization.name,
        "ana": ana.full_name,
        "luis": luis.full_name,
        "meeting": meeting.subject,
        "list": shared.name,
    }


def grow(office: Office, units: int) -> None:
    for n in range(office.units + 1, units + 1):
        add_unit(office, n)


def feed_token_from(html: str) -> str:
    """The secret token in the address shown once, in the read-only ``feed-https`` input."""
    match = re.search(r'<input id="feed-https"[^>]*\bvalue="([^"]*)"', html)
    assert match, "no feed address on the page"
    token = re.search(r"/calendar/feeds/([^/.\"]+)\.ics$", unescape(match.group(1)))
    assert token, match.group(1)
    return token.group(1)


@pytest.fixture
def office(client: FlaskClient, users: dict[str, User], login_as: Callable[..., User]) -> Office:
    """The small office, with the officer's office-wide feed made through the calendar page."""
    login_as("officer")
    office = start_office(users["officer"])
    response = client.post(
        "/calendar/feeds", data={"name": "Office", "scope": "office", "include_emails": "y"}
    )
    assert response.status_code == 200, response.status_code
    office.feed_token = feed_token_from(response.get_data(as_text=True))
    grow(office, SMALL_OFFICE)
    return office


# --- The pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    url: Callable[[Office], str] = field(repr=False)
    # Something from the newest unit the large office's page must show: the measured page
    # really holds the grown data (None where the page shows a fixed-size slice of it).
    shows: Callable[[Office], str] | None = field(default=None, repr=False)
    role: str = "officer"
    # Fetched without a session, as a calendar client does.
    anonymous: bool = False


PAGES = [
    # Its lists are the eight next or most overdue: a fixed-size slice of the data.
    Page("dashboard", lambda o: "/"),
    Page(
        "organizations",
        lambda o: "/organizations/",
        shows=lambda o: o.last_names["organization"],
    ),
    # Page 2 holds one organization in the small office and three in the large one.
    Page(
        "organizations_page_2",
        lambda o: "/organizations/?page=2&per_page=3",
    ),
    Page(
        "organization_with_many_people_and_meetings",
        lambda o: f"/organizations/{o.big_organization.id}",
        shows=lambda o: o.last_names["ana"],
    ),
    Page(
        "organization_with_its_units_meetings",
        lambda o: f"/organizations/{o.big_organization.id}?units=1",
        shows=lambda o: o.last_names["meeting"],
    ),
    Page("contacts", lambda o: "/contacts/", shows=lambda o: f"{WORD}, Ana{o.units:02d}"),
    Page(
        "contacts_at_an_organization",
        lambda o: f"/contacts/?organization={o.big_organization.id}",
        shows=lambda o: f"{WORD}, Ana{o.units:02d}",
    ),
    Page(
        "contacts_by_word_tag_and_tier",
        lambda o: f"/contacts/?q={WORD.lower()}&tag={WORD}&tier={o.tiers[0].id}&sort=name",
        shows=lambda o: f"{WORD}, Ana{o.units:02d}",  # units 3, 6, ... 15 are in tier 1
    ),
    Page(
        "contact_with_a_long_timeline",
        lambda o: f"/contacts/{o.busy_contact.id}",
        shows=lambda o: o.last_names["meeting"],
    ),
    Page("interactions", lambda o: "/interactions/", shows=lambda o: o.last_names["meeting"]),
    Page(
        "interaction_with_many_participants",
        lambda o: f"/interactions/{o.crowded_meeting.id}",
        shows=lambda o: o.last_names["luis"],
    ),
    Page("going_cold", lambda o: "/going-cold", shows=lambda o: o.last_names["organization"]),
    Page("my_follow_ups", lambda o: "/follow-ups/", shows=lambda o: o.last_names["meeting"]),
    Page("lists", lambda o: "/lists/", shows=lambda o: o.last_names["list"]),
    Page(
        "list_with_many_members",
        lambda o: f"/lists/{o.contact_list.id}",
        shows=lambda o: f"{WORD}, Ana{o.units:02d}",
    ),
    Page(
        "search",
        lambda o: f"/search/?q={WORD.lower()}",
        # The best five of each type, and (past five) a link to all of that type.
        shows=lambda o: "type=interaction",
    ),
    Page(
        "search_one_type",
        lambda o: f"/search/?q={WORD.lower()}&type=interaction",
        shows=lambda o: o.last_names["meeting"],
    ),
    Page("search_suggestions", lambda o: f"/search/suggest?q={WORD.lower()}"),
    Page("duplicates", lambda o: "/duplicates/", shows=lambda o: o.last_names["ana"]),
    Page("calendar_feeds", lambda o: "/calendar/", shows=lambda o: o.last_names["organization"]),
    Page(
        "calendar_feed_fetch",
        lambda o: f"/calendar/feeds/{o.feed_token}.ics",
        shows=lambda o: o.last_names["meeting"],
        anonymous=True,
    ),
    Page(
        "contacts_csv_export",
        lambda o: "/exports/contacts?format=csv",
        shows=lambda o: f"ana{o.units}@agency.example",
    ),
    # The newest events are the newest unit's, each naming its staff member as the actor.
    Page(
        "audit_log", lambda o: "/admin/audit", shows=lambda o: o.last_names["staff"], role="admin"
    ),
]


def fetch(app: Flask, client: FlaskClient, page: Page, office: Office) -> tuple[int, str]:
    chosen = app.test_client() if page.anonymous else client
    response = chosen.get(page.url(office))
    # A streamed body (the CSV export) is read here, inside the counting block.
    return response.status_code, response.get_data(as_text=True)


def measure(
    app: Flask, client: FlaskClient, page: Page, office: Office
) -> tuple[CountedQueries, str]:
    """The statements one GET of the page runs, and its body. The page is fetched once first,
    so one-off writes (a feed records its first fetch of the hour) are not counted: both
    measurements are of the same, steady, request."""
    status, _body = fetch(app, client, page, office)
    assert status == 200, f"{page.name}: {status}"
    db.session.commit()  # nothing the test arranged is flushed inside the counting block
    with count_queries(db.engine) as queries:
        status, body = fetch(app, client, page, office)
    assert status == 200, f"{page.name}: {status}"
    return queries, body


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_the_page_runs_no_more_queries_with_five_times_the_data(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., User],
    office: Office,
    page: Page,
) -> None:
    login_as(page.role)
    few, _small_body = measure(app, client, page, office)
    grow(office, LARGE_OFFICE)
    many, body = measure(app, client, page, office)

    if page.shows is not None:
        assert page.shows(office) in unescape(body), f"{page.name} does not show the new data"
    # No allowance, not even +1: every page that is free of N+1 runs exactly as many statements
    # with five times the data (the counts stay equal on SQLite and PostgreSQL alike).
    assert many.count <= few.count, f"{page.name}: " + growth_report(few, many)
    assert many.count <= MAX_STATEMENTS, f"{page.name}: " + many.report()
