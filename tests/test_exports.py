"""Downloads of contact and organization lists over HTTP: each format read back field by field,
the list filters, the visibility gate, formula injection, the audit trail, streaming with flat
memory, and the links and forms that lead to an export."""

from __future__ import annotations

import csv
import gc
import io
import re
import threading
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.http import parse_options_header

from crm.extensions import db
from crm.models import (
    AuditEvent,
    Contact,
    ContactEmail,
    ContactPhone,
    Organization,
    RelationshipTier,
    Sensitivity,
    User,
    WorkArea,
)
from crm.services import exports as export_service
from tests import factories
from tests.view_helpers import count, login_redirect_next, page, without_csrf_tokens

CONTACT_FORMATS = ["csv", "csv-google", "csv-outlook", "vcard3", "vcard4", "xlsx"]
CSV_FORMATS = ["csv", "csv-google", "csv-outlook"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv-google": "text/csv; charset=utf-8",
    "csv-outlook": "text/csv; charset=utf-8",
    "vcard3": "text/vcard; charset=utf-8",
    "vcard4": "text/vcard; charset=utf-8",
    "xlsx": XLSX_TYPE,
}
EXTENSIONS = {
    "csv": ".csv",
    "csv-google": ".csv",
    "csv-outlook": ".csv",
    "vcard3": ".vcf",
    "vcard4": ".vcf",
    "xlsx": ".xlsx",
}
# The column holding a person's given names, per table format.
GIVEN_COLUMN = {
    "csv": "Given names",
    "csv-google": "First Name",
    "csv-outlook": "First Name",
    "xlsx": "Given names",
}
BOM = "\ufeff".encode()
CONSULATE = "Consulado General de México en San Diego"
HIDDEN_UNIT = "Unidad Reservada de Inteligencia"


# --- Helpers: downloading and reading files back -------------------------------------------------


def download(client: FlaskClient, path: str = "/exports/contacts", **query: Any) -> Any:
    response = client.get(path, query_string=query or None)
    assert response.status_code == 200, response.status_code
    return response


def csv_table(body: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file as dicts by header, as the csv module reads them."""
    text = body.decode("utf-8")
    text = text.removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def xlsx_sheet(body: bytes) -> Any:
    return load_workbook(io.BytesIO(body)).worksheets[0]


def xlsx_table(body: bytes) -> list[dict[str, Any]]:
    """The rows of the first sheet as dicts by header; empty cells read as ""."""
    rows = list(xlsx_sheet(body).iter_rows(values_only=True))
    header = rows[0]
    return [
        {name: ("" if value is None else value) for name, value in zip(header, row, strict=True)}
        for row in rows[1:]
    ]


def xlsx_cells(body: bytes) -> dict[str, dict[str, Any]]:
    """Each data row's cells (openpyxl Cell objects) by header, keyed by the ID column."""
    sheet = xlsx_sheet(body)
    header = [c.value for c in sheet[1]]
    rows = {}
    for row in sheet.iter_rows(min_row=2):
        cells = dict(zip(header, row, strict=True))
        rows[cells["ID"].value] = cells
    return rows


def table(export_format: str, body: bytes) -> list[dict[str, Any]]:
    return xlsx_table(body) if export_format == "xlsx" else csv_table(body)


def cards(body: bytes) -> list[Any]:
    return list(vobject.readComponents(body.decode("utf-8")))


def given_names(export_format: str, body: bytes) -> list[str]:
    """Whose records the file holds, by given names, in file order."""
    if export_format.startswith("vcard"):
        return [card.n.value.given for card in cards(body)]
    return [row[GIVEN_COLUMN[export_format]] for row in table(export_format, body)]


def file_text(export_format: str, body: bytes) -> str:
    """Everything a person opening the file could read, for "appears nowhere" checks."""
    if export_format == "xlsx":
        sheet = xlsx_sheet(body)
        return "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    text = body.decode("utf-8")
    if export_format.startswith("vcard"):
        text = text.replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    return text


def the_row(rows: list[dict[str, Any]], column: str, value: str) -> dict[str, Any]:
    found = [r for r in rows if r[column] == value]
    assert len(found) == 1, f"{len(found)} rows with {column} = {value!r}"
    return found[0]


def types(prop: Any) -> set[str]:
    return {t.lower() for value in prop.params.get("TYPE", []) for t in value.split(",")}


def export_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.id)
        )
    )


def audit_rows(html: str) -> list[str]:
    """The rows of the audit log's event table, as plain text with single spaces."""
    body = re.search(r'<table class="audit">.*?<tbody>(.*?)</tbody>', html, flags=re.S)
    if body is None:
        return []
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", tr)).split()) for tr in rows]


def export_form(html: str, action: str) -> tuple[dict[str, str], list[str]]:
    """The hidden fields and the format choices of the export form posting to ``action``."""
    match = re.search(
        rf'<form method="get" action="{re.escape(action)}">(.*?)</form>', html, flags=re.S
    )
    assert match, f"no export form for {action} on the page"
    form = match.group(1)
    hidden = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)
    }
    formats = re.findall(r'<option value="([^"]*)"', form)
    return hidden, formats


@contextmanager
def streamed(app: Flask, user: User, path: str, **query: Any) -> Iterator[Any]:
    """The response to ``user``'s request, still unread: as a server would, the request gets
    its own app context and database session, kept until the file has been read through (the
    fixture's client reads every response whole before handing it over)."""
    db.session.commit()
    client = FlaskClient(app, app.response_class, use_cookies=True)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
    with app.app_context():
        response = client.get(path, query_string=query, buffered=False)
        try:
            yield response
        finally:
            response.close()


def held(owner: User, day: datetime, *people: Any, **fields: Any) -> Any:
    return factories.make_interaction(
        owner, status="held", starts_at=day, contacts=people, **fields
    )


# --- Fixtures: the people and bodies exported ----------------------------------------------------


@pytest.fixture
def officer(users: dict[str, User]) -> User:
    """The exporter: an officer with clearance "official"."""
    return users["officer"]


