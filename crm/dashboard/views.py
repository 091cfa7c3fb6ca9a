"""The home page after login."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from crm.models.base import utcnow
from crm.services.dashboard import home_summary

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index() -> str:
    return render_template("dashboard/index.html", summary=home_summary(current_user, utcnow()))
