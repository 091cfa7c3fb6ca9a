"""Filters and globals the templates use: formatting only, no queries."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_skeleton
from babel.dates import format_timedelta as babel_format_timedelta
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from crm.i18n import localized_country_names
from crm.listing import query_without
from crm.models import Interaction, InteractionKind, Sensitivity
from crm.models.base import utcnow
from crm.services.exports import ORGANIZATION_FORMATS, ExportFormat
from crm.services.interactions import last_day, local_time
from crm.services.normalize import format_phone, subdivision_name


def country_name(code: str) -> str:
    return localized_country_names().get(code, code) if code else ""


def sensitivity_label(level: Sensitivity | int | None) -> str:
    return Sensitivity(level).label if level is not None else ""


def sensitivity_code(level: Sensitivity | int | None) -> str:
    return Sensitivity(level).code if level is not None else ""


AUDIT_FIELD_LABELS = {
    "kind": _l("Kind"),
    "name": _l("Official name"),
    "name_es": _l("Spanish or alternate name"),
    "acronym": _l("Acronym"),
    "country": _l("Country"),
    "subdivision": _l("State or province"),
    "government_level": _l("Government level"),
    "parent": _l("Part of"),
    "website": _l("Website"),
    "email": _l("E-mail"),
    "emails": _l("E-mail addresses"),
    "phone": _l("Phone"),
    "phones": _l("Phones"),
    "street": _l("Street address"),
    "city": _l("City"),
    "postal_code": _l("Postal code"),
    "tier": _l("Relationship tier"),
    "owner": _l("Owner"),
    "sensitivity": _l("Sensitivity"),
    "notes": _l("Notes"),
    "tags": _l("Tags"),
    "work_areas": _l("Work areas"),
    "district_counties": _l("Consular district"),
    "honorific": _l("Honorific"),
    "given_names": _l("Given name(s)"),
    "family_name": _l("Family name"),
    "second_family_name": _l("Second family name"),
    "preferred_language": _l("Preferred language"),
    "organization": _l("Organization"),
    "title": _l("Title or position"),
    "department": _l("Department"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "is_primary": _l("Main post"),
    "subject": _l("Subject"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "timezone": _l("Time zone"),
    "location": _l("Location"),
    "video_url": _l("Video link"),
    "status": _l("Status"),
    "summary": _l("Summary"),
    "outcome": _l("Outcome and notes"),
    "organizations": _l("Organizations"),
    "staff": _l("Staff"),
    "contact_links": _l("Participants"),
    "description": _l("Description"),
    "due_date": _l("Due"),
    "done_at": _l("Done"),
    "assignee": _l("Assignee"),
    "interaction": _l("Interaction"),
    "contact": _l("Contact"),
    "format": _l("File format"),
    "rows": _l("Rows"),
}


def audit_field(name: str) -> str:
    return str(AUDIT_FIELD_LABELS.get(name, name))


def audit_value(value: Any) -> str:
    """A recorded before or after value, as a person reads it."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def local_datetime(instant: datetime | None, zone: str) -> str:
    """An instant at the wall-clock time of the place it happens, with that zone named."""
    if instant is None:
        return ""
    shown = babel_format_datetime(
        instant, "medium", tzinfo=ZoneInfo(zone), locale=get_locale() or "en"
    )
    return f"{shown} ({zone.replace('_', ' ')})"


def interaction_when(interaction: Interaction) -> str:
    """When an interaction happens: its local start, or its day(s) for a whole-day item."""
    if not interaction.all_day:
        return local_datetime(interaction.starts_at, interaction.timezone)
    locale = get_locale() or "en"
    first = local_time(interaction.starts_at, interaction.timezone).date()
    last = last_day(interaction)
    shown = babel_format_date(first, "medium", locale=locale)
    if last != first:
        shown += " – " + babel_format_date(last, "medium", locale=locale)
    return _("%(days)s (all day)", days=shown)


def time_ago(instant: datetime | None) -> str:
    """How long ago (or how far ahead) an instant is, in words: "3 days ago", "hace 3 días"."""
    if instant is None:
        return ""
    return babel_format_timedelta(
        instant - utcnow(), add_direction=True, locale=get_locale() or "en"
    )


# Charts and tables repeat the same months, kinds and figures many times over: each is
# formatted once per language, not once per cell.


def _language() -> str:
    return str(get_locale() or "en")


def month_label(year_month: str) -> str:
    """A "YYYY-MM" month as the reader writes it: "Mar 2026", "mar 2026"."""
    return _month_label(year_month, _language())


@lru_cache(maxsize=1024)
def _month_label(year_month: str, language: str) -> str:
    return format_skeleton("yMMM", date.fromisoformat(f"{year_month}-01"), locale=language)


def interaction_kind_label(code: str) -> str:
    return _interaction_kind_labels(_language())[code]


@lru_cache(maxsize=16)
def _interaction_kind_labels(language: str) -> dict[str, str]:
    """Every kind's label in the language of the request that asks first for ``language``."""
    return {kind.value: kind.label for kind in InteractionKind}


def number(value: float) -> str:
    """A figure as the reader writes it: "1,234" in English, "1234" and "12.345" in Spanish."""
    return _number(value, _language())


@lru_cache(maxsize=4096)
def _number(value: float, language: str) -> str:
    return format_decimal(value, locale=language)


def register(app: Flask) -> None:
    app.add_template_filter(interaction_when, "when")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(audit_value, "audit_value")
    app.add_template_filter(audit_field, "audit_field")
    app.add_template_filter(format_phone, "phone")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(subdivision_name, "subdivision_name")
    app.add_template_filter(sensitivity_label, "sensitivity_label")
    app.add_template_filter(sensitivity_code, "sensitivity_code")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(number, "number")
    app.add_template_filter(time_ago, "ago")
    app.add_template_filter(month_label, "month")
    app.add_template_filter(interaction_kind_label, "interaction_kind")

    # Globals, unlike context variables, are also seen by imported macros.
    app.jinja_env.globals["query_without"] = query_without
    app.jinja_env.globals["contact_export_formats"] = list(ExportFormat)
    app.jinja_env.globals["organization_export_formats"] = list(ORGANIZATION_FORMATS)

    @app.context_processor
    def inject() -> dict[str, Any]:
        # A BCP 47 tag for <html lang>: "es-MX", "en".
        return {"current_locale": str(get_locale() or "en").replace("_", "-")}