@pytest.fixture
def consulate() -> Organization:
    return factories.make_organization(
        kind="consulate",
        name=CONSULATE,
        country="US",
        subdivision="US-CA",
        government_level="none",
        street="1549 India St",
        city="San Diego",
        postal_code="92101",
    )


@pytest.fixture
def jose(users: dict[str, User], consulate: Organization) -> Contact:
    """Lic. José Ángel Núñez Peña, Cónsul at the consulate in San Diego: two e-mails, two
    phones (one with an extension), two tags, two held meetings, one planned, one cancelled."""
    contact = factories.make_contact(
        honorific="Lic.",
        given_names="José Ángel",
        family_name="Núñez",
        second_family_name="Peña",
        preferred_language="es",
        notes="Met at the binational forum; prefers Spanish.",
        tier=db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank)).first(),
        owner=users["officer"],
    )
    factories.add_email(contact, "jose.nunez@sre.gob.mx", "work")
    factories.add_email(contact, "jangel.nunez@correo.mx", "personal")
    factories.add_phone(contact, "+16192310016", "work", "123")
    factories.add_phone(contact, "+526641234567", "mobile")
    factories.tag(contact, "Frontera", "Consular")
    factories.make_affiliation(
        contact,
        consulate,
        start=date(2023, 1, 16),
        title="Cónsul",
        department="Protección",
        is_primary=True,
    )
    owner = users["admin"]
    held(owner, datetime(2025, 2, 10, 17, 0, tzinfo=UTC), contact)
    held(owner, datetime(2025, 5, 20, 18, 0, tzinfo=UTC), contact)
    factories.make_interaction(owner, contacts=[contact])  # planned, tomorrow
    factories.make_interaction(
        owner,
        status="cancelled",
        starts_at=datetime(2025, 6, 1, 17, 0, tzinfo=UTC),
        contacts=[contact],
    )
    db.session.commit()
    return contact


@pytest.fixture
def hidden_unit() -> Organization:
    """A body above an official's clearance."""
    return factories.make_organization(
        kind="agency",
        name=HIDDEN_UNIT,
        country="MX",
        subdivision="MX-BCN",
        street="Calle Oculta 7",
        city="Mexicali",
        sensitivity=Sensitivity.CONFIDENTIAL,
    )


# --- Each contact format, read back field by field -----------------------------------------------


@pytest.mark.parametrize("export_format", CONTACT_FORMATS)
def test_each_format_downloads_as_an_attachment_of_its_type(
    client, officer, login_as, jose, export_format
):
    login_as(officer)

    response = download(client, format=export_format)

    assert response.headers["Content-Type"] == MEDIA_TYPES[export_format]
    disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert disposition == "attachment"
    assert params["filename"].startswith("contacts")
    assert params["filename"].endswith(EXTENSIONS[export_format])
    assert "no-store" in response.headers["Cache-Control"]
    assert given_names(export_format, response.get_data()) == ["José Ángel"]


def test_the_apps_own_csv_has_every_field_of_the_contact(client, officer, login_as, jose):
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert list(row) == export_service.contact_header()
    assert row["Honorific"] == "Lic."
    assert row["Given names"] == "José Ángel"
    assert row["Family name"] == "Núñez"
    assert row["Second family name"] == "Peña"
    assert row["Preferred language"] == "es"
    assert (row["E-mail 1"], row["E-mail 1 type"]) == ("jose.nunez@sre.gob.mx", "work")
    assert (row["E-mail 2"], row["E-mail 2 type"]) == ("jangel.nunez@correo.mx", "personal")
    assert (row["E-mail 3"], row["E-mail 3 type"]) == ("", "")
    assert (row["Phone 1"], row["Phone 1 type"], row["Phone 1 extension"]) == (
        "+16192310016",
        "work",
        "123",
    )
    assert (row["Phone 2"], row["Phone 2 type"], row["Phone 2 extension"]) == (
        "+526641234567",
        "mobile",
        "",
    )
    assert row["Organization"] == CONSULATE
    assert row["Title"] == "Cónsul"
    assert row["Department"] == "Protección"
    assert row["Street"] == "1549 India St"
    assert row["City"] == "San Diego"
    assert row["State or province"] == "US-CA"
    assert row["Postal code"] == "92101"
    assert row["Country"] == "US"
    assert row["Tags"] == "Consular; Frontera"
    assert row["Tier"] == jose.tier.name
    assert row["Owner"] == officer.full_name
    assert row["Sensitivity"] == "official"
    assert row["Notes"] == "Met at the binational forum; prefers Spanish."
    assert row["Updated"] == jose.updated_at.date().isoformat()
    assert row["ID"] == jose.uid


def test_e_mails_and_phones_keep_the_persons_order_not_the_order_they_were_saved(
    client, officer, login_as
):
    person = factories.make_contact(given_names="Ordered", family_name="Persona")
    # Saved last first, and more than ten: the order is by position, as a number.
    for n in reversed(range(12)):
        db.session.add(ContactEmail(contact=person, address=f"mail{n}@agency.example", position=n))
        db.session.add(
            ContactPhone(contact=person, number=f"+1619555{n:04d}", kind="work", position=n)
        )
    db.session.commit()
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())
    (google,) = csv_table(download(client, format="csv-google").get_data())

    assert [row[f"E-mail {n}"] for n in (1, 2)] == ["mail0@agency.example", "mail1@agency.example"]
    # The rest joins the last slot, in order.
    assert row["E-mail 3"] == "; ".join(f"mail{n}@agency.example" for n in range(2, 12))
    assert [row[f"Phone {n}"] for n in (1, 2)] == ["+16195550000", "+16195550001"]
    # Several numbers in one cell are not one E.164 number: the cell is defused.
    assert row["Phone 3"] == "'" + "; ".join(f"+1619555{n:04d}" for n in range(2, 12))
    assert [google[f"Phone {n} - Value"] for n in range(1, 5)] == [
        f"+1619555{n:04d}" for n in range(4)
    ]


