"""Signing in and out, who may reach pages, preferences, CSRF and the sign-in rate limit."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.extensions import db
from crm.models import Organization, User
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    count,
    field_error,
    flashes,
    login_redirect_next,
    page,
    redirect_target,
)

WRONG_CREDENTIALS = "The e-mail address or password is not right."


def sign_in(
    client: FlaskClient, email: str, password: str = factories.PASSWORD, next_: str | None = None
):
    url = "/login" if next_ is None else f"/login?next={quote(next_, safe='')}"
    return client.post(url, data={"email": email, "password": password})


def is_signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        login_redirect_next(response)
        return False
    assert response.status_code == 200
    return True


# Who may reach pages ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/organizations/",
        "/organizations/?kind=consulate",
        "/organizations/lookup?q=cal",
        "/contacts/",
        "/contacts/1",
        "/admin/users",
        "/preferences",
    ],
)
def test_every_page_sends_an_anonymous_visitor_to_sign_in_and_back(client, url):
    response = client.get(url)

    assert login_redirect_next(response) == url


def test_the_sign_in_page_itself_is_open(client):
    response = client.get("/login")

    assert response.status_code == 200
    assert 'name="password"' in page(response)


# Signing in ---------------------------------------------------------------------------------


def test_the_right_password_signs_in_and_opens_the_home_page(client, users):
    response = sign_in(client, "officer@office.example")

    assert redirect_target(response) == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert f"Welcome, {users['officer'].full_name}" in page(home)


def test_the_e_mail_address_is_not_case_sensitive(client, users):
    response = sign_in(client, "Officer@Office.EXAMPLE")

    assert redirect_target(response) == "/"
    assert is_signed_in(client)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("officer@office.example", "wrong password"),
        ("nobody@office.example", factories.PASSWORD),
    ],
    ids=["wrong-password", "unknown-address"],
)
def test_wrong_credentials_show_one_message_beside_the_password(client, users, email, password):
    response = sign_in(client, email, password)

    assert response.status_code == 200
    assert_error_beside(page(response), "password", WRONG_CREDENTIALS)
    assert not is_signed_in(client)


def test_an_empty_form_asks_for_both_fields(client, users):
    response = client.post("/login", data={"email": "", "password": ""})

    html = page(response)
    assert field_error(html, "email") == "Enter your e-mail address."
    assert field_error(html, "password") == "Enter your password."


def test_an_inactive_user_cannot_sign_in_with_the_right_password(client, users):
    factories.make_user(email="gone@office.example", active=False)

    response = sign_in(client, "gone@office.example")

    assert response.status_code == 200
    assert_error_beside(page(response), "password", WRONG_CREDENTIALS)
    assert not is_signed_in(client)


def test_a_user_deactivated_while_signed_in_loses_access_on_the_next_request(client, users):
    assert redirect_target(sign_in(client, "officer@office.example")) == "/"
    assert client.get("/organizations/").status_code == 200

    officer = db.session.get(User, users["officer"].id)
    officer.active = False
    db.session.commit()

    assert login_redirect_next(client.get("/organizations/")) == "/organizations/"


def test_a_signed_in_user_visiting_the_sign_in_page_goes_home(client, login_as):
    login_as("viewer")

    assert redirect_target(client.get("/login")) == "/"


@pytest.mark.parametrize(
    ("next_", "expected"),
    [
        ("/contacts/", "/contacts/"),
        ("/organizations/?kind=consulate", "/organizations/?kind=consulate"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_after_sign_in_next_only_leads_within_the_site(client, users, next_, expected):
    response = sign_in(client, "officer@office.example", next_=next_)

    assert response.headers["Location"] == expected


def where_a_browser_goes(location: str) -> str:
    """The host a browser lands on: it reads a backslash as a slash and drops tabs and newlines."""
    cleaned = location.replace("\\", "/").translate({ord(c): None for c in "\t\r\n"})
    return urlsplit(urljoin("http://localhost/login", cleaned)).netloc


@pytest.mark.parametrize(
    "next_",
    [
        "/\\evil.example",
        "/\\/evil.example",
        "/\t/evil.example",
        "\\\\evil.example",
        "https:evil.example",
    ],
)
def test_tricky_next_values_cannot_lead_off_the_site(client, users, next_):
    response = sign_in(client, "officer@office.example", next_=next_)

    assert response.status_code == 302
    assert where_a_browser_goes(response.headers["Location"]) == "localhost"


def test_the_next_page_survives_the_detour_through_sign_in(client, users):
    next_ = login_redirect_next(client.get("/contacts/?q=nunez"))

    response = sign_in(client, "officer@office.example", next_=next_)

    assert redirect_target(response) == "/contacts/?q=nunez"


# Signing out --------------------------------------------------------------------------------


def test_sign_out_is_a_post_and_ends_the_session(client, login_as):
    login_as("officer")
    assert client.get("/logout").status_code == 405
    assert is_signed_in(client)

    response = client.post("/logout")

    assert redirect_target(response) == "/login"
    assert "You are signed out." in flashes(page(client.get("/login")))
    assert not is_signed_in(client)


# Preferences ----------------------------------------------------------------------------------


def test_preferences_save_language_and_time_zone(client, login_as):
    officer = login_as("officer")

    response = client.post("/preferences", data={"language": "es", "timezone": "America/Tijuana"})

    assert redirect_target(response) == "/preferences"
    saved = db.session.get(User, officer.id)
    assert (saved.language, saved.timezone) == ("es", "America/Tijuana")
    html = page(client.get("/preferences"))
    assert '<html lang="es-MX">' in html
    assert re.search(r'<option selected value="America/Tijuana">', html)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", "Choose a time zone from the list."),
        ("language", "fr", "Choose English or Spanish."),
    ],
)
def test_preferences_reject_a_bogus_value_with_a_message(client, login_as, field, value, message):
    officer = login_as("officer")
    data = {"language": "en", "timezone": "America/Los_Angeles", field: value}

    response = client.post("/preferences", data=data)

    assert response.status_code == 200
    assert_error_beside(page(response), field, message)
    saved = db.session.get(User, officer.id)
    assert (saved.language, saved.timezone) == ("en", "America/Los_Angeles")


# CSRF and rate limit -------------------------------------------------------------------------


def signed_in_client(flask_app: Flask, user: User) -> FlaskClient:
    client = flask_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    return client


def test_with_csrf_on_a_form_post_without_the_token_is_refused(other_app, users):
    client = signed_in_client(other_app(WTF_CSRF_ENABLED=True), users["officer"])
    data = {"kind": "agency", "name": "Forged Agency", "country": "US"}
    data.update(government_level="state", sensitivity="official")

    response = client.post("/organizations/new", data=data)

    assert response.status_code == 400
    assert "Bad request" in page(response)
    assert count(Organization) == 0

    # The same post with the form's own token goes through.
    form = page(client.get("/organizations/new"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, "the form carries a CSRF token"
    response = client.post("/organizations/new", data={**data, "csrf_token": token.group(1)})
    assert response.status_code == 302
    assert count(Organization, Organization.name == "Forged Agency") == 1


def test_with_csrf_on_sign_out_without_the_token_keeps_the_session(other_app, users):
    client = signed_in_client(other_app(WTF_CSRF_ENABLED=True), users["officer"])

    assert client.post("/logout").status_code == 400
    assert is_signed_in(client)


def test_sign_in_attempts_are_rate_limited(other_app, users):
    client = other_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()

    for _ in range(3):
        response = sign_in(client, "officer@office.example", "wrong password")
        assert response.status_code == 200
        assert field_error(page(response), "password") == WRONG_CREDENTIALS

    response = sign_in(client, "officer@office.example")

    assert response.status_code == 429
    assert "Too many attempts" in page(response)
    assert not is_signed_in(client)
    # Reading the page is not an attempt.
    assert client.get("/login").status_code == 200
