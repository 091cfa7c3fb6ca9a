"""The search box on every page: full results with filters, type-ahead, saved searches."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.extensions import db
from crm.listing import date_arg, int_arg, str_arg
from crm.models import OrganizationKind
from crm.services import search as service
from crm.services.errors import ValidationError
from crm.services.records import filter_choices

bp = Blueprint("search", __name__)


def filters_from_request() -> service.SearchFilters:
    wanted = tuple(t for t in request.args.getlist("type") if t in service.RECORD_TYPES)
    return service.SearchFilters(
        q=str_arg("q")[:200],
        types=wanted or service.RECORD_TYPES,
        kind=str_arg("kind"),
        country=str_arg("country")[:2],
        tier_id=int_arg("tier"),
        work_area_id=int_arg("work_area"),
        owner_id=int_arg("owner"),
        since=date_arg("since"),
        until=date_arg("until"),
        timezone=current_user.timezone,
        page=request.args.get("page", 1, type=int),
    )


@bp.get("/")
def index() -> str:
    filters = filters_from_request()
    return render_template(
        "search/index.html",
        filters=filters,
        results=service.search(filters, current_user),
        saved=service.saved_searches(current_user),
        kinds=list(OrganizationKind),
        choices=filter_choices(),
        action_form=FlaskForm(),
    )


@bp.get("/suggest")
def suggest() -> Response:
    """Type-ahead hits as JSON, each with the page to open."""
    endpoints = {
        "organization": ("organizations.show", "organization_id"),
        "contact": ("contacts.show", "contact_id"),
        "interaction": ("interactions.show", "interaction_id"),
    }
    hits = service.suggestions(request.args.get("q", "")[:200], current_user)
    for hit in hits:
        endpoint, key = endpoints[hit["type"]]
        hit["url"] = url_for(endpoint, **{key: hit["id"]})
    return jsonify(hits)


@bp.post("/saved")
def save() -> Response:
    query = [
        (key, value)
        for key, value in request.form.items(multi=True)
        if key not in ("csrf_token", "name") and value
    ]
    if FlaskForm().validate_on_submit():
        try:
            service.save_search(request.form.get("name", ""), urlencode(query), current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(" ".join(error.errors.values()), "error")
        else:
            db.session.commit()
            flash(_("Search saved."), "success")
    return redirect(url_for(".index") + "?" + urlencode(query))


@bp.post("/saved/<int:search_id>/delete")
def delete(search_id: int) -> Response:
    if FlaskForm().validate_on_submit():
        service.delete_saved_search(search_id, current_user)
        db.session.commit()
        flash(_("Saved search removed."), "success")
    return redirect(url_for(".index"))
