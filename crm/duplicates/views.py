"""Duplicates: the candidate pairs, and a side-by-side screen to merge two records."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.extensions import db
from crm.models import Contact, Organization
from crm.services import duplicates as service
from crm.services.errors import ValidationError

bp = Blueprint("duplicates", __name__)

LABELS = {
    "honorific": _l("Honorific"),
    "given_names": _l("Given names"),
    "family_name": _l("Family name"),
    "second_family_name": _l("Second family name"),
    "preferred_language": _l("Preferred language"),
    "tier_id": _l("Tier"),
    "owner_id": _l("Owner"),
    "notes": _l("Notes"),
    "kind": _l("Kind"),
    "name": _l("Official name"),
    "name_es": _l("Spanish or alternate name"),
    "acronym": _l("Acronym"),
    "country": _l("Country"),
    "subdivision": _l("State or province"),
    "government_level": _l("Government level"),
    "parent_id": _l("Part of"),
    "website": _l("Website"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "street": _l("Street"),
    "city": _l("City"),
    "postal_code": _l("Postal code"),
}
KINDS: dict[str, tuple[type, tuple[str, ...], Any, str]] = {
    "contacts": (Contact, service.CONTACT_FIELDS, service.merge_contacts, "contacts.show"),
    "organizations": (
        Organization,
        service.ORGANIZATION_FIELDS,
        service.merge_organizations,
        "organizations.show",
    ),
}


@bp.get("/")
@editor_required
def index() -> str:
    return render_template(
        "duplicates/index.html",
        contacts=service.contact_candidates(current_user, date.today()),
        organizations=service.organization_candidates(current_user),
    )


def _shown(record: Any, name: str) -> str:
    """A field as a person reads it: names for the links."""
    if name == "tier_id":
        return record.tier.name if record.tier else ""
    if name == "owner_id":
        return record.owner.full_name if record.owner else ""
    if name == "parent_id":
        return record.parent.name if record.parent else ""
    return str(getattr(record, name) or "")


@bp.route("/<kind>/<int:first_id>/<int:second_id>", methods=["GET", "POST"])
@editor_required
def merge(kind: str, first_id: int, second_id: int) -> str | Response:
    if kind not in KINDS:
        abort(404)
    model, fields, merge_records, show_endpoint = KINDS[kind]
    if first_id == second_id:
        flash(_("Choose two different records."), "error")
        return redirect(url_for(".index"))
    first, second = service.get_pair(model, first_id, second_id, current_user)
    form = FlaskForm()
    if form.validate_on_submit():
        keep_second = request.form.get("survivor") == "second"
        survivor, other = (second, first) if keep_second else (first, second)
        other_side = "first" if keep_second else "second"
        from_other = {f for f in fields if request.form.get(f"field-{f}") == other_side}
        try:
            merge_records(survivor, other, from_other, current_user)
        except ValidationError as error:
            db.session.rollback()
            flash(" ".join(error.errors.values()), "error")
        else:
            db.session.commit()
            flash(_("Merged. The other record is in the trash, marked as merged."), "success")
            key = "contact_id" if kind == "contacts" else "organization_id"
            return redirect(url_for(show_endpoint, **{key: survivor.id}))
    rows = [(name, LABELS[name], _shown(first, name), _shown(second, name)) for name in fields]
    return render_template(
        "duplicates/merge.html",
        kind=kind,
        first=first,
        second=second,
        rows=rows,
        form=form,
        show_endpoint=show_endpoint,
    )
