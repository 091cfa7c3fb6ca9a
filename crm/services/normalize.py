"""Validation and normalisation of names, codes, e-mail addresses and phone numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from zoneinfo import available_timezones

import email_validator
import phonenumbers
import pycountry

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Case- and accent-fold for sorting and matching: "José  Núñez" -> "jose nunez"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def file_name_part(text: str, default: str) -> str:
    """An ASCII piece of a file name every system accepts: "Reunión binacional" ->
    "reunion-binacional"; ``default`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:60].strip("-") or default


def like_escape(text: str) -> str:
    """Make typed text match literally in LIKE (``_`` and ``%`` are not wildcards)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str) -> str:
    return f"%{like_escape(text)}%"


def starts_with(text: str) -> str:
    return f"{like_escape(text)}%"


def word_starts_with(text: str) -> str:
    return f"% {like_escape(text)}%"


def clean(text: str | None) -> str:
    """Trim and collapse inner white space, keeping the characters as typed (NFC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


@cache
def country_names() -> dict[str, str]:
    return {c.alpha_2: c.name for c in pycountry.countries}


def is_country(code: str) -> bool:
    return code in country_names()


def is_subdivision_of(code: str, country: str) -> bool:
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision is not None and subdivision.country_code == country


def subdivision_name(code: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code) if code else None
    return subdivision.name if subdivision else code


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def normalize_email(address: str) -> str:
    """Return the address normalised, or raise ValueError with a readable reason."""
    try:
        result = email_validator.validate_email(address.strip(), check_deliverability=False)
    except email_validator.EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized


def normalize_phone(raw: str, default_region: str) -> str:
    """Return the number in E.164, or raise ValueError.

    A number without a leading ``+`` is read as a number of ``default_region``.
    """
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str, viewer_region: str = "US") -> str:
    """Nationally formatted within the viewer's country, internationally otherwise."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == viewer_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
