"""Shared column types and mixins for the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, ForeignKey, SmallInteger, func
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class Sensitivity(enum.IntEnum):
    """Ordered sensitivity of a record, and the clearance of a user on the same scale."""

    PUBLIC = 0
    OFFICIAL = 1
    CONFIDENTIAL = 2
    LAW_ENFORCEMENT_SENSITIVE = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return str(SENSITIVITY_LABELS[self])

    @classmethod
    def from_code(cls, code: str) -> Sensitivity:
        return cls[code.upper()]


SENSITIVITY_LABELS = {
    Sensitivity.PUBLIC: _l("Public"),
    Sensitivity.OFFICIAL: _l("Official"),
    Sensitivity.CONFIDENTIAL: _l("Confidential"),
    Sensitivity.LAW_ENFORCEMENT_SENSITIVE: _l("Law enforcement sensitive"),
}


class SensitivityType(TypeDecorator[Sensitivity]):
    """Stores a Sensitivity as its rank, so the visibility gate is a plain ``<=``."""

    impl = SmallInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: Any, dialect: Any) -> Sensitivity | None:
        return None if value is None else Sensitivity(value)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, stored in UTC and always read back time-zone aware.

    SQLite keeps no offset, so without this a value read back would be naive while one just
    written is aware; comparing the two fails.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give it a time zone")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class SoftDeleteMixin:
    """A deleted record stays in the table, hidden, until an admin restores it."""

    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
