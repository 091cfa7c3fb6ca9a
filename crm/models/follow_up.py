"""Follow-up tasks: what the office owes whom, and by when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime
from crm.models.contact import Contact
from crm.models.interaction import Interaction
from crm.models.organization import Organization
from crm.models.user import User


class FollowUp(SoftDeleteMixin, TimestampMixin, db.Model):
    """A task tied to an interaction, a contact or an organization."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(500))
    due_date: Mapped[date] = mapped_column(Date, index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interaction_id: Mapped[int | None] = mapped_column(ForeignKey("interactions.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)

    assignee: Mapped[User] = relationship(foreign_keys=[assignee_id])
    interaction: Mapped[Interaction | None] = relationship()
    contact: Mapped[Contact | None] = relationship()
    organization: Mapped[Organization | None] = relationship()

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def __str__(self) -> str:
        return self.description
