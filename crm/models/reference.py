"""Reference data shared by records: tiers, tags, work areas and counties."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db
from crm.models.base import TimestampMixin


class RelationshipTier(db.Model):
    """A tier of importance with the contact cadence it promises."""

    __tablename__ = "relationship_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    cadence_days: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return self.name


class Tag(db.Model):
    """A free label shared across organizations and contacts."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    # Folded form: "Trata" and "trata " are the same tag.
    name_key: Mapped[str] = mapped_column(String(64), unique=True)

    def __str__(self) -> str:
        return self.name


class WorkArea(TimestampMixin, db.Model):
    """One of the office's issue areas (child abduction, money laundering, ...)."""

    __tablename__ = "work_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_es: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")

    def __str__(self) -> str:
        return self.name


class County(db.Model):
    """A county (or municipality) that a consulate's district can cover."""

    __tablename__ = "counties"
    __table_args__ = (UniqueConstraint("subdivision", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subdivision: Mapped[str] = mapped_column(String(6))
    name: Mapped[str] = mapped_column(String(80))
    fips: Mapped[str] = mapped_column(String(5), unique=True)

    def __str__(self) -> str:
        return self.name
