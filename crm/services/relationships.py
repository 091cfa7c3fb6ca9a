"""Relationship health: which tiered organizations and contacts are going cold.

A relationship is going cold when its last held interaction is older than its tier's
cadence (or there has never been one). The last interactions come from one grouped query
per kind of record, through the visibility gate, never one query per record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select, union_all

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    Interaction,
    InteractionContact,
    InteractionStatus,
    Organization,
    RelationshipTier,
    User,
    WorkArea,
    interaction_organizations,
)
from crm.services.contacts import current_post_clause
from crm.services.visibility import visibility_clause, visible


@dataclass
class Relationship:
    record: Organization | Contact
    kind: str
    tier: RelationshipTier
    last_interaction_at: datetime | None
    next_due: datetime | None
    # None when there has never been an interaction.
    days_overdue: int | None


def _held(viewer: User, now: datetime) -> Select:
    return select(Interaction.id, Interaction.starts_at).where(
        visibility_clause(Interaction, viewer),
        Interaction.status == InteractionStatus.HELD.value,
        Interaction.starts_at <= now,
    )


def _tiered(model: type) -> Select:
    """Only tiered records have a cadence: the others' meetings need not be read."""
    return select(model.id).where(model.tier_id.is_not(None))


def _last_by_organization(viewer: User, now: datetime):
    held = _held(viewer, now).subquery()
    links = union_all(
        select(interaction_organizations.c.organization_id.label("record_id"), held.c.starts_at)
        .join(held, held.c.id == interaction_organizations.c.interaction_id)
        .where(interaction_organizations.c.organization_id.in_(_tiered(Organization))),
        select(InteractionContact.organization_id.label("record_id"), held.c.starts_at)
        .join(held, held.c.id == InteractionContact.interaction_id)
        .where(InteractionContact.organization_id.in_(_tiered(Organization))),
    ).subquery()
    return (
        select(links.c.record_id, func.max(links.c.starts_at).label("last_at"))
        .group_by(links.c.record_id)
        .subquery()
    )


def _last_by_contact(viewer: User, now: datetime):
    held = _held(viewer, now).subquery()
    return (
        select(
            InteractionContact.contact_id.label("record_id"),
            func.max(held.c.starts_at).label("last_at"),
        )
        .join(held, held.c.id == InteractionContact.interaction_id)
        .where(InteractionContact.contact_id.in_(_tiered(Contact)))
        .group_by(InteractionContact.contact_id)
        .subquery()
    )


def _as_aware(value: datetime | None) -> datetime | None:
    """MAX() bypasses the column type, so SQLite hands back a naive UTC time (or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def relationships(
    viewer: User,
    now: datetime,
    *,
    owner_id: int | None = None,
    work_area_id: int | None = None,
) -> list[Relationship]:
    """Every tiered organization and contact the viewer may see, with its last interaction."""
    result: list[Relationship] = []
    for model, kind, last in (
        (Organization, "organization", _last_by_organization(viewer, now)),
        (Contact, "contact", _last_by_contact(viewer, now)),
    ):
        stmt = (
            visible(model, viewer)
            .join(RelationshipTier, RelationshipTier.id == model.tier_id)
            .outerjoin(last, last.c.record_id == model.id)
            .add_columns(RelationshipTier, last.c.last_at)
        )
        if owner_id:
            stmt = stmt.where(model.owner_id == owner_id)
        if work_area_id:
            tagged = Organization.work_areas.any(WorkArea.id == work_area_id)
            if model is Organization:
                stmt = stmt.where(tagged)
            else:
                stmt = stmt.where(
                    Contact.affiliations.any(
                        current_post_clause(now.date()) & Affiliation.organization.has(tagged)
                    )
                )
        for record, tier, last_at in db.session.execute(stmt):
            last_at = _as_aware(last_at)
            due = last_at + timedelta(days=tier.cadence_days) if last_at else None
            overdue = max((now - due).days, 0) if due else None
            result.append(Relationship(record, kind, tier, last_at, due, overdue))
    return result


def going_cold(
    viewer: User,
    now: datetime,
    *,
    owner_id: int | None = None,
    work_area_id: int | None = None,
) -> list[Relationship]:
    """Relationships past their cadence: by tier, then the most overdue first."""
    cold = [
        r
        for r in relationships(viewer, now, owner_id=owner_id, work_area_id=work_area_id)
        if r.next_due is None or r.next_due < now
    ]
    return sorted(
        cold,
        key=lambda r: (
            r.tier.rank,
            r.days_overdue is not None,
            -(r.days_overdue or 0),
            r.record.name_key,
        ),
    )
