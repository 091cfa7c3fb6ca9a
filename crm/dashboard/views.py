"""The home page after login."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user

from crm.models.base import utcnow
from crm.services.dashboard import home_summary

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    summary = home_summary(
        current_user,
        utcnow(),
        language=str(get_locale()),
        reuse_seconds=current_app.config["DASHBOARD_FIGURES_SECONDS"],
    )
    return render_template("dashboard/index.html", summary=summary)
