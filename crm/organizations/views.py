"""Organization pages: list with filters, detail, create, edit, delete, type-ahead."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.extensions import db
from crm.follow_ups.forms import follow_up_form
from crm.form_helpers import save_with
from crm.listing import int_arg, page_args, str_arg
from crm.models import GovernmentLevel, Organization, OrganizationKind
from crm.models.base import utcnow
from crm.organizations.forms import OrganizationForm
from crm.services import organizations as service
from crm.services.follow_ups import follow_ups_of
from crm.services.history import organization_history
from crm.services.interactions import organization_timeline
from crm.services.records import active_users
from crm.services.tags import tags_in_use
from crm.services.visibility import can_see

bp = Blueprint("organizations", __name__)


def filters_from_request() -> service.OrganizationFilters:
    return service.OrganizationFilters(
        q=str_arg("q"),
        kind=str_arg("kind"),
        country=str_arg("country"),
        subdivision=str_arg("subdivision"),
        government_level=str_arg("government_level"),
        tier_id=int_arg("tier"),
        tag=str_arg("tag"),
        owner_id=int_arg("owner"),
        county_id=int_arg("county"),
        sort=str_arg("sort") or "name",
    )


@bp.get("/")
def index() -> str:
    filters = filters_from_request()
    page, per_page = page_args()
    results = service.list_organizations(filters, current_user, page, per_page)
    return render_template(
        "organizations/index.html",
        results=results,
        filters=filters,
        kinds=list(OrganizationKind),
        levels=list(GovernmentLevel),
        tiers=service.all_tiers(),
        owners=active_users(),
        tags=tags_in_use(Organization, current_user),
        counties=service.all_counties(),
    )


@bp.get("/lookup")
def lookup() -> Response:
    """Type-ahead suggestions as JSON; only what the user may see."""
    matches = service.lookup(request.args.get("q", ""), current_user)
    return jsonify(
        [{"id": o.id, "name": o.name, "acronym": o.acronym, "kind": o.kind_label} for o in matches]
    )


@bp.get("/<int:organization_id>/history")
def history(organization_id: int) -> str:
    page, per_page = page_args()
    organization, events = organization_history(organization_id, current_user, page, per_page)
    return render_template(
        "history/record.html",
        record_name=organization.name,
        back_url=url_for(".show", organization_id=organization.id),
        events=events,
    )


@bp.get("/<int:organization_id>")
def show(organization_id: int) -> str:
    page = service.organization_page(organization_id, current_user, date.today())
    include_units = request.args.get("units") == "1"
    timeline = organization_timeline(
        page.organization,
        current_user,
        utcnow(),
        include_units=include_units,
        page=request.args.get("timeline", 1, type=int),
    )
    return render_template(
        "organizations/show.html",
        page=page,
        timeline=timeline,
        include_units=include_units,
        follow_ups=follow_ups_of(page.organization, current_user),
        follow_up_form=follow_up_form(organization_id=page.organization.id),
        action_form=FlaskForm(),
        delete_form=FlaskForm(),
    )


def _form(organization: Organization | None = None) -> OrganizationForm:
    form = OrganizationForm(obj=organization)
    if organization is not None and not form.is_submitted():
        # A parent the user may not see (above clearance, or in the trash) is not named.
        parent = organization.parent
        form.parent.data = parent.name if parent and can_see(parent, current_user) else ""
        form.tags.data = ", ".join(t.name for t in organization.tags)
        form.work_area_ids.data = [w.id for w in organization.work_areas]
        form.county_ids.data = [c.id for c in organization.district_counties]
        form.sensitivity.data = organization.sensitivity.code
    form.set_choices(
        service.all_tiers(), active_users(), service.all_work_areas(), service.all_counties()
    )
    return form


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def create() -> str | Response:
    form = _form()
    if form.validate_on_submit():
        organization = save_with(
            form, lambda: service.create_organization(form.to_input(), current_user)
        )
        if organization is not None:
            flash(_("Organization created."), "success")
            return redirect(url_for(".show", organization_id=organization.id))
    return render_template("organizations/form.html", form=form, organization=None)


@bp.route("/<int:organization_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(organization_id: int) -> str | Response:
    organization = service.get_organization(organization_id, current_user)
    form = _form(organization)
    if form.validate_on_submit():
        saved = save_with(
            form, lambda: service.update_organization(organization, form.to_input(), current_user)
        )
        if saved is not None:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".show", organization_id=organization.id))
    return render_template("organizations/form.html", form=form, organization=organization)


@bp.post("/<int:organization_id>/delete")
@editor_required
def delete(organization_id: int) -> Response:
    organization = service.get_organization(organization_id, current_user)
    if FlaskForm().validate_on_submit():
        service.delete_organization(organization, current_user)
        db.session.commit()
        flash(_("“%(name)s” moved to the trash.", name=organization.name), "success")
    return redirect(url_for(".index"))
