"""Imports of contacts from files: what each import created or changed, so it can be undone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import UTCDateTime, utcnow
from crm.models.user import User


class ImportBatch(db.Model):
    """One committed import. Undone as a whole, while nothing it wrote was changed since."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    # "csv" or "vcard", and for a CSV the column set it was read as.
    file_format: Mapped[str] = mapped_column(String(16))
    column_set: Mapped[str] = mapped_column(String(16), default="")
    # What was done with rows matching an existing contact: skip, update or create.
    on_match: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    # The newest audit event the import wrote: a later event on its records means "touched".
    last_audit_event_id: Mapped[int | None] = mapped_column(Integer)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    records: Mapped[list[ImportedRecord]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="ImportedRecord.id"
    )


class ImportedRecord(db.Model):
    __tablename__ = "imported_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), index=True
    )
    # "contact", "organization" or "affiliation".
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    # "created" or "updated"; an update keeps the values it replaced.
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    batch: Mapped[ImportBatch] = relationship(back_populates="records")