def test_notes_holding_control_characters_keep_every_column_in_its_place(client, officer, login_as):
    # Pasted text can carry ASCII's separators, which an export may use between columns.
    person = factories.make_contact(
        given_names="Pasted", family_name="Notes", notes="one\x1ctwo\x1dthree\x1ffour"
    )
    db.session.commit()
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert row["Notes"].startswith("one") and row["Notes"].endswith("four")
    assert [row["Given names"], row["Interactions"], row["ID"]] == ["Pasted", "0", person.uid]


def test_the_activity_columns_count_held_interactions_and_date_the_last(
    client, officer, login_as, jose
):
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert row["Interactions"] == "2"  # the planned and the cancelled ones do not count
    assert row["Last interaction"] == "2025-05-20"


def test_the_last_interaction_is_dated_on_the_day_it_was_held_where_it_was_held(
    client, users, officer, login_as, jose
):
    # 6:30 pm in San Diego on 3 June is already 4 June in UTC.
    held(
        users["admin"],
        datetime(2025, 6, 4, 1, 30, tzinfo=UTC),
        jose,
        timezone="America/Los_Angeles",
    )
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert row["Interactions"] == "3"
    assert row["Last interaction"] == "2025-06-03"


def test_the_google_csv_puts_the_contact_in_googles_columns(client, officer, login_as, jose):
    login_as(officer)

    (row,) = csv_table(download(client, format="csv-google").get_data())

    assert row["First Name"] == "José Ángel"
    assert row["Last Name"] == "Núñez Peña"
    assert row["Name Prefix"] == "Lic."
    assert row["Organization Name"] == CONSULATE
    assert row["Organization Title"] == "Cónsul"
    assert row["Organization Department"] == "Protección"
    assert row["Labels"] == "Consular ::: Frontera"
    assert (row["E-mail 1 - Label"], row["E-mail 1 - Value"]) == ("Work", "jose.nunez@sre.gob.mx")
    assert (row["E-mail 2 - Label"], row["E-mail 2 - Value"]) == ("Home", "jangel.nunez@correo.mx")
    assert row["Phone 1 - Label"] == "Work"
    # With its extension the number is no longer bare E.164, so it may carry the apostrophe.
    assert row["Phone 1 - Value"].endswith("+16192310016 ext. 123")
    assert (row["Phone 2 - Label"], row["Phone 2 - Value"]) == ("Mobile", "+526641234567")
    assert row["Address 1 - Street"] == "1549 India St"
    assert row["Address 1 - City"] == "San Diego"
    assert row["Address 1 - Region"] == "CA"
    assert row["Address 1 - Postal Code"] == "92101"
    assert row["Address 1 - Country"] == "US"


def test_the_outlook_csv_puts_the_contact_in_outlooks_columns(client, officer, login_as, jose):
    login_as(officer)

    (row,) = csv_table(download(client, format="csv-outlook").get_data())

    assert row["Title"] == "Lic."
    assert row["First Name"] == "José Ángel"
    assert row["Last Name"] == "Núñez Peña"
    assert row["Company"] == CONSULATE
    assert row["Job Title"] == "Cónsul"
    assert row["Department"] == "Protección"
    assert row["Business Street"] == "1549 India St"
    assert row["Business State"] == "CA"
    # With its extension the number is no longer bare E.164, so it may carry the apostrophe.
    assert row["Business Phone"].endswith("+16192310016 ext. 123")
    assert row["Mobile Phone"] == "+526641234567"
    assert row["E-mail Address"] == "jose.nunez@sre.gob.mx"
    assert row["E-mail 2 Address"] == "jangel.nunez@correo.mx"
    assert row["Categories"] == "Consular;Frontera"


@pytest.mark.parametrize(
    ("export_format", "uid_prefix", "rev_format"),
    [("vcard3", "", "%Y-%m-%dT%H:%M:%SZ"), ("vcard4", "urn:uuid:", "%Y%m%dT%H%M%SZ")],
)
def test_the_vcard_carries_the_contact(
    client, officer, login_as, jose, export_format, uid_prefix, rev_format
):
    login_as(officer)

    (card,) = cards(download(client, format=export_format).get_data())

    assert card.version.value == ("3.0" if export_format == "vcard3" else "4.0")
    assert card.uid.value == uid_prefix + jose.uid
    assert (card.n.value.family, card.n.value.given, card.n.value.prefix) == (
        "Núñez Peña",
        "José Ángel",
        "Lic.",
    )
    assert card.fn.value == "Lic. José Ángel Núñez Peña"
    assert card.org.value == [CONSULATE, "Protección"]
    assert card.title.value == "Cónsul"
    emails = card.contents["email"]
    assert [e.value for e in emails] == ["jose.nunez@sre.gob.mx", "jangel.nunez@correo.mx"]
    assert "work" in types(emails[0])
    assert "home" in types(emails[1])
    phones = card.contents["tel"]
    assert "work" in types(phones[0])
    assert "cell" in types(phones[1])
    assert card.adr.value.street == "1549 India St"
    assert card.adr.value.city == "San Diego"
    assert card.adr.value.region == "CA"
    assert card.categories.value == ["Consular", "Frontera"]
    assert card.note.value == "Met at the binational forum; prefers Spanish."
    assert card.rev.value == jose.updated_at.astimezone(UTC).strftime(rev_format)


def test_vcard3_phones_keep_the_extension_and_vcard4_uses_tel_uris(client, officer, login_as, jose):
    login_as(officer)

    (three,) = cards(download(client, format="vcard3").get_data())
    (four,) = cards(download(client, format="vcard4").get_data())

    assert [t.value for t in three.contents["tel"]] == [
        "+16192310016 ext. 123",
        "+526641234567",
    ]
    assert [t.value for t in four.contents["tel"]] == [
        "tel:+16192310016;ext=123",
        "tel:+526641234567",
    ]


