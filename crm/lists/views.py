"""Contact lists: invitation lists and rosters (static) or saved filters (smart)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.extensions import db
from crm.form_helpers import posted_ids, save_with
from crm.listing import page_args, safe_next
from crm.lists.forms import ContactListForm
from crm.services import contact_lists as service
from crm.services.contacts import current_posts
from crm.services.contacts import lookup as find_contacts
from crm.services.errors import RecordNotFound, ValidationError
from crm.services.records import active_users

bp = Blueprint("lists", __name__)


@bp.get("/")
def index() -> str:
    return render_template("lists/index.html", lists=service.lists_for(current_user))


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def create() -> str | Response:
    form = ContactListForm()
    form.set_choices(active_users(), current_user)
    if not form.is_submitted():
        form.smart_query.data = urlencode(request.args)
    query = dict(parse_qsl(form.smart_query.data or "", keep_blank_values=True))
    filters = service.filters_from_query(query)
    is_smart = service.names_filters(query)
    if form.validate_on_submit():
        saved = save_with(
            form, lambda: service.create_list(form.to_input(is_smart, filters), current_user)
        )
        if saved is not None:
            flash(_("List “%(name)s” created.", name=saved.name), "success")
            return redirect(url_for(".show", list_id=saved.id))
    return render_template("lists/form.html", form=form, contact_list=None, filters=filters)


@bp.get("/<int:list_id>")
def show(list_id: int) -> str:
    contact_list = service.get_list(list_id, current_user)
    page, per_page = page_args()
    today = date.today()
    results = service.member_page(contact_list, current_user, today, page, per_page)
    query = request.args.get("q", "").strip()
    is_owner = contact_list.owner_id == current_user.id and current_user.can_edit
    found = (
        [c for c in find_contacts(query, current_user, limit=25)]
        if query and is_owner and not contact_list.is_smart
        else []
    )
    return render_template(
        "lists/show.html",
        found=found,
        query=query,
        contact_list=contact_list,
        results=results,
        posts=current_posts(results.items, current_user, today),
        contacts_query=service.contacts_query(contact_list),
        is_owner=is_owner,
        action_form=FlaskForm(),
    )


@bp.route("/<int:list_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(list_id: int) -> str | Response:
    contact_list = service.get_list(list_id, current_user)
    service.require_owner(contact_list, current_user)
    form = ContactListForm(obj=contact_list)
    form.set_choices(active_users(), current_user)
    if not form.is_submitted():
        form.shared_with_ids.data = [u.id for u in contact_list.shared_with]
    if form.validate_on_submit():
        saved = save_with(
            form,
            lambda: service.update_list(
                contact_list,
                form.to_input(contact_list.is_smart, contact_list.filters),
                current_user,
            ),
        )
        if saved is not None:
            flash(_("List “%(name)s” saved.", name=saved.name), "success")
            return redirect(url_for(".show", list_id=saved.id))
    return render_template(
        "lists/form.html", form=form, contact_list=contact_list, filters=contact_list.filters
    )


@bp.post("/<int:list_id>/delete")
@editor_required
def delete(list_id: int) -> Response:
    contact_list = service.get_list(list_id, current_user)
    if FlaskForm().validate_on_submit():
        service.delete_list(contact_list, current_user)
        db.session.commit()
        flash(_("“%(name)s” moved to the trash.", name=contact_list.name), "success")
    return redirect(url_for(".index"))


@bp.post("/members")
@editor_required
def add_members() -> Response:
    """Add the people ticked on a contact search page to one of my lists."""
    back = safe_next(request.form.get("next"), url_for("contacts.index"))
    if not FlaskForm().validate_on_submit():
        return redirect(back)
    try:
        contact_list = service.get_list(request.form.get("list_id"), current_user)
        added = service.add_members(contact_list, posted_ids("contact_ids"), current_user)
    except RecordNotFound:
        flash(_("Choose one of your lists."), "error")
        return redirect(back)
    except ValidationError as error:
        db.session.rollback()
        flash(" ".join(error.errors.values()), "error")
        return redirect(back)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d person added to “%(name)s”.",
            "%(num)d people added to “%(name)s”.",
            added,
            name=contact_list.name,
        ),
        "success",
    )
    return redirect(back)


@bp.post("/<int:list_id>/members/remove")
@editor_required
def remove_members(list_id: int) -> Response:
    contact_list = service.get_list(list_id, current_user)
    if FlaskForm().validate_on_submit():
        removed = service.remove_members(contact_list, posted_ids("contact_ids"), current_user)
        db.session.commit()
        flash(ngettext("%(num)d person removed.", "%(num)d people removed.", removed), "success")
    return redirect(url_for(".show", list_id=contact_list.id))
