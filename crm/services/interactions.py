"""Interactions: logging meetings, calls and e-mails at their real local time and zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import or_, select, union
from sqlalchemy.orm import load_only, selectinload

from crm.extensions import db
from crm.formats.records import PersonName
from crm.models import (
    Affiliation,
    Contact,
    Interaction,
    InteractionContact,
    InteractionKind,
    InteractionStatus,
    Organization,
    Sensitivity,
    User,
    WorkArea,
    interaction_organizations,
)
from crm.services import records
from crm.services.contacts import current_post_clause
from crm.services.normalize import clean, time_zones
from crm.services.organizations import find_by_name
from crm.services.pagination import Page, paginate
from crm.services.visibility import get_visible, visibility_clause, visible


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped in that zone (clocks jump forward)."""


def to_instant(day: date, clock: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time in an IANA zone.

    A time skipped by a daylight-saving jump raises NonexistentLocalTime; a time that occurs
    twice (clocks fall back) is read as the first occurrence.
    """
    zone = ZoneInfo(zone_name)
    local = datetime.combine(day, clock, zone)
    back = local.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise NonexistentLocalTime(f"{local.replace(tzinfo=None)} does not exist in {zone_name}")
    return local.astimezone(UTC)


def local_time(instant: datetime, zone_name: str) -> datetime:
    """An instant as the wall clock in ``zone_name`` shows it."""
    return instant.astimezone(ZoneInfo(zone_name))


def last_day(interaction: Interaction) -> date:
    """The last local day a whole-day item covers (its end is the midnight after it)."""
    end = interaction.ends_at or interaction.starts_at
    return (local_time(end, interaction.timezone) - timedelta(days=1)).date()


@dataclass
class ParticipantInput:
    contact_id: int
    # The organization the contact represented at this interaction, if any.
    organization_id: int | None = None


@dataclass
class InteractionInput:
    subject: str
    day: date | None
    start: time | None
    timezone: str
    end: time | None = None
    # For an interaction that ends on another day (a conference).
    end_day: date | None = None
    # A whole-day item: the times are ignored; it runs from ``day`` through ``end_day``.
    all_day: bool = False
    kind: str = InteractionKind.MEETING.value
    status: str = InteractionStatus.PLANNED.value
    location: str = ""
    video_url: str = ""
    summary: str = ""
    outcome: str = ""
    sensitivity: str = "official"
    contacts: list[ParticipantInput] = field(default_factory=list)
    organization_ids: list[int] = field(default_factory=list)
    # Organizations typed by name (type-ahead or plain text); resolved through the gate.
    organization_names: list[str] = field(default_factory=list)
    staff_ids: list[int] = field(default_factory=list)
    work_area_ids: list[int] = field(default_factory=list)


def _times(data: InteractionInput, errors: dict[str, str]) -> tuple[datetime | None, ...]:
    if data.timezone not in time_zones():
        errors["timezone"] = _("Choose a time zone from the list.")
        return None, None
    if data.all_day:
        return _day_span(data, errors)
    if data.day is None or data.start is None:
        errors["start" if data.day else "day"] = _("Enter the date and start time.")
        return None, None
    try:
        starts_at = to_instant(data.day, data.start, data.timezone)
    except NonexistentLocalTime:
        errors["start"] = _(
            "This time does not exist in %(zone)s: the clocks jump forward that night.",
            zone=data.timezone,
        )
        return None, None
    if data.end is None:
        return starts_at, None
    try:
        ends_at = to_instant(data.end_day or data.day, data.end, data.timezone)
    except NonexistentLocalTime:
        errors["end"] = _(
            "This time does not exist in %(zone)s: the clocks jump forward that night.",
            zone=data.timezone,
        )
        return starts_at, None
    if ends_at <= starts_at:
        errors["end"] = _("The end must be after the start.")
    return starts_at, ends_at


def _day_span(data: InteractionInput, errors: dict[str, str]) -> tuple[datetime | None, ...]:
    """A whole-day item runs from local midnight to the midnight after its last day."""
    if data.day is None:
        errors["day"] = _("Enter the date.")
        return None, None
    last_day = data.end_day or data.day
    if last_day < data.day:
        errors["end_day"] = _("The last day cannot be before the first.")
        return None, None
    zone = ZoneInfo(data.timezone)
    starts_at = datetime.combine(data.day, time(), zone).astimezone(UTC)
    ends_at = datetime.combine(last_day + timedelta(days=1), time(), zone).astimezone(UTC)
    return starts_at, ends_at


def _visible_by_id(model: type, ids: list[int], viewer: User) -> list:
    wanted = set(ids)
    if not wanted:
        return []
    found = list(db.session.scalars(visible(model, viewer).where(model.id.in_(wanted))))
    return found if len(found) == len(wanted) else []


def _validate(data: InteractionInput, actor: User) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "subject": clean(data.subject),
        "location": clean(data.location),
        "video_url": clean(data.video_url),
        "summary": (data.summary or "").strip(),
        "outcome": (data.outcome or "").strip(),
        "timezone": data.timezone,
        "all_day": bool(data.all_day),
    }
    if not values["subject"]:
        errors["subject"] = _("Enter a subject.")
    if data.kind not in InteractionKind.__members__.values():
        errors["kind"] = _("Choose a kind of interaction.")
    if data.status not in InteractionStatus.__members__.values():
        errors["status"] = _("Choose a status.")
    values.update(kind=data.kind, status=data.status)
    video = str(values["video_url"])
    if video and not video.startswith(("https://", "http://")):
        errors["video_url"] = _("Enter a full link starting with https://.")
    values["starts_at"], values["ends_at"] = _times(data, errors)
    starts_at = values["starts_at"]
    if (
        data.status == InteractionStatus.HELD.value
        and isinstance(starts_at, datetime)
        and starts_at > datetime.now(UTC)
    ):
        # It would count as the last contact before it happened, hiding a cold relationship.
        errors["status"] = _("It has not started yet: keep it planned until it is held.")
    try:
        level = Sensitivity.from_code(data.sensitivity)
    except KeyError:
        errors["sensitivity"] = _("Choose a sensitivity level.")
    else:
        if level > actor.clearance:
            errors["sensitivity"] = _(
                "You cannot mark a record above your own clearance (%(level)s).",
                level=actor.clearance.label,
            )
        values["sensitivity"] = level

    # Participants must exist and be visible to the actor: otherwise "not found", never why.
    contact_ids = [p.contact_id for p in data.contacts]
    contacts = {c.id: c for c in _visible_by_id(Contact, contact_ids, actor)}
    represented_ids = [p.organization_id for p in data.contacts if p.organization_id]
    represented = {o.id: o for o in _visible_by_id(Organization, represented_ids, actor)}
    if len(contacts) != len(set(contact_ids)) or len(represented) != len(set(represented_ids)):
        errors["contacts"] = _("A participant was not found.")
    organizations = _visible_by_id(Organization, data.organization_ids, actor)
    if len(organizations) != len(set(data.organization_ids)):
        errors["organization_ids"] = _("An organization was not found.")
    for index, name in enumerate(data.organization_names):
        if not clean(name):
            continue
        organization = find_by_name(name, actor)
        if organization is None:
            errors[f"organization_names-{index}"] = _("No organization with this name was found.")
        elif organization not in organizations:
            organizations.append(organization)
    staff = list(
        db.session.scalars(select(User).where(User.id.in_(set(data.staff_ids)), User.active))
    )
    if len(staff) != len(set(data.staff_ids)):
        errors["staff_ids"] = _("Choose active staff members.")
    work_areas = list(
        db.session.scalars(select(WorkArea).where(WorkArea.id.in_(set(data.work_area_ids))))
    )
    if len(work_areas) != len(set(data.work_area_ids)):
        errors["work_area_ids"] = _("Choose work areas from the list.")
    records.raise_if(errors)
    values["contact_links"] = [
        InteractionContact(
            contact=contacts[p.contact_id],
            organization=represented.get(p.organization_id) if p.organization_id else None,
        )
        for p in {p.contact_id: p for p in data.contacts}.values()
    ]
    values.update(organizations=organizations, staff=staff, work_areas=work_areas)
    return values


# Changes to these make calendar clients replace their copy (iCalendar SEQUENCE).
SCHEDULE_FIELDS = (
    "starts_at",
    "ends_at",
    "timezone",
    "all_day",
    "location",
    "video_url",
    "status",
)


def create_interaction(data: InteractionInput, actor: User) -> Interaction:
    records.require_editor(actor)
    values = _validate(data, actor)
    interaction = Interaction(owner=actor, **values)
    if interaction.status == InteractionStatus.CANCELLED.value:
        interaction.cancelled_at = datetime.now(UTC)
    db.session.add(interaction)
    db.session.flush()
    return interaction


def update_interaction(
    interaction: Interaction, data: InteractionInput, actor: User
) -> Interaction:
    records.require_editor(actor)
    values = _validate(data, actor)
    rescheduled = any(getattr(interaction, f) != values[f] for f in SCHEDULE_FIELDS)
    with db.session.no_autoflush:
        interaction.contact_links = _keep_links(interaction, values.pop("contact_links"))  # type: ignore[arg-type]
        for key, value in values.items():
            setattr(interaction, key, value)
        if rescheduled:
            interaction.sequence += 1
        if interaction.status != InteractionStatus.CANCELLED.value:
            interaction.cancelled_at = None
        elif interaction.cancelled_at is None:
            interaction.cancelled_at = datetime.now(UTC)
    db.session.flush()
    return interaction


def _keep_links(
    interaction: Interaction, wanted: list[InteractionContact]
) -> list[InteractionContact]:
    """Reuse the rows of contacts who stay, so the primary key is not inserted twice."""
    existing = {link.contact_id: link for link in interaction.contact_links}
    kept = []
    for link in wanted:
        row = existing.get(link.contact.id)
        if row is None:
            kept.append(link)
        else:
            row.organization = link.organization
            kept.append(row)
    return kept


def get_interaction(interaction_id: object, viewer: User) -> Interaction:
    return get_visible(Interaction, interaction_id, viewer)


def interaction_detail(interaction_id: object, viewer: User) -> Interaction:
    """One interaction with everyone in it loaded, in a fixed number of queries."""
    return get_visible(
        Interaction,
        interaction_id,
        viewer,
        options=(
            selectinload(Interaction.contact_links).selectinload(InteractionContact.contact),
            selectinload(Interaction.contact_links).selectinload(InteractionContact.organization),
            selectinload(Interaction.organizations),
            selectinload(Interaction.staff),
            selectinload(Interaction.work_areas),
            selectinload(Interaction.owner),
        ),
    )


def delete_interaction(interaction: Interaction, actor: User) -> None:
    records.soft_delete(interaction, actor)


def restore_interaction(interaction_id: object, actor: User) -> Interaction:
    interaction = records.restore(Interaction, interaction_id, actor)
    db.session.flush()
    return interaction


@dataclass
class ParticipantChoice:
    """A contact on the form, with the organizations they could be representing."""

    contact: Contact
    organizations: list[Organization]
    chosen_id: int | None


def participant_choices(
    contact_ids: list[int], chosen: dict[int, int | None], viewer: User, today: date
) -> list[ParticipantChoice]:
    """The visible contacts picked on the form; each offers their current organizations,
    their main post's first unless the user already chose."""
    contacts = list(
        db.session.scalars(visible(Contact, viewer).where(Contact.id.in_(set(contact_ids))))
    )
    posts = db.session.scalars(
        select(Affiliation)
        .where(Affiliation.contact_id.in_([c.id for c in contacts]))
        .where(current_post_clause(today), visibility_clause(Affiliation, viewer))
        .options(selectinload(Affiliation.organization))
        .order_by(Affiliation.is_primary.desc(), Affiliation.start_date.desc().nulls_last())
    )
    offered: dict[int, list[Organization]] = {}
    for post in posts:
        offered.setdefault(post.contact_id, []).append(post.organization)
    choices = []
    for contact in sorted(contacts, key=lambda c: c.name_key):
        organizations = offered.get(contact.id, [])
        default = organizations[0].id if organizations else None
        choices.append(ParticipantChoice(contact, organizations, chosen.get(contact.id, default)))
    return choices


def list_interactions(viewer: User, page: int = 1, per_page: int = 25) -> Page[Interaction]:
    """Every visible interaction, the latest first."""
    stmt = (
        visible(Interaction, viewer)
        .options(selectinload(Interaction.contact_links), selectinload(Interaction.organizations))
        .order_by(Interaction.starts_at.desc(), Interaction.id.desc())
    )
    return paginate(stmt, page, per_page)


# A timeline shows this many interactions at a time, the newest first; older ones page on.
TIMELINE_PAGE_SIZE = 20


@dataclass
class Timeline:
    """A record's interactions: the next planned one on top, then one page of all of them,
    newest first, each with the names of the people who took part."""

    next_planned: Interaction | None
    items: list[Interaction]
    page: int = 1
    has_older: bool = False
    participants: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Participant(PersonName):
    """A participant's name, as a timeline shows it (``full_name``)."""

    given_names: str
    family_name: str
    second_family_name: str


def _participant_names(interaction_ids: list[int]) -> dict[int, list[str]]:
    """Each interaction's participants' names, by name: read as plain rows (seeing the
    interaction is seeing who took part, as it is at least as sensitive as each of them)."""
    names: dict[int, list[str]] = {}
    for interaction_id, *name in db.session.execute(
        select(
            InteractionContact.interaction_id,
            Contact.given_names,
            Contact.family_name,
            Contact.second_family_name,
        )
        .join(Contact, Contact.id == InteractionContact.contact_id)
        .where(InteractionContact.interaction_id.in_(interaction_ids))
        .order_by(InteractionContact.interaction_id, Contact.name_key)
    ):
        names.setdefault(interaction_id, []).append(_Participant(*name).full_name)
    return names


def _timeline(condition: Any, viewer: User, now: datetime, page: int, limit: int) -> Timeline:
    # A timeline shows what, when and with whom: it reads those columns and each person's
    # name, not every summary and note. The next meeting shows only its subject and time.
    stmt = (
        visible(Interaction, viewer)
        .where(condition)
        .options(
            load_only(
                Interaction.subject,
                Interaction.kind,
                Interaction.status,
                Interaction.starts_at,
                Interaction.ends_at,
                Interaction.timezone,
                Interaction.all_day,
            )
        )
    )
    upcoming = db.session.scalars(
        stmt.where(
            Interaction.status == InteractionStatus.PLANNED.value,
            Interaction.starts_at >= now,
        )
        .order_by(Interaction.starts_at, Interaction.id)
        .limit(1)
    ).first()
    page = max(page, 1)
    # One more than the page holds tells whether there are older ones, without counting.
    items = list(
        db.session.scalars(
            stmt.order_by(Interaction.starts_at.desc(), Interaction.id.desc())
            .limit(limit + 1)
            .offset((page - 1) * limit)
        )
    )
    shown = items[:limit]
    return Timeline(
        upcoming, shown, page, len(items) > limit, _participant_names([i.id for i in shown])
    )


def contact_timeline(
    contact: Contact, viewer: User, now: datetime, page: int = 1, limit: int = TIMELINE_PAGE_SIZE
) -> Timeline:
    # An IN over the person's own links lets the database start from them (an EXISTS would
    # have it walk every interaction by date until it found enough).
    theirs = select(InteractionContact.interaction_id).where(
        InteractionContact.contact_id == contact.id
    )
    return _timeline(Interaction.id.in_(theirs), viewer, now, page, limit)


def organization_timeline(
    organization: Organization,
    viewer: User,
    now: datetime,
    *,
    include_units: bool = False,
    page: int = 1,
    limit: int = TIMELINE_PAGE_SIZE,
) -> Timeline:
    """The organization's interactions, those where someone represented it, and those with
    its current people; with ``include_units``, the same for its direct units."""
    ids = [organization.id]
    if include_units:
        ids += list(
            db.session.scalars(
                visible(Organization, viewer)
                .where(Organization.parent_id == organization.id)
                .with_only_columns(Organization.id)
            )
        )
    current_people = (
        select(Affiliation.contact_id)
        .where(Affiliation.organization_id.in_(ids))
        .where(current_post_clause(now.date()))
    )
    linked = union(
        select(interaction_organizations.c.interaction_id).where(
            interaction_organizations.c.organization_id.in_(ids)
        ),
        select(InteractionContact.interaction_id).where(
            or_(
                InteractionContact.organization_id.in_(ids),
                InteractionContact.contact_id.in_(current_people),
            )
        ),
    )
    return _timeline(Interaction.id.in_(linked), viewer, now, page, limit)
