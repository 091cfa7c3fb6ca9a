"""Importing contacts from a file: upload, the columns recognised (the app's own CSV, Google's,
Outlook's), a preview that writes nothing and says what each row would do, the commit (all or
nothing, or the good rows), what happens to people already in the contacts, organizations and
posts, the visibility gate, the log of imports and undoing one as a whole, a round trip through
the app's own CSV, and bad files refused beside the file field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from crm.extensions import db
from crm.formats import csv_io
from crm.models import (
    Affiliation,
    AuditEvent,
    Contact,
    ImportBatch,
    Organization,
    RelationshipTier,
    Sensitivity,
    User,
)
from crm.services.contacts import (
    AffiliationInput,
    ContactInput,
    EmailInput,
    PhoneInput,
    add_affiliation,
    update_contact,
)
from crm.services.exports import app_columns
from crm.services.tags import resolve_tags
from tests import factories
from tests.service_helpers import row_counts
from tests.view_helpers import assert_error_beside, count, flashes, page, redirect_target, row

# The upload form passes its encoding choices as tuples to the SelectField constructor, which
# WTForms 3.3 deprecates (crm/imports/forms.py); the warning is not what these tests are about.

# --- Helpers: files -------------------------------------------------------------------------------


def csv_file(header: Iterable[str], *rows: Iterable[str], encoding: str = "utf-8") -> bytes:
    """A CSV as spreadsheets write it: CRLF line ends, quotes only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


# The columns of the simple files most tests use, each named as a person would name it and
# mapped explicitly (so those tests do not depend on what the app guesses).
HEADERS = {
    "honorific": "Honorific",
    "given_names": "Given names",
    "family_name": "Family name",
    "family_names": "Last Name",
    "email": "E-mail",
    "phone": "Phone",
    "organization": "Organization",
    "title": "Job title",
    "department": "Department",
    "street": "Street",
    "city": "City",
    "region": "State",
    "postal_code": "Postal code",
    "country": "Country",
    "tags": "Tags",
    "tier": "Tier",
    "owner": "Owner",
    "sensitivity": "Sensitivity",
    "notes": "Notes",
    "uid": "ID",
}
FIELD_OF = {header: field for field, header in HEADERS.items()}


def people_file(*people: dict[str, str]) -> bytes:
    """A CSV with a column for each field the people use, a row for each person."""
    fields = [f for f in HEADERS if any(f in p for p in people)]
    return csv_file([HEADERS[f] for f in fields], *([p.get(f, "") for f in fields] for p in people))


GOOGLE_HEADER = (
    "First Name",
    "Last Name",
    "E-mail 1 - Label",
    "E-mail 1 - Value",
    "E-mail 2 - Label",
    "E-mail 2 - Value",
    "Phone 1 - Label",
    "Phone 1 - Value",
    "Phone 2 - Label",
    "Phone 2 - Value",
    "Organization Name",
    "Organization Title",
    "Labels",
)
OUTLOOK_HEADER = (
    "Title",
    "First Name",
    "Last Name",
    "Company",
    "Job Title",
    "E-mail Address",
    "Business Phone",
    "Mobile Phone",
    "Categories",
)

ROSA_IN_GOOGLE = (
    "Rosa",
    "Ibarra Soto",
    "Work",
    "rosa.ibarra@sre.example",
    "Home",
    "rosa@casa.example",
    "Mobile",
    "+52 664 123 4567",
    "Work",
    "(619) 555-0100",
    "Consulado General de México",
    "Cónsul adscrita",
    "Frontera ::: * myContacts ::: Capacitación",
)
ANA_IN_OUTLOOK = (
    "Mtra.",
    "Ana",
    "Gómez",
    "Policía Estatal",
    "Comandante",
    "ana.gomez@policia.example",
    "(619) 555-0110 ext. 12",
    "(619) 555-0111",
    "Frontera;Seguridad",
)


def vcard_file(*cards: list[str]) -> bytes:
    return "".join(
        "\r\n".join(["BEGIN:VCARD", "VERSION:3.0", *card, "END:VCARD"]) + "\r\n" for card in cards
    ).encode()


# --- Helpers: the import pages --------------------------------------------------------------------


def upload(client: Any, data: bytes, filename: str = "contacts.csv", encoding: str = "utf-8"):
    """Post the file as a browser does (multipart, encoded in memory: the test client would
    spool a large body to a file it never closes)."""
    fields = {
        "upload": FileStorage(io.BytesIO(data), filename, content_type="text/csv"),
        "encoding": encoding,
    }
    boundary, encoded = encode_multipart(fields)
    return client.post(
        "/imports/", data=encoded, content_type=f"multipart/form-data; boundary={boundary}"
    )


def start(client: Any, data: bytes, **options: str) -> str:
    """Upload a file that must be accepted; the token of its column page."""
    response = upload(client, data, **options)
    target = redirect_target(response)
    assert target.startswith("/imports/upload/"), target
    return target.removeprefix("/imports/upload/")


def plan_url(token: str) -> str:
    return f"/imports/upload/{token}"


def columns(html: str) -> list[tuple[str, str]]:
    """Each column's header and the field chosen for it ("" for "Leave out"), in file order."""
    headers = [unescape(h) for h in re.findall(r'<th scope="row">(.*?)</th>', html)]
    chosen = []
    for body in re.findall(r'<select id="column-\d+" name="column-\d+">(.*?)</select>', html, re.S):
        selected = re.search(r'<option value="([^"]*)"\s*selected', body)
        chosen.append(selected.group(1) if selected else "")
    assert len(headers) == len(chosen)
    return list(zip(headers, chosen, strict=True))


