"""Errors the services raise; the app turns them into form messages, 404 and 403."""

from __future__ import annotations


class ValidationError(Exception):
    """Bad input: a message per field. Nothing has been written."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class RecordNotFound(LookupError):
    """No such record, or one the user may not see: the two are indistinguishable by design."""


class PermissionDenied(Exception):
    """The user may see the record but not change it."""


# The largest id a 32-bit INTEGER primary key holds, on SQLite and PostgreSQL alike.
MAX_ID = 2**31 - 1


def parse_id(value: object) -> int:
    """A record id from a URL or form; anything else is simply not found."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= MAX_ID:
        raise RecordNotFound(text)
    return int(text)
