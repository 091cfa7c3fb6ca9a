"""The going-cold list: tiered relationships past their contact cadence."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from crm.listing import int_arg
from crm.models.base import utcnow
from crm.services.organizations import all_work_areas
from crm.services.records import active_users
from crm.services.relationships import going_cold

bp = Blueprint("relationships", __name__)


@bp.get("/going-cold")
def cold() -> str:
    owner_id, work_area_id = int_arg("owner"), int_arg("work_area")
    return render_template(
        "relationships/going_cold.html",
        rows=going_cold(current_user, utcnow(), owner_id=owner_id, work_area_id=work_area_id),
        owners=active_users(),
        work_areas=all_work_areas(),
        owner_id=owner_id,
        work_area_id=work_area_id,
    )
