"""Interactions (meetings, calls, e-mails, ...) and the people, bodies and staff in them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import (
    Sensitivity,
    SensitivityType,
    SoftDeleteMixin,
    TimestampMixin,
    UTCDateTime,
)
from crm.models.contact import Contact
from crm.models.organization import Organization
from crm.models.reference import WorkArea
from crm.models.user import User


class InteractionKind(enum.StrEnum):
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    CONFERENCE = "conference"
    TRAINING = "training"
    SITE_VISIT = "site_visit"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(INTERACTION_KIND_LABELS[self])


INTERACTION_KIND_LABELS = {
    InteractionKind.MEETING: _l("Meeting"),
    InteractionKind.CALL: _l("Call"),
    InteractionKind.EMAIL: _l("E-mail"),
    InteractionKind.CONFERENCE: _l("Conference"),
    InteractionKind.TRAINING: _l("Training"),
    InteractionKind.SITE_VISIT: _l("Site visit"),
    InteractionKind.OTHER: _l("Other"),
}


class InteractionStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str(INTERACTION_STATUS_LABELS[self])


INTERACTION_STATUS_LABELS = {
    InteractionStatus.PLANNED: _l("Planned"),
    InteractionStatus.HELD: _l("Held"),
    InteractionStatus.CANCELLED: _l("Cancelled"),
}

interaction_organizations = Table(
    "interaction_organizations",
    db.metadata,
    Column("interaction_id", ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organizations.id"), primary_key=True, index=True),
)

interaction_staff = Table(
    "interaction_staff",
    db.metadata,
    Column("interaction_id", ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)

interaction_work_areas = Table(
    "interaction_work_areas",
    db.metadata,
    Column("interaction_id", ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True),
    Column("work_area_id", ForeignKey("work_areas.id"), primary_key=True, index=True),
)


class Interaction(SoftDeleteMixin, TimestampMixin, db.Model):
    """One meeting, call, e-mail, conference, training or visit.

    ``starts_at``/``ends_at`` are instants (stored in UTC); ``timezone`` is the IANA zone the
    interaction happens in, so it is shown and exported at its real local time.
    """

    __tablename__ = "interactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The iCalendar UID: never changes, so calendar clients update their copy in place.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(16), default=InteractionKind.MEETING.value)
    subject: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64))
    # A whole-day item (a conference day): starts and ends at local midnight, shown as dates.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    location: Mapped[str] = mapped_column(String(300), default="")
    video_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(
        String(16), default=InteractionStatus.PLANNED.value, index=True
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    # As marked.
    sensitivity: Mapped[Sensitivity] = mapped_column(
        SensitivityType(), default=Sensitivity.OFFICIAL
    )
    # What the gate reads: the marked level raised to that of the most sensitive contact and
    # organization in it (or represented in it). Kept in step with every write by
    # crm.services.derived, so raising a participant hides the interaction at once.
    effective_sensitivity: Mapped[Sensitivity] = mapped_column(
        SensitivityType(), default=Sensitivity.OFFICIAL, server_default="1", index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # When it was cancelled: cancelled meetings stay in calendar feeds for a while after.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised on every change of time, place or status (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    contact_links: Mapped[list[InteractionContact]] = relationship(
        back_populates="interaction", cascade="all, delete-orphan"
    )
    organizations: Mapped[list[Organization]] = relationship(
        secondary=interaction_organizations, order_by=Organization.name_key
    )
    staff: Mapped[list[User]] = relationship(secondary=interaction_staff, order_by=User.full_name)
    work_areas: Mapped[list[WorkArea]] = relationship(
        secondary=interaction_work_areas, order_by=WorkArea.name
    )

    @property
    def kind_label(self) -> str:
        return InteractionKind(self.kind).label

    @property
    def status_label(self) -> str:
        return InteractionStatus(self.status).label

    def __str__(self) -> str:
        return self.subject


class InteractionContact(db.Model):
    """A contact who took part, and the organization they represented there."""

    __tablename__ = "interaction_contacts"

    interaction_id: Mapped[int] = mapped_column(
        ForeignKey("interactions.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True, index=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)

    interaction: Mapped[Interaction] = relationship(back_populates="contact_links")
    contact: Mapped[Contact] = relationship()
    organization: Mapped[Organization | None] = relationship()


class LastHeldInteraction(db.Model):
    """A record's last held interaction that a viewer of ``clearance`` may see, and how many
    held interactions that viewer may see in all.

    Derived data, kept in step with every write by crm.services.derived, so that "going
    cold" is read per record instead of aggregated over every interaction on each request.
    """

    __tablename__ = "last_held_interactions"

    record_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clearance: Mapped[Sensitivity] = mapped_column(SensitivityType(), primary_key=True)
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # No foreign key: the row is rewritten whenever the interaction changes or goes.
    interaction_id: Mapped[int] = mapped_column(Integer)
    # That interaction's time zone, so its local day is known without reading it again.
    timezone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    held_count: Mapped[int] = mapped_column(Integer)


class MonthlyActivity(db.Model):
    """How many held interactions a viewer of ``clearance`` may see in one UTC month, by
    kind (``dimension`` "kind") and by work area ("work_area", ``value`` its id).

    Derived data for the dashboard's charts, kept in step with every write by
    crm.services.derived.
    """

    __tablename__ = "monthly_activity"

    clearance: Mapped[Sensitivity] = mapped_column(SensitivityType(), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(32), primary_key=True)
    held_count: Mapped[int] = mapped_column(Integer)
