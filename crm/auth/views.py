"""Signing in and out, and a user's own preferences."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from crm.auth.access import public
from crm.auth.forms import LoginForm, PreferencesForm
from crm.extensions import db, limiter, login_manager
from crm.form_helpers import language_choices, save_with
from crm.i18n import remember_language
from crm.listing import safe_next
from crm.models import User
from crm.services import users as service

bp = Blueprint("auth", __name__)

login_manager.login_message = None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    # A deactivated account loses its open sessions at once.
    return user if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    remember_language(request.args.get("lang"))
    form = LoginForm()
    if form.validate_on_submit():
        user = service.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), url_for("dashboard.index")))
        form.password.errors = [_("The e-mail address or password is not right.")]
    return render_template("auth/login.html", form=form, languages=language_choices())


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences() -> str | Response:
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        saved = save_with(
            form,
            lambda: service.update_preferences(
                current_user, form.language.data or "", form.timezone.data or ""
            ),
        )
        if saved is not None:
            flash(_("Preferences saved."), "success")
            return redirect(url_for(".preferences"))
    return render_template("auth/preferences.html", form=form)