def test_the_xlsx_has_the_apps_columns_with_typed_values(client, officer, login_as, jose):
    login_as(officer)

    body = download(client, format="xlsx").get_data()

    sheet = xlsx_sheet(body)
    assert [c.value for c in sheet[1]] == export_service.contact_header()
    assert sheet.freeze_panes == "A2"
    (row,) = xlsx_table(body)
    assert row["Given names"] == "José Ángel"
    assert row["Family name"] == "Núñez"
    assert row["Second family name"] == "Peña"
    assert row["E-mail 1"] == "jose.nunez@sre.gob.mx"
    assert row["Phone 2"] == "+526641234567"
    assert row["Organization"] == CONSULATE
    assert row["Title"] == "Cónsul"
    assert row["Interactions"] == 2
    # Dates are typed as dates, so a spreadsheet sorts and filters them as such.
    assert row["Last interaction"] == datetime(2025, 5, 20)
    assert isinstance(row["Updated"], datetime)
    assert row["ID"] == jose.uid


# --- The list filters ----------------------------------------------------------------------------


@pytest.fixture
def mary(users: dict[str, User]) -> Contact:
    """Mary Smith, at a state agency in Arizona, tagged Water, English-speaking."""
    agency = factories.make_organization(
        kind="agency", name="Arizona Department of Water", country="US", subdivision="US-AZ"
    )
    contact = factories.make_contact(given_names="Mary", family_name="Smith")
    factories.tag(contact, "Water")
    factories.make_affiliation(contact, agency, title="Director")
    db.session.commit()
    return contact


@pytest.fixture
def former_consul(consulate: Organization) -> Contact:
    """Someone who used to work at the consulate and no longer does."""
    contact = factories.make_contact(given_names="Ernesto", family_name="Zedillo")
    factories.make_affiliation(contact, consulate, start=date(2015, 1, 1), end=date(2020, 1, 1))
    db.session.commit()
    return contact


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "nunez"}, ["José Ángel"]),
        ({"q": "NÚÑEZ peña"}, ["José Ángel"]),
        ({"q": "smith"}, ["Mary"]),
        ({"q": "sre.gob"}, ["José Ángel"]),
        ({"kind": "consulate"}, ["José Ángel"]),
        ({"kind": "agency"}, ["Mary"]),
        ({"subdivision": "US-AZ"}, ["Mary"]),
        ({"country": "us"}, ["José Ángel", "Mary"]),
        ({"tag": "consular"}, ["José Ángel"]),
        ({"language": "en"}, ["Mary", "Ernesto"]),
        ({}, ["José Ángel", "Mary", "Ernesto"]),
    ],
    ids=[
        "q-folded",
        "q-accented",
        "q-other",
        "q-email",
        "kind-consulate",
        "kind-agency",
        "subdivision",
        "country",
        "tag",
        "language",
        "none",
    ],
)
def test_the_list_filters_choose_who_is_exported(
    client, officer, login_as, jose, mary, former_consul, query, expected
):
    login_as(officer)

    body = download(client, format="csv", **query).get_data()

    assert sorted(given_names("csv", body)) == sorted(expected)


def test_the_owner_tier_and_organization_filters_apply(
    client, officer, login_as, jose, mary, consulate
):
    login_as(officer)

    by_owner = download(client, format="csv", owner=officer.id).get_data()
    by_tier = download(client, format="csv", tier=jose.tier_id).get_data()
    by_organization = download(client, format="csv", organization=consulate.id).get_data()

    assert given_names("csv", by_owner) == ["José Ángel"]
    assert given_names("csv", by_tier) == ["José Ángel"]
    assert given_names("csv", by_organization) == ["José Ángel"]


@pytest.mark.parametrize("export_format", CONTACT_FORMATS)
def test_a_filter_applies_in_every_format(
    client, officer, login_as, jose, mary, former_consul, export_format
):
    login_as(officer)

    body = download(client, format=export_format, kind="consulate").get_data()

    assert given_names(export_format, body) == ["José Ángel"]


def test_contacts_are_exported_in_name_order_surnames_first(client, officer, login_as, jose, mary):
    factories.make_contact(given_names="Ana", family_name="Álvarez")
    db.session.commit()
    login_as(officer)

    body = download(client, format="csv").get_data()

    assert given_names("csv", body) == ["Ana", "José Ángel", "Mary"]


def test_a_list_longer_than_a_batch_exports_everyone_once_with_their_own_details(
    client, officer, login_as, monkeypatch
):
    factories.insert_contacts(11)
    monkeypatch.setattr(export_service, "BATCH_SIZE", 3)
    login_as(officer)

    rows = csv_table(download(client, format="csv").get_data())

    assert [r["Given names"] for r in rows] == [f"Bulk{n:05d}" for n in range(11)]
    assert [r["E-mail 1"] for r in rows] == [f"bulk{n}@agency.example" for n in range(11)]
    assert len({r["ID"] for r in rows}) == 11


def test_an_unknown_format_is_refused_and_not_recorded(client, officer, login_as, jose):
    login_as(officer)

    response = client.get("/exports/contacts", query_string={"format": "pdf"})

    assert response.status_code == 400
    assert export_events() == []


def test_exports_need_a_login(client, jose):
    response = client.get("/exports/contacts", query_string={"format": "csv"})

    assert login_redirect_next(response).startswith("/exports/contacts")
    assert export_events() == []


# --- The byte-order mark -------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", CSV_FORMATS)
def test_bom_1_puts_a_utf8_bom_first_and_only_there(client, officer, login_as, jose, export_format):
    login_as(officer)

    body = download(client, format=export_format, bom="1").get_data()

    assert body.startswith(BOM)
    assert body.count(BOM) == 1
    assert given_names(export_format, body) == ["José Ángel"]


@pytest.mark.parametrize("export_format", CSV_FORMATS)
def test_without_bom_the_csv_starts_with_its_header(client, officer, login_as, jose, export_format):
    login_as(officer)

    body = download(client, format=export_format).get_data()

    assert BOM not in body
    assert body.decode("utf-8").startswith(("Honorific,", "First Name,", "Title,"))