def send(
    client: Any,
    token: str,
    *,
    action: str = "preview",
    on_match: str = "skip",
    all_or_nothing: bool = True,
    mapping: dict[str, str] | None = None,
) -> Any:
    """Post the column page as shown, with ``mapping`` (header -> field) changed."""
    shown = columns(page(client.get(plan_url(token))))
    changes = mapping or {}
    data = {f"column-{i}": changes.get(header, field) for i, (header, field) in enumerate(shown)}
    data.update(on_match=on_match, action=action)
    if all_or_nothing:
        data["all_or_nothing"] = "y"
    return client.post(plan_url(token), data=data)


def preview_people(client: Any, *people: dict[str, str], **options: Any) -> str:
    token = start(client, people_file(*people))
    response = send(client, token, mapping=FIELD_OF, **options)
    assert response.status_code == 200
    return page(response)


def import_people(client: Any, *people: dict[str, str], **options: Any) -> ImportBatch:
    """Commit a simple file; the import it made."""
    token = start(client, people_file(*people))
    response = send(client, token, action="import", mapping=FIELD_OF, **options)
    return batch_from(response)


def batch_from(response: Any) -> ImportBatch:
    target = redirect_target(response)
    assert re.fullmatch(r"/imports/\d+", target), target
    batch = db.session.get(ImportBatch, int(target.rsplit("/", 1)[1]))
    assert batch is not None
    return batch


@dataclass(frozen=True)
class Outcome:
    row: int
    person: str
    status: str  # the row's class: new, skipped, updated, error
    result: str  # the Result cell as read
    link: str  # the contact it links to, or ""


def plain(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def outcomes(html: str) -> list[Outcome]:
    """The preview table, row by row."""
    found = []
    for status, number, person, result in re.findall(
        r'<tr class="row-(\w+)">\s*<td>(\d+)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>',
        html,
        re.S,
    ):
        link = re.search(r'href="([^"]+)"', result)
        found.append(
            Outcome(int(number), plain(person), status, plain(result), link[1] if link else "")
        )
    return found


def the_outcome(html: str) -> Outcome:
    (only,) = outcomes(html)
    return only


def status_line(html: str) -> str:
    match = re.search(r'<p role="status">(.*?)</p>', html, re.S)
    assert match, "no status line on the page"
    return plain(match.group(1))


def undo(client: Any, batch: ImportBatch) -> list[str]:
    """Ask to undo the import; the messages shown on the import's page after."""
    response = client.post(f"/imports/{batch.id}/undo")
    assert redirect_target(response) == f"/imports/{batch.id}"
    return flashes(page(client.get(f"/imports/{batch.id}")))


# --- Helpers: records -----------------------------------------------------------------------------


def live_contacts() -> list[Contact]:
    return list(
        db.session.scalars(select(Contact).where(Contact.deleted_at.is_(None)).order_by(Contact.id))
    )


def the_contact(given: str, family: str) -> Contact:
    (found,) = [c for c in live_contacts() if (c.given_names, c.family_name) == (given, family)]
    return found


def emails_of(contact: Contact) -> list[tuple[str, str]]:
    return [(e.address, e.kind) for e in contact.emails]


def phones_of(contact: Contact) -> list[tuple[str, str, str]]:
    return [(p.number, p.kind, p.extension) for p in contact.phones]


def tags_of(contact: Contact) -> set[str]:
    return {t.name for t in contact.tags}


def give_tags(record: Contact | Organization, *names: str) -> None:
    record.tags = resolve_tags(names)
    db.session.flush()


def tier(rank: int) -> RelationshipTier:
    return db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == rank)).one()


def everything_about(contact: Contact) -> dict[str, Any]:
    """What a person's page shows of them, read afresh."""
    db.session.refresh(contact)
    return {
        **row(Contact, contact.id),
        "emails": emails_of(contact),
        "phones": phones_of(contact),
        "tags": tags_of(contact),
        "posts": [(a.organization_id, a.title, a.department) for a in contact.affiliations],
    }


def edit_notes(contact: Contact, notes: str, actor: User) -> None:
    """Change a person's notes as the contact form does, keeping everything else."""
    update_contact(
        contact,
        ContactInput(
            given_names=contact.given_names,
            family_name=contact.family_name,
            second_family_name=contact.second_family_name,
            honorific=contact.honorific,
            preferred_language=contact.preferred_language,
            tier_id=contact.tier_id,
            owner_id=contact.owner_id,
            sensitivity=contact.sensitivity.code,
            tags=", ".join(t.name for t in contact.tags),
            notes=notes,
            emails=[EmailInput(e.address, e.kind) for e in contact.emails],
            phones=[PhoneInput(p.number, p.kind, p.extension) for p in contact.phones],
        ),
        actor,
    )
    db.session.commit()


def uploads_kept(app: Flask) -> list[str]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


# --- Helpers: an empty database of people, and back -----------------------------------------------

ACTIVITY_COLUMNS = {"Last interaction", "Interactions", "Updated"}
KEPT_TABLES = {"users", "relationship_tiers", "work_areas", "counties", "tags"}


