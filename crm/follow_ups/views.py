"""My follow-ups, adding one to an interaction, and ticking one off."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.extensions import db
from crm.follow_ups.forms import FollowUpForm
from crm.form_helpers import apply_errors
from crm.listing import page_args, safe_next
from crm.models import FollowUp
from crm.services import follow_ups as service
from crm.services.errors import ValidationError
from crm.services.history import follow_up_history
from crm.services.records import active_users

bp = Blueprint("follow_ups", __name__)


@bp.get("/")
def mine() -> str:
    return render_template(
        "follow_ups/mine.html",
        tasks=service.my_follow_ups(current_user, date.today()),
        action_form=FlaskForm(),
    )


@bp.post("/new")
@editor_required
def create() -> str | Response:
    form = FollowUpForm()
    form.set_choices(active_users())
    if form.validate_on_submit():
        try:
            follow_up = service.create_follow_up(form.to_input(), current_user)
        except ValidationError as error:
            db.session.rollback()
            apply_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Follow-up added."), "success")
            return redirect(record_url(follow_up))
    return render_template("follow_ups/form.html", form=form), 400


def record_url(follow_up: FollowUp) -> str:
    """The page of what the follow-up belongs to."""
    if follow_up.interaction_id:
        return url_for("interactions.show", interaction_id=follow_up.interaction_id)
    if follow_up.contact_id:
        return url_for("contacts.show", contact_id=follow_up.contact_id)
    return url_for("organizations.show", organization_id=follow_up.organization_id)


@bp.get("/<int:follow_up_id>/history")
def history(follow_up_id: int) -> str:
    page, per_page = page_args()
    follow_up, events = follow_up_history(follow_up_id, current_user, page, per_page)
    return render_template(
        "history/record.html",
        record_name=follow_up.description,
        back_url=record_url(follow_up),
        events=events,
    )


@bp.post("/<int:follow_up_id>/done")
@editor_required
def done(follow_up_id: int) -> Response:
    if FlaskForm().validate_on_submit():
        follow_up = service.set_done(follow_up_id, request.form.get("done") == "1", current_user)
        db.session.commit()
        flash(
            _("Marked done.") if follow_up.is_done else _("Marked as not done."),
            "success",
        )
    return redirect(safe_next(request.form.get("next"), url_for(".mine")))