# --- Visibility ----------------------------------------------------------------------------------


@pytest.fixture
def secret_agent() -> Contact:
    """A contact above an official's clearance."""
    contact = factories.make_contact(
        given_names="Agente",
        family_name="Encubierto",
        sensitivity=Sensitivity.CONFIDENTIAL,
        emails=("agente@oculto.example",),
    )
    db.session.commit()
    return contact


@pytest.mark.parametrize("export_format", CONTACT_FORMATS)
def test_a_contact_above_clearance_is_in_no_format(
    client, officer, login_as, jose, secret_agent, export_format
):
    login_as(officer)

    body = download(client, format=export_format).get_data()

    assert given_names(export_format, body) == ["José Ángel"]
    text = file_text(export_format, body)
    assert "Encubierto" not in text
    assert "agente@oculto.example" not in text


def test_a_contact_above_clearance_is_not_counted_in_the_audit_event(
    client, officer, login_as, jose, secret_agent
):
    login_as(officer)

    download(client, format="csv")

    (event,) = export_events()
    assert event.changes["rows"] == [None, 1]


def test_someone_cleared_higher_exports_the_hidden_contact_too(
    client, users, login_as, jose, secret_agent
):
    login_as("admin")

    body = download(client, format="csv").get_data()

    assert sorted(given_names("csv", body)) == ["Agente", "José Ángel"]
    (event,) = export_events()
    assert event.changes["rows"] == [None, 2]


@pytest.mark.parametrize("export_format", CONTACT_FORMATS)
def test_a_post_at_a_hidden_organization_is_left_out_of_every_format(
    client, officer, login_as, hidden_unit, consulate, export_format
):
    marta = factories.make_contact(given_names="Marta", family_name="Reyes")
    factories.make_affiliation(marta, hidden_unit, title="Jefa de Análisis", department="Norte")
    factories.make_affiliation(
        marta, consulate, title="Former Attaché", start=date(2010, 1, 1), end=date(2012, 1, 1)
    )
    db.session.commit()
    login_as(officer)

    body = download(client, format=export_format).get_data()

    assert given_names(export_format, body) == ["Marta"]
    text = file_text(export_format, body)
    for secret in (HIDDEN_UNIT, "Calle Oculta", "Mexicali", "Jefa de Análisis"):
        assert secret not in text
    assert "Former Attaché" not in text  # an ended post is not the current one either


def test_a_person_at_a_hidden_organization_is_exported_with_empty_post_columns(
    client, officer, login_as, hidden_unit
):
    marta = factories.make_contact(given_names="Marta", family_name="Reyes")
    factories.make_affiliation(marta, hidden_unit, title="Jefa de Análisis", is_primary=True)
    db.session.commit()
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert row["Given names"] == "Marta"
    assert (row["Organization"], row["Title"], row["Street"], row["City"]) == ("", "", "", "")


def test_the_visible_post_is_exported_when_the_main_one_is_hidden(
    client, officer, login_as, hidden_unit, consulate
):
    marta = factories.make_contact(given_names="Marta", family_name="Reyes")
    factories.make_affiliation(marta, hidden_unit, title="Jefa de Análisis", is_primary=True)
    factories.make_affiliation(marta, consulate, title="Enlace")
    db.session.commit()
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert (row["Organization"], row["Title"]) == (CONSULATE, "Enlace")


@pytest.mark.parametrize("export_format", ["vcard3", "csv", "xlsx"])
def test_a_hidden_contacts_single_export_is_404_like_a_missing_one(
    client, officer, login_as, secret_agent, export_format
):
    login_as(officer)

    refused = client.get(
        f"/exports/contacts/{secret_agent.id}", query_string={"format": export_format}
    )
    missing = client.get(
        f"/exports/contacts/{secret_agent.id + 1000}", query_string={"format": export_format}
    )

    assert refused.status_code == missing.status_code == 404
    assert without_csrf_tokens(page(refused)) == without_csrf_tokens(page(missing))
    assert "Encubierto" not in page(refused)
    assert export_events() == []


def test_filtering_by_a_hidden_organization_exports_nobody(client, officer, login_as, hidden_unit):
    marta = factories.make_contact(given_names="Marta", family_name="Reyes")
    factories.make_affiliation(marta, hidden_unit, title="Jefa de Análisis")
    db.session.commit()
    login_as(officer)

    by_id = download(client, format="csv", organization=hidden_unit.id).get_data()
    by_country = download(client, format="csv", country="MX").get_data()

    assert given_names("csv", by_id) == []
    assert given_names("csv", by_country) == []
    assert [e.changes["rows"] for e in export_events()] == [[None, 0], [None, 0]]


def test_a_held_interaction_with_a_hidden_participant_does_not_count(
    client, users, officer, login_as, jose, secret_agent, hidden_unit
):
    admin = users["admin"]
    held(admin, datetime(2025, 8, 1, 17, 0, tzinfo=UTC), jose, secret_agent)
    held(admin, datetime(2025, 8, 2, 17, 0, tzinfo=UTC), jose, organizations=[hidden_unit])
    held(admin, datetime(2025, 8, 3, 17, 0, tzinfo=UTC), (jose, hidden_unit))
    held(admin, datetime(2025, 8, 4, 17, 0, tzinfo=UTC), jose, sensitivity=Sensitivity.CONFIDENTIAL)
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert row["Interactions"] == "2"
    assert row["Last interaction"] == "2025-05-20"


def test_a_deleted_interaction_does_not_count(client, users, officer, login_as, jose):
    held(
        users["admin"],
        datetime(2025, 9, 1, 17, 0, tzinfo=UTC),
        jose,
        deleted_at=datetime(2025, 9, 2, tzinfo=UTC),
    )
    login_as(officer)

    (row,) = csv_table(download(client, format="csv").get_data())

    assert (row["Interactions"], row["Last interaction"]) == ("2", "2025-05-20")