def detailed_people(owner: User) -> None:
    """Several people with something in every column: accents, two surnames, typed e-mails,
    phones with extensions, tags, tier, owner, a current post at an organization with an
    address (and one person without a post)."""
    consulado = factories.make_organization(
        name="Consulado General de México en San Diego",
        country="US",
        subdivision="US-CA",
        street="1549 India St",
        city="San Diego",
        postal_code="92101",
    )
    fiscalia = factories.make_organization(
        name="Fiscalía General del Estado de Baja California",
        country="MX",
        subdivision="MX-BCN",
        street="Av. Pioneros 1005",
        city="Mexicali",
        postal_code="21000",
    )
    jose = factories.make_contact(
        honorific="Lic.",
        given_names="José Luis",
        family_name="Núñez",
        second_family_name="Peña",
        preferred_language="es",
        tier=tier(1),
        owner=owner,
        notes="Prefiere llamadas.\nNo escribir los viernes.",
        emails=("jl.nunez@sre.example", "joseluis@casa.example", "jl@otro.example"),
        phones=("+16195550100", "+526641234567", "+16195550101"),
    )
    jose.emails[1].kind, jose.emails[2].kind = "personal", "other"
    jose.phones[0].extension = "204"
    jose.phones[1].kind, jose.phones[2].kind = "mobile", "fax"
    give_tags(jose, "Extradición", "Frontera")
    factories.make_affiliation(
        jose, consulado, title="Cónsul adscrito", department="Protección", is_primary=True
    )
    ines = factories.make_contact(
        honorific="Dra.",
        given_names="Inés",
        family_name="Güémez",
        second_family_name="",
        tier=tier(2),
        emails=("ines.guemez@fiscalia.example",),
        phones=("+526865550100",),
    )
    ines.phones[0].extension = "12"
    give_tags(ines, "Trata de personas")
    factories.make_affiliation(ines, fiscalia, title="Fiscal especializada", is_primary=True)
    beto = factories.make_contact(
        given_names="Roberto",
        family_name="Ávila",
        second_family_name="Ortíz",
        sensitivity=Sensitivity.PUBLIC,
        emails=("beto@example.org",),
    )
    factories.make_affiliation(beto, consulado, title="Enlace", department="Comunidad")
    db.session.commit()


