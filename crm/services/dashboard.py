"""Figures for the home page, through the visibility gate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from crm.extensions import db
from crm.models import Contact, Organization, User
from crm.services.visibility import visible


@dataclass
class HomeSummary:
    organization_count: int
    contact_count: int
    my_organizations: list[Organization]
    my_contacts: list[Contact]
    recently_updated: list[Organization]


def _count(model: type, viewer: User) -> int:
    stmt = visible(model, viewer).with_only_columns(func.count()).order_by(None)
    return db.session.scalar(stmt) or 0


def home_summary(viewer: User, limit: int = 8) -> HomeSummary:
    return HomeSummary(
        organization_count=_count(Organization, viewer),
        contact_count=_count(Contact, viewer),
        my_organizations=list(
            db.session.scalars(
                visible(Organization, viewer)
                .where(Organization.owner_id == viewer.id)
                .order_by(Organization.name_key)
                .limit(limit)
            )
        ),
        my_contacts=list(
            db.session.scalars(
                visible(Contact, viewer)
                .where(Contact.owner_id == viewer.id)
                .order_by(Contact.name_key)
                .limit(limit)
            )
        ),
        recently_updated=list(
            db.session.scalars(
                visible(Organization, viewer)
                .order_by(Organization.updated_at.desc(), Organization.id.desc())
                .limit(limit)
            )
        ),
    )
