"""Calendar feeds: secret subscription addresses that calendar clients poll."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import TimestampMixin, UTCDateTime
from crm.models.organization import Organization
from crm.models.reference import WorkArea
from crm.models.user import User


class FeedScope(enum.StrEnum):
    MINE = "mine"
    OFFICE = "office"
    ORGANIZATION = "organization"
    WORK_AREA = "work_area"

    @property
    def label(self) -> str:
        return str(FEED_SCOPE_LABELS[self])


FEED_SCOPE_LABELS = {
    FeedScope.MINE: _l("My meetings"),
    FeedScope.OFFICE: _l("All office meetings"),
    FeedScope.ORGANIZATION: _l("One organization's meetings"),
    FeedScope.WORK_AREA: _l("One work area's meetings"),
}


class CalendarFeed(TimestampMixin, db.Model):
    """A feed belongs to one user and shows only what that user may see when it is fetched.

    Only a SHA-256 hash of the secret token is stored: the address is shown once, when the
    feed is created or its token rotated.
    """

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    scope: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    work_area_id: Mapped[int | None] = mapped_column(ForeignKey("work_areas.id"))
    # For sharing outside the office: "Busy" blocks with no names, places or participants.
    busy_only: Mapped[bool] = mapped_column(Boolean, default=False)
    include_emails: Mapped[bool] = mapped_column(Boolean, default=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()
    work_area: Mapped[WorkArea | None] = relationship()

    @property
    def scope_label(self) -> str:
        return FeedScope(self.scope).label

    def __str__(self) -> str:
        return self.name