def without_activity(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    keep = [i for i, name in enumerate(rows[0]) if name not in ACTIVITY_COLUMNS]
    return [[r[i] for i in keep] for r in rows]


def forget_everyone() -> None:
    """Delete every person, post and organization (and what hangs off them) with SQL,
    keeping the staff and the reference data."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in KEPT_TABLES:
            db.session.execute(table.delete())
    db.session.commit()
    assert count(Contact) == count(Organization) == count(Affiliation) == 0


# --- Fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def officer(users: dict[str, User]) -> User:
    return users["officer"]


@pytest.fixture
def signed_in(login_as, officer: User) -> User:
    """The officer (official clearance) is signed in."""
    return login_as(officer)


@pytest.fixture
def rosa() -> Contact:
    """Someone already in the contacts, with something in every field an import can touch."""
    contact = factories.make_contact(
        given_names="Rosa",
        family_name="Ibarra",
        honorific="Lic.",
        notes="Met at the 2025 border forum.",
        tier=tier(1),
        emails=("rosa.ibarra@sre.example", "rosa@casa.example"),
        phones=("+16195550100",),
    )
    contact.phones[0].extension = "204"
    contact.emails[1].kind = "personal"
    give_tags(contact, "Frontera")
    db.session.commit()
    return contact


@pytest.fixture
def ximena() -> Contact:
    """A confidential contact: above the officer's clearance."""
    contact = factories.make_contact(
        given_names="Ximena",
        family_name="Sotelo",
        sensitivity=Sensitivity.CONFIDENTIAL,
        emails=("x.sotelo@vetted.example",),
        phones=("+16195550199",),
    )
    db.session.commit()
    return contact


# --- Who may import -------------------------------------------------------------------------------


def test_a_viewer_cannot_open_upload_or_undo_imports(client, login_as):
    login_as("viewer")

    assert client.get("/imports/").status_code == 403
    assert upload(client, people_file({"given_names": "Ana"})).status_code == 403
    assert client.post("/imports/1/undo").status_code == 403
    assert count(Contact) == 0


# --- The columns recognised -----------------------------------------------------------------------


def test_the_apps_own_csv_export_maps_every_column_exactly(client, signed_in, rosa):
    exported = client.get("/exports/contacts?format=csv").get_data()

    shown = columns(page(client.get(plan_url(start(client, exported)))))

    assert shown == [(label, field) for field, label in app_columns()]
    assert ("Title", "title") in shown
    assert ("ID", "uid") in shown


def test_a_google_csv_maps_each_column_to_its_field(client, signed_in):
    token = start(client, csv_file(GOOGLE_HEADER, ROSA_IN_GOOGLE))

    assert columns(page(client.get(plan_url(token)))) == [
        ("First Name", "given_names"),
        ("Last Name", "family_names"),
        ("E-mail 1 - Label", "email_kind"),
        ("E-mail 1 - Value", "email"),
        ("E-mail 2 - Label", "email_kind"),
        ("E-mail 2 - Value", "email"),
        ("Phone 1 - Label", "phone_kind"),
        ("Phone 1 - Value", "phone"),
        ("Phone 2 - Label", "phone_kind"),
        ("Phone 2 - Value", "phone"),
        ("Organization Name", "organization"),
        ("Organization Title", "title"),
        ("Labels", "tags"),
    ]


def test_a_google_row_fills_the_right_fields(client, signed_in):
    token = start(client, csv_file(GOOGLE_HEADER, ROSA_IN_GOOGLE))

    send(client, token, action="import")

    rosa = the_contact("Rosa", "Ibarra")
    assert rosa.second_family_name == "Soto"
    assert emails_of(rosa) == [
        ("rosa.ibarra@sre.example", "work"),
        ("rosa@casa.example", "personal"),
    ]
    assert phones_of(rosa) == [("+526641234567", "mobile", ""), ("+16195550100", "work", "")]
    assert tags_of(rosa) == {"Frontera", "Capacitación"}
    (post,) = rosa.affiliations
    assert (post.organization.name, post.title) == (
        "Consulado General de México",
        "Cónsul adscrita",
    )


def test_an_outlook_csv_maps_title_to_the_honorific(client, signed_in):
    token = start(client, csv_file(OUTLOOK_HEADER, ANA_IN_OUTLOOK))

    assert columns(page(client.get(plan_url(token)))) == [
        ("Title", "honorific"),
        ("First Name", "given_names"),
        ("Last Name", "family_names"),
        ("Company", "organization"),
        ("Job Title", "title"),
        ("E-mail Address", "email"),
        ("Business Phone", "phone_work"),
        ("Mobile Phone", "phone_mobile"),
        ("Categories", "tags"),
    ]


def test_an_outlook_row_fills_the_right_fields(client, signed_in):
    token = start(client, csv_file(OUTLOOK_HEADER, ANA_IN_OUTLOOK))

    send(client, token, action="import")

    ana = the_contact("Ana", "Gómez")
    assert ana.honorific == "Mtra."
    assert emails_of(ana) == [("ana.gomez@policia.example", "work")]
    assert phones_of(ana) == [("+16195550110", "work", "12"), ("+16195550111", "mobile", "")]
    assert tags_of(ana) == {"Frontera", "Seguridad"}
    (post,) = ana.affiliations
    assert (post.organization.name, post.title) == ("Policía Estatal", "Comandante")


def test_a_column_left_out_is_not_imported(client, signed_in):
    token = start(client, csv_file(OUTLOOK_HEADER, ANA_IN_OUTLOOK))

    send(client, token, action="import", mapping={"Mobile Phone": "", "Categories": ""})

    ana = the_contact("Ana", "Gómez")
    assert phones_of(ana) == [("+16195550110", "work", "12")]
    assert tags_of(ana) == set()


def test_an_unrecognised_column_can_be_given_a_field_and_the_choice_is_kept(client, signed_in):
    data = csv_file(("First Name", "Last Name", "Correo institucional"), ("Ana", "Ruiz", "a@x.mx"))
    token = start(client, data)
    assert columns(page(client.get(plan_url(token))))[2] == ("Correo institucional", "")

    html = page(send(client, token, mapping={"Correo institucional": "email_personal"}))
    assert columns(html)[2] == ("Correo institucional", "email_personal")
    send(client, token, action="import", mapping={"Correo institucional": "email_personal"})

    assert emails_of(the_contact("Ana", "Ruiz")) == [("a@x.mx", "personal")]


def test_a_usual_header_is_recognised_in_a_file_mostly_in_the_apps_own_columns(client, signed_in):
    """A trimmed copy of the app's own export, with its e-mail column renamed "E-mail"."""
    data = csv_file(
        ("Given names", "Family name", "E-mail", "Organization"),
        ("Ana", "Ruiz", "ana.ruiz@sre.example", "SRE"),
    )

    shown = columns(page(client.get(plan_url(start(client, data)))))

    assert shown == [
        ("Given names", "given_names"),
        ("Family name", "family_name"),
        ("E-mail", "email"),
        ("Organization", "organization"),
    ]


# --- The preview ----------------------------------------------------------------------------------


def test_a_preview_writes_nothing(client, signed_in, rosa):
    factories.make_organization(name="Fiscalía General del Estado")
    db.session.commit()
    before = row_counts()
    token = start(
        client,
        people_file(
            {
                "given_names": "Rosa",
                "family_name": "Ibarra",
                "email": "rosa.ibarra@sre.example",
                "notes": "Prefers Spanish.",
            },
            {
                "given_names": "Ana",
                "family_name": "Ruiz",
                "organization": "Aduanas",
                "tags": "Nueva",
            },
            {
                "given_names": "Beto",
                "family_name": "Soto",
                "organization": "Fiscalia general del estado",
            },
        ),
    )

    for on_match, rosas_row in (("skip", "skipped"), ("update", "updated"), ("create", "new")):
        html = page(send(client, token, on_match=on_match, mapping=FIELD_OF))
        assert [o.status for o in outcomes(html)] == [rosas_row, "new", "new"]

    assert row_counts() == before
    assert everything_about(rosa)["notes"] == "Met at the 2025 border forum."


def test_the_preview_shows_every_row_with_its_result_and_a_summary(client, signed_in, rosa):
    html = preview_people(
        client,
        {"given_names": "Ana", "family_name": "Ruiz"},
        {"given_names": "Rosa", "family_name": "Ibarra", "email": "rosa.ibarra@sre.example"},
        {"given_names": "Beto", "family_name": ""},
        all_or_nothing=False,
    )

    assert [(o.row, o.person, o.status) for o in outcomes(html)] == [
        (2, "Ana Ruiz", "new"),
        (3, "Rosa Ibarra", "skipped"),
        (4, "Beto", "error"),
    ]
    assert outcomes(html)[0].result == "New"
    assert status_line(html) == "1 new, 0 updated, 1 skipped, 1 with errors."
    assert "3 people in the file." in html


@pytest.mark.parametrize(
    "cells",
    [
        {"email": "ROSA.IBARRA@SRE.EXAMPLE"},
        {"phone": "619.555.0100"},
        {"phone": "+1 (619) 555-0100"},
    ],
    ids=["e-mail-in-capitals", "phone-with-dots", "phone-international"],
)
def test_a_row_matching_a_contact_by_e_mail_or_phone_names_the_match(
    client, signed_in, rosa, cells
):
    html = preview_people(client, {"given_names": "R.", "family_name": "I.", **cells})

    outcome = the_outcome(html)
    assert outcome.status == "skipped"
    assert outcome.result == "Already in the contacts as Lic. Rosa Ibarra: skipped"
    assert outcome.link == f"/contacts/{rosa.id}"


def test_a_row_matching_a_contact_by_the_id_column_names_the_match(client, signed_in, rosa):
    html = preview_people(
        client, {"given_names": "Someone", "family_name": "Else", "uid": rosa.uid}
    )

    assert the_outcome(html).link == f"/contacts/{rosa.id}"
    assert "Rosa Ibarra" in the_outcome(html).result


def test_the_same_name_matches_only_at_the_same_organization(client, signed_in):
    fiscalia = factories.make_organization(name="Fiscalía General del Estado")
    ana = factories.make_contact(given_names="Ana", family_name="Gómez")
    factories.make_affiliation(ana, fiscalia, title="Fiscal")
    db.session.commit()

    html = preview_people(
        client,
        {
            "given_names": "ana",
            "family_name": "Gomez",
            "organization": "FISCALIA GENERAL DEL ESTADO",
        },
        {"given_names": "Ana", "family_name": "Gómez", "organization": "Aduanas"},
    )

    same, other = outcomes(html)
    assert (same.status, same.link) == ("skipped", f"/contacts/{ana.id}")
    assert (other.status, other.link) == ("new", "")


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"email": "rosa@@sre"}, "Enter a valid e-mail address."),
        ({"phone": "12345"}, "Enter a valid phone number"),
        ({"family_name": ""}, "Enter the family name."),
        ({"tier": "Tier 9 — Unknown"}, "No tier is called “Tier 9 — Unknown”."),
        (
            {"sensitivity": "confidential"},
            "You cannot mark a record above your own clearance (Official).",
        ),
    ],
    ids=["bad-e-mail", "bad-phone", "no-family-name", "unknown-tier", "above-clearance"],
)
def test_a_row_that_cannot_be_imported_says_why(client, signed_in, cells, reason):
    html = preview_people(client, {"given_names": "Ana", "family_name": "Ruiz", **cells})

    outcome = the_outcome(html)
    assert outcome.status == "error"
    assert outcome.result.startswith("Error:")
    assert reason in outcome.result


