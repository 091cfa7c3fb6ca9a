"""Helpers shared by the service-level tests."""

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.services.errors import ValidationError


def row_counts():
    """The number of rows in every table."""
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def assert_refused(field, write):
    """``write`` fails on ``field`` and leaves every table as it was, before and after rollback.

    Returns the message for ``field``.
    """
    db.session.commit()
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        write()
    assert field in caught.value.errors, caught.value.errors
    assert row_counts() == before
    db.session.rollback()
    assert row_counts() == before
    return caught.value.errors[field]
