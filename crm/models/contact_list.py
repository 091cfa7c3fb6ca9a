"""Contact lists: invitation lists, rosters and saved filters that staff export."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db
from crm.models.base import SoftDeleteMixin, TimestampMixin, UTCDateTime, utcnow
from crm.models.contact import Contact
from crm.models.user import User

contact_list_shares = Table(
    "contact_list_shares",
    db.metadata,
    Column("list_id", ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True, index=True),
)


class ContactList(SoftDeleteMixin, TimestampMixin, db.Model):
    """A static list holds hand-picked members; a smart list holds a saved contact filter,
    evaluated (through the visibility gate) each time it is read."""

    __tablename__ = "contact_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    is_smart: Mapped[bool] = mapped_column(Boolean, default=False)
    # For a smart list: the contact filters, as the contact list page takes them.
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    # Users who may read (and export) the list; only the owner changes it.
    shared_with: Mapped[list[User]] = relationship(
        secondary=contact_list_shares, order_by=User.full_name
    )
    memberships: Mapped[list[ContactListMember]] = relationship(
        back_populates="contact_list", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name


class ContactListMember(db.Model):
    __tablename__ = "contact_list_members"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    contact_list: Mapped[ContactList] = relationship(back_populates="memberships")
    contact: Mapped[Contact] = relationship()