def test_a_value_longer_than_its_field_is_a_row_error(client, signed_in):
    """People type a job title into Outlook's "Title" column, which is the honorific."""
    long_title = "Subsecretario de Asuntos Multilaterales y Derechos Humanos"
    token = start(
        client, csv_file(("Title", "First Name", "Last Name"), (long_title, "Luis", "Paz"))
    )

    response = send(client, token)

    assert response.status_code == 200
    assert the_outcome(page(response)).status == "error"


# --- Committing: all or nothing, or the good rows -------------------------------------------------


GOOD_AND_BAD = (
    {"given_names": "Ana", "family_name": "Ruiz", "email": "ana.ruiz@sre.example"},
    {"given_names": "Beto", "family_name": "Soto", "email": "not an address"},
    {"given_names": "Carla", "family_name": "Paz"},
)


def test_all_or_nothing_imports_nothing_when_one_row_has_an_error(client, signed_in):
    before = row_counts()
    token = start(client, people_file(*GOOD_AND_BAD))

    response = send(client, token, action="import", mapping=FIELD_OF, all_or_nothing=True)

    html = page(response)
    assert response.status_code == 200
    assert "Nothing was imported: correct the rows marked below." in flashes(html)
    assert [o.status for o in outcomes(html)] == ["new", "error", "new"]
    assert row_counts() == before


def test_without_all_or_nothing_the_good_rows_are_imported_and_the_bad_ones_counted(
    client, signed_in
):
    token = start(client, people_file(*GOOD_AND_BAD))

    response = send(client, token, action="import", mapping=FIELD_OF, all_or_nothing=False)

    batch = batch_from(response)
    assert sorted(c.full_name for c in live_contacts()) == ["Ana Ruiz", "Carla Paz"]
    shown = page(client.get(f"/imports/{batch.id}"))
    assert "Imported: 2 new, 0 updated, 1 skipped." in flashes(shown)


def test_a_committed_upload_cannot_be_imported_again(client, signed_in):
    token = start(client, people_file({"given_names": "Ana", "family_name": "Ruiz"}))
    send(client, token, action="import", mapping=FIELD_OF)

    assert client.get(plan_url(token)).status_code == 404
    assert client.post(plan_url(token), data={"action": "import"}).status_code == 404
    assert count(Contact) == 1


# --- People already in the contacts ---------------------------------------------------------------

ROSA_AGAIN = {
    "given_names": "Rosa",
    "family_name": "Ibarra",
    "email": "ROSA.IBARRA@sre.example",
    "phone": "+52 664 123 4567",
    "tags": "Capacitación",
    "notes": "Prefers Spanish.",
}


def test_skip_leaves_the_existing_contact_untouched(client, signed_in, rosa):
    before = everything_about(rosa)

    batch = import_people(client, ROSA_AGAIN, on_match="skip")

    assert everything_about(rosa) == before
    assert count(Contact) == 1
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (0, 0, 1)


def test_update_adds_what_the_file_brings_and_erases_nothing(client, signed_in, rosa):
    before = everything_about(rosa)

    import_people(client, ROSA_AGAIN, on_match="update")

    after = everything_about(rosa)
    assert after["emails"] == [
        ("rosa.ibarra@sre.example", "work"),
        ("rosa@casa.example", "personal"),
    ]
    assert after["phones"] == [("+16195550100", "work", "204"), ("+526641234567", "work", "")]
    assert after["notes"] == "Met at the 2025 border forum.\nPrefers Spanish."
    for kept in ("honorific", "given_names", "family_name", "tier_id", "sensitivity", "uid"):
        assert after[kept] == before[kept], kept
    assert count(Contact) == 1


def test_update_adds_the_files_tags_to_those_the_contact_has(client, signed_in, rosa):
    import_people(client, ROSA_AGAIN, on_match="update")

    assert tags_of(rosa) == {"Frontera", "Capacitación"}


def test_update_from_a_row_without_tags_keeps_the_contacts_tags(client, signed_in, rosa):
    import_people(client, {**ROSA_AGAIN, "tags": ""}, on_match="update")

    assert tags_of(rosa) == {"Frontera"}


