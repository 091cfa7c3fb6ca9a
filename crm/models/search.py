"""The search index: one document per organization, contact and interaction, and the
searches users keep."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db
from crm.models.base import TimestampMixin


class SearchDocument(db.Model):
    """The words a record is found by, folded (lower case, no accents).

    SQLite searches them through an FTS5 table kept in step by triggers; PostgreSQL through
    full-text and trigram indexes. Both are created by the migrations, outside the models.
    """

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text, default="")


class SavedSearch(TimestampMixin, db.Model):
    """A search a user keeps, shown in the sidebar: its name and query string."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    query: Mapped[str] = mapped_column(String(1000))