def test_a_contact_in_the_trash_is_not_exported(client, officer, login_as, jose, mary):
    mary.deleted_at = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.commit()
    login_as(officer)

    body = download(client, format="vcard4").get_data()

    assert given_names("vcard4", body) == ["José Ángel"]


# --- Formula injection ---------------------------------------------------------------------------

FORMULA_NOTE = '=HYPERLINK("http://evil")'


@pytest.fixture
def booby_trapped() -> Contact:
    contact = factories.make_contact(
        given_names="Pedro", family_name="Trampa", notes=FORMULA_NOTE, phones=("+526641234567",)
    )
    factories.tag(contact, "@SUM(1)")
    db.session.commit()
    return contact


@pytest.mark.parametrize(
    ("export_format", "notes", "tags", "phone"),
    [
        ("csv", "Notes", "Tags", "Phone 1"),
        ("csv-google", "Notes", "Labels", "Phone 1 - Value"),
        ("csv-outlook", "Notes", "Categories", "Business Phone"),
    ],
)
def test_formulas_get_a_leading_apostrophe_in_csv_but_a_phone_does_not(
    client, officer, login_as, booby_trapped, export_format, notes, tags, phone
):
    login_as(officer)

    (row,) = csv_table(download(client, format=export_format).get_data())

    assert row[notes] == "'" + FORMULA_NOTE
    assert row[tags] == "'@SUM(1)"
    assert row[phone] == "+526641234567"


def test_formulas_are_typed_strings_in_xlsx(client, officer, login_as, booby_trapped):
    login_as(officer)

    cells = xlsx_cells(download(client, format="xlsx").get_data())[booby_trapped.uid]

    assert cells["Notes"].data_type == "s"
    assert cells["Notes"].value == FORMULA_NOTE
    assert cells["Tags"].data_type == "s"
    assert cells["Tags"].value == "@SUM(1)"
    assert cells["Phone 1"].value == "+526641234567"


# --- The audit trail -----------------------------------------------------------------------------


@pytest.mark.parametrize("export_format", CONTACT_FORMATS)
def test_each_download_adds_one_audit_event_with_format_and_rows(
    client, officer, login_as, jose, mary, export_format
):
    login_as(officer)
    before = count(AuditEvent)

    download(client, format=export_format, country="US")

    assert count(AuditEvent) == before + 1
    (event,) = export_events()
    assert event.actor_id == officer.id
    assert event.record_type == "export"
    assert event.sensitivity == officer.clearance
    assert event.changes == {"format": [None, export_format], "rows": [None, 2]}
    assert "country=US" in event.record_label


def test_two_downloads_are_two_events(client, officer, login_as, jose, mary):
    login_as(officer)

    download(client, format="csv")
    download(client, format="vcard3", q="nunez")

    assert [e.changes["rows"][1] for e in export_events()] == [2, 1]
    assert [e.changes["format"][1] for e in export_events()] == ["csv", "vcard3"]


def test_a_single_contact_export_is_recorded_against_the_contact(client, officer, login_as, jose):
    login_as(officer)

    download(client, f"/exports/contacts/{jose.id}", format="vcard4")

    (event,) = export_events()
    assert (event.record_type, event.record_id) == ("contact", jose.id)
    assert event.record_label == "José Ángel Núñez Peña"
    assert event.changes == {"format": [None, "vcard4"], "rows": [None, 1]}


def test_the_admin_audit_log_shows_the_export(client, users, officer, login_as, jose):
    login_as(officer)
    download(client, format="csv-google", kind="consulate")
    login_as("admin")

    rows = audit_rows(page(client.get("/admin/audit", query_string={"type": "export"})))

    assert len(rows) == 1
    assert officer.full_name in rows[0]
    assert "Exported records" in rows[0]
    assert "kind=consulate" in rows[0]
    assert "File format csv-google" in rows[0]
    assert "Rows 1" in rows[0]


def test_a_viewer_can_export_what_they_see(client, users, login_as, jose, secret_agent):
    login_as("viewer")

    body = download(client, format="csv").get_data()

    assert given_names("csv", body) == ["José Ángel"]
    (event,) = export_events()
    assert event.actor_id == users["viewer"].id
    assert event.changes["rows"] == [None, 1]


# --- One contact ---------------------------------------------------------------------------------


def test_one_contact_downloads_as_a_vcard_named_after_them(client, officer, login_as, jose, mary):
    login_as(officer)

    response = download(client, f"/exports/contacts/{jose.id}", format="vcard3")

    assert response.headers["Content-Type"] == "text/vcard; charset=utf-8"
    _disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert params["filename"].startswith("jose-angel-nunez-pena")
    assert params["filename"].endswith(".vcf")
    (card,) = cards(response.get_data())
    assert card.uid.value == jose.uid


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_one_contact_can_be_had_as_a_table_too(
    client, officer, login_as, jose, mary, export_format
):
    login_as(officer)

    body = download(client, f"/exports/contacts/{jose.id}", format=export_format).get_data()

    (row,) = table(export_format, body)
    assert row["ID"] == jose.uid


# --- Organizations -------------------------------------------------------------------------------


