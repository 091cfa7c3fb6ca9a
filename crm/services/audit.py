"""The audit trail: every create, update, soft delete and restore leaves an event.

Events are written by a flush hook, so no service can forget one: whatever reaches the
database through the session is recorded in the same transaction, with the acting user
that the service declared through ``act_as``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session

from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    FollowUp,
    Interaction,
    InteractionContact,
    Organization,
    Sensitivity,
    User,
)
from crm.models.base import utcnow

ACTOR_KEY = "audit_actor_id"


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    # A file of records taken out of the app (written by the export service, not the hook).
    EXPORT = "export"


@dataclass(frozen=True)
class AuditedModel:
    record_type: str
    columns: tuple[str, ...]
    # Many-to-one links, recorded by the name of what they point to: relationship -> FK column.
    references: dict[str, str] = field(default_factory=dict)
    collections: tuple[str, ...] = ()
    # One-to-many children shown as a list of lines on the parent: field -> child class.
    children: dict[str, type] = field(default_factory=dict)


OWNER_AND_TIER = {"tier": "tier_id", "owner": "owner_id"}

AUDITED: dict[type, AuditedModel] = {
    Organization: AuditedModel(
        "organization",
        (
            "kind",
            "name",
            "name_es",
            "acronym",
            "country",
            "subdivision",
            "government_level",
            "website",
            "email",
            "phone",
            "street",
            "city",
            "postal_code",
            "sensitivity",
            "notes",
        ),
        references={"parent": "parent_id", **OWNER_AND_TIER},
        collections=("tags", "work_areas", "district_counties"),
    ),
    Contact: AuditedModel(
        "contact",
        (
            "honorific",
            "given_names",
            "family_name",
            "second_family_name",
            "preferred_language",
            "sensitivity",
            "notes",
        ),
        references=OWNER_AND_TIER,
        collections=("tags",),
        children={"emails": ContactEmail, "phones": ContactPhone},
    ),
    Interaction: AuditedModel(
        "interaction",
        (
            "kind",
            "subject",
            "starts_at",
            "ends_at",
            "timezone",
            "all_day",
            "location",
            "video_url",
            "status",
            "summary",
            "outcome",
            "sensitivity",
        ),
        references={"owner": "owner_id"},
        collections=("organizations", "staff", "work_areas"),
        children={"contact_links": InteractionContact},
    ),
    FollowUp: AuditedModel(
        "follow_up",
        ("description", "due_date", "done_at"),
        references={
            "assignee": "assignee_id",
            "interaction": "interaction_id",
            "contact": "contact_id",
            "organization": "organization_id",
        },
    ),
    Affiliation: AuditedModel(
        "affiliation",
        ("title", "department", "start_date", "end_date", "is_primary"),
        references={"organization": "organization_id"},
    ),
}

CHILD_FIELDS = {
    ContactEmail: ("address", "kind"),
    ContactPhone: ("number", "extension", "kind"),
    InteractionContact: ("contact", "organization"),
}
# The relationship from a child row to the record it belongs to.
CHILD_PARENT = {ContactEmail: "contact", ContactPhone: "contact", InteractionContact: "interaction"}


def act_as(session: Session, actor: User | None) -> None:
    """Declare who is making the changes the session will flush."""
    session.info[ACTOR_KEY] = actor.id if actor is not None else None


def _plain(value: Any) -> Any:
    """A JSON-ready, readable form of a value; empty values are all None."""
    if value is None or value == "":
        return None
    if isinstance(value, Sensitivity):
        return value.code
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _old(obj: Any, attribute: str) -> Any:
    """The value before this flush. A column set while its old value was never loaded (the
    record expired at a commit) is read from the database, which still holds it."""
    state = inspect(obj)
    history = state.attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    if history.added and state.persistent and attribute in state.mapper.columns:
        table = state.mapper.local_table
        with state.session.no_autoflush:
            return state.session.execute(
                select(table.c[attribute]).where(table.c.id == state.identity[0])
            ).scalar_one()
    return getattr(obj, attribute)


def _child_line(child: Any, old: bool) -> str:
    fields = CHILD_FIELDS[type(child)]
    values = [_old(child, f) if old else getattr(child, f) for f in fields]
    main, *rest = values
    details = [str(v) for v in rest if v is not None and v != ""]
    return f"{main} ({', '.join(details)})" if details else str(main)


def _old_reference(session: Session, obj: Any, name: str, column: str) -> Any:
    """What a many-to-one pointed to before this flush, even if it was never loaded."""
    history = inspect(obj).attrs[name].history
    if history.deleted:
        return history.deleted[0]
    if not history.added:
        return getattr(obj, name)
    # Replaced without the old target loaded: the key column still holds the old id.
    key = _old(obj, column)
    if key is None:
        return None
    model = inspect(obj).mapper.relationships[name].mapper.class_
    with session.no_autoflush:
        return session.get(model, key)


def _snapshot(session: Session, obj: Any, spec: AuditedModel, *, old: bool) -> dict[str, Any]:
    """Every audited field of ``obj`` as it was before this flush (``old``) or is now."""
    values: dict[str, Any] = {}
    for name in spec.columns:
        values[name] = _plain(_old(obj, name) if old else getattr(obj, name))
    for name, column in spec.references.items():
        target = _old_reference(session, obj, name, column) if old else getattr(obj, name)
        values[name] = _plain(target)
    for name in spec.collections:
        values[name] = sorted(str(item) for item in _members(obj, name, old=old)) or None
    for name in spec.children:
        children = sorted(
            _members(obj, name, old=old),
            key=lambda child: _position(child, old=old),
        )
        values[name] = [_child_line(child, old) for child in children] or None
    return values


def _position(child: Any, *, old: bool) -> Any:
    if not hasattr(child, "position"):
        return _child_line(child, old)
    return _old(child, "position") if old else child.position


def _members(obj: Any, name: str, *, old: bool) -> list[Any]:
    """A collection's members before this flush (``old``) or now."""
    history = inspect(obj).attrs[name].history
    if old and history.has_changes():
        return [*history.unchanged, *history.deleted]
    return list(getattr(obj, name))