def test_create_makes_a_second_contact_and_the_preview_names_the_duplicate(client, signed_in, rosa):
    html = preview_people(client, ROSA_AGAIN, on_match="create")
    assert the_outcome(html).status == "new"
    assert the_outcome(html).result == "New (a duplicate of Lic. Rosa Ibarra)"

    import_people(client, ROSA_AGAIN, on_match="create")

    second = [c for c in live_contacts() if c.id != rosa.id]
    assert [c.full_name for c in second] == ["Rosa Ibarra"]
    assert second[0].uid != rosa.uid
    assert emails_of(second[0]) == [("ROSA.IBARRA@sre.example", "work")]


# --- Organizations and posts ----------------------------------------------------------------------


def test_a_new_organization_is_created_with_its_address_and_the_post(client, signed_in):
    import_people(
        client,
        {
            "given_names": "Ana",
            "family_name": "Ruiz",
            "organization": "Secretaría de Seguridad",
            "title": "Directora",
            "department": "Asuntos Internacionales",
            "street": "1 Front St",
            "city": "San Diego",
            "region": "CA",
            "postal_code": "92101",
            "country": "US",
        },
    )

    (organization,) = db.session.scalars(select(Organization)).all()
    assert (organization.name, organization.country, organization.subdivision) == (
        "Secretaría de Seguridad",
        "US",
        "US-CA",
    )
    assert (organization.street, organization.city, organization.postal_code) == (
        "1 Front St",
        "San Diego",
        "92101",
    )
    (post,) = the_contact("Ana", "Ruiz").affiliations
    assert (post.organization_id, post.title, post.department) == (
        organization.id,
        "Directora",
        "Asuntos Internacionales",
    )
    assert post.is_primary


def test_an_existing_organization_is_reused_whatever_its_case_and_accents(client, signed_in):
    fiscalia = factories.make_organization(name="Fiscalía General del Estado")
    db.session.commit()

    import_people(
        client,
        {
            "given_names": "Ana",
            "family_name": "Ruiz",
            "organization": "FISCALIA GENERAL DEL ESTADO",
        },
        {
            "given_names": "Beto",
            "family_name": "Soto",
            "organization": "fiscalía general del estado",
        },
    )

    assert count(Organization) == 1
    assert {a.organization_id for a in db.session.scalars(select(Affiliation))} == {fiscalia.id}
    assert count(Affiliation) == 2


def test_rows_naming_the_same_new_organization_share_it(client, signed_in):
    import_people(
        client,
        {"given_names": "Ana", "family_name": "Ruiz", "organization": "Aduanas"},
        {"given_names": "Beto", "family_name": "Soto", "organization": "ADUANAS"},
    )

    assert count(Organization) == 1
    assert count(Affiliation) == 2


def test_a_country_named_in_full_gives_the_organization_its_country(client, signed_in):
    """Outlook and Google write the country's name ("United States of America", "Mexico")."""
    header = ("First Name", "Last Name", "Company", "Business State", "Business Country/Region")
    data = csv_file(
        header,
        ("Ana", "Ruiz", "Sheriff's Department", "CA", "United States of America"),
        ("Beto", "Soto", "Secretaría de Marina", "", "Mexico"),
    )
    token = start(client, data)

    send(client, token, action="import", all_or_nothing=False)

    found = {o.name: (o.country, o.subdivision) for o in db.session.scalars(select(Organization))}
    assert found == {
        "Sheriff's Department": ("US", "US-CA"),
        "Secretaría de Marina": ("MX", ""),
    }


# --- Two surnames ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_name", "family", "second"),
    [
        ("Núñez Peña", "Núñez", "Peña"),
        ("De la Garza", "De la Garza", ""),
        ("Ruiz", "Ruiz", ""),
    ],
)
def test_a_last_name_column_is_split_into_two_surnames_only_when_it_has_two_words(
    client, signed_in, last_name, family, second
):
    import_people(client, {"given_names": "José Luis", "family_names": last_name})

    (imported,) = live_contacts()
    assert (imported.given_names, imported.family_name, imported.second_family_name) == (
        "José Luis",
        family,
        second,
    )


def test_a_vcard_file_is_previewed_card_by_card_and_its_two_surnames_split(client, signed_in):
    data = vcard_file(
        ["N:Núñez Peña;José Luis;;Lic.;", "FN:Lic. José Luis Núñez Peña", "EMAIL:jl@f.example"],
        ["N:De la Garza;Inés;;;", "FN:Inés De la Garza"],
    )
    token = start(client, data, filename="contactos.vcf")

    html = page(send(client, token))
    assert [(o.row, o.person, o.status) for o in outcomes(html)] == [
        (1, "José Luis Núñez Peña", "new"),
        (2, "Inés De la Garza", "new"),
    ]
    send(client, token, action="import")

    jose = the_contact("José Luis", "Núñez")
    assert (jose.second_family_name, jose.honorific) == ("Peña", "Lic.")
    assert the_contact("Inés", "De la Garza").second_family_name == ""


def test_a_windows_1252_file_keeps_its_accents_when_that_encoding_is_chosen(client, signed_in):
    data = csv_file(("First Name", "Last Name"), ("Begoña", "Güémez Ortíz"), encoding="cp1252")
    token = start(client, data, encoding="cp1252")

    send(client, token, action="import")

    assert the_contact("Begoña", "Güémez").second_family_name == "Ortíz"


