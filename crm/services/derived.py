"""Derived data the gate and the relationship views read, kept in step with every write.

Two facts would otherwise be recomputed over every interaction on every request:

- an interaction's *effective sensitivity*: its own level raised to that of the most
  sensitive contact and organization in it (or represented in it);
- each organization's and contact's *last held interaction*, per clearance level: the latest
  held interaction that a viewer of that clearance may see, and how many there are;
- per clearance level, how many held interactions there were in each month, by kind and by
  work area (the dashboard's charts).

Session hooks note, before a flush, whose participants may change, and after it rewrite
both facts for exactly the interactions and records the flush touched, in the same
transaction. Writes that bypass the ORM (merges moving link rows, bulk loads) call
``refresh_interactions`` or ``rebuild`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from itertools import groupby, islice
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    cast,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    true,
    type_coerce,
    union,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from crm.models import (
    Contact,
    Interaction,
    InteractionContact,
    InteractionStatus,
    LastHeldInteraction,
    MonthlyActivity,
    Organization,
    Sensitivity,
    interaction_organizations,
    interaction_work_areas,
)
from crm.models.base import UTCDateTime

CHUNK = 500
LEVELS = sorted(Sensitivity)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted({i for i in ids if i is not None})
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _participants_above(level: Sensitivity) -> Any:
    """The condition: some contact or organization in the interaction is at ``level`` or
    above."""
    contact_links = InteractionContact.__table__
    return (
        exists()
        .where(contact_links.c.interaction_id == Interaction.id)
        .where(
            contact_links.c.contact_id.in_(select(Contact.id).where(Contact.sensitivity >= level))
            | contact_links.c.organization_id.in_(
                select(Organization.id).where(Organization.sensitivity >= level)
            )
        )
    ) | (
        exists()
        .where(interaction_organizations.c.interaction_id == Interaction.id)
        .where(
            interaction_organizations.c.organization_id.in_(
                select(Organization.id).where(Organization.sensitivity >= level)
            )
        )
    )


def _write_effective_sensitivity(connection: Connection, where: Any) -> None:
    """Reset to the marked level, then raise it level by level to its participants'."""
    table = Interaction.__table__
    connection.execute(update(table).where(where).values(effective_sensitivity=table.c.sensitivity))
    for level in LEVELS[1:]:
        connection.execute(
            update(table)
            .where(where, table.c.effective_sensitivity < int(level), _participants_above(level))
            .values(effective_sensitivity=int(level))
        )


def _participants(connection: Connection, interaction_ids: list[int]) -> tuple[set, set]:
    """The organizations and contacts in these interactions, as the database holds them."""
    contact_links = InteractionContact.__table__
    organizations: set[int] = set()
    contacts: set[int] = set()
    for contact_id, organization_id in connection.execute(
        select(contact_links.c.contact_id, contact_links.c.organization_id).where(
            contact_links.c.interaction_id.in_(interaction_ids)
        )
    ):
        contacts.add(contact_id)
        if organization_id is not None:
            organizations.add(organization_id)
    organizations.update(
        connection.scalars(
            select(interaction_organizations.c.organization_id).where(
                interaction_organizations.c.interaction_id.in_(interaction_ids)
            )
        )
    )
    return organizations, contacts


def _links(record_type: str, record_ids: list[int] | None) -> Any:
    """(record id, interaction id) for every link of these records to an interaction."""
    contact_links = InteractionContact.__table__
    if record_type == "contact":
        branches = [(contact_links.c.contact_id, contact_links.c.interaction_id)]
    else:
        branches = [
            (
                interaction_organizations.c.organization_id,
                interaction_organizations.c.interaction_id,
            ),
            (contact_links.c.organization_id, contact_links.c.interaction_id),
        ]
    selects = []
    for record_column, interaction_column in branches:
        branch = select(
            record_column.label("record_id"), interaction_column.label("interaction_id")
        ).where(record_column.is_not(None))
        if record_ids is not None:
            branch = branch.where(record_column.in_(record_ids))
        selects.append(branch)
    # UNION, not UNION ALL: a meeting with an organization both in it and represented in it
    # is counted once.
    return union(*selects).subquery() if len(selects) > 1 else selects[0].subquery()


def _latest(column: Any, interactions: Any, dialect: str) -> Any:
    """In a group, ``column`` of the interaction that started last. SQLite gives a bare column
    the value from the row where MAX() was found; PostgreSQL orders an array."""
    if dialect == "sqlite":
        return column
    ordered = aggregate_order_by(column, interactions.c.starts_at.desc(), interactions.c.id.desc())
    return func.array_agg(ordered, type_=ARRAY(column.type))[1]


