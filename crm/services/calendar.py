"""Calendar feeds and single-meeting downloads: which interactions a calendar shows, as what.

A feed is fetched by a calendar client with no session: it shows exactly what its owner may
see at the moment of the fetch (the visibility gate), so a user who loses clearance or is
deactivated stops leaking through an old subscription.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    false,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy import update as sql_update
from sqlalchemy.orm import contains_eager, selectinload

from crm.extensions import db
from crm.formats import ics
from crm.models import (
    Affiliation,
    AuditEvent,
    CalendarFeed,
    Contact,
    ContactEmail,
    FeedScope,
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionStatus,
    Organization,
    Sensitivity,
    User,
    WorkArea,
    interaction_organizations,
    interaction_staff,
    interaction_work_areas,
)
from crm.services import records
from crm.services.contacts import current_post_clause
from crm.services.errors import RecordNotFound, parse_id
from crm.services.normalize import clean
from crm.services.organizations import find_by_name
from crm.services.visibility import can_see, visibility_clause, visible

# 256 bits; only the SHA-256 of the token is stored.
TOKEN_BYTES = 32
# A fetch is recorded at most this often, so polling does not write on every request.
FETCH_RECORD_INTERVAL = timedelta(hours=1)
# However quiet the office, a client gets a fresh copy at least this often.
REVALIDATE_INTERVAL = timedelta(hours=1)
# Where a person has no e-mail, the attendee is named by a stable URN instead.
_CONTACT_NAMESPACE = uuid.UUID("0b8f5c1e-61a5-4d0e-9a52-3f6c2d1e7a40")
_STAFF_NAMESPACE = uuid.UUID("5d7e9a0c-2b4f-4c8e-8f31-7a6b5c4d3e21")

RecordUrl = Callable[[int], str]


@dataclass(frozen=True)
class FeedWindow:
    """Which interactions a feed carries, counted in days from today."""

    past_days: int = 90
    future_days: int = 365
    # How long a cancelled meeting stays (as STATUS:CANCELLED) so clients remove it.
    cancelled_days: int = 30
    refresh: timedelta = timedelta(minutes=30)


# --- Feeds: create, rename, rotate, revoke ---------------------------------------------


@dataclass
class FeedInput:
    name: str = ""
    scope: str = FeedScope.MINE.value
    organization_name: str = ""
    work_area_id: int | None = None
    busy_only: bool = False
    include_emails: bool = True


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def _default_name(
    scope: FeedScope, organization: Organization | None, area: WorkArea | None
) -> str:
    if scope is FeedScope.ORGANIZATION and organization is not None:
        return _("Meetings with %(name)s", name=organization.name)
    if scope is FeedScope.WORK_AREA and area is not None:
        return _("%(name)s meetings", name=area.name)
    if scope is FeedScope.OFFICE:
        return _("Office liaison meetings")
    return _("My liaison meetings")


def _validate_feed(data: FeedInput, actor: User) -> dict[str, object]:
    errors: dict[str, str] = {}
    try:
        scope = FeedScope(data.scope)
    except ValueError:
        errors["scope"] = _("Choose what the feed shows.")
        scope = FeedScope.MINE
    organization = area = None
    if scope is FeedScope.ORGANIZATION:
        if not clean(data.organization_name):
            errors["organization_name"] = _("Enter the organization.")
        else:
            organization = find_by_name(data.organization_name, actor)
            if organization is None:
                errors["organization_name"] = _("No organization with this name was found.")
    if scope is FeedScope.WORK_AREA:
        area = db.session.get(WorkArea, data.work_area_id) if data.work_area_id else None
        if area is None:
            errors["work_area_id"] = _("Choose a work area from the list.")
    name = clean(data.name)
    if len(name) > 120:
        errors["name"] = _("Use at most 120 characters.")
    records.raise_if(errors)
    return {
        "name": name or _default_name(scope, organization, area),
        "scope": scope.value,
        "organization": organization,
        "work_area": area,
        "busy_only": bool(data.busy_only),
        "include_emails": bool(data.include_emails) and not data.busy_only,
    }


def create_feed(data: FeedInput, actor: User) -> tuple[CalendarFeed, str]:
    """A new feed and its secret token, which is shown once and never stored."""
    if not actor.active:
        raise RecordNotFound()
    values = _validate_feed(data, actor)
    token, token_hash = _new_token()
    feed = CalendarFeed(user=actor, token_hash=token_hash, **values)
    db.session.add(feed)
    db.session.flush()
    return feed, token


def update_feed(feed: CalendarFeed, data: FeedInput, actor: User) -> CalendarFeed:
    values = _validate_feed(data, actor)
    for key, value in values.items():
        setattr(feed, key, value)
    db.session.flush()
    return feed


def rotate_token(feed: CalendarFeed) -> str:
    """A new secret address; the old one answers 404 from now on."""
    token, feed.token_hash = _new_token()
    db.session.flush()
    return token


def revoke_feed(feed: CalendarFeed) -> None:
    feed.revoked_at = datetime.now(UTC)
    db.session.flush()


def feeds_of(user: User) -> list[CalendarFeed]:
    return list(
        db.session.scalars(
            select(CalendarFeed)
            .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
            .options(selectinload(CalendarFeed.organization), selectinload(CalendarFeed.work_area))
            .order_by(CalendarFeed.created_at, CalendarFeed.id)
        )
    )


def feed_organization_name(feed: CalendarFeed, viewer: User) -> str:
    """The name of a feed's organization, only while the viewer may still see it."""
    organization = feed.organization
    return organization.name if organization is not None and can_see(organization, viewer) else ""


