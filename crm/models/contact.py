"""Contacts (people), their e-mail addresses and phones, and their posts over time."""

from __future__ import annotations

import enum
import uuid
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.formats.records import PersonName
from crm.models.base import Sensitivity, SensitivityType, SoftDeleteMixin, TimestampMixin
from crm.models.organization import Organization
from crm.models.reference import RelationshipTier, Tag
from crm.models.user import User


class EmailKind(enum.StrEnum):
    WORK = "work"
    PERSONAL = "personal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(EMAIL_KIND_LABELS[self])


EMAIL_KIND_LABELS = {
    EmailKind.WORK: _l("Work"),
    EmailKind.PERSONAL: _l("Personal"),
    EmailKind.OTHER: _l("Other"),
}


class PhoneKind(enum.StrEnum):
    WORK = "work"
    MOBILE = "mobile"
    HOME = "home"
    FAX = "fax"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(PHONE_KIND_LABELS[self])


PHONE_KIND_LABELS = {
    PhoneKind.WORK: _l("Work"),
    PhoneKind.MOBILE: _l("Mobile"),
    PhoneKind.HOME: _l("Home"),
    PhoneKind.FAX: _l("Fax"),
    PhoneKind.OTHER: _l("Other"),
}

LANGUAGE_LABELS = {"en": _l("English"), "es": _l("Spanish")}

contact_tags = Table(
    "contact_tags",
    db.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Contact(PersonName, SoftDeleteMixin, TimestampMixin, db.Model):
    __tablename__ = "contacts"
    __table_args__ = (
        # As for organizations: list pages and visible counts from the index alone.
        Index("ix_contacts_listing", "name_key", "id", "sensitivity", "deleted_at"),
        Index("ix_contacts_gate", "sensitivity", "deleted_at"),
        # An owner's records by tier: "my relationships going cold" reads only their own.
        Index("ix_contacts_owner_tier", "owner_id", "tier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The vCard UID: stable for the person, so other address books update rather than duplicate.
    uid: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: str(uuid.uuid4()))
    honorific: Mapped[str] = mapped_column(String(40), default="")
    given_names: Mapped[str] = mapped_column(String(120))
    # Spanish names carry two surnames: paternal first, maternal second.
    family_name: Mapped[str] = mapped_column(String(120))
    second_family_name: Mapped[str] = mapped_column(String(120), default="")
    # Folded "family second given" for sorting and matching regardless of accents and case.
    name_key: Mapped[str] = mapped_column(String(400))
    preferred_language: Mapped[str] = mapped_column(String(2), default="en")
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("relationship_tiers.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sensitivity: Mapped[Sensitivity] = mapped_column(
        SensitivityType(), default=Sensitivity.OFFICIAL
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set when this record was merged into another (and went to the trash).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))

    tier: Mapped[RelationshipTier | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    tags: Mapped[list[Tag]] = relationship(secondary=contact_tags, order_by=Tag.name_key)
    emails: Mapped[list[ContactEmail]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.position"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPhone.position"
    )
    affiliations: Mapped[list[Affiliation]] = relationship(
        back_populates="contact", cascade="all, delete-orphan"
    )

    @property
    def sort_name(self) -> str:
        return f"{self.family_names}, {self.given_names}"

    @property
    def primary_email(self) -> str:
        return self.emails[0].address if self.emails else ""

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"<Contact {self.id} {self.full_name!r}>"


class ContactEmail(db.Model):
    __tablename__ = "contact_emails"
    __table_args__ = (UniqueConstraint("contact_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=EmailKind.WORK.value)
    # The first (position 0) is the primary address.
    position: Mapped[int] = mapped_column(default=0)

    contact: Mapped[Contact] = relationship(back_populates="emails")

    @property
    def kind_label(self) -> str:
        return EmailKind(self.kind).label


class ContactPhone(db.Model):
    __tablename__ = "contact_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # E.164, e.g. +526641234567; shown nationally formatted.
    number: Mapped[str] = mapped_column(String(32), index=True)
    extension: Mapped[str] = mapped_column(String(10), default="")
    kind: Mapped[str] = mapped_column(String(16), default=PhoneKind.WORK.value)
    position: Mapped[int] = mapped_column(default=0)

    contact: Mapped[Contact] = relationship(back_populates="phones")

    @property
    def kind_label(self) -> str:
        return PhoneKind(self.kind).label


class Affiliation(TimestampMixin, db.Model):
    """A post a contact holds or held at an organization."""

    __tablename__ = "affiliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    department: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)

    contact: Mapped[Contact] = relationship(back_populates="affiliations")
    organization: Mapped[Organization] = relationship(back_populates="affiliations")

    def is_current(self, today: date) -> bool:
        return self.end_date is None or self.end_date >= today
