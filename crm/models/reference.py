"""Reference data shared by records: tiers, tags, work areas and counties."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db
from crm.models.base import TimestampMixin

# The texts `crm init` gives the default tiers, so that they read in the reader's language; a
# tier an administrator renamed or described otherwise shows as typed.
BUILT_IN_TIER_TEXTS = {
    "Tier 1 — Strategic": _l("Tier 1 — Strategic"),
    "Tier 2 — Operational": _l("Tier 2 — Operational"),
    "Tier 3 — Informational": _l("Tier 3 — Informational"),
    "Leadership-level partners; contact at least monthly.": _l(
        "Leadership-level partners; contact at least monthly."
    ),
    "Day-to-day working partners; contact at least quarterly.": _l(
        "Day-to-day working partners; contact at least quarterly."
    ),
    "Keep informed; contact at least twice a year.": _l(
        "Keep informed; contact at least twice a year."
    ),
}


def tier_label(name: str) -> str:
    """A tier's name as the reader sees it (the stored name stays as typed, for the audit)."""
    return str(BUILT_IN_TIER_TEXTS.get(name, name))


def work_area_label(name: str, name_es: str) -> str:
    """The Spanish name for a Spanish reader when there is one, else the name."""
    locale = get_locale()
    if name_es and locale is not None and locale.language == "es":
        return name_es
    return name


class RelationshipTier(db.Model):
    """A tier of importance with the contact cadence it promises."""

    __tablename__ = "relationship_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rank: Mapped[int] = mapped_column(Integer, unique=True)
    cadence_days: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")

    @property
    def label(self) -> str:
        """The name as the reader sees it (``__str__`` stays the stored name, for the audit)."""
        return tier_label(self.name)

    @property
    def description_label(self) -> str:
        return str(BUILT_IN_TIER_TEXTS.get(self.description, self.description))

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

    @property
    def label(self) -> str:
        return work_area_label(self.name, self.name_es)

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
