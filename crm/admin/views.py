"""Administration: staff accounts, relationship tiers, work areas and the trash."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.admin.forms import TierForm, UserForm, WorkAreaForm
from crm.auth.access import admin_required
from crm.extensions import db
from crm.form_helpers import save_with
from crm.listing import date_arg, int_arg, page_args, str_arg
from crm.services import admin as service
from crm.services import users as users_service
from crm.services.contacts import restore_contact
from crm.services.errors import ValidationError
from crm.services.history import RECORD_TYPES, AuditFilters, audit_log
from crm.services.interactions import restore_interaction
from crm.services.organizations import all_tiers, all_work_areas, restore_organization

bp = Blueprint("admin", __name__)


@bp.before_request
@admin_required
def only_admins() -> None:
    """Every page here is for admins only."""


@bp.get("/")
def index() -> Response:
    return redirect(url_for(".users"))


@bp.get("/users")
def users() -> str:
    return render_template("admin/users.html", users=users_service.list_users())


@bp.route("/users/new", methods=["GET", "POST"])
def create_user() -> str | Response:
    form = UserForm()
    if form.validate_on_submit():
        user = save_with(form, lambda: users_service.create_user(form.to_input(), current_user))
        if user is not None:
            flash(_("Account created for %(name)s.", name=user.full_name), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response:
    user = users_service.get_user(user_id)
    form = UserForm(obj=user)
    if not form.is_submitted():
        form.clearance.data = user.clearance.code
    if form.validate_on_submit():
        saved = save_with(
            form, lambda: users_service.update_user(user, form.to_input(), current_user)
        )
        if saved is not None:
            flash(_("Account updated."), "success")
            return redirect(url_for(".users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.get("/tiers")
def tiers() -> str:
    return render_template("admin/tiers.html", tiers=all_tiers(), delete_form=FlaskForm())


@bp.route("/tiers/new", methods=["GET", "POST"])
@bp.route("/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
def edit_tier(tier_id: int | None = None) -> str | Response:
    tier = service.get_tier(tier_id) if tier_id is not None else None
    form = TierForm(obj=tier)
    if form.validate_on_submit():
        saved = save_with(form, lambda: service.save_tier(form.to_input(), current_user, tier))
        if saved is not None:
            flash(_("Tier saved."), "success")
            return redirect(url_for(".tiers"))
    return render_template("admin/tier_form.html", form=form, tier=tier)


@bp.post("/tiers/<int:tier_id>/delete")
def delete_tier(tier_id: int) -> Response:
    tier = service.get_tier(tier_id)
    if FlaskForm().validate_on_submit():
        try:
            service.delete_tier(tier, current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(error.errors["tier"], "error")
        else:
            db.session.commit()
            flash(_("Tier deleted."), "success")
    return redirect(url_for(".tiers"))


@bp.get("/work-areas")
def work_areas() -> str:
    return render_template("admin/work_areas.html", work_areas=all_work_areas())


@bp.route("/work-areas/new", methods=["GET", "POST"])
@bp.route("/work-areas/<int:work_area_id>/edit", methods=["GET", "POST"])
def edit_work_area(work_area_id: int | None = None) -> str | Response:
    area = service.get_work_area(work_area_id) if work_area_id is not None else None
    form = WorkAreaForm(obj=area)
    if form.validate_on_submit():
        saved = save_with(form, lambda: service.save_work_area(form.to_input(), current_user, area))
        if saved is not None:
            flash(_("Work area saved."), "success")
            return redirect(url_for(".work_areas"))
    return render_template("admin/work_area_form.html", form=form, work_area=area)


@bp.get("/audit")
def audit() -> str:
    filters = AuditFilters(
        actor_id=int_arg("user"),
        record_type=str_arg("type"),
        since=date_arg("since"),
        until=date_arg("until"),
        timezone=current_user.timezone,
    )
    page, per_page = page_args()
    return render_template(
        "admin/audit.html",
        events=audit_log(filters, current_user, page, per_page),
        filters=filters,
        users=users_service.list_users(),
        record_types=RECORD_TYPES,
    )


@bp.get("/trash")
def trash() -> str:
    return render_template(
        "admin/trash.html", items=service.list_trash(current_user), restore_form=FlaskForm()
    )


@bp.post("/trash/<kind>/<int:record_id>/restore")
def restore(kind: str, record_id: int) -> Response:
    restorers = {
        "organization": restore_organization,
        "contact": restore_contact,
        "interaction": restore_interaction,
    }
    if kind not in restorers:
        abort(404)
    if FlaskForm().validate_on_submit():
        try:
            record = restorers[kind](record_id, current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(next(iter(error.errors.values())), "error")
        else:
            db.session.commit()
            flash(
                _("“%(name)s” restored.", name=str(record)),
                "success",
            )
    return redirect(url_for(".trash"))
