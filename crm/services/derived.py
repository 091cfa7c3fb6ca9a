"""Derived data the gate and the relationship views read, kept in step with every write.

Two facts would otherwise be recomputed over every interaction on every request:

- an interaction's *effective sensitivity*: its own level raised to that of the most
  sensitive contact and organization in it (or represented in it);
- each organization's and contact's *last held interaction*, per clearance level: the start
  of the latest held interaction that a viewer of that clearance may see.

Session hooks note, before a flush, whose participants may change, and after it rewrite
both facts for exactly the interactions and records the flush touched, in the same
transaction. Writes that bypass the ORM (merges moving link rows, bulk loads) call
``refresh_interactions`` or ``rebuild`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    exists,
    func,
    insert,
    inspect,
    literal,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from crm.models import (
    Contact,
    Interaction,
    InteractionContact,
    InteractionStatus,
    LastHeldInteraction,
    Organization,
    Sensitivity,
    interaction_organizations,
)

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
    return union_all(*selects).subquery() if len(selects) > 1 else selects[0].subquery()


def _write_last_held(
    connection: Connection, record_type: str, record_ids: list[int] | None
) -> None:
    """Rewrite the rows of these records (of every record when ``record_ids`` is None)."""
    table = LastHeldInteraction.__table__
    clear = delete(table).where(table.c.record_type == record_type)
    if record_ids is not None:
        clear = clear.where(table.c.record_id.in_(record_ids))
    connection.execute(clear)
    links = _links(record_type, record_ids)
    interactions = Interaction.__table__
    for level in LEVELS:
        latest = (
            select(
                literal(record_type).label("record_type"),
                links.c.record_id,
                literal(int(level)).label("clearance"),
                func.max(interactions.c.starts_at).label("held_at"),
            )
            .join(interactions, interactions.c.id == links.c.interaction_id)
            .where(
                interactions.c.status == InteractionStatus.HELD.value,
                interactions.c.deleted_at.is_(None),
                interactions.c.effective_sensitivity <= int(level),
            )
            .group_by(links.c.record_id)
        )
        connection.execute(
            insert(table).from_select(["record_type", "record_id", "clearance", "held_at"], latest)
        )


def refresh_interactions(connection: Connection, interaction_ids: Iterable[int]) -> None:
    """Recompute these interactions' effective sensitivity, and the last held interaction of
    everyone in them now. (Records that left them must be refreshed by the caller.)"""
    organizations: set[int] = set()
    contacts: set[int] = set()
    for chunk in _chunks(interaction_ids):
        _write_effective_sensitivity(connection, Interaction.__table__.c.id.in_(chunk))
        more_organizations, more_contacts = _participants(connection, chunk)
        organizations |= more_organizations
        contacts |= more_contacts
    refresh_records(connection, organizations, contacts)


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


def refresh_around(
    connection: Connection, organization_ids: Iterable[int], contact_ids: Iterable[int]
) -> None:
    """After link rows were moved without the ORM (a merge): recompute these records and
    every interaction they are in."""
    organization_ids, contact_ids = set(organization_ids), set(contact_ids)
    refresh_interactions(connection, _interactions_of(connection, organization_ids, contact_ids))
    refresh_records(connection, organization_ids, contact_ids)


def rebuild(connection: Connection) -> None:
    """Recompute everything (after a bulk load, or to repair)."""
    _write_effective_sensitivity(connection, true())
    _write_last_held(connection, "organization", None)
    _write_last_held(connection, "contact", None)


# --- Keeping it in step ----------------------------------------------------------------------

BEFORE_KEY = "derived_before"


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
    """Who is in the interactions this flush will change, before it changes them: someone
    taken out of a meeting needs their last held interaction recomputed too."""
    ids = _interactions_in_flush(session)
    if not ids:
        return
    connection = session.connection()
    organizations: set[int] = set()
    contacts: set[int] = set()
    for chunk in _chunks(ids):
        more_organizations, more_contacts = _participants(connection, chunk)
        organizations |= more_organizations
        contacts |= more_contacts
    earlier = session.info.setdefault(BEFORE_KEY, (set(), set()))
    earlier[0].update(organizations)
    earlier[1].update(contacts)


@sa_event.listens_for(Session, "after_flush")
def _refresh(session: Session, _context: Any) -> None:
    interaction_ids = _interactions_in_flush(session)
    organizations = _changed_sensitivity(session, Organization)
    contacts = _changed_sensitivity(session, Contact)
    before = session.info.pop(BEFORE_KEY, (set(), set()))
    if not (interaction_ids or organizations or contacts or any(before)):
        return
    connection = session.connection()
    interaction_ids |= _interactions_of(connection, organizations, contacts)
    refresh_interactions(connection, interaction_ids)
    refresh_records(connection, before[0], before[1])


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(BEFORE_KEY, None)
