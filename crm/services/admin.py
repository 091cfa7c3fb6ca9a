"""What only admins do: relationship tiers, work areas, and the trash."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Contact, Interaction, Organization, RelationshipTier, User, WorkArea
from crm.services import records
from crm.services.errors import RecordNotFound, ValidationError, parse_id
from crm.services.normalize import clean
from crm.services.visibility import visible


@dataclass
class TierInput:
    name: str
    rank: int
    cadence_days: int
    description: str = ""


def get_tier(tier_id: object) -> RelationshipTier:
    tier = db.session.get(RelationshipTier, parse_id(tier_id))
    if tier is None:
        raise RecordNotFound("RelationshipTier")
    return tier


def save_tier(
    data: TierInput, actor: User, tier: RelationshipTier | None = None
) -> RelationshipTier:
    records.require_admin(actor)
    errors: dict[str, str] = {}
    name = clean(data.name)
    if not name:
        errors["name"] = _("Enter a name.")
    else:
        taken = db.session.scalar(select(RelationshipTier).where(RelationshipTier.name == name))
        if taken is not None and taken is not tier:
            errors["name"] = _("Another tier already has this name.")
    taken = db.session.scalar(select(RelationshipTier).where(RelationshipTier.rank == data.rank))
    if taken is not None and taken is not tier:
        errors["rank"] = _("Another tier already has this rank.")
    if data.rank < 1:
        errors["rank"] = _("The rank is a whole number from 1 (most important).")
    if not 1 <= data.cadence_days <= 3650:
        errors["cadence_days"] = _("The cadence is between 1 and 3650 days.")
    records.raise_if(errors)
    if tier is None:
        tier = RelationshipTier()
        db.session.add(tier)
    tier.name = name
    tier.rank = data.rank
    tier.cadence_days = data.cadence_days
    tier.description = (data.description or "").strip()
    db.session.flush()
    return tier


def delete_tier(tier: RelationshipTier, actor: User) -> None:
    """Remove a tier that no record uses (records with a tier must be moved first)."""
    records.require_admin(actor)
    in_use = sum(
        db.session.scalar(select(func.count()).select_from(model).where(model.tier_id == tier.id))
        or 0
        for model in (Organization, Contact)
    )
    if in_use:
        # No count: it would include records above the admin's clearance.
        raise ValidationError(
            {"tier": _("Records still use this tier; move them to another tier first.")}
        )
    db.session.delete(tier)
    db.session.flush()


@dataclass
class WorkAreaInput:
    name: str
    name_es: str = ""
    description: str = ""


def get_work_area(work_area_id: object) -> WorkArea:
    area = db.session.get(WorkArea, parse_id(work_area_id))
    if area is None:
        raise RecordNotFound("WorkArea")
    return area


def save_work_area(data: WorkAreaInput, actor: User, area: WorkArea | None = None) -> WorkArea:
    records.require_admin(actor)
    name = clean(data.name)
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    taken = db.session.scalar(select(WorkArea).where(WorkArea.name == name))
    if taken is not None and taken is not area:
        raise ValidationError({"name": _("Another work area already has this name.")})
    if area is None:
        area = WorkArea()
        db.session.add(area)
    area.name = name
    area.name_es = clean(data.name_es)
    area.description = (data.description or "").strip()
    db.session.flush()
    return area


TRASHABLE: dict[str, type] = {
    "organization": Organization,
    "contact": Contact,
    "interaction": Interaction,
}


@dataclass
class TrashItem:
    kind: str
    id: int
    name: str
    deleted_at: datetime
    deleted_by: str


def list_trash(viewer: User) -> list[TrashItem]:
    """Deleted organizations, contacts and interactions the admin may see, newest first."""
    records.require_admin(viewer)
    users = {u.id: u.full_name for u in db.session.scalars(select(User))}
    items = [
        TrashItem(
            kind,
            record.id,
            str(record),
            record.deleted_at,
            users.get(record.deleted_by_id or 0, ""),
        )
        for kind, model in TRASHABLE.items()
        for record in db.session.scalars(visible(model, viewer, deleted=True))
    ]
    return sorted(items, key=lambda item: item.deleted_at, reverse=True)
