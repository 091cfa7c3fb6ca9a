"""A list of record ids as one query parameter, for statements that read a batch or a page of
records already chosen."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Integer, any_, bindparam

from crm.extensions import db


def among(column: Any, ids: list[int] | None = None) -> Any:
    """``column IN ids`` with the ids as one parameter, so the statement compiles once
    whatever their number: an array on PostgreSQL, which reads it faster than a thousand
    separate parameters; one expanding parameter elsewhere. Without ``ids`` they come at
    run time, as ``ids``, for a statement built once."""
    key, value = (None, ids) if ids is not None else ("ids", None)
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(key, value, type_=ARRAY(Integer)))
    return column.in_(bindparam(key, value, expanding=True))
