"""Glue between WTForms and the services: choices, and service errors shown beside fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import Field, Form

from crm.extensions import db
from crm.i18n import localized_country_names
from crm.models import Sensitivity
from crm.services.errors import RecordNotFound, ValidationError, parse_id
from crm.services.normalize import fold, time_zones

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


# WTForms' own messages that the forms can show, worded by this app's catalogs: the Spanish
# bundled with WTForms says "mayor que 1" for "at least 1". Others come from WTForms' catalog.
BUILT_IN_FORM_MESSAGES = {
    "This field is required.": _l("This field is required."),
    "Invalid input.": _l("Invalid input."),
    "Not a valid choice.": _l("Not a valid choice."),
    "Invalid Choice: could not coerce.": _l("Invalid Choice: could not coerce."),
    "Not a valid date value.": _l("Not a valid date value."),
    "Not a valid datetime value.": _l("Not a valid datetime value."),
    "Not a valid integer value.": _l("Not a valid integer value."),
    "Number must be at least %(min)s.": _l("Number must be at least %(min)s."),
    "Number must be at most %(max)s.": _l("Number must be at most %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l(
        "Number must be between %(min)s and %(max)s."
    ),
    "Invalid email address.": _l("Invalid email address."),
    "Invalid URL.": _l("Invalid URL."),
}


class FormTranslations:
    """The translations WTForms asks for its built-in messages, in the reader's language."""

    def gettext(self, string: str) -> str:
        message = BUILT_IN_FORM_MESSAGES.get(string)
        return str(message) if message is not None else wtforms_translations.gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return wtforms_translations.ngettext(singular, plural, n)


FORM_TRANSLATIONS = FormTranslations()


class AppForm(FlaskForm):
    """Every form with fields: CSRF from Flask-WTF, built-in messages in the reader's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Form) -> FormTranslations:
            return FORM_TRANSLATIONS


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
    names = sorted(localized_country_names().items(), key=lambda item: fold(item[1]))
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
