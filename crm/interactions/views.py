"""Interaction pages: the log, one form to record a meeting, detail, edit, delete, history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from crm.auth.access import editor_required
from crm.calendar.forms import InvitationForm
from crm.extensions import db
from crm.follow_ups.forms import follow_up_form
from crm.form_helpers import posted_ids, save_with
from crm.formats import ics
from crm.interactions.forms import InteractionForm
from crm.listing import page_args
from crm.models import Interaction, InteractionKind, InteractionStatus
from crm.services import interactions as service
from crm.services.calendar import InvitationMatch, match_invitation
from crm.services.contacts import lookup as find_contacts
from crm.services.errors import RecordNotFound, parse_id
from crm.services.follow_ups import follow_ups_of
from crm.services.history import interaction_history
from crm.services.organizations import all_work_areas, get_organization
from crm.services.records import active_users

bp = Blueprint("interactions", __name__)


@bp.get("/")
def index() -> str:
    page, per_page = page_args()
    return render_template(
        "interactions/index.html", results=service.list_interactions(current_user, page, per_page)
    )


@bp.get("/<int:interaction_id>")
def show(interaction_id: int) -> str:
    interaction = service.interaction_detail(interaction_id, current_user)
    return render_template(
        "interactions/show.html",
        interaction=interaction,
        follow_ups=follow_ups_of(interaction, current_user),
        follow_up_form=follow_up_form(interaction_id=interaction.id),
        action_form=FlaskForm(),
    )


@bp.get("/<int:interaction_id>/history")
def history(interaction_id: int) -> str:
    page, per_page = page_args()
    interaction, events = interaction_history(interaction_id, current_user, page, per_page)
    return render_template(
        "history/record.html",
        record_name=interaction.subject,
        back_url=url_for(".show", interaction_id=interaction.id),
        events=events,
    )


def _posted_participants() -> tuple[list[int], dict[int, int | None]]:
    """Contacts ticked on the form and the organization chosen for each."""
    ids = posted_ids("contact_ids")
    chosen: dict[int, int | None] = {}
    for contact_id in ids:
        value = request.form.get(f"represented-{contact_id}")
        if value is None:
            continue  # just added: their main post is offered first
        try:
            chosen[contact_id] = parse_id(value)
        except RecordNotFound:
            chosen[contact_id] = None
    return ids, chosen


def _edit_page(form: InteractionForm, interaction: Interaction | None) -> str | Response:
    """The one form to log or edit an interaction; "Find" searches people without saving."""
    form.set_choices(active_users(), all_work_areas())
    if not form.is_submitted():
        if interaction is None:
            form.timezone.data = current_user.timezone
            form.staff_ids.data = [current_user.id]
            ids = [c for c in (request.args.get("contact", type=int),) if c]
            chosen: dict[int, int | None] = {}
            if organization_id := request.args.get("organization", type=int):
                form.organization_names[0].data = get_organization(
                    organization_id, current_user
                ).name
        else:
            ids = [link.contact_id for link in interaction.contact_links]
            chosen = {link.contact_id: link.organization_id for link in interaction.contact_links}
    else:
        ids, chosen = _posted_participants()
    participants = service.participant_choices(ids, chosen, current_user, date.today())
    found = []
    searching = request.form.get("action") == "find"
    if searching and form.contact_search.data:
        found = [
            c for c in find_contacts(form.contact_search.data, current_user) if c.id not in ids
        ]
    saving = form.is_submitted() and not searching and form.validate()
    # After validate(), which resets every field's errors.
    unknown = set(ids) - {p.contact.id for p in participants}
    if unknown:
        form.contacts.errors = [_("A participant was not found.")]
    if saving and not unknown:
        picked = [service.ParticipantInput(p.contact.id, p.chosen_id) for p in participants]
        saved = save_with(
            form,
            lambda: (
                service.update_interaction(interaction, form.to_input(picked), current_user)
                if interaction is not None
                else service.create_interaction(form.to_input(picked), current_user)
            ),
        )
        if saved is not None:
            flash(_("Interaction saved."), "success")
            return redirect(url_for(".show", interaction_id=saved.id))
    return render_template(
        "interactions/form.html",
        form=form,
        interaction=interaction,
        participants=participants,
        found=found,
        searching=searching,
    )


INVITATION_ERRORS = {
    ics.TOO_LARGE: _l("The file is too large for an invitation (over 1 MB)."),
    ics.NOT_ICALENDAR: _l("This is not an iCalendar (.ics) file."),
    ics.DAMAGED: _l("The iCalendar file is damaged and cannot be read."),
    ics.NO_EVENT: _l("The file holds no meeting."),
    ics.NO_START: _l("The meeting in the file has no start time."),
    ics.BAD_END: _l("The meeting's end time cannot be read."),
}


def _fill_from_invitation(form: InteractionForm, match: InvitationMatch) -> None:
    """Pre-fill the interaction form with what the invitation says, at its own local time."""
    invitation = match.invitation
    zone = ZoneInfo(match.timezone)
    starts = invitation.starts_at.astimezone(zone)
    ends = invitation.ends_at.astimezone(zone) if invitation.ends_at else None
    form.subject.data = invitation.summary[:300]
    form.kind.data = InteractionKind.MEETING.value
    if invitation.status == ics.CANCELLED:
        form.status.data = InteractionStatus.CANCELLED.value
    elif invitation.starts_at < datetime.now(UTC):
        form.status.data = InteractionStatus.HELD.value
    else:
        form.status.data = InteractionStatus.PLANNED.value
    form.timezone.data = match.timezone
    form.day.data = starts.date()
    form.all_day.data = invitation.all_day
    if invitation.all_day:
        last = (ends - timedelta(days=1)).date() if ends else starts.date()
        form.end_day.data = last if last > starts.date() else None
    else:
        form.start.data = starts.time().replace(second=0, microsecond=0)
        if ends is not None:
            form.end.data = ends.time().replace(second=0, microsecond=0)
            form.end_day.data = ends.date() if ends.date() != starts.date() else None
    form.location.data = invitation.location[:300]
    form.video_url.data = invitation.video_url[:500]
    form.summary.data = invitation.description[:20000]
    form.staff_ids.data = match.staff_ids or [current_user.id]


@bp.route("/import", methods=["GET", "POST"])
@editor_required
def import_invitation() -> str:
    """Upload an invitation (.ics) and get the interaction form filled in from it."""
    upload = InvitationForm()
    if upload.validate_on_submit():
        data = upload.invitation.data.read(ics.MAX_INVITATION_BYTES + 1)
        try:
            invitation = ics.read_invitation(data, current_user.timezone)
        except ics.InvitationError as error:
            upload.invitation.errors = [str(INVITATION_ERRORS[error.reason])]
        else:
            match = match_invitation(invitation, current_user)
            form = InteractionForm(formdata=None)
            form.set_choices(active_users(), all_work_areas())
            _fill_from_invitation(form, match)
            return render_template(
                "interactions/form.html",
                form=form,
                interaction=None,
                participants=service.participant_choices(
                    match.contact_ids, {}, current_user, date.today()
                ),
                found=[],
                searching=False,
                form_action=url_for(".create"),
                invitation=match,
            )
    return render_template("interactions/import.html", form=upload)


@bp.route("/new", methods=["GET", "POST"])
@editor_required
def create() -> str | Response:
    return _edit_page(InteractionForm(), None)


@bp.route("/<int:interaction_id>/edit", methods=["GET", "POST"])
@editor_required
def edit(interaction_id: int) -> str | Response:
    interaction = service.get_interaction(interaction_id, current_user)
    form = InteractionForm(obj=interaction)
    if not form.is_submitted():
        starts = service.local_time(interaction.starts_at, interaction.timezone)
        form.day.data, form.start.data = starts.date(), starts.time()
        if interaction.all_day:
            form.start.data = None
            last_day = service.last_day(interaction)
            form.end_day.data = last_day if last_day != starts.date() else None
        elif interaction.ends_at is not None:
            ends = service.local_time(interaction.ends_at, interaction.timezone)
            form.end.data = ends.time()
            form.end_day.data = ends.date() if ends.date() != starts.date() else None
        form.sensitivity.data = interaction.sensitivity.code
        form.staff_ids.data = [u.id for u in interaction.staff]
        form.work_area_ids.data = [w.id for w in interaction.work_areas]
        names = [o.name for o in interaction.organizations]
        form.organization_names.entries = []
        for name in [*names, "", ""]:
            form.organization_names.append_entry(name)
    return _edit_page(form, interaction)


@bp.post("/<int:interaction_id>/delete")
@editor_required
def delete(interaction_id: int) -> Response:
    interaction = service.get_interaction(interaction_id, current_user)
    if FlaskForm().validate_on_submit():
        service.delete_interaction(interaction, current_user)
        db.session.commit()
        flash(_("“%(name)s” moved to the trash.", name=interaction.subject), "success")
    return redirect(url_for(".index"))
