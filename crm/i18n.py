"""Which locale a request, a feed or an export speaks, and how it is chosen."""

from __future__ import annotations

from functools import cached_property

from babel.support import NullTranslations
from flask import current_app, has_request_context, request, session
from flask_babel import Babel, Domain, _get_current_context, get_locale
from flask_login import current_user

from crm.services.normalize import country_names

# The interface's Spanish is Mexico's: dates, times and numbers as Mexican readers write them
# ("3 nov 2026, 9:00 a.m.", "12,345.5"). The catalogs stay under plain "es", which gettext
# finds for "es_MX".
REGIONAL_LOCALES = {"es": "es_MX"}

# Where an anonymous visitor's choice on the sign-in page is remembered.
SESSION_LANGUAGE_KEY = "language"


class RequestCatalogueDomain(Domain):
    """Flask-Babel's domain, finding the request's catalogue once, not once per string.

    Flask-Babel looks it up anew for every string (the request context four times over, and
    the locale's name), a tenth of a page's time where a page has fifty strings. The catalogue
    is kept on Flask-Babel's request context under ``babel_translations``, where its
    ``refresh()`` and ``force_locale()`` already reset it when the locale changes.
    """

    def get_translations(self) -> NullTranslations:
        context = _get_current_context()
        if context is None:
            return super().get_translations()
        catalogue = getattr(context, "babel_translations", None)
        if catalogue is None:
            catalogue = context.babel_translations = super().get_translations()
        return catalogue


class RequestCatalogueBabel(Babel):
    """Babel whose default domain is a :class:`RequestCatalogueDomain`."""

    @cached_property
    def domain_instance(self) -> Domain:
        return RequestCatalogueDomain(domain=self.domain)


def locale_for(language: str | None) -> str:
    """The Babel locale for an interface language ("en", "es")."""
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    return REGIONAL_LOCALES.get(language, language)


def remember_language(language: str | None) -> None:
    """Keep a visitor's language choice (``?lang=es``) for the rest of the session."""
    if language in current_app.config["LANGUAGES"]:
        session[SESSION_LANGUAGE_KEY] = language


def select_locale() -> str | None:
    """The user's chosen language, else the one picked on the sign-in page, else the
    browser's; the default outside a request."""
    if not has_request_context():
        return None
    if current_user.is_authenticated and current_user.language:
        return locale_for(current_user.language)
    languages = current_app.config["LANGUAGES"]
    chosen = session.get(SESSION_LANGUAGE_KEY)
    if chosen not in languages:
        chosen = request.accept_languages.best_match(languages)
    return locale_for(chosen)


def select_timezone() -> str | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.timezone
    return None


def localized_country_names() -> dict[str, str]:
    """ISO 3166-1 codes and the countries' names in the reader's language ("México")."""
    locale = get_locale()
    territories = locale.territories if locale is not None else {}
    return {code: territories.get(code, name) for code, name in country_names().items()}
