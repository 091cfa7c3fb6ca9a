"""Glue between WTForms and the services: choices, and service errors shown beside fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form

from crm.extensions import db
from crm.models import Sensitivity
from crm.services.errors import RecordNotFound, ValidationError, parse_id
from crm.services.normalize import country_names, time_zones

T = TypeVar("T")

COMMON_TIME_ZONES = (
    "America/Los_Angeles",
    "America/Tijuana",
    "America/Hermosillo",
    "America/Mazatlan",
    "America/Mexico_City",
    "America/Monterrey",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "UTC",
)


def optional_int(value: Any) -> int | None:
    """Coerce a select's value: "" is no choice."""
    if value in (None, "", "None"):
        return None
    try:
        return parse_id(value)
    except RecordNotFound:
        raise ValueError("not a choice") from None


def language_choices() -> list[tuple[str, str]]:
    """The interface languages, each named in itself."""
    return [("en", "English"), ("es", "Español")]


def sensitivity_choices() -> list[tuple[str, str]]:
    return [(level.code, level.label) for level in Sensitivity]


def country_choices() -> list[tuple[str, str]]:
    names = sorted(country_names().items(), key=lambda item: item[1])
    return [("", _l("Choose a country"))] + [(code, f"{name} ({code})") for code, name in names]


def time_zone_choices() -> list[tuple[str, str]]:
    rest = sorted(time_zones() - set(COMMON_TIME_ZONES))
    return [(tz, tz.replace("_", " ")) for tz in (*COMMON_TIME_ZONES, *rest)]


def field_for(form: Form, key: str) -> Field | None:
    """Find the field a service error key names: "phone" or "phones-1-number"."""
    node: Any = form
    for part in key.split("-"):
        if part.isdigit():
            entries = getattr(node, "entries", [])
            index = int(part)
            if index >= len(entries):
                return None
            node = entries[index]
            node = getattr(node, "form", node)
        else:
            node = getattr(node, part, None)
            if node is None:
                return None
    return node if isinstance(node, Field) else None


def posted_ids(name: str) -> list[int]:
    """The record ids ticked in a form's checkboxes called ``name``; anything else is dropped."""
    ids = []
    for value in request.form.getlist(name):
        try:
            ids.append(parse_id(value))
        except RecordNotFound:
            continue
    return ids


def apply_errors(form: Form, errors: dict[str, str]) -> None:
    """Attach each service error to its field; the rest to the form as a whole."""
    for key, message in errors.items():
        field = field_for(form, key)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*(field.errors or []), message]


def save_with(form: FlaskForm, action: Callable[[], T]) -> T | None:
    """Run a service call and commit; on bad input roll back and show the errors on the form."""
    try:
        result = action()
    except ValidationError as error:
        db.session.rollback()
        apply_errors(form, error.errors)
        return None
    db.session.commit()
    return result