# --- The visibility gate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells",
    [{"email": "x.sotelo@vetted.example"}, {"phone": "(619) 555-0199"}],
    ids=["same-e-mail", "same-phone"],
)
def test_a_contact_above_clearance_is_never_a_match_nor_named(client, signed_in, ximena, cells):
    html = preview_people(client, {"given_names": "Pat", "family_name": "Guest", **cells})

    assert (the_outcome(html).status, the_outcome(html).result) == ("new", "New")
    assert "Ximena" not in html
    assert "Sotelo" not in html
    assert f"/contacts/{ximena.id}" not in html


def test_a_contact_above_clearance_is_not_matched_by_its_id_and_keeps_it(client, signed_in, ximena):
    before = everything_about(ximena)

    import_people(client, {"given_names": "Pat", "family_name": "Guest", "uid": ximena.uid})

    pat = the_contact("Pat", "Guest")
    assert pat.uid != ximena.uid
    assert everything_about(ximena) == before


def test_an_organization_above_clearance_is_not_reused(client, signed_in):
    hidden = factories.make_organization(
        name="Unidad de Inteligencia", sensitivity=Sensitivity.CONFIDENTIAL
    )
    db.session.commit()

    html = preview_people(
        client,
        {"given_names": "Ana", "family_name": "Ruiz", "organization": "Unidad de Inteligencia"},
    )
    assert the_outcome(html).status == "new"
    assert f"/organizations/{hidden.id}" not in html
    import_people(
        client,
        {"given_names": "Ana", "family_name": "Ruiz", "organization": "Unidad de Inteligencia"},
    )

    (post,) = the_contact("Ana", "Ruiz").affiliations
    assert post.organization_id != hidden.id
    assert post.organization.sensitivity == Sensitivity.OFFICIAL
    assert count(Affiliation, Affiliation.organization_id == hidden.id) == 0


# --- The log of imports and the audit trail -------------------------------------------------------


def test_an_import_is_logged_with_its_counts_and_listed(client, signed_in, officer, rosa):
    token = start(
        client,
        people_file(
            {"given_names": "Ana", "family_name": "Ruiz"},
            {"given_names": "Rosa", "family_name": "Ibarra", "email": "rosa.ibarra@sre.example"},
            {"given_names": "Beto", "family_name": "Soto"},
        ),
        filename="consulado-2026.csv",
    )

    batch = batch_from(send(client, token, action="import", on_match="update", mapping=FIELD_OF))

    assert (batch.user_id, batch.file_name, batch.file_format, batch.on_match) == (
        officer.id,
        "consulado-2026.csv",
        "csv",
        "update",
    )
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (2, 1, 0)
    listed = page(client.get("/imports/"))
    assert re.search(
        r"<td>consulado-2026\.csv</td>\s*<td>2</td><td>1</td><td>0</td>\s*<td>Imported</td>", listed
    )


def test_each_contact_an_import_creates_has_an_audit_event_by_the_importer(
    client, signed_in, officer
):
    import_people(
        client,
        {"given_names": "Ana", "family_name": "Ruiz"},
        {"given_names": "Beto", "family_name": "Soto"},
    )

    for contact in live_contacts():
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "contact", AuditEvent.record_id == contact.id
            )
        ).all()
        assert [(e.action, e.actor_id) for e in events] == [("create", officer.id)]


# --- Undoing an import ----------------------------------------------------------------------------

ANA_AT_ADUANAS = {
    "given_names": "Ana",
    "family_name": "Ruiz",
    "organization": "Aduanas",
    "title": "Inspectora",
}


def test_undo_sends_new_people_and_organizations_to_the_trash_and_removes_posts(client, signed_in):
    batch = import_people(client, ANA_AT_ADUANAS, {"given_names": "Beto", "family_name": "Soto"})

    messages = undo(client, batch)

    assert "The import was undone." in messages
    assert live_contacts() == []
    assert count(Contact, Contact.deleted_at.is_not(None)) == 2
    assert count(Organization, Organization.deleted_at.is_(None)) == 0
    assert count(Organization, Organization.deleted_at.is_not(None)) == 1
    assert count(Affiliation) == 0
    assert "Undone" in page(client.get("/imports/"))


def test_undo_returns_updated_people_to_how_they_were(client, signed_in, rosa):
    before = everything_about(rosa)
    batch = import_people(client, {**ROSA_AGAIN, "organization": "Aduanas"}, on_match="update")
    assert everything_about(rosa)["phones"] != before["phones"]

    undo(client, batch)

    after = everything_about(rosa)
    for name in ("emails", "phones", "tags", "notes", "honorific", "tier_id", "posts"):
        assert after[name] == before[name], name
    assert after["deleted_at"] is None


def test_undo_is_refused_once_a_record_of_the_import_was_edited(client, signed_in, officer):
    batch = import_people(client, ANA_AT_ADUANAS)
    edit_notes(the_contact("Ana", "Ruiz"), "Called on Monday.", officer)
    before = row_counts()

    messages = undo(client, batch)

    assert (
        "Records from this import have been changed since: "
        "it can no longer be undone as a whole." in messages
    )
    assert row_counts() == before
    assert the_contact("Ana", "Ruiz").notes == "Called on Monday."
    assert f"/imports/{batch.id}/undo" not in page(client.get(f"/imports/{batch.id}"))


def test_undo_is_refused_once_an_organization_it_created_was_edited(client, signed_in, officer):
    batch = import_people(client, ANA_AT_ADUANAS)
    aduanas = db.session.scalars(select(Organization)).one()
    aduanas.notes = "Main port of entry."
    db.session.commit()

    undo(client, batch)

    assert [c.full_name for c in live_contacts()] == ["Ana Ruiz"]
    assert count(Organization, Organization.deleted_at.is_(None)) == 1


