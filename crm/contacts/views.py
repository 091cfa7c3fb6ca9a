"""Contact pages: list with filters, detail with posts, create, edit, delete, type-ahead."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.contacts.forms import AffiliationForm, ContactForm
from crm.extensions import db
from crm.follow_ups.forms import follow_up_form
from crm.form_helpers import save_with
from crm.listing import int_arg, page_args, str_arg
from crm.models import Contact, OrganizationKind
from crm.models.base import utcnow
from crm.services import contacts as service
from crm.services.contact_lists import own_static_lists
from crm.services.follow_ups import follow_ups_of
from crm.services.history import contact_history
from crm.services.interactions import contact_timeline
from crm.services.organizations import all_tiers, get_organization
from crm.services.records import active_users
from crm.services.tags import tags_in_use

bp = Blueprint("contacts", __name__)


def filters_from_request() -> service.ContactFilters:
    return service.ContactFilters(
        q=str_arg("q"),
        organization_id=int_arg("organization"),
        kind=str_arg("kind"),
        country=str_arg("country"),
        subdivision=str_arg("subdivision"),
        tier_id=int_arg("tier"),
        tag=str_arg("tag"),
        owner_id=int_arg("owner"),
        language=str_arg("language"),
        sort=str_arg("sort") or "name",
    )


@bp.get("/")
def index() -> str:
    filters = filters_from_request()
    page, per_page = page_args()
    today = date.today()
    results = service.list_contacts(filters, current_user, today, page, per_page)
    organization = None
    if filters.organization_id:
        organization = get_organization(filters.organization_id, current_user)
    return render_template(
        "contacts/index.html",
        results=results,
        posts=service.current_posts(results.items, current_user, today),
        filters=filters,
        organization=organization,
        kinds=list(OrganizationKind),
        tiers=all_tiers(),
        owners=active_users(),
        tags=tags_in_use(Contact, current_user),
        lists=own_static_lists(current_user) if current_user.can_edit else [],
    )


@bp.get("/lookup")
def lookup() -> Response:
    """Type-ahead suggestions as JSON; only what the user may see."""
    matches = service.lookup(request.args.get("q", ""), current_user)
    return jsonify([{"id": c.id, "name": c.full_name} for c in matches])


@bp.get("/<int:contact_id>/history")
def history(contact_id: int) -> str:
    page, per_page = page_args()
    contact, events = contact_history(contact_id, current_user, page, per_page)
    return render_template(
        "history/record.html",
        record_name=contact.full_name,
        back_url=url_for(".show", contact_id=contact.id),
        events=events,
    )


@bp.get("/<int:contact_id>")
def show(contact_id: int) -> str:
    page = service.contact_page(contact_id, current_user, date.today())
    timeline = contact_timeline(
        page.contact, current_user, utcnow(), page=request.args.get("timeline", 1, type=int)
    )
    return render_template(
        "contacts/show.html",
        page=page,
        timeline=timeline,
        follow_ups=follow_ups_of(page.contact, current_user),
        follow_up_form=follow_up_form(contact_id=page.contact.id),
        action_form=FlaskForm(),
    )


def _form(contact: Contact | None = None) -> ContactForm:
    form = ContactForm(obj=contact)
    if contact is not None and not form.is_submitted():
        form.tags.data = ", ".join(t.name for t in contact.tags)
        form.sensitivity.data = contact.sensitivity.code
    if not form.is_submitted():
        form.add_spare_rows()
    form.set_choices(all_tiers(), active_users())
    return form


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def create() -> str | Response:
    form = _form()
    if form.validate_on_submit():
        contact = save_with(form, lambda: service.create_contact(form.to_input(), current_user))
        if contact is not None:
            flash(_("Contact created."), "success")
            return redirect(url_for(".show", contact_id=contact.id))
    return render_template("contacts/form.html", form=form, contact=None)


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(contact_id: int) -> str | Response:
    contact = service.get_contact(contact_id, current_user)
    form = _form(contact)
    if form.validate_on_submit():
        saved = save_with(
            form, lambda: service.update_contact(contact, form.to_input(), current_user)
        )
        if saved is not None:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".show", contact_id=contact.id))
    return render_template("contacts/form.html", form=form, contact=contact)


@bp.post("/<int:contact_id>/delete")
@editor_required
def delete(contact_id: int) -> Response:
    contact = service.get_contact(contact_id, current_user)
    if FlaskForm().validate_on_submit():
        service.delete_contact(contact, current_user)
        db.session.commit()
        flash(_("“%(name)s” moved to the trash.", name=contact.full_name), "success")
    return redirect(url_for(".index"))


@bp.route("/<int:contact_id>/posts/new", methods=["GET", "POST"])
@editor_required
def add_post(contact_id: int) -> str | Response:
    contact = service.get_contact(contact_id, current_user)
    form = AffiliationForm()
    if not form.is_submitted() and request.args.get("organization"):
        form.organization.data = request.args["organization"]
    if form.validate_on_submit():
        post = save_with(
            form, lambda: service.add_affiliation(contact, form.to_input(), current_user)
        )
        if post is not None:
            flash(_("Post added."), "success")
            return redirect(url_for(".show", contact_id=contact.id))
    return render_template("contacts/post_form.html", form=form, contact=contact, post=None)


@bp.route("/<int:contact_id>/posts/<int:post_id>/edit", methods=["GET", "POST"])
@editor_required
def edit_post(contact_id: int, post_id: int) -> str | Response:
    contact = service.get_contact(contact_id, current_user)
    post = service.get_affiliation(contact, post_id, current_user)
    form = AffiliationForm(obj=post)
    if not form.is_submitted():
        form.organization.data = post.organization.name
    if form.validate_on_submit():
        saved = save_with(
            form, lambda: service.update_affiliation(post, form.to_input(), current_user)
        )
        if saved is not None:
            flash(_("Post updated."), "success")
            return redirect(url_for(".show", contact_id=contact.id))
    return render_template("contacts/post_form.html", form=form, contact=contact, post=post)


@bp.post("/<int:contact_id>/posts/<int:post_id>/delete")
@editor_required
def delete_post(contact_id: int, post_id: int) -> Response:
    contact = service.get_contact(contact_id, current_user)
    post = service.get_affiliation(contact, post_id, current_user)
    if FlaskForm().validate_on_submit():
        service.remove_affiliation(post, current_user)
        db.session.commit()
        flash(_("Post removed."), "success")
    return redirect(url_for(".show", contact_id=contact.id))
