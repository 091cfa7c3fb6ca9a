"""Relationship health: which tiered organizations and contacts are going cold.

A relationship is going cold when its last held interaction is older than its tier's
cadence (or there has never been one). Each record's last held interaction, per clearance,
is derived data kept in step with every write (crm.services.derived), so these pages read
one row per record instead of aggregating every interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, literal, or_, select

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    LastHeldInteraction,
    Organization,
    RelationshipTier,
    User,
    WorkArea,
)
from crm.models.base import UTCDateTime
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


def _last_held(kind: str, viewer: User) -> Any:
    """Per record of this kind, its last held interaction that the viewer may see."""
    return (
        select(LastHeldInteraction.record_id, LastHeldInteraction.held_at)
        .where(
            LastHeldInteraction.record_type == kind,
            visibility_clause(LastHeldInteraction, viewer),
        )
        .subquery()
    )


def _tiered(model: type, kind: str, viewer: User) -> tuple[Select[Any], Any]:
    """The visible tiered records of one kind, with their tier and their last held
    interaction the viewer may see; and that interaction's subquery, to filter and order by."""
    last = _last_held(kind, viewer)
    stmt = (
        visible(model, viewer)
        .join(RelationshipTier, RelationshipTier.id == model.tier_id)
        .outerjoin(last, last.c.record_id == model.id)
        .add_columns(RelationshipTier, last.c.held_at)
    )
    return stmt, last


def _cold_since(model: type, tiers: list[RelationshipTier], now: datetime) -> Any:
    """Per record, the time before which its last held interaction leaves it cold."""
    return case({tier.id: _cold_before(tier, now) for tier in tiers}, value=model.tier_id)


def _cold_before(tier: RelationshipTier, now: datetime) -> Any:
    """The time before which a relationship of this tier's last held interaction leaves it
    cold."""
    return literal(now - timedelta(days=tier.cadence_days), UTCDateTime())


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
    for model, kind in ((Organization, "organization"), (Contact, "contact")):
        stmt, _last = _tiered(model, kind, viewer)
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
        result.extend(
            _relationship(record, kind, tier, last_at, now)
            for record, tier, last_at in db.session.execute(stmt)
        )
    return result


def _relationship(
    record: Organization | Contact,
    kind: str,
    tier: RelationshipTier,
    last_at: datetime | None,
    now: datetime,
) -> Relationship:
    last_at = _as_aware(last_at)
    due = last_at + timedelta(days=tier.cadence_days) if last_at else None
    overdue = max((now - due).days, 0) if due else None
    return Relationship(record, kind, tier, last_at, due, overdue)


@dataclass
class TierCoverage:
    tier: str
    within: int
    total: int


def tier_coverage(viewer: User, now: datetime) -> list[TierCoverage]:
    """Per tier, how many visible relationships are within their cadence, counted by the
    database."""
    tiers = list(db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank)))
    counts = {tier.id: TierCoverage(tier.label, 0, 0) for tier in tiers}
    if not tiers:
        return []
    for model, kind in ((Organization, "organization"), (Contact, "contact")):
        last = _last_held(kind, viewer)
        within = last.c.held_at >= _cold_since(model, tiers, now)
        stmt = (
            select(model.tier_id, func.count(), func.count(case((within, 1))))
            .select_from(model)
            .outerjoin(last, last.c.record_id == model.id)
            .where(visibility_clause(model, viewer), model.tier_id.is_not(None))
            .group_by(model.tier_id)
        )
        for tier_id, total, within_count in db.session.execute(stmt):
            counts[tier_id].total += total
            counts[tier_id].within += within_count
    return [row for row in counts.values() if row.total]


def most_overdue(viewer: User, now: datetime, owner_id: int, limit: int) -> list[Relationship]:
    """The owner's cold relationships, by tier, never-contacted and then most overdue first,
    chosen and ordered by the database.

    Read a tier at a time, from the first: an officer's cold relationships in the first tier
    usually fill the list, and their last interactions are then the only ones looked up (an
    officer holds about 1,600 relationships in a large office)."""
    tiers = sorted(db.session.scalars(select(RelationshipTier)), key=lambda t: (t.rank, t.id))
    found: list[Relationship] = []
    for tier in tiers:
        for model, kind in ((Organization, "organization"), (Contact, "contact")):
            stmt, last = _tiered(model, kind, viewer)
            stmt = (
                stmt.where(
                    model.owner_id == owner_id,
                    model.tier_id == tier.id,
                    or_(last.c.held_at.is_(None), last.c.held_at < _cold_before(tier, now)),
                )
                .order_by(last.c.held_at.is_not(None), last.c.held_at, model.name_key)
                .limit(limit)
            )
            found.extend(
                _relationship(record, kind, tier, last_at, now)
                for record, _tier, last_at in db.session.execute(stmt)
            )
        if len(found) >= limit:
            break
    return sorted(found, key=_overdue_order)[:limit]


def _overdue_order(r: Relationship) -> tuple:
    """By tier; never contacted first; then the longest since the last interaction (within a
    tier, the most overdue), to the second, as the database orders them; then by name."""
    last = r.last_interaction_at
    return (
        r.tier.rank,
        last is not None,
        last or datetime.min.replace(tzinfo=UTC),
        r.record.name_key,
    )


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
    return sorted(cold, key=_overdue_order)
