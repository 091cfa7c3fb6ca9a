"""Reading the audit trail: a record's history and the admins' global log, through the gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from crm.models import AuditEvent, Contact, FollowUp, Interaction, Organization, User
from crm.services import records
from crm.services.pagination import Page, paginate
from crm.services.visibility import get_visible, visibility_clause

RECORD_TYPES = ("organization", "contact", "affiliation", "interaction", "follow_up", "export")


def _events() -> Select[tuple[AuditEvent]]:
    return select(AuditEvent).options(selectinload(AuditEvent.actor))


def organization_history(
    organization_id: object, viewer: User, page: int = 1, per_page: int = 50
) -> tuple[Organization, Page[AuditEvent]]:
    """The organization's own changes and those of posts held there, newest first."""
    organization = get_visible(Organization, organization_id, viewer)
    events = _record_events("organization", organization.id, viewer, AuditEvent.organization_id)
    return organization, paginate(events, page, per_page)


def contact_history(
    contact_id: object, viewer: User, page: int = 1, per_page: int = 50
) -> tuple[Contact, Page[AuditEvent]]:
    """The contact's own changes (e-mails and phones included) and those of their posts."""
    contact = get_visible(Contact, contact_id, viewer)
    events = _record_events("contact", contact.id, viewer, AuditEvent.contact_id)
    return contact, paginate(events, page, per_page)


def _record_events(
    record_type: str, record_id: int, viewer: User, post_link: Any = None
) -> Select[tuple[AuditEvent]]:
    """A record's own events, and those of the posts that link to it, newest first."""
    own = and_(AuditEvent.record_type == record_type, AuditEvent.record_id == record_id)
    if post_link is not None:
        own = or_(own, and_(AuditEvent.record_type == "affiliation", post_link == record_id))
    return _newest_first(_events().where(visibility_clause(AuditEvent, viewer), own))


def interaction_history(
    interaction_id: object, viewer: User, page: int = 1, per_page: int = 50
) -> tuple[Interaction, Page[AuditEvent]]:
    interaction = get_visible(Interaction, interaction_id, viewer)
    events = _record_events("interaction", interaction.id, viewer)
    return interaction, paginate(events, page, per_page)


def follow_up_history(
    follow_up_id: object, viewer: User, page: int = 1, per_page: int = 50
) -> tuple[FollowUp, Page[AuditEvent]]:
    follow_up = get_visible(FollowUp, follow_up_id, viewer)
    events = _record_events("follow_up", follow_up.id, viewer)
    return follow_up, paginate(events, page, per_page)


@dataclass
class AuditFilters:
    actor_id: int | None = None
    record_type: str = ""
    since: date | None = None
    until: date | None = None
    # The day boundaries are the viewer's own midnight.
    timezone: str = "UTC"


def audit_log(
    filters: AuditFilters, viewer: User, page: int = 1, per_page: int = 50
) -> Page[AuditEvent]:
    """Every event the admin may see, filtered; nobody can edit or delete them here."""
    records.require_admin(viewer)
    stmt = _events().where(visibility_clause(AuditEvent, viewer))
    if filters.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.record_type in RECORD_TYPES:
        stmt = stmt.where(AuditEvent.record_type == filters.record_type)
    zone = ZoneInfo(filters.timezone)
    if filters.since:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(filters.since, time(), zone))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), zone)
        stmt = stmt.where(AuditEvent.occurred_at < end)
    return paginate(_newest_first(stmt), page, per_page)


def _newest_first(stmt: Select[tuple[AuditEvent]]) -> Select[tuple[AuditEvent]]:
    return stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
