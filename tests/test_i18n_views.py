"""The interface in Spanish: a Spanish-speaking user's pages, forms, messages, dates, numbers,
exports and calendar feeds; the sign-in page in the browser's or the chosen language. Names of
organizations and people stay as they are."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from flask import render_template_string
from flask_babel import force_locale, gettext, ngettext, refresh
from icalendar import Calendar

from crm.extensions import db
from crm.i18n import remember_language
from crm.models import AuditEvent, RelationshipTier
from crm.services.calendar import FeedInput, create_feed
from tests import factories
from tests.view_helpers import assert_error_beside, flashes, page

CONSULATE = "Consulado General de México en San Diego"
PERSON = dict(given_names="José Ángel", family_name="Núñez", second_family_name="Peña")


def spanish_officer(**fields):
    user = factories.make_user(language="es", full_name="Laura Medina", **fields)
    db.session.commit()
    return user


def csv_header(body: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(body.decode("utf-8").removeprefix("\ufeff"))))


def test_a_spanish_user_sees_the_dashboard_in_spanish(client, login_as):
    login_as(spanish_officer())

    html = page(client.get("/"))

    assert '<html lang="es-MX">' in html
    assert "<title>Panel · Liaison CRM</title>" in html
    for words in ("Organizaciones", "Contactos", "Relaciones que se enfrían", "Cerrar sesión"):
        assert words in html
    assert "Sign out" not in html
    assert "Le damos la bienvenida, Laura Medina" in html


def test_a_spanish_list_translates_labels_but_never_names(client, login_as):
    consulate = factories.make_organization(
        name=CONSULATE, kind="consulate", country="US", government_level="federal"
    )
    login_as(spanish_officer())

    html = page(client.get("/organizations/"))
    shown = page(client.get(f"/organizations/{consulate.id}"))

    assert "<h1>Organizaciones</h1>" in html
    assert CONSULATE in html
    assert "Consulado</td>" in html or ">Consulado<" in html
    assert "Consulate" not in html
    assert "Estados Unidos" in shown
    assert CONSULATE in shown
    missing = client.get("/organizations/999999")
    assert missing.status_code == 404
    assert "No encontrado" in page(missing)


def test_a_spanish_list_pages_in_spanish(client, login_as):
    for name in ("Fiscalía General", "Consulado General", "Secretaría de Relaciones"):
        factories.make_organization(name=name)
    login_as(spanish_officer())

    html = page(client.get("/organizations/?per_page=2"))

    assert "1–2 de 3" in html
    assert "Página 1 de 2" in html
    assert 'rel="next">Siguiente</a>' in html
    assert 'aria-label="Páginas"' in html


def test_a_spanish_form_shows_its_errors_in_spanish_beside_the_field(client, login_as):
    login_as(spanish_officer())

    html = page(client.post("/organizations/new", data={"name": "", "kind": "agency"}))

    assert_error_beside(html, "name", "Escriba el nombre de la organización.")
    assert "Guardar" in html


def test_built_in_form_messages_are_in_spanish_too(client, login_as):
    login_as(spanish_officer(role="admin"))

    html = page(
        client.post("/admin/tiers/new", data={"name": "Nivel 4", "rank": "0", "cadence_days": "x"})
    )

    assert_error_beside(html, "rank", "El número debe ser al menos 1.")
    assert_error_beside(html, "cadence_days", "No es un número entero válido.")


def test_a_spanish_user_gets_flash_messages_in_spanish(client, login_as):
    login_as(spanish_officer())

    response = client.post(
        "/preferences",
        data={"language": "es", "timezone": "America/Tijuana"},
        follow_redirects=True,
    )

    assert flashes(page(response)) == ["Preferencias guardadas."]


def test_the_sign_in_page_follows_the_browser_language(client):
    html = page(client.get("/login", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}))

    assert '<html lang="es-MX">' in html
    assert "<h1>Iniciar sesión</h1>" in html
    assert "Contraseña" in html
    english = page(client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert "<h1>Sign in</h1>" in english


def test_the_language_chosen_on_the_sign_in_page_is_remembered(client):
    spanish_browser = {"Accept-Language": "es-MX"}

    chosen = page(client.get("/login?lang=en", headers=spanish_browser))
    again = page(client.get("/login", headers=spanish_browser))

    assert "<h1>Sign in</h1>" in chosen
    assert "<h1>Sign in</h1>" in again
    assert 'href="/login?lang=es"' in again
    assert "<h1>Iniciar sesión</h1>" in page(client.get("/login?lang=es"))


def test_a_signed_in_user_language_wins_over_the_browser(client, login_as):
    login_as(spanish_officer())

    html = page(client.get("/", headers={"Accept-Language": "en-US"}))

    assert "Cerrar sesión" in html


def test_dates_are_in_spanish_at_the_local_time_of_the_meeting(client, login_as):
    user = spanish_officer()
    meeting = factories.make_interaction(
        user,
        subject="Mesa de trabajo binacional",
        starts_at=datetime(2026, 11, 3, 17, 0, tzinfo=UTC),
        timezone="America/Los_Angeles",
    )
    db.session.commit()
    login_as(user)

    html = page(client.get(f"/interactions/{meeting.id}"))

    assert "3 nov 2026, 9:00" in html
    assert "Programada" in html


def test_times_of_the_record_history_are_in_the_user_time_zone(client, login_as):
    user = spanish_officer(timezone="America/Mexico_City")
    organization = factories.make_organization(name=CONSULATE)
    db.session.commit()
    login_as(user)
    event = db.session.query(AuditEvent).filter_by(record_id=organization.id).one()
    event.occurred_at = datetime(2026, 11, 3, 17, 0, tzinfo=UTC)
    db.session.commit()

    html = page(client.get(f"/organizations/{organization.id}/history"))

    assert "3/11/26, 11:00" in html
    assert "Alta" in html


def test_relative_times_are_in_spanish(client, login_as):
    user = spanish_officer()
    feed, _token = create_feed(FeedInput(), user)
    feed.last_fetched_at = datetime.now(UTC) - timedelta(days=3, hours=1)
    db.session.commit()
    login_as(user)

    html = page(client.get("/calendar/"))

    assert "hace 3 días" in html


def test_numbers_use_the_locale_separators(client, login_as):
    db.session.add(RelationshipTier(name="Nivel 4 — Archivo", rank=4, cadence_days=3650))
    db.session.commit()
    login_as(spanish_officer(role="admin"))

    html = page(client.get("/admin/tiers"))

    assert "<td>3,650</td>" in html
    assert "Nivel 1 — Estratégico" in html


def test_the_app_export_has_spanish_headers_for_a_spanish_user(client, login_as):
    factories.make_contact(**PERSON)
    db.session.commit()
    login_as(spanish_officer())

    own = client.get("/exports/contacts", query_string={"format": "csv"})
    google = client.get("/exports/contacts", query_string={"format": "csv-google"})

    header = csv_header(own.get_data())
    assert header[:4] == ["Tratamiento", "Nombres", "Primer apellido", "Segundo apellido"]
    assert "Sensibilidad" in header
    assert "José Ángel" in own.get_data(as_text=True)
    assert "First Name" in csv_header(google.get_data())


def test_a_feed_is_named_in_its_owner_language(app, login_as, client):
    """The default name is written in the owner's language, and the feed keeps speaking it to
    any calendar client, whatever language that client asks for."""
    owner = spanish_officer()
    login_as(owner)
    form = {"name": "", "scope": "office", "organization_name": "", "work_area_id": ""}
    created = page(client.post("/calendar/feeds", data=form))
    token = created.split("/calendar/feeds/", 1)[1].split(".ics", 1)[0]
    assert 'data-copied="Copiada"' in created
    factories.make_interaction(owner, subject="Reunión con el Consulado")
    db.session.commit()

    body = app.test_client().get(f"/calendar/feeds/{token}.ics", headers={"Accept-Language": "en"})

    calendar = Calendar.from_ical(body.get_data())
    assert str(calendar["X-WR-CALNAME"]).startswith("Reuniones de enlace de la oficina")
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"])
    assert str(calendar["X-WR-CALDESC"]).startswith("Reuniones de enlace de Liaison CRM")
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Reunión con el Consulado"


def test_a_request_keeps_its_language_until_told_otherwise(app):
    """The catalogue a request found for its first string serves the rest; forcing another
    locale (a feed in its owner's language) or refreshing after a change of language
    switches it, and the request's own comes back after a forced one."""
    # An app context of its own: its ``g`` (where the language is kept) goes with it.
    with app.app_context(), app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Search") == "Search"
        with force_locale("es_MX"):
            assert gettext("Search") == "Buscar"
            assert render_template_string("{{ _('Organizations') }}") == "Organizaciones"
        assert gettext("Search") == "Search"
        assert render_template_string("{{ _('Organizations') }}") == "Organizations"

        remember_language("es")
        refresh()
        assert gettext("Search") == "Buscar"
        assert ngettext("%(num)s result", "%(num)s results", 2) == "2 resultados"
