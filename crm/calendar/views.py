"""Calendar pages: feed subscriptions, the feeds themselves, and one meeting as a file."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

from crm.auth.access import public
from crm.calendar.forms import FeedForm
from crm.extensions import db, limiter
from crm.form_helpers import save_with
from crm.i18n import locale_for
from crm.models import CalendarFeed
from crm.services import calendar as service
from crm.services.interactions import get_interaction, local_time
from crm.services.normalize import file_name_part
from crm.services.organizations import all_work_areas

bp = Blueprint("calendar", __name__)

ICS_TYPE = "text/calendar; charset=utf-8"


def _window() -> service.FeedWindow:
    config = current_app.config
    return service.FeedWindow(
        past_days=config["CALENDAR_FEED_PAST_DAYS"],
        future_days=config["CALENDAR_FEED_FUTURE_DAYS"],
        cancelled_days=config["CALENDAR_CANCELLED_DAYS"],
        refresh=timedelta(minutes=config["CALENDAR_REFRESH_MINUTES"]),
    )


def _record_url() -> service.RecordUrl:
    """Links back to each interaction, built once rather than per event."""
    prefix = url_for("interactions.index", _external=True)
    return lambda interaction_id: f"{prefix}{interaction_id}"


def _feed_form() -> FeedForm:
    form = FeedForm()
    form.set_choices(all_work_areas())
    return form


def _feeds_page(form: FeedForm) -> str:
    """The user's feeds, each with its organization named only while they may still see it."""
    return render_template(
        "calendar/feeds.html",
        feeds=[
            (f, service.feed_organization_name(f, current_user))
            for f in service.feeds_of(current_user)
        ],
        form=form,
        action_form=FlaskForm(),
    )


@bp.get("/")
def feeds() -> str:
    return _feeds_page(_feed_form())


def _address_page(feed: CalendarFeed, token: str, created: bool) -> Response:
    """The feed's secret address, shown this once: it is not stored and cannot be shown again."""
    https_url = url_for(".feed", token=token, _external=True)
    webcal_url = re.sub(r"^https?://", "webcal://", https_url)
    response = Response(
        render_template(
            "calendar/address.html",
            feed=feed,
            created=created,
            https_url=https_url,
            webcal_url=webcal_url,
            google_url="https://calendar.google.com/calendar/r?cid=" + quote(webcal_url, safe=""),
            outlook_url="https://outlook.office.com/calendar/addfromweb?url="
            + quote(https_url, safe="")
            + "&name="
            + quote(feed.name, safe=""),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/feeds")
def create() -> str | Response:
    form = _feed_form()
    if form.validate():
        created = save_with(form, lambda: service.create_feed(form.to_input(), current_user))
        if created is not None:
            feed, token = created
            return _address_page(feed, token, created=True)
    return _feeds_page(form)


@bp.route("/feeds/<int:feed_id>/edit", methods=["GET", "POST"])
def edit(feed_id: int) -> str | Response:
    feed = service.get_own_feed(feed_id, current_user)
    form = FeedForm(obj=feed)
    form.set_choices(all_work_areas())
    if not form.is_submitted():
        form.organization_name.data = service.feed_organization_name(feed, current_user)
    if form.validate_on_submit() and save_with(
        form, lambda: service.update_feed(feed, form.to_input(), current_user)
    ):
        flash(_("Feed “%(name)s” saved.", name=feed.name), "success")
        return redirect(url_for(".feeds"))
    return render_template("calendar/edit.html", feed=feed, form=form)


@bp.post("/feeds/<int:feed_id>/rotate")
def rotate(feed_id: int) -> Response:
    feed = service.get_own_feed(feed_id, current_user)
    if not FlaskForm().validate_on_submit():
        return redirect(url_for(".feeds"))
    token = service.rotate_token(feed)
    db.session.commit()
    return _address_page(feed, token, created=False)


@bp.post("/feeds/<int:feed_id>/revoke")
def revoke(feed_id: int) -> Response:
    feed = service.get_own_feed(feed_id, current_user)
    if FlaskForm().validate_on_submit():
        service.revoke_feed(feed)
        db.session.commit()
        flash(
            _("Feed “%(name)s” revoked: its address no longer works.", name=feed.name),
            "success",
        )
    return redirect(url_for(".feeds"))


def _feed_rate_key() -> str:
    return "feed:" + service.hash_token((request.view_args or {}).get("token", ""))


@bp.get("/feeds/<token>.ics")
@public
@limiter.limit(lambda: current_app.config["CALENDAR_FEED_RATE_LIMIT"], key_func=_feed_rate_key)
def feed(token: str) -> Response:
    """A subscribed calendar: served inline, answered with 304 when nothing changed."""
    now = datetime.now(UTC)
    window = _window()
    polled = service.feed_by_token(token, window, now)
    if polled is None:
        abort(404)
    version = polled.version
    if not is_resource_modified(
        request.environ, etag=version.etag, last_modified=version.last_modified
    ):
        response = Response(status=304)
    else:
        key = (polled.token_hash, version.etag, request.base_url)
        body = service.built_feeds.get(key)
        if body is None:
            calendar_feed = service.polled_feed(polled)
            if calendar_feed is None:
                abort(404)
            with force_locale(locale_for(calendar_feed.user.language)):
                body = service.feed_calendar(
                    calendar_feed, window, now, _record_url(), url=request.base_url
                )
            service.built_feeds.put(key, body)
        response = Response(body, content_type=ICS_TYPE)
    service.record_fetch(polled, now)
    response.set_etag(version.etag)
    response.last_modified = version.last_modified
    # Private: the address is a secret; clients revalidate with the validators above.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/interactions/<int:interaction_id>.ics")
def interaction_file(interaction_id: int) -> Response:
    """One meeting to add to a calendar, as an attachment."""
    interaction = get_interaction(interaction_id, current_user)
    body = service.interaction_calendar(interaction, current_user, _record_url())
    day = local_time(interaction.starts_at, interaction.timezone).date().isoformat()
    response = Response(body, content_type=ICS_TYPE)
    response.headers.set(
        "Content-Disposition",
        "attachment",
        filename=f"{day}-{file_name_part(interaction.subject, 'meeting')}.ics",
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
