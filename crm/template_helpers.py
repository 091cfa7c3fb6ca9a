"""Filters and globals the templates use: formatting only, no queries."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale

from crm.listing import query_without
from crm.models import Sensitivity
from crm.services.normalize import country_names, format_phone, subdivision_name


def country_name(code: str) -> str:
    return country_names().get(code, code) if code else ""


def sensitivity_label(level: Sensitivity | int | None) -> str:
    return Sensitivity(level).label if level is not None else ""


def sensitivity_code(level: Sensitivity | int | None) -> str:
    return Sensitivity(level).code if level is not None else ""


def register(app: Flask) -> None:
    app.add_template_filter(format_phone, "phone")
    app.add_template_filter(country_name, "country_name")
    app.add_template_filter(subdivision_name, "subdivision_name")
    app.add_template_filter(sensitivity_label, "sensitivity_label")
    app.add_template_filter(sensitivity_code, "sensitivity_code")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_datetime, "datetime")

    # Globals, unlike context variables, are also seen by imported macros.
    app.jinja_env.globals["query_without"] = query_without

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"current_locale": str(get_locale() or "en")}