def _write_last_held(
    connection: Connection, record_type: str, record_ids: list[int] | None
) -> None:
    """Rewrite the rows of these records (of every record when ``record_ids`` is None).

    One grouped read per record and effective sensitivity; each clearance level's row is
    then the latest of, and the sum over, the groups at or below it."""
    table = LastHeldInteraction.__table__
    clear = delete(table).where(table.c.record_type == record_type)
    if record_ids is not None:
        clear = clear.where(table.c.record_id.in_(record_ids))
    connection.execute(clear)
    links = _links(record_type, record_ids)
    interactions = Interaction.__table__
    groups = connection.execute(
        select(
            links.c.record_id,
            interactions.c.effective_sensitivity,
            type_coerce(func.max(interactions.c.starts_at), UTCDateTime()),
            _latest(interactions.c.id, interactions, connection.dialect.name),
            _latest(interactions.c.timezone, interactions, connection.dialect.name),
            func.count(),
        )
        .join(interactions, interactions.c.id == links.c.interaction_id)
        .where(
            interactions.c.status == InteractionStatus.HELD.value,
            interactions.c.deleted_at.is_(None),
        )
        .group_by(links.c.record_id, interactions.c.effective_sensitivity)
        .order_by(links.c.record_id, interactions.c.effective_sensitivity)
    )
    rows = _rows_per_clearance(record_type, groups)
    while batch := list(islice(rows, 5000)):
        connection.execute(insert(table), batch)


