"""Follow-ups: tasks with a due date and an assignee, tied to an interaction or a record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Contact, FollowUp, Interaction, Organization, User
from crm.models.base import utcnow
from crm.services import records
from crm.services.normalize import clean
from crm.services.visibility import get_visible, visible


@dataclass
class FollowUpInput:
    description: str
    due_date: date | None
    assignee_id: int | None
    interaction_id: int | None = None
    contact_id: int | None = None
    organization_id: int | None = None


def create_follow_up(data: FollowUpInput, actor: User) -> FollowUp:
    records.require_editor(actor)
    errors: dict[str, str] = {}
    description = clean(data.description)
    if not description:
        errors["description"] = _("Describe what needs doing.")
    if data.due_date is None:
        errors["due_date"] = _("Enter the due date.")
    assignee = db.session.get(User, data.assignee_id) if data.assignee_id else None
    if assignee is None or not assignee.active:
        errors["assignee_id"] = _("Choose an active staff member.")
    links = {}
    for key, model, record_id in (
        ("interaction", Interaction, data.interaction_id),
        ("contact", Contact, data.contact_id),
        ("organization", Organization, data.organization_id),
    ):
        if record_id:
            found = db.session.scalar(visible(model, actor).where(model.id == record_id))
            if found is None:
                errors[key] = _("Not found.")
            links[key] = found
    if not links:
        errors["description"] = _("A follow-up belongs to an interaction, contact or organization.")
    records.raise_if(errors)
    follow_up = FollowUp(
        description=description, due_date=data.due_date, assignee=assignee, **links
    )
    db.session.add(follow_up)
    db.session.flush()
    return follow_up


def set_done(follow_up_id: object, done: bool, actor: User) -> FollowUp:
    """Mark done or undone; anyone who may edit and can see it may tick it."""
    records.require_editor(actor)
    follow_up = get_visible(FollowUp, follow_up_id, actor)
    follow_up.done_at = utcnow() if done else None
    db.session.flush()
    return follow_up


@dataclass
class MyFollowUps:
    overdue: list[FollowUp]
    this_week: list[FollowUp]
    later: list[FollowUp]
    recently_done: list[FollowUp]


def my_follow_ups(viewer: User, today: date) -> MyFollowUps:
    """The viewer's open tasks by urgency (overdue, due within seven days, later)."""
    mine = (
        visible(FollowUp, viewer)
        .where(FollowUp.assignee_id == viewer.id)
        .options(
            selectinload(FollowUp.interaction),
            selectinload(FollowUp.contact),
            selectinload(FollowUp.organization),
        )
    )
    open_tasks = list(
        db.session.scalars(
            mine.where(FollowUp.done_at.is_(None)).order_by(FollowUp.due_date, FollowUp.id)
        )
    )
    week_end = today + timedelta(days=7)
    done = list(
        db.session.scalars(
            mine.where(FollowUp.done_at.is_not(None)).order_by(FollowUp.done_at.desc()).limit(10)
        )
    )
    return MyFollowUps(
        overdue=[f for f in open_tasks if f.due_date < today],
        this_week=[f for f in open_tasks if today <= f.due_date <= week_end],
        later=[f for f in open_tasks if f.due_date > week_end],
        recently_done=done,
    )


def follow_ups_of(record: Interaction | Contact | Organization, viewer: User) -> list[FollowUp]:
    """The follow-ups tied to one interaction, contact or organization; open ones first."""
    column = {
        Interaction: FollowUp.interaction_id,
        Contact: FollowUp.contact_id,
        Organization: FollowUp.organization_id,
    }[type(record)]
    stmt = (
        visible(FollowUp, viewer)
        .where(column == record.id)
        .options(selectinload(FollowUp.assignee))
        .order_by(FollowUp.done_at.is_not(None), FollowUp.due_date)
    )
    return list(db.session.scalars(stmt))