def test_undo_keeps_an_organization_someone_has_since_joined(client, signed_in, officer):
    """After the import, a colleague records that Beto (already a contact) now works at the
    organization the import created: undoing must not take Beto's post away."""
    beto = factories.make_contact(given_names="Beto", family_name="Soto")
    db.session.commit()
    batch = import_people(client, ANA_AT_ADUANAS)
    add_affiliation(beto, AffiliationInput("Aduanas", title="Enlace"), officer)
    db.session.commit()
    assert "Enlace" in page(client.get(f"/contacts/{beto.id}"))

    undo(client, batch)

    assert "Enlace" in page(client.get(f"/contacts/{beto.id}"))
    assert count(Organization, Organization.deleted_at.is_(None)) == 1


def test_an_import_cannot_be_undone_twice(client, signed_in):
    batch = import_people(client, ANA_AT_ADUANAS)
    undo(client, batch)
    before = row_counts()

    messages = undo(client, batch)

    assert "This import has already been undone." in messages
    assert row_counts() == before


def test_the_import_page_offers_undo_until_it_is_undone(client, signed_in):
    batch = import_people(client, ANA_AT_ADUANAS)
    assert f"/imports/{batch.id}/undo" in page(client.get(f"/imports/{batch.id}"))

    undo(client, batch)

    assert f"/imports/{batch.id}/undo" not in page(client.get(f"/imports/{batch.id}"))


def test_another_officer_can_neither_see_nor_undo_my_import(client, signed_in, login_as):
    batch = import_people(client, ANA_AT_ADUANAS)
    login_as(factories.make_user(role="officer", full_name="Otra Oficial"))

    assert client.get(f"/imports/{batch.id}").status_code == 404
    assert client.post(f"/imports/{batch.id}/undo").status_code == 404
    assert "contacts.csv" not in page(client.get("/imports/"))
    assert [c.full_name for c in live_contacts()] == ["Ana Ruiz"]


def test_an_admin_can_see_and_undo_anyones_import(client, signed_in, login_as):
    batch = import_people(client, ANA_AT_ADUANAS)
    login_as("admin")

    assert "contacts.csv" in page(client.get("/imports/"))
    assert "The import was undone." in undo(client, batch)
    assert live_contacts() == []


# --- A round trip through the app's own CSV -------------------------------------------------------


def test_the_apps_own_csv_reads_back_into_an_empty_database_unchanged(client, signed_in, users):
    detailed_people(owner=users["admin"])
    first = client.get("/exports/contacts?format=csv").get_data()
    assert len(without_activity(first)) == 4

    forget_everyone()
    token = start(client, first, filename="contacts.csv")
    batch = batch_from(send(client, token, action="import"))
    second = client.get("/exports/contacts?format=csv").get_data()

    assert (batch.created_count, batch.skipped_count) == (3, 0)
    assert count(Organization) == 2
    assert without_activity(second) == without_activity(first)


# --- Bad files and bad addresses ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "encoding", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "photo.csv",
            "utf-8",
            "This is not a text file: save it as CSV (or vCard) and try again.",
        ),
        (
            "Nombre,Apellido\r\nJosé,Peña\r\n".encode("cp1252"),
            "contactos.csv",
            "utf-8",
            "The file is not in the chosen text encoding.",
        ),
        (
            b"Name\r\nAna Ruiz\r\n",
            "names.csv",
            "utf-8",
            "Only one column was found: separate the columns with commas, semicolons or tabs",
        ),
        (b"", "empty.csv", "utf-8", "The file is empty."),
        (
            b'Name,Notes\r\nAna,"never closed\r\n',
            "broken.csv",
            "utf-8",
            "The CSV file is damaged (a quote is not closed, for example).",
        ),
        (
            vcard_file(["N:Uno;Ana;;;", "FN:Ana Uno"], ["this line has no colon", "FN:Beto"]),
            "contacts.vcf",
            "utf-8",
            "Card 2 in the file is damaged and cannot be read.",
        ),
        (b"Hello, this is a letter.\r\n", "letter.vcf", "utf-8", "This is not a vCard file."),
    ],
    ids=[
        "binary",
        "wrong-encoding",
        "one-column",
        "empty",
        "damaged-csv",
        "damaged-vcard",
        "not-vcard",
    ],
)
def test_a_bad_file_is_refused_beside_the_file_field_and_nothing_is_kept(
    app, client, signed_in, data, filename, encoding, message
):
    before, kept = row_counts(), uploads_kept(app)

    response = upload(client, data, filename=filename, encoding=encoding)

    assert response.status_code == 200
    assert_error_beside(page(response), "upload", message)
    assert row_counts() == before
    assert uploads_kept(app) == kept


def test_a_form_sent_without_a_file_asks_for_one(client, signed_in):
    boundary, encoded = encode_multipart({"encoding": "utf-8"})

    response = client.post(
        "/imports/", data=encoded, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert_error_beside(page(response), "upload", "Choose a .csv or .vcf file.")


def test_a_file_over_the_size_limit_is_refused(client, signed_in):
    data = b"A,B\r\n" + b"x" * csv_io.MAX_TABLE_BYTES

    response = upload(client, data)

    assert_error_beside(page(response), "upload", "The file is too large (over 20 MB).")


def test_an_upload_of_another_user_is_not_found(client, signed_in, login_as):
    token = start(client, people_file({"given_names": "Ana", "family_name": "Ruiz"}))
    login_as(factories.make_user(role="officer"))

    assert client.get(plan_url(token)).status_code == 404
    assert client.post(plan_url(token), data={"action": "import"}).status_code == 404
    assert count(Contact) == 0


@pytest.mark.parametrize("token", ["A" * 22, "not-a-token", "..%2F..%2Fconfig"])
def test_a_made_up_upload_token_is_not_found(client, signed_in, token):
    assert client.get(plan_url(token)).status_code == 404
    assert client.post(plan_url(token), data={"action": "preview"}).status_code == 404