def get_own_feed(feed_id: object, user: User) -> CalendarFeed:
    """One of the user's live feeds; anyone else's is "not found"."""
    feed = db.session.get(CalendarFeed, parse_id(feed_id))
    if feed is None or feed.user_id != user.id or feed.revoked_at is not None:
        raise RecordNotFound()
    return feed


def feed_by_token(token: str, window: FeedWindow, now: datetime) -> PolledFeed | None:
    """The live feed of an active user with this token, with its version, or None (revoked,
    unknown): one statement, as a calendar client polls often and mostly hears "unchanged".
    The feed itself is loaded only to be built (``polled_feed``)."""
    if not token or len(token) > 200:
        return None
    token_hash = hash_token(token)
    # A read alone needs no transaction: PostgreSQL is asked for the read, not also to begin
    # and to commit one.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_polled_feed_statement(), {"token_hash": token_hash}).first()
    if row is None:
        return None
    return PolledFeed(row.id, token_hash, row.last_fetched_at, feed_version(row, window, now))


@cache
def _polled_feed_statement() -> Select[Any]:
    """What a poll reads of the live feed with a token's hash (a parameter) and of its owner,
    beside what its version depends on: built once, as composing it took longer than
    running it, and read as plain columns, as loading the feed and its owner did too."""
    return _live_feeds(
        CalendarFeed.id,
        CalendarFeed.updated_at,
        CalendarFeed.last_fetched_at,
        User.clearance,
        User.role,
        User.active,
        *_newest_changes(),
    ).where(CalendarFeed.token_hash == bindparam("token_hash"))


def _live_feeds(*columns: Any) -> Select[Any]:
    """``columns`` of the feeds that are not revoked and whose owner is active, joined to
    their owner."""
    return (
        select(*columns)
        .join(User, CalendarFeed.user_id == User.id)
        .where(CalendarFeed.revoked_at.is_(None), User.active)
    )


def polled_feed(polled: PolledFeed) -> CalendarFeed | None:
    """The polled feed with its owner, to be built; None if it was revoked, or its owner
    deactivated, since the poll."""
    return db.session.execute(
        _live_feeds(CalendarFeed)
        .options(contains_eager(CalendarFeed.user))
        .where(CalendarFeed.id == polled.feed_id)
    ).scalar_one_or_none()


def record_fetch(polled: PolledFeed, now: datetime) -> None:
    """Note when a client last fetched the feed, at most once an hour, leaving its version."""
    last = polled.last_fetched_at
    if last is not None and now - last < FETCH_RECORD_INTERVAL:
        return
    # Committed on its own: a poll has nothing else to write.
    with db.engine.begin() as connection:
        connection.execute(
            sql_update(CalendarFeed)
            .where(CalendarFeed.id == polled.feed_id)
            .values(last_fetched_at=now, updated_at=CalendarFeed.updated_at)
        )


# --- What changed: answering a poll without building the feed --------------------------


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime


@dataclass(frozen=True)
class PolledFeed:
    """What answering a poll takes: the feed's id and token hash, when a client last fetched
    it, and its version."""

    feed_id: int
    token_hash: str
    last_fetched_at: datetime | None
    version: FeedVersion


def _newest_changes() -> tuple[Any, ...]:
    """The newest audit event (its id and time) and the newest change to staff accounts and
    work areas, as columns to read beside the feed."""
    return (
        select(func.max(AuditEvent.id)).scalar_subquery().label("newest_event_id"),
        select(func.max(AuditEvent.occurred_at)).scalar_subquery().label("newest_event_at"),
        select(func.max(User.updated_at)).scalar_subquery().label("newest_user_change"),
        select(func.max(WorkArea.updated_at)).scalar_subquery().label("newest_work_area_change"),
    )


