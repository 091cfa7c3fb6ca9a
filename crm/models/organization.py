"""Organizations: agencies, consulates, tribal governments, NGOs, partners."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import Sensitivity, SensitivityType, SoftDeleteMixin, TimestampMixin
from crm.models.reference import County, RelationshipTier, Tag, WorkArea
from crm.models.user import User

if TYPE_CHECKING:
    from crm.models.contact import Affiliation


class OrganizationKind(enum.StrEnum):
    AGENCY = "agency"
    CONSULATE = "consulate"
    TRIBAL_GOVERNMENT = "tribal_government"
    NGO = "ngo"
    PRIVATE_SECTOR = "private_sector"
    LEGISLATURE = "legislature"
    INTERNATIONAL = "international"
    INTERNAL_UNIT = "internal_unit"

    @property
    def label(self) -> str:
        return str(ORGANIZATION_KIND_LABELS[self])


ORGANIZATION_KIND_LABELS = {
    OrganizationKind.AGENCY: _l("Agency"),
    OrganizationKind.CONSULATE: _l("Consulate"),
    OrganizationKind.TRIBAL_GOVERNMENT: _l("Tribal government"),
    OrganizationKind.NGO: _l("NGO"),
    OrganizationKind.PRIVATE_SECTOR: _l("Private sector"),
    OrganizationKind.LEGISLATURE: _l("Legislature"),
    OrganizationKind.INTERNATIONAL: _l("International body"),
    OrganizationKind.INTERNAL_UNIT: _l("Internal unit"),
}


class GovernmentLevel(enum.StrEnum):
    FEDERAL = "federal"
    STATE = "state"
    LOCAL = "local"
    TRIBAL = "tribal"
    NONE = "none"

    @property
    def label(self) -> str:
        return str(GOVERNMENT_LEVEL_LABELS[self])


GOVERNMENT_LEVEL_LABELS = {
    GovernmentLevel.FEDERAL: _l("Federal"),
    GovernmentLevel.STATE: _l("State"),
    GovernmentLevel.LOCAL: _l("Local"),
    GovernmentLevel.TRIBAL: _l("Tribal"),
    GovernmentLevel.NONE: _l("Not government"),
}

organization_tags = Table(
    "organization_tags",
    db.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)

organization_work_areas = Table(
    "organization_work_areas",
    db.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("work_area_id", ForeignKey("work_areas.id", ondelete="CASCADE"), primary_key=True),
)

consular_district_counties = Table(
    "consular_district_counties",
    db.metadata,
    Column("organization_id", ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True),
    Column("county_id", ForeignKey("counties.id", ondelete="CASCADE"), primary_key=True),
)


class Organization(SoftDeleteMixin, TimestampMixin, db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        Index("ix_organizations_country_subdivision", "country", "subdivision"),
        # The gate's columns after the sort key: a page of the list, however deep, and the
        # visible count are read from the index alone.
        Index("ix_organizations_listing", "name_key", "id", "sensitivity", "deleted_at"),
        Index("ix_organizations_gate", "sensitivity", "deleted_at"),
        # An owner's records by tier: "my relationships going cold" reads only their own.
        Index("ix_organizations_owner_tier", "owner_id", "tier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_es: Mapped[str] = mapped_column(String(200), default="")
    acronym: Mapped[str] = mapped_column(String(32), default="")
    # Case- and accent-folded name, for sorting and matching ("Núñez" next to "Nunez").
    name_key: Mapped[str] = mapped_column(String(200))
    # Folded official name, Spanish or alternate name and acronym, for word searches.
    search_key: Mapped[str] = mapped_column(String(500), default="", server_default="")
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str] = mapped_column(String(6), default="")
    government_level: Mapped[str] = mapped_column(String(16), default=GovernmentLevel.NONE.value)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    street: Mapped[str] = mapped_column(String(300), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("relationship_tiers.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    sensitivity: Mapped[Sensitivity] = mapped_column(
        SensitivityType(), default=Sensitivity.OFFICIAL
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set when this record was merged into another (and went to the trash).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))

    parent: Mapped[Organization | None] = relationship(
        remote_side=[id], back_populates="children", foreign_keys=[parent_id]
    )
    children: Mapped[list[Organization]] = relationship(
        back_populates="parent", foreign_keys=[parent_id]
    )
    tier: Mapped[RelationshipTier | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    tags: Mapped[list[Tag]] = relationship(secondary=organization_tags, order_by=Tag.name_key)
    work_areas: Mapped[list[WorkArea]] = relationship(
        secondary=organization_work_areas, order_by=WorkArea.name
    )
    district_counties: Mapped[list[County]] = relationship(
        secondary=consular_district_counties, order_by=County.name
    )
    affiliations: Mapped[list[Affiliation]] = relationship(back_populates="organization")

    @property
    def kind_label(self) -> str:
        return OrganizationKind(self.kind).label

    @property
    def government_level_label(self) -> str:
        return GovernmentLevel(self.government_level).label

    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Organization {self.id} {self.name!r}>"