def _rows_per_clearance(record_type: str, groups: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """From (record, level, latest start, its id, its zone, count) groups in record order:
    for each record, a row for every clearance that sees at least one of its groups."""
    for record_id, found in groupby(groups, key=lambda group: group[0]):
        found = list(found)
        for clearance in LEVELS:
            seen = [group for group in found if group[1] <= clearance]
            if not seen:
                continue
            _record, _level, held_at, interaction_id, zone, _count = max(
                seen, key=lambda group: (group[2], group[3])
            )
            yield {
                "record_type": record_type,
                "record_id": record_id,
                "clearance": int(clearance),
                "held_at": held_at,
                "interaction_id": interaction_id,
                "timezone": zone,
                "held_count": sum(group[5] for group in seen),
            }


def month_of(column: Any, dialect: str) -> Any:
    """The UTC year-month of a timestamp, as YYYY-MM, on either database."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(func.timezone("UTC", column), "YYYY-MM")


def _months(connection: Connection, interaction_ids: list[int]) -> set[str]:
    interactions = Interaction.__table__
    month = month_of(interactions.c.starts_at, connection.dialect.name)
    return set(
        connection.scalars(select(month).where(interactions.c.id.in_(interaction_ids)).distinct())
    )


def _in_months(column: Any, months: set[str]) -> Any:
    """The timestamp falls in one of these UTC months (as ranges, so an index serves)."""
    ranges = []
    for month in sorted(months):
        start = datetime.fromisoformat(f"{month}-01T00:00:00+00:00")
        end = (start + timedelta(days=32)).replace(day=1)
        ranges.append(and_(column >= start, column < end))
    return or_(*ranges)


def _write_monthly(connection: Connection, months: set[str] | None) -> None:
    """Rewrite the counts of these months (of every month when ``months`` is None)."""
    if months is not None and not months:
        return
    table = MonthlyActivity.__table__
    interactions = Interaction.__table__
    clear = delete(table)
    if months is not None:
        clear = clear.where(table.c.month.in_(months))
    connection.execute(clear)
    month = month_of(interactions.c.starts_at, connection.dialect.name)
    columns = ["clearance", "month", "dimension", "value", "held_count"]
    for level in LEVELS:
        held = [
            interactions.c.status == InteractionStatus.HELD.value,
            interactions.c.deleted_at.is_(None),
            interactions.c.effective_sensitivity <= int(level),
        ]
        if months is not None:
            held.append(_in_months(interactions.c.starts_at, months))
        by_kind = (
            select(literal(int(level)), month, literal("kind"), interactions.c.kind, func.count())
            .where(*held)
            .group_by(month, interactions.c.kind)
        )
        work_area = interaction_work_areas.c.work_area_id
        by_work_area = (
            select(
                literal(int(level)),
                month,
                literal("work_area"),
                cast(work_area, String(32)),
                func.count(),
            )
            .join(
                interaction_work_areas, interaction_work_areas.c.interaction_id == interactions.c.id
            )
            .where(*held)
            .group_by(month, work_area)
        )
        connection.execute(insert(table).from_select(columns, by_kind))
        connection.execute(insert(table).from_select(columns, by_work_area))


def refresh_interactions(
    connection: Connection, interaction_ids: Iterable[int], *, earlier_months: Iterable[str] = ()
) -> None:
    """Recompute these interactions' effective sensitivity, the last held interaction of
    everyone in them now, and the counts of their months (and of ``earlier_months``, where
    they were before this change). Records that left them must be refreshed by the caller."""
    organizations: set[int] = set()
    contacts: set[int] = set()
    months = set(earlier_months)
    for chunk in _chunks(interaction_ids):
        _write_effective_sensitivity(connection, Interaction.__table__.c.id.in_(chunk))
        more_organizations, more_contacts = _participants(connection, chunk)
        organizations |= more_organizations
        contacts |= more_contacts
        months |= _months(connection, chunk)
    refresh_records(connection, organizations, contacts)
    _write_monthly(connection, months)


def refresh_records(
    connection: Connection, organization_ids: Iterable[int], contact_ids: Iterable[int]
) -> None:
    """Recompute the last held interaction of these organizations and contacts."""
    for chunk in _chunks(organization_ids):
        _write_last_held(connection, "organization", chunk)
    for chunk in _chunks(contact_ids):
        _write_last_held(connection, "contact", chunk)


def _interactions_of(
    connection: Connection, organization_ids: Iterable[int], contact_ids: Iterable[int]
) -> set[int]:
    """Every interaction these organizations and contacts are in (or represented in)."""
    contact_links = InteractionContact.__table__
    found: set[int] = set()
    for chunk in _chunks(contact_ids):
        found.update(
            connection.scalars(
                select(contact_links.c.interaction_id).where(contact_links.c.contact_id.in_(chunk))
            )
        )
    for chunk in _chunks(organization_ids):
        for record_column, interaction_column in (
            (contact_links.c.organization_id, contact_links.c.interaction_id),
            (
                interaction_organizations.c.organization_id,
                interaction_organizations.c.interaction_id,
            ),
        ):
            found.update(
                connection.scalars(select(interaction_column).where(record_column.in_(chunk)))
            )
    return found


@contextmanager
def links_moving(
    connection: Connection, organization_ids: Iterable[int], contact_ids: Iterable[int]
) -> Iterator[None]:
    """Around link rows moved without the ORM (a merge): afterwards, recompute these records,
    every interaction they were or are in, and everyone who was in those interactions."""
    organization_ids, contact_ids = set(organization_ids), set(contact_ids)
    before = _interactions_of(connection, organization_ids, contact_ids)
    earlier_organizations, earlier_contacts = set(organization_ids), set(contact_ids)
    for chunk in _chunks(before):
        more_organizations, more_contacts = _participants(connection, chunk)
        earlier_organizations |= more_organizations
        earlier_contacts |= more_contacts
    yield
    after = _interactions_of(connection, organization_ids, contact_ids)
    refresh_interactions(connection, before | after)
    refresh_records(connection, earlier_organizations, earlier_contacts)


def rebuild(connection: Connection) -> None:
    """Recompute everything (after a bulk load, or to repair)."""
    _write_effective_sensitivity(connection, true())
    _write_last_held(connection, "organization", None)
    _write_last_held(connection, "contact", None)
    _write_monthly(connection, None)


# --- Keeping it in step ----------------------------------------------------------------------

BEFORE_KEY = "derived_before"
REWRITTEN_KEY = "derived_rewritten"


def _interactions_in_flush(session: Session) -> set[int]:
    """The interactions (with an id by now) that this flush writes or whose links it does."""
    ids: set[int | None] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Interaction):
            ids.add(obj.id)
        elif isinstance(obj, InteractionContact):
            ids.add(obj.interaction_id or getattr(obj.interaction, "id", None))
    return {i for i in ids if i is not None}


def _changed_sensitivity(session: Session, model: type) -> set[int]:
    return {
        obj.id
        for obj in session.dirty
        if isinstance(obj, model) and inspect(obj).attrs.sensitivity.history.has_changes()
    }


@sa_event.listens_for(Session, "before_flush")
def _note_participants(session: Session, _context: Any, _instances: Any) -> None:
    """Who is in the interactions this flush will change, and in which months they are,
    before it changes them: someone taken out of a meeting, or the month it moved out of,
    needs recomputing too."""
    ids = _interactions_in_flush(session)
    if not ids:
        return
    connection = session.connection()
    organizations, contacts, months = session.info.setdefault(BEFORE_KEY, (set(), set(), set()))
    for chunk in _chunks(ids):
        more_organizations, more_contacts = _participants(connection, chunk)
        organizations |= more_organizations
        contacts |= more_contacts
        months |= _months(connection, chunk)


@sa_event.listens_for(Session, "after_flush")
def _refresh(session: Session, _context: Any) -> None:
    interaction_ids = _interactions_in_flush(session)
    organizations = _changed_sensitivity(session, Organization)
    contacts = _changed_sensitivity(session, Contact)
    earlier_organizations, earlier_contacts, earlier_months = session.info.pop(
        BEFORE_KEY, (set(), set(), set())
    )
    if not (interaction_ids or organizations or contacts or earlier_months):
        return
    connection = session.connection()
    interaction_ids |= _interactions_of(connection, organizations, contacts)
    refresh_interactions(connection, interaction_ids, earlier_months=earlier_months)
    refresh_records(connection, earlier_organizations, earlier_contacts)
    session.info.setdefault(REWRITTEN_KEY, set()).update(interaction_ids)


@sa_event.listens_for(Session, "after_flush_postexec")
def _reread_rewritten(session: Session, _context: Any) -> None:
    """The effective sensitivity was written with plain SQL: interactions already loaded read
    it again when next asked, instead of keeping the value they had before."""
    for interaction_id in session.info.pop(REWRITTEN_KEY, ()):
        loaded = session.identity_map.get(identity_key(Interaction, interaction_id))
        if loaded is not None:
            session.expire(loaded, ["effective_sensitivity"])


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(BEFORE_KEY, None)
    session.info.pop(REWRITTEN_KEY, None)