def feed_version(row: Row[Any], window: FeedWindow, now: datetime) -> FeedVersion:
    """A version that changes whenever the feed's content may have changed.

    Every change to a record leaves an audit event, so the newest event, the newest change to
    staff accounts and work areas (read with the feed, see ``_polled_feed_statement``), the
    feed's own settings, its owner's clearance and the day (the window moves) determine the
    content. The hour is included too, which bounds how long a change committed out of order
    could go unseen.
    """
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    newest = (
        row.newest_event_id,
        row.newest_event_at,
        row.newest_user_change,
        row.newest_work_area_change,
    )
    key = "|".join(
        str(part)
        for part in (
            *newest,
            row.id,
            row.updated_at.isoformat(),
            row.clearance.code,
            row.role,
            row.active,
            hour.isoformat(),
            window,
        )
    )
    moments = [hour, row.updated_at, *(m for m in newest[1:] if isinstance(m, datetime))]
    return FeedVersion(
        etag=hashlib.sha256(key.encode()).hexdigest()[:32],
        last_modified=max(m.astimezone(UTC) for m in moments).replace(microsecond=0),
    )


class BuiltFeeds:
    """The last few feeds built, by feed and version: a client that does not send
    If-None-Match, or a second client of the same feed, gets the same bytes without a
    rebuild. The version changes with any change the feed could show, so nothing stale is
    served; each server process keeps its own."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def put(self, key: tuple[object, ...], body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


built_feeds = BuiltFeeds()


# --- Building events --------------------------------------------------------------------


def _scope_clause(feed: CalendarFeed, owner: User, today: date) -> ColumnElement[bool]:
    scope = FeedScope(feed.scope)
    if scope is FeedScope.MINE:
        return or_(
            Interaction.owner_id == owner.id,
            Interaction.staff.any(User.id == owner.id),
        )
    if scope is FeedScope.ORGANIZATION:
        organization = feed.organization
        if organization is None or not can_see(organization, owner):
            return false()
        people = select(Affiliation.contact_id).where(
            Affiliation.organization_id == organization.id, current_post_clause(today)
        )
        return or_(
            Interaction.organizations.any(Organization.id == organization.id),
            Interaction.contact_links.any(
                or_(
                    InteractionContact.organization_id == organization.id,
                    InteractionContact.contact_id.in_(people),
                )
            ),
        )
    if scope is FeedScope.WORK_AREA:
        return Interaction.work_areas.any(WorkArea.id == feed.work_area_id)
    return true()


def _window_clause(window: FeedWindow, now: datetime) -> ColumnElement[bool]:
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return and_(
        Interaction.kind != InteractionKind.EMAIL.value,
        Interaction.starts_at >= today - timedelta(days=window.past_days),
        Interaction.starts_at < today + timedelta(days=window.future_days + 1),
        or_(
            Interaction.status != InteractionStatus.CANCELLED.value,
            Interaction.cancelled_at >= today - timedelta(days=window.cancelled_days),
        ),
    )


@dataclass
class _Participants:
    contacts: list[tuple[str, str, str, int]]  # name, e-mail, represented organization, id
    organizations: list[str]
    staff: list[tuple[str, str, int]]  # name, e-mail, id
    work_areas: list[str]


def _participants(ids_query: ColumnElement) -> dict[int, _Participants]:
    """Everyone and everything in the chosen interactions, in one query."""
    primary_email = (
        select(ContactEmail.address)
        .where(ContactEmail.contact_id == Contact.id)
        .order_by(ContactEmail.position)
        .limit(1)
        .scalar_subquery()
    )
    contact_name = func.trim(
        Contact.honorific
        + " "
        + Contact.given_names
        + " "
        + Contact.family_name
        + " "
        + Contact.second_family_name
    )
    contacts = (
        select(
            InteractionContact.interaction_id,
            literal("c"),
            Contact.id,
            contact_name,
            primary_email,
            Organization.name,
        )
        .join(Contact, InteractionContact.contact_id == Contact.id)
        .outerjoin(Organization, InteractionContact.organization_id == Organization.id)
        .where(InteractionContact.interaction_id.in_(ids_query), Contact.deleted_at.is_(None))
    )
    organizations = (
        select(
            interaction_organizations.c.interaction_id,
            literal("o"),
            Organization.id,
            Organization.name,
            literal(""),
            literal(""),
        )
        .join(Organization, interaction_organizations.c.organization_id == Organization.id)
        .where(
            interaction_organizations.c.interaction_id.in_(ids_query),
            Organization.deleted_at.is_(None),
        )
    )
    staff = (
        select(
            interaction_staff.c.interaction_id,
            literal("s"),
            User.id,
            User.full_name,
            User.email,
            literal(""),
        )
        .join(User, interaction_staff.c.user_id == User.id)
        .where(interaction_staff.c.interaction_id.in_(ids_query))
    )
    areas = (
        select(
            interaction_work_areas.c.interaction_id,
            literal("w"),
            WorkArea.id,
            WorkArea.name,
            literal(""),
            literal(""),
        )
        .join(WorkArea, interaction_work_areas.c.work_area_id == WorkArea.id)
        .where(interaction_work_areas.c.interaction_id.in_(ids_query))
    )
    found: dict[int, _Participants] = defaultdict(lambda: _Participants([], [], [], []))
    rows = db.session.execute(union_all(contacts, organizations, staff, areas)).all()
    for interaction_id, kind, ref_id, name, email, extra in sorted(
        rows, key=lambda r: (r[1], " ".join(str(r[3]).split()).casefold(), r[2])
    ):
        entry = found[interaction_id]
        name = " ".join(str(name).split())
        if kind == "c":
            entry.contacts.append((name, email or "", extra or "", ref_id))
        elif kind == "o":
            entry.organizations.append(name)
        elif kind == "s":
            entry.staff.append((name, email or "", ref_id))
        else:
            entry.work_areas.append(name)
    return found


def _description(summary: str, people: _Participants | None, link: str) -> str:
    parts = [summary.strip()] if summary.strip() else []
    if people is not None:
        lines = [
            f"• {name} ({organization})" if organization else f"• {name}"
            for name, _email, organization, _id in people.contacts
        ]
        lines += [f"• {name} ({_('office staff')})" for name, _email, _id in people.staff]
        if lines:
            parts.append(_("Participants:") + "\n" + "\n".join(lines))
        if people.organizations:
            parts.append(_("Organizations:") + " " + "; ".join(people.organizations))
    parts.append(_("Record: %(link)s", link=link))
    return "\n\n".join(parts)


def _person(name: str, email: str, namespace: uuid.UUID, ref_id: int, emails: bool) -> ics.Person:
    if emails and email:
        return ics.Person(name=name, email=email)
    return ics.Person(name=name, address=f"urn:uuid:{uuid.uuid5(namespace, str(ref_id))}")


@dataclass(frozen=True)
class _Row:
    id: int
    uid: str
    subject: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    all_day: bool
    status: str
    location: str
    video_url: str
    summary: str
    sensitivity: Sensitivity
    sequence: int
    created_at: datetime
    updated_at: datetime
    owner_id: int | None
    owner_name: str | None
    owner_email: str | None


_ROW_COLUMNS = (
    Interaction.id,
    Interaction.uid,
    Interaction.subject,
    Interaction.starts_at,
    Interaction.ends_at,
    Interaction.timezone,
    Interaction.all_day,
    Interaction.status,
    Interaction.location,
    Interaction.video_url,
    Interaction.summary,
    Interaction.sensitivity,
    Interaction.sequence,
    Interaction.created_at,
    Interaction.updated_at,
    Interaction.owner_id,
    User.full_name,
    User.email,
)


def _event(
    row: _Row, people: _Participants | None, record_url: RecordUrl, include_emails: bool
) -> ics.CalendarEvent:
    link = record_url(row.id)
    organizer = None
    if row.owner_id is not None and row.owner_name:
        organizer = _person(
            row.owner_name, row.owner_email or "", _STAFF_NAMESPACE, row.owner_id, include_emails
        )
    attendees: list[ics.Person] = []
    if people is not None:
        attendees += [
            _person(name, email, _CONTACT_NAMESPACE, ref_id, include_emails)
            for name, email, _org, ref_id in people.contacts
        ]
        attendees += [
            _person(name, email, _STAFF_NAMESPACE, ref_id, include_emails)
            for name, email, ref_id in people.staff
        ]
    return ics.CalendarEvent(
        uid=row.uid,
        summary=row.subject,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        timezone=row.timezone,
        all_day=row.all_day,
        last_modified=row.updated_at,
        created=row.created_at,
        sequence=row.sequence,
        status=ics.CANCELLED if row.status == InteractionStatus.CANCELLED.value else ics.CONFIRMED,
        location=row.location,
        video_url=row.video_url,
        description=_description(row.summary, people, link),
        url=link,
        categories=tuple(people.work_areas) if people is not None else (),
        organizer=organizer,
        attendees=tuple(attendees),
        classification="PRIVATE" if row.sensitivity >= Sensitivity.CONFIDENTIAL else "PUBLIC",
    )


def _events(
    conditions: Iterable[ColumnElement[bool]],
    record_url: RecordUrl,
    *,
    busy_only: bool = False,
    include_emails: bool = True,
) -> list[ics.CalendarEvent]:
    conditions = list(conditions)
    rows = [
        _Row(*row)
        for row in db.session.execute(
            select(*_ROW_COLUMNS)
            .outerjoin(User, Interaction.owner_id == User.id)
            .where(*conditions)
            .order_by(Interaction.starts_at, Interaction.id)
        )
    ]
    if busy_only:
        busy = _("Busy")
        return [ics.busy_block(_event(row, None, record_url, False), busy) for row in rows]
    people = _participants(select(Interaction.id).where(*conditions)) if rows else {}
    return [_event(row, people.get(row.id), record_url, include_emails) for row in rows]


def feed_events(
    feed: CalendarFeed, window: FeedWindow, now: datetime, record_url: RecordUrl
) -> list[ics.CalendarEvent]:
    """The feed's events as its owner may see them now: two queries, whatever the count."""
    owner = feed.user
    today = now.astimezone(ZoneInfo(owner.timezone)).date()
    return _events(
        (
            visibility_clause(Interaction, owner),
            _window_clause(window, now),
            _scope_clause(feed, owner, today),
        ),
        record_url,
        busy_only=feed.busy_only,
        include_emails=feed.include_emails,
    )