@pytest.fixture
def bodies(users: dict[str, User], consulate: Organization, jose: Contact, hidden_unit) -> dict:
    """The consulate (under the foreign ministry, with tags, work areas, tier and owner, one
    current person visible, one former, one hidden), the ministry, a body whose parent is
    hidden, a deleted one and the hidden unit."""
    ministry = factories.make_organization(
        kind="agency",
        name="Secretaría de Relaciones Exteriores",
        acronym="SRE",
        country="MX",
        subdivision="",
        government_level="federal",
    )
    consulate.parent = ministry
    consulate.name_es = "Consulado de México"
    consulate.acronym = "CGMSD"
    consulate.website = "https://consulmex.sre.gob.mx/sandiego"
    consulate.email = "info@consulmexsd.example"
    consulate.phone = "+16192310016"
    consulate.notes = "=cmd|' /C calc'!A0"
    consulate.tier = db.session.scalars(
        select(RelationshipTier).order_by(RelationshipTier.rank)
    ).first()
    consulate.owner = users["officer"]
    consulate.work_areas = list(db.session.scalars(select(WorkArea).order_by(WorkArea.name)))[:2]
    factories.tag(consulate, "Frontera", "Consular")
    former = factories.make_contact(given_names="Ernesto", family_name="Zedillo")
    factories.make_affiliation(former, consulate, end=date(2020, 1, 1))
    agent = factories.make_contact(given_names="Agente", sensitivity=Sensitivity.CONFIDENTIAL)
    factories.make_affiliation(agent, consulate)
    orphan = factories.make_organization(
        kind="ngo", name="Frente Cívico Fronterizo", country="MX", parent=hidden_unit
    )
    deleted = factories.make_organization(
        name="Defunct Commission", deleted_at=datetime(2024, 1, 1, tzinfo=UTC)
    )
    db.session.commit()
    return {
        "consulate": consulate,
        "ministry": ministry,
        "orphan": orphan,
        "deleted": deleted,
    }


ORGANIZATION_HEADER = [
    "Official name",
    "Kind",
    "Spanish or alternate name",
    "Acronym",
    "Country",
    "State or province",
    "Government level",
    "Part of",
    "Website",
    "E-mail",
    "Phone",
    "Street",
    "City",
    "Postal code",
    "Tags",
    "Work areas",
    "Tier",
    "Owner",
    "Sensitivity",
    "Notes",
    "Current people",
]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_organizations_export_has_every_field(client, officer, login_as, bodies, export_format):
    consulate = bodies["consulate"]
    login_as(officer)

    response = download(client, "/exports/organizations", format=export_format)

    assert response.headers["Content-Type"] == MEDIA_TYPES[export_format]
    _disposition, params = parse_options_header(response.headers["Content-Disposition"])
    assert params["filename"].startswith("organizations")
    assert params["filename"].endswith(EXTENSIONS[export_format])
    rows = table(export_format, response.get_data())
    assert list(rows[0]) == ORGANIZATION_HEADER
    row = the_row(rows, "Official name", CONSULATE)
    assert row["Kind"] == "consulate"
    assert row["Spanish or alternate name"] == "Consulado de México"
    assert row["Acronym"] == "CGMSD"
    assert (row["Country"], row["State or province"]) == ("US", "US-CA")
    assert row["Government level"] == "none"
    assert row["Part of"] == "Secretaría de Relaciones Exteriores"
    assert row["Website"] == "https://consulmex.sre.gob.mx/sandiego"
    assert row["E-mail"] == "info@consulmexsd.example"
    assert row["Phone"] == "+16192310016"
    assert (row["Street"], row["City"], row["Postal code"]) == (
        "1549 India St",
        "San Diego",
        "92101",
    )
    assert row["Tags"] == "Consular; Frontera"
    assert row["Work areas"] == "; ".join(a.name for a in consulate.work_areas)
    assert row["Tier"] == consulate.tier.name
    assert row["Owner"] == officer.full_name
    assert row["Sensitivity"] == "official"
    assert str(row["Current people"]) == "1"  # not the former consul, not the hidden agent


def test_organization_notes_that_look_like_formulas_are_defused(client, officer, login_as, bodies):
    login_as(officer)

    csv_row = the_row(
        csv_table(download(client, "/exports/organizations", format="csv").get_data()),
        "Official name",
        CONSULATE,
    )
    sheet = xlsx_sheet(download(client, "/exports/organizations", format="xlsx").get_data())

    assert csv_row["Notes"] == "'=cmd|' /C calc'!A0"
    (notes,) = [
        row[ORGANIZATION_HEADER.index("Notes")]
        for row in sheet.iter_rows(min_row=2)
        if row[0].value == CONSULATE
    ]
    assert notes.data_type == "s"
    assert notes.value == "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_hidden_and_deleted_organizations_are_not_exported(
    client, officer, login_as, bodies, export_format
):
    login_as(officer)

    body = download(client, "/exports/organizations", format=export_format).get_data()

    names = [r["Official name"] for r in table(export_format, body)]
    assert sorted(names) == sorted(
        [CONSULATE, "Secretaría de Relaciones Exteriores", "Frente Cívico Fronterizo"]
    )
    text = file_text(export_format, body)
    assert HIDDEN_UNIT not in text
    assert "Defunct Commission" not in text
    (event,) = export_events()
    assert event.changes == {"format": [None, export_format], "rows": [None, 3]}


def test_a_hidden_parent_is_not_named(client, officer, login_as, bodies):
    login_as(officer)

    rows = csv_table(download(client, "/exports/organizations", format="csv").get_data())

    assert the_row(rows, "Official name", "Frente Cívico Fronterizo")["Part of"] == ""


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "consulate"}, [CONSULATE]),
        ({"country": "mx"}, ["Frente Cívico Fronterizo", "Secretaría de Relaciones Exteriores"]),
        ({"q": "sre"}, ["Secretaría de Relaciones Exteriores"]),
        ({"q": "reservada"}, []),
        ({"tag": "frontera"}, [CONSULATE]),
        ({"government_level": "federal"}, ["Secretaría de Relaciones Exteriores"]),
    ],
    ids=["kind", "country", "q-acronym", "q-hidden", "tag", "level"],
)
def test_the_organization_filters_apply(client, officer, login_as, bodies, query, expected):
    login_as(officer)

    body = download(client, "/exports/organizations", format="csv", **query).get_data()

    assert sorted(r["Official name"] for r in csv_table(body)) == sorted(expected)
    (event,) = export_events()
    assert event.changes["rows"] == [None, len(expected)]


@pytest.mark.parametrize("export_format", ["vcard3", "vcard4", "csv-google", "pdf"])
def test_organizations_in_a_contact_only_format_are_refused(
    client, officer, login_as, bodies, export_format
):
    login_as(officer)

    response = client.get("/exports/organizations", query_string={"format": export_format})

    assert response.status_code == 400
    assert export_events() == []


