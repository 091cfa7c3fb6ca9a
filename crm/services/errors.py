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
