"""Audit events: who changed which record when, with each field's value before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import Sensitivity, SensitivityType, UTCDateTime, utcnow
from crm.models.user import User


class AuditEvent(db.Model):
    """One create, update, delete or restore. Written by the flush hook, never edited."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_record", "record_type", "record_id"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None when the change came from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[int] = mapped_column(Integer)
    # The record's name when the event happened, so the log reads well after renames.
    record_label: Mapped[str] = mapped_column(String(400), default="")
    # The person and organization a post links, so their histories include it.
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    organization_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The most sensitive the record was, before or after: the gate hides the event above it.
    sensitivity: Mapped[Sensitivity] = mapped_column(SensitivityType(), index=True)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