# --- Streaming and memory ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "export_format"),
    [("/exports/contacts", f) for f in CONTACT_FORMATS]
    + [("/exports/organizations", "csv"), ("/exports/organizations", "xlsx")],
)
def test_the_response_is_streamed(app, officer, jose, path, export_format):
    with streamed(app, officer, path, format=export_format) as response:
        assert response.status_code == 200
        assert response.is_streamed
        body = b"".join(response.response)

    assert CONSULATE in file_text(export_format, body)
    assert count(AuditEvent, AuditEvent.action == "export") == 1


def export_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.is_alive() and "export" in t.name]


def whole_export(app: Flask, user: User) -> bytes:
    with streamed(app, user, "/exports/contacts", format="csv") as response:
        return b"".join(response.response)


def test_an_export_left_half_read_stops_and_the_next_one_is_whole(app, officer, monkeypatch):
    factories.insert_contacts(1200)
    monkeypatch.setattr(export_service, "BATCH_SIZE", 5)
    whole_export(app, officer)
    in_use = db.engine.pool.checkedout()  # after an export read through

    # As when a browser closes the download: the rest is never read.
    with streamed(app, officer, "/exports/contacts", format="csv") as response:
        first = next(iter(response.response))
        assert export_threads()  # still reading
    assert first.startswith(b"Honorific") and first.count(b"\r\n") < 1201
    assert not export_threads()
    assert db.engine.pool.checkedout() == in_use

    assert whole_export(app, officer).count(b"\r\n") == 1201


def test_an_error_while_writing_stops_the_reading_at_once(app, officer, monkeypatch):
    factories.insert_contacts(1200)
    monkeypatch.setattr(export_service, "BATCH_SIZE", 5)
    whole_export(app, officer)
    in_use = db.engine.pool.checkedout()  # after an export read through
    written = 0

    def failing_row(record):
        nonlocal written
        written += 1
        if written == 700:
            raise RuntimeError("disk full")
        return export_service.contact_row(record)

    monkeypatch.setattr(
        export_service, "contact_columns", lambda _f: (export_service.contact_header(), failing_row)
    )
    with (
        pytest.raises(RuntimeError, match="disk full") as failure,
        streamed(app, officer, "/exports/contacts", format="csv") as response,
    ):
        b"".join(response.response)
    # Stopped when the response closed, while the error (as a server's log would) still
    # holds the records it was writing.
    assert failure.traceback
    assert not export_threads()
    assert db.engine.pool.checkedout() == in_use
    monkeypatch.undo()
    assert whole_export(app, officer).count(b"\r\n") == 1201


def export_peak_memory(app: Flask, user: User) -> tuple[int, int, int]:
    """Peak memory traced while a CSV export of every contact is requested and read through;
    with the number of chunks and of lines read (nothing is kept)."""
    gc.collect()
    tracemalloc.start()
    chunks = lines = 0
    try:
        with streamed(app, user, "/exports/contacts", format="csv") as response:
            assert response.is_streamed
            for chunk in response.response:
                chunks += 1
                lines += chunk.count(b"\r\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, chunks, lines


def peaks_for_1000_and_3000_contacts(app: Flask, user: User) -> tuple[int, int]:
    """The peak memory of a CSV export of 1,000 contacts, then of 3,000 (after a warm-up
    export, so imports and compiled statements are not counted)."""
    factories.insert_contacts(1000)
    export_peak_memory(app, user)
    small_peak, _chunks, small_lines = export_peak_memory(app, user)
    factories.insert_contacts(2000, first=1000)
    large_peak, large_chunks, large_lines = export_peak_memory(app, user)
    assert (small_lines, large_lines) == (1001, 3001)
    assert large_chunks > 3  # written as it goes, not in one piece
    return small_peak, large_peak


def test_memory_is_bounded_by_a_batch_not_by_the_list(app, officer, monkeypatch):
    # An export holds a few batches at once: the one being written, up to two read ahead and
    # the one being read. With the usual batches of 1,000 those are the whole of these
    # lists; with batches of 100 a list held whole would take over twice as much for three
    # times the people, while a streamed export stays within about 1.4 times.
    monkeypatch.setattr(export_service, "BATCH_SIZE", 100)

    small_peak, large_peak = peaks_for_1000_and_3000_contacts(app, officer)

    assert large_peak < 1.75 * small_peak, (small_peak, large_peak)


# --- Where exports start: the contact page and the list pages ------------------------------------


def test_the_contact_page_links_to_its_vcard(client, officer, login_as, jose):
    login_as(officer)

    html = page(client.get(f"/contacts/{jose.id}"))

    match = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Download vCard</a>', html)
    assert match, "no Download vCard link"
    (card,) = cards(download(client, unescape(match.group(1))).get_data())
    assert card.uid.value == jose.uid
    assert card.version.value == "3.0"


def test_the_contact_list_has_an_export_form_with_the_current_filters(
    client, officer, login_as, jose, mary
):
    login_as(officer)

    html = page(
        client.get(
            "/contacts/",
            query_string={"q": "núñez", "kind": "consulate", "page": "1", "per_page": "10"},
        )
    )

    hidden, formats = export_form(html, "/exports/contacts")
    assert hidden == {"q": "núñez", "kind": "consulate"}
    assert formats == CONTACT_FORMATS
    body = download(client, "/exports/contacts", format="csv", **hidden).get_data()
    assert given_names("csv", body) == ["José Ángel"]


def test_the_organization_list_has_an_export_form_with_the_current_filters(
    client, officer, login_as, bodies
):
    login_as(officer)

    html = page(client.get("/organizations/", query_string={"kind": "consulate", "page": "1"}))

    hidden, formats = export_form(html, "/exports/organizations")
    assert hidden == {"kind": "consulate"}
    assert formats == ["csv", "xlsx"]
    body = download(client, "/exports/organizations", format="csv", **hidden).get_data()
    assert [r["Official name"] for r in csv_table(body)] == [CONSULATE]