def feed_calendar(
    feed: CalendarFeed, window: FeedWindow, now: datetime, record_url: RecordUrl, url: str = ""
) -> bytes:
    info = ics.CalendarInfo(
        name=f"{feed.name} · Liaison CRM",
        description=_("Liaison meetings from Liaison CRM: %(scope)s", scope=feed.scope_label),
        refresh=window.refresh,
        url=url,
    )
    return ics.calendar_bytes(info, feed_events(feed, window, now, record_url))


def interaction_calendar(interaction: Interaction, viewer: User, record_url: RecordUrl) -> bytes:
    """One meeting as an .ics file to import (the same event a feed carries)."""
    events = _events(
        (Interaction.id == interaction.id, visibility_clause(Interaction, viewer)), record_url
    )
    if not events:
        raise RecordNotFound()
    return ics.calendar_bytes(ics.CalendarInfo(name=interaction.subject), events)


# --- Invitations in -----------------------------------------------------------------------


@dataclass
class InvitationMatch:
    invitation: ics.Invitation
    timezone: str
    contact_ids: list[int]
    staff_ids: list[int]
    # Attendees who are neither a visible contact nor a staff member, by e-mail.
    unknown: list[ics.Person]


def match_invitation(invitation: ics.Invitation, viewer: User) -> InvitationMatch:
    """Attendees matched to the contacts the viewer may see and to staff, by e-mail."""
    people = list(invitation.attendees)
    if invitation.organizer is not None:
        people.insert(0, invitation.organizer)
    emails = {p.email.casefold() for p in people if p.email}
    staff = {
        u.email.casefold(): u.id
        for u in db.session.scalars(
            select(User).where(func.lower(User.email).in_(emails), User.active)
        )
    }
    contacts: dict[str, int] = {}
    if emails:
        stmt = (
            visible(Contact, viewer)
            .join(ContactEmail, ContactEmail.contact_id == Contact.id)
            .where(func.lower(ContactEmail.address).in_(emails - staff.keys()))
            .add_columns(ContactEmail.address)
            .order_by(Contact.id)
        )
        for contact, address in db.session.execute(stmt):
            contacts.setdefault(address.casefold(), contact.id)
    contact_ids: list[int] = []
    staff_ids: list[int] = []
    unknown: list[ics.Person] = []
    for person in people:
        key = person.email.casefold()
        if key in staff:
            if staff[key] not in staff_ids:
                staff_ids.append(staff[key])
        elif key in contacts:
            if contacts[key] not in contact_ids:
                contact_ids.append(contacts[key])
        elif person not in unknown:
            unknown.append(person)
    return InvitationMatch(
        invitation=invitation,
        timezone=invitation.timezone
        if invitation.timezone not in (None, "UTC")
        else viewer.timezone,
        contact_ids=contact_ids,
        staff_ids=staff_ids,
        unknown=unknown,
    )