def _sensitivity(obj: Any) -> Sensitivity:
    if isinstance(obj, Affiliation):
        return max(_sensitivity(obj.contact), _sensitivity(obj.organization))
    if isinstance(obj, FollowUp):
        linked = [r for r in (obj.interaction, obj.contact, obj.organization) if r is not None]
        return max((_sensitivity(r) for r in linked), default=Sensitivity.PUBLIC)
    before = _old(obj, "sensitivity")
    return max(Sensitivity(before), Sensitivity(obj.sensitivity))


def _links(obj: Any) -> tuple[int | None, int | None]:
    if isinstance(obj, Affiliation | FollowUp):
        return obj.contact_id, obj.organization_id
    if isinstance(obj, Contact):
        return obj.id, None
    if isinstance(obj, Organization):
        return None, obj.id
    return None, None


def _touched_parents(session: Session) -> set[Any]:
    """Contacts whose e-mail addresses or phones changed in this flush."""
    parents = set()
    for child in (*session.new, *session.dirty, *session.deleted):
        if type(child) in CHILD_FIELDS:
            link = CHILD_PARENT[type(child)]
            parent = getattr(child, link) or _old(child, link)
            if parent is not None:
                parents.add(parent)
    return parents


@dataclass
class _Event:
    obj: Any
    action: Action
    changes: dict[str, list[Any]]


def _events(session: Session) -> list[_Event]:
    events: list[_Event] = []
    candidates = {*session.dirty, *_touched_parents(session)}
    for obj in session.new:
        spec = AUDITED.get(type(obj))
        if spec is not None:
            after = _snapshot(session, obj, spec, old=False)
            changes = {k: [None, v] for k, v in after.items() if v is not None}
            events.append(_Event(obj, Action.CREATE, changes))
    for obj in candidates:
        spec = AUDITED.get(type(obj))
        if spec is None or obj in session.new or obj in session.deleted:
            continue
        before = _snapshot(session, obj, spec, old=True)
        after = _snapshot(session, obj, spec, old=False)
        changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
        action = Action.UPDATE
        if hasattr(obj, "deleted_at"):
            was, now = _old(obj, "deleted_at"), obj.deleted_at
            if was is None and now is not None:
                action = Action.DELETE
            elif was is not None and now is None:
                action = Action.RESTORE
        if changes or action is not Action.UPDATE:
            events.append(_Event(obj, action, changes))
    for obj in session.deleted:
        spec = AUDITED.get(type(obj))
        if spec is not None:
            before = _snapshot(session, obj, spec, old=True)
            changes = {k: [v, None] for k, v in before.items() if v is not None}
            events.append(_Event(obj, Action.DELETE, changes))
    return events


def _label(obj: Any) -> str:
    if isinstance(obj, Affiliation):
        return f"{obj.contact} — {obj.organization}"
    return str(obj)


PENDING_KEY = "audit_pending"


@event.listens_for(Session, "before_flush")
def _collect(session: Session, _context: Any, _instances: Any) -> None:
    """Read the changes while the old values are still known."""
    session.info[PENDING_KEY] = _events(session)


@event.listens_for(Session, "after_flush")
def _write(session: Session, _context: Any) -> None:
    """Write the events once new records have their ids, in the same transaction."""
    events = session.info.pop(PENDING_KEY, [])
    if not events:
        return
    now = utcnow()
    actor_id = session.info.get(ACTOR_KEY)
    rows = []
    for item in events:
        contact_id, organization_id = _links(item.obj)
        rows.append(
            {
                "occurred_at": now,
                "actor_id": actor_id,
                "action": item.action.value,
                "record_type": AUDITED[type(item.obj)].record_type,
                "record_id": item.obj.id,
                "record_label": _label(item.obj)[:400],
                "contact_id": contact_id,
                "organization_id": organization_id,
                "sensitivity": _sensitivity(item.obj),
                "changes": item.changes,
            }
        )
    session.connection().execute(insert(AuditEvent), rows)
