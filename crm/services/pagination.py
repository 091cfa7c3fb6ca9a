"""Paging a select statement: one COUNT, and one page of rows found by id."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from crm.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def count_rows(stmt: Select[Any]) -> int:
    """How many rows ``stmt`` selects, counted by the database."""
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def paginate(stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    """Run ``stmt`` for one page. A page past the end shows the last page."""
    page = max(1, page)
    per_page = max(1, per_page)
    total = count_rows(stmt)
    last = max(1, math.ceil(total / per_page))
    page = min(page, last)
    return Page(items=_page_items(stmt, page, per_page), total=total, page=page, per_page=per_page)


def _page_items(stmt: Select[Any], page: int, per_page: int) -> list[Any]:
    """The rows of one page. A page of records is found by id first and then read whole, so
    the rows skipped over are read from an index (ids and sort keys) rather than fetched
    and sorted in full: page 500 costs about what page 1 does."""
    entity = (
        stmt.column_descriptions[0].get("entity") if len(stmt.column_descriptions) == 1 else None
    )
    key = getattr(entity, "id", None)
    offset = (page - 1) * per_page
    if key is None:
        return list(db.session.scalars(stmt.limit(per_page).offset(offset)))
    ids = list(db.session.scalars(stmt.with_only_columns(key).limit(per_page).offset(offset)))
    if not ids:
        return []
    return list(db.session.scalars(stmt.where(key.in_(ids))))
