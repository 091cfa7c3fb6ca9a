"""The one visibility gate.

Every query that lists, searches, counts, exports, feeds or serves records goes through
``visible()`` (or ``get_visible()`` for one record). A record above the viewer's clearance,
a deleted record outside the trash, and anything at all for an inactive or anonymous user
is left out, so a page cannot show it, count it or reveal that it exists.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true

from crm.extensions import db
from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    FollowUp,
    Interaction,
    LastHeldInteraction,
    MonthlyActivity,
    Organization,
    Sensitivity,
    User,
)
from crm.services.errors import RecordNotFound, parse_id

T = TypeVar("T")

GATED_MODELS = (Organization, Contact)
PER_CLEARANCE_MODELS = (LastHeldInteraction, MonthlyActivity)


def visibility_clause(
    model: type[Any], viewer: User | None, *, deleted: bool = False
) -> ColumnElement[bool]:
    """The WHERE condition under which ``viewer`` may see rows of ``model``.

    ``deleted=True`` selects the trash instead of the live records.
    """
    if gate_key(viewer) is None:
        return false()
    if model is Affiliation:
        # A post is visible only when both the person and the organization are.
        return and_(
            Affiliation.contact.has(visibility_clause(Contact, viewer, deleted=deleted)),
            Affiliation.organization.has(visibility_clause(Organization, viewer)),
        )
    if model is AuditEvent:
        return _audit_event_clause(viewer)
    if model is FollowUp:
        # A task is seen only if everything it is tied to is.
        return and_(
            FollowUp.deleted_at.is_(None),
            or_(
                FollowUp.interaction_id.is_(None),
                FollowUp.interaction.has(visibility_clause(Interaction, viewer)),
            ),
            or_(
                FollowUp.contact_id.is_(None),
                FollowUp.contact.has(visibility_clause(Contact, viewer)),
            ),
            or_(
                FollowUp.organization_id.is_(None),
                FollowUp.organization.has(visibility_clause(Organization, viewer)),
            ),
        )
    if model in PER_CLEARANCE_MODELS:
        # Derived data kept for each clearance level: a viewer reads their own level's rows.
        return model.clearance == viewer.clearance
    if model is Interaction:
        trash = Interaction.deleted_at.is_not(None) if deleted else Interaction.deleted_at.is_(None)
        return and_(_interaction_clause(viewer), trash)
    if model not in GATED_MODELS:
        return true()
    trash = model.deleted_at.is_not(None) if deleted else model.deleted_at.is_(None)
    return and_(model.sensitivity <= viewer.clearance, trash)


def gate_key(viewer: User | None) -> Sensitivity | None:
    """All the gate reads of a viewer for organizations, contacts and interactions (None for
    one who may see nothing): a statement built with the gate for one viewer serves every
    viewer with the same key."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.active:
        return None
    return viewer.clearance


def _interaction_clause(viewer: User) -> ColumnElement[bool]:
    """An interaction is at least as sensitive as its most sensitive participant: its
    effective sensitivity (kept in step with every write) says so."""
    return Interaction.effective_sensitivity <= viewer.clearance


def _within(model: type[Any], record_id: Any, viewer: User) -> ColumnElement[bool]:
    """The record exists and is not above the viewer's clearance (in the trash or not)."""
    return exists().where(model.id == record_id, model.sensitivity <= viewer.clearance)


def _audit_event_clause(viewer: User) -> ColumnElement[bool]:
    """An event is as sensitive as its record was at its most sensitive, and it also goes
    out of sight once its record (or, for a post, either end) is above the viewer now."""
    return and_(
        AuditEvent.sensitivity <= viewer.clearance,
        or_(
            and_(
                AuditEvent.record_type == "organization",
                _within(Organization, AuditEvent.record_id, viewer),
            ),
            and_(
                AuditEvent.record_type == "contact",
                _within(Contact, AuditEvent.record_id, viewer),
            ),
            and_(
                AuditEvent.record_type == "follow_up",
                exists().where(
                    FollowUp.id == AuditEvent.record_id,
                    visibility_clause(FollowUp, viewer),
                ),
            ),
            and_(
                AuditEvent.record_type == "interaction",
                exists().where(Interaction.id == AuditEvent.record_id, _interaction_clause(viewer)),
            ),
            # An export names no record; its own sensitivity (the exporter's clearance) gates it.
            AuditEvent.record_type == "export",
            and_(
                AuditEvent.record_type == "affiliation",
                _within(Contact, AuditEvent.contact_id, viewer),
                _within(Organization, AuditEvent.organization_id, viewer),
            ),
        ),
    )


def visible(model: type[T], viewer: User | None, *, deleted: bool = False) -> Select[tuple[T]]:
    """``select(model)`` restricted to what ``viewer`` may see."""
    return select(model).where(visibility_clause(model, viewer, deleted=deleted))


def restrict(stmt: Select[Any], model: type[Any], viewer: User | None) -> Select[Any]:
    """Apply the gate for ``model`` to a statement that already selects or joins it."""
    return stmt.where(visibility_clause(model, viewer))


def can_see(record: Any, viewer: User | None, *, deleted: bool = False) -> bool:
    """The gate for a record already in memory (same rule as ``visibility_clause``)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.active:
        return False
    if isinstance(record, Affiliation):
        return can_see(record.contact, viewer, deleted=deleted) and can_see(
            record.organization, viewer
        )
    if isinstance(record, AuditEvent | Interaction | FollowUp):
        # Their rule spans other records: ask the database, with the same clause.
        model = type(record)
        clause = visibility_clause(model, viewer, deleted=deleted)
        return bool(db.session.scalar(select(exists().where(model.id == record.id, clause))))
    if not isinstance(record, GATED_MODELS):
        return True
    return record.sensitivity <= viewer.clearance and record.is_deleted == deleted


def get_visible(
    model: type[T],
    record_id: Any,
    viewer: User | None,
    *,
    deleted: bool = False,
    options: tuple = (),
) -> T:
    """Load one record the viewer may see, or raise RecordNotFound (shown as 404)."""
    key = parse_id(record_id)
    record = db.session.scalar(
        visible(model, viewer, deleted=deleted)
        .where(model.id == key)  # type: ignore[attr-defined]
        .options(*options)
    )
    if record is None:
        raise RecordNotFound(model.__name__)
    return record
