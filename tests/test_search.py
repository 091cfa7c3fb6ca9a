"""Global search: one box that finds organizations, contacts and interactions the way officers
type, an index kept in step on every commit, the visibility gate on every hit, type-ahead and
saved searches."""

import os
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.engine import make_url

from config import database_url
from crm.extensions import db
from crm.formats.records import Address, ContactRecord, Email, Phone
from crm.models import RelationshipTier, SavedSearch, SearchDocument, Sensitivity, WorkArea
from crm.services import search as search_service
from crm.services.contacts import (
    AffiliationInput,
    ContactInput,
    EmailInput,
    PhoneInput,
    add_affiliation,
    delete_contact,
    restore_contact,
    update_contact,
)
from crm.services.duplicates import merge_contacts, merge_organizations
from crm.services.imports import ImportPlan, run_import
from crm.services.interactions import InteractionInput, create_interaction, delete_interaction
from crm.services.organizations import (
    OrganizationInput,
    delete_organization,
    update_organization,
)
from tests.factories import (
    make_affiliation,
    make_contact,
    make_interaction,
    make_organization,
    make_user,
)
from tests.view_helpers import (
    count,
    flashes,
    linked_names,
    login_redirect_next,
    page,
    redirect_target,
)

# --- Helpers -------------------------------------------------------------------------------

HEADINGS = {"Organizations": "organization", "Contacts": "contact", "Interactions": "interaction"}
PAGES = {"organization": "/organizations", "contact": "/contacts", "interaction": "/interactions"}


def _dialect() -> str:
    """The database the tests run on, known before the app is built (for skipif)."""
    url = os.environ.get("TEST_DATABASE_URL")
    return make_url(database_url(url)).get_backend_name() if url else "sqlite"


@dataclass
class Results:
    """A search page as the user reads it."""

    names: dict[str, list[str]]  # record type -> the names linked under its heading
    totals: dict[str, int]  # record type -> the count beside its heading
    status: str | None  # the "3 results" line
    html: str

    @property
    def all(self) -> list[str]:
        return [name for names in self.names.values() for name in names]


def read_results(html: str) -> Results:
    names: dict[str, list[str]] = {}
    totals: dict[str, int] = {}
    for heading, total, section in re.findall(
        r"<section>\s*<h2>(\w+) <small>\((\d+)\)</small></h2>(.*?)</section>", html, re.S
    ):
        record_type = HEADINGS[heading]
        totals[record_type] = int(total)
        names[record_type] = [
            unescape(name)
            for name in re.findall(
                rf'<li><a href="{PAGES[record_type]}/\d+">([^<]*)</a>', section, flags=re.S
            )
        ]
    status = re.search(r'<p role="status">(\d+ results?)</p>', html)
    return Results(names, totals, status.group(1) if status else None, html)


def search(client, q, **params):
    """GET /search/ with the query and filters (a list value repeats the key)."""
    response = client.get("/search/", query_string={"q": q, **params})
    assert response.status_code == 200
    return read_results(page(response))


def found(client, q, **params):
    """Every name the search lists, organizations, then contacts, then interactions."""
    return search(client, q, **params).all


def contacts_found(client, q, **params):
    return search(client, q, **params).names.get("contact", [])


def suggest(client, q):
    response = client.get("/search/suggest", query_string={"q": q})
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def suggested(client, q):
    return [(hit["type"], hit["label"]) for hit in suggest(client, q)]


def nunez(**fields):
    """José Ángel Núñez Peña, written with every accent."""
    return make_contact(
        given_names="José Ángel", family_name="Núñez", second_family_name="Peña", **fields
    )


NUNEZ = "José Ángel Núñez Peña"


def person(given_names, family_name, **fields):
    return make_contact(given_names=given_names, family_name=family_name, **fields)


def body(name, **fields):
    return make_organization(name=name, **fields)


def tijuana_city_hall(**fields):
    return body(
        "Ayuntamiento de Tijuana",
        kind="agency",
        country="MX",
        subdivision="MX-BCN",
        city="Tijuana",
        government_level="local",
        **fields,
    )


def meeting(subject, owner=None, **fields):
    return make_interaction(owner, subject=subject, **fields)


def first_tier():
    return db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank)).first()


def two_work_areas():
    return list(db.session.scalars(select(WorkArea).order_by(WorkArea.id).limit(2)))


def at(day, clock, zone="America/Los_Angeles"):
    return datetime.combine(day, clock, ZoneInfo(zone))


def edit_contact(contact, actor, **changes):
    """Save the contact through the contacts service as the edit form would, with changes."""
    data = ContactInput(
        given_names=contact.given_names,
        family_name=contact.family_name,
        second_family_name=contact.second_family_name,
        honorific=contact.honorific,
        preferred_language=contact.preferred_language,
        tier_id=contact.tier_id,
        owner_id=contact.owner_id,
        sensitivity=contact.sensitivity.code,
        notes=contact.notes,
        emails=[EmailInput(e.address, e.kind) for e in contact.emails],
        phones=[PhoneInput(p.number, p.kind, p.extension) for p in contact.phones],
    )
    update_contact(contact, replace(data, **changes), actor)
    db.session.commit()


def edit_organization(organization, actor, **changes):
    """Save the organization through its service as the edit form would, with changes."""
    data = OrganizationInput(
        kind=organization.kind,
        name=organization.name,
        country=organization.country,
        name_es=organization.name_es,
        acronym=organization.acronym,
        subdivision=organization.subdivision,
        government_level=organization.government_level,
        parent=organization.parent.name if organization.parent else "",
        website=organization.website,
        email=organization.email,
        phone=organization.phone,
        street=organization.street,
        city=organization.city,
        postal_code=organization.postal_code,
        tier_id=organization.tier_id,
        owner_id=organization.owner_id,
        sensitivity=organization.sensitivity.code,
        work_area_ids=[w.id for w in organization.work_areas],
        notes=organization.notes,
    )
    update_organization(organization, replace(data, **changes), actor)
    db.session.commit()


def imported_rosa():
    """One row of a contacts file: Rosa at a consulate in Tijuana the office does not know."""
    return ContactRecord(
        uid="",
        given_names="Rosa",
        family_name="Ibarra",
        emails=(Email("ribarra@consulado.example"),),
        phones=(Phone("+526649876543"),),
        organization="Consulado de Guatemala en Tijuana",
        title="Cónsul adscrita",
        work_address=Address(city="Tijuana", region="MX-BCN", country="MX"),
    )


def save(client, name, **query):
    return client.post("/search/saved", data={"name": name, **query})


def sidebar(html):
    """The saved searches listed beside the results: name -> link."""
    aside = re.search(r'<aside aria-labelledby="saved-heading">(.*?)</aside>', html, re.S)
    assert aside, "no saved searches sidebar"
    return {
        unescape(name): unescape(href)
        for href, name in re.findall(r'<li><a href="([^"]*)">([^<]*)</a>', aside.group(1))
    }


def save_form_fields(html):
    """The hidden fields the "Save this search as" form sends, as (name, value) pairs."""
    form = re.search(r'<form method="post" action="/search/saved"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no save form on the page"
    return [
        (name, unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(1)
        )
        if name != "csrf_token"
    ]


def header(html):
    match = re.search(r"<header\b.*?</header>", html, re.S)
    assert match, "no page header"
    return match.group(0)


# --- Finding: names, accents, prefixes, every word ------------------------------------------


@pytest.mark.parametrize("query", ["jose nunez", "JOSÉ NÚÑEZ", "Núñez Peña", "josé ángel"])
def test_accents_and_case_do_not_matter(client, login_as, query):
    nunez()
    person("José", "Ortega")
    db.session.commit()
    login_as("officer")

    assert found(client, query) == [NUNEZ]


def test_each_word_matches_as_the_start_of_a_word(client, login_as):
    body("Consulado General de México en San Diego", kind="consulate", city="San Diego")
    body("Consulado General de México en Los Ángeles", kind="consulate", city="Los Angeles")
    db.session.commit()
    login_as("officer")

    assert found(client, "cons san") == ["Consulado General de México en San Diego"]
    assert found(client, "onsulado") == []  # a prefix, not any part of a word


def test_a_long_word_matches_by_any_start_typed_however_long(client, login_as):
    body("Unidad de Internacionalización Jurídica", kind="internal_unit")
    body("Unidad Internacional", kind="internal_unit")
    db.session.commit()
    login_as("officer")

    # Ten letters or fewer, and longer: the index holds up to ten, then whole words.
    assert sorted(found(client, "internacio")) == sorted(
        ["Unidad de Internacionalización Jurídica", "Unidad Internacional"]
    )
    assert found(client, "internacionaliz") == ["Unidad de Internacionalización Jurídica"]
    assert found(client, "internacionalizacion juri") == ["Unidad de Internacionalización Jurídica"]
    assert found(client, "internacionalx") == []


def test_a_search_made_for_one_clearance_never_serves_another(client, users, login_as):
    person("Pública", "Zárate", sensitivity=Sensitivity.PUBLIC)
    person("Secreta", "Zárate", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()

    login_as("admin")
    by_admin = sorted(contacts_found(client, "zarate"))
    login_as("officer")
    by_officer = contacts_found(client, "zarate")
    login_as("admin")
    by_admin_again = sorted(contacts_found(client, "zarate"))

    assert by_admin == by_admin_again == ["Pública Zárate", "Secreta Zárate"]
    assert by_officer == ["Pública Zárate"]


@pytest.mark.parametrize("first", ["admin", "officer"])
def test_a_statement_built_for_one_clearance_never_serves_another(client, users, login_as, first):
    """Type-ahead and a page of one type, each asked first by one clearance, then the other:
    the statements built once for every viewer with the same gate stay with that gate."""
    person("Pública", "Zárate", sensitivity=Sensitivity.PUBLIC)
    person("Secreta", "Zárate", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()
    seen = {}
    for role in (first, "officer" if first == "admin" else "admin"):
        login_as(role)
        seen[role] = (
            sorted(label for _type, label in suggested(client, "zarate")),
            sorted(contacts_found(client, "zarate", type="contact")),
            search(client, "zarate", type="contact").totals["contact"],
        )

    assert seen["admin"] == (["Pública Zárate", "Secreta Zárate"],) * 2 + (2,)
    assert seen["officer"] == (["Pública Zárate"],) * 2 + (1,)


def test_every_word_must_match(client, login_as):
    body("Consulado General de México en San Diego", kind="consulate")
    nunez()
    db.session.commit()
    login_as("officer")

    results = search(client, "consulado zanzibar")

    assert results.all == []
    assert results.status == "0 results"
    assert "Nothing found" in results.html
    assert found(client, "nunez consulado") == []


@pytest.mark.parametrize(
    "query", ["Secretaría de Relaciones Exteriores", "relaciones exteriores", "SRE", "sre"]
)
def test_an_organization_is_found_by_its_alternate_name_and_acronym(client, login_as, query):
    body(
        "Mexican Ministry of Foreign Affairs",
        name_es="Secretaría de Relaciones Exteriores",
        acronym="SRE",
        country="MX",
        subdivision="MX-CMX",
    )
    body("Secretaría de Seguridad Ciudadana", country="MX", subdivision="MX-CMX")
    db.session.commit()
    login_as("officer")

    assert found(client, query) == ["Mexican Ministry of Foreign Affairs"]


def test_a_unit_is_found_by_its_parents_acronym_and_its_states_initials(client, login_as):
    fgr = body(
        "Fiscalía General de la República", acronym="FGR", country="MX", subdivision="MX-CMX"
    )
    body("Delegación Estatal Mexicali", parent=fgr, country="MX", subdivision="MX-BCN")
    body("Delegación Estatal Hermosillo", parent=fgr, country="MX", subdivision="MX-SON")
    body("Fiscalía Estatal de Mexicali", country="MX", subdivision="MX-BCN")
    db.session.commit()
    login_as("officer")

    assert found(client, "FGR BC") == ["Delegación Estatal Mexicali"]
    assert found(client, "fgr baja california") == ["Delegación Estatal Mexicali"]


@pytest.mark.parametrize("query", ["jnunez@sre.gob.mx", "JNunez@SRE.gob.mx", "jnunez"])
def test_a_contact_is_found_by_e_mail_whole_or_its_first_part(client, login_as, query):
    nunez(emails=("jnunez@sre.gob.mx",))
    person("María", "Ortiz", emails=("mortiz@sre.gob.mx",))
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, query) == [NUNEZ]


@pytest.mark.parametrize(
    "query", ["+52 664 123 4567", "664-123-4567", "6641234567", "(664) 123 4567", "123 4567"]
)
def test_a_contact_is_found_by_phone_typed_any_way(client, login_as, query):
    nunez(phones=("+526641234567",))
    person("María", "Ortiz", phones=("+526647654321",))
    person("Ben", "Baker", phones=("+16195550100",))
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, query) == [NUNEZ]


@pytest.mark.parametrize(
    "query", ["nunez tijuana", "núñez ayuntamiento", "nunez director internacionales"]
)
def test_a_contact_is_found_by_the_title_organization_and_city_of_their_post(
    client, login_as, query
):
    make_affiliation(nunez(), tijuana_city_hall(), title="Director de Asuntos Internacionales")
    san_diego = body("City of San Diego", city="San Diego", government_level="local")
    make_affiliation(person("María", "Núñez"), san_diego, title="Protocol Officer")
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, query) == [NUNEZ]


def test_a_post_that_has_ended_no_longer_finds_the_person(client, login_as):
    josé = nunez()
    make_affiliation(josé, tijuana_city_hall(), end=date.today() - timedelta(days=30))
    make_affiliation(josé, body("City of Phoenix", city="Phoenix", subdivision="US-AZ"))
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, "nunez phoenix") == [NUNEZ]
    assert contacts_found(client, "nunez tijuana") == []


@pytest.mark.parametrize(
    "query",
    ["seguridad fronteriza", "reunion", "trafico armas", "reunión binacional", "Otay Mesa"],
)
def test_an_interaction_is_found_by_its_subject_summary_and_place(client, users, login_as, query):
    meeting(
        "Reunión sobre seguridad fronteriza",
        users["officer"],
        summary="Acordamos un grupo de trabajo binacional sobre tráfico de armas.",
        location="Garita de Otay Mesa",
    )
    meeting("Protocol briefing", users["officer"], summary="Seating plan for the reception.")
    db.session.commit()
    login_as("officer")

    assert found(client, query) == ["Reunión sobre seguridad fronteriza"]


def test_the_header_search_finds_what_the_user_typed(client, login_as):
    nunez()
    db.session.commit()
    login_as("viewer")  # read-only staff search too

    html = page(client.get("/search/?q=nunez"))

    assert read_results(html).all == [NUNEZ]
    assert 'id="global-search" name="q" value="nunez"' in header(html)


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    nunez()
    db.session.commit()

    assert login_redirect_next(client.get("/search/?q=nunez")) == "/search/?q=nunez"
    response = client.get("/search/suggest?q=nunez")
    assert response.status_code == 302
    assert "Núñez" not in page(response)


# --- Results by type, counts and filters -----------------------------------------------------


def test_results_are_grouped_by_type_with_counts(client, users, login_as):
    city_hall = tijuana_city_hall()
    make_affiliation(nunez(), city_hall)
    make_affiliation(person("Ana", "Ruiz"), city_hall)
    meeting("Visita a Tijuana", users["officer"])
    person("Ben", "Baker")
    db.session.commit()
    login_as("officer")

    results = search(client, "tijuana")

    assert list(results.names) == ["organization", "contact", "interaction"]
    assert results.totals == {"organization": 1, "contact": 2, "interaction": 1}
    assert results.names["organization"] == ["Ayuntamiento de Tijuana"]
    assert sorted(results.names["contact"]) == ["Ana Ruiz", NUNEZ]
    assert results.names["interaction"] == ["Visita a Tijuana"]
    assert results.status == "4 results"


def test_the_count_covers_every_hit_beyond_those_listed(client, login_as):
    for n in range(23):
        person(f"Persona{n}", "Pérez")
    db.session.commit()
    login_as("officer")

    results = search(client, "perez")

    assert results.totals == {"contact": 23}
    assert results.status == "23 results"


def test_a_broad_word_lists_the_newest_first_and_says_there_are_more(
    client, users, login_as, monkeypatch
):
    monkeypatch.setattr(search_service, "COUNTED_AT_MOST", 22)
    people = [person(f"Persona{n}", "Pérez") for n in range(25)]
    person("Secreta", "Pérez", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()
    # The last one written comes first once there are too many matches to rank.
    edit_contact(people[3], users["admin"], notes="al día")
    db.session.commit()
    login_as("officer")

    html = page(client.get("/search/", query_string={"q": "perez", "type": "contact"}))
    names = re.findall(r'<li><a href="/contacts/\d+">([^<]*)</a>', html)
    second = page(client.get("/search/", query_string={"q": "perez", "type": "contact", "page": 2}))

    assert names[0] == "Persona3 Pérez"
    assert "Secreta Pérez" not in names
    assert len(names) == 20
    assert "<small>(22+)</small>" in html
    assert "More than 22 results" in html
    assert "Page 1 of 2" in html
    rest = re.findall(r'<li><a href="/contacts/\d+">([^<]*)</a>', second)
    assert sorted(names + rest) == sorted(p.display_name for p in people)
    beyond = page(client.get("/search/", query_string={"q": "perez", "type": "contact", "page": 9}))
    assert "Page 2 of 2" in beyond
    assert re.findall(r'<li><a href="/contacts/\d+">([^<]*)</a>', beyond) == rest


def test_the_best_match_comes_first_not_the_newest(client, users, login_as):
    best = meeting("Zorzal: reunión zorzal", owner=users["officer"])
    filler = " ".join(f"tema{n}" for n in range(60))
    meeting("Minuta general", owner=users["officer"], summary=f"{filler} zorzal {filler}")
    db.session.commit()
    login_as("officer")

    results = search(client, "zorzal", type="interaction")

    assert results.names["interaction"][0] == best.subject
    assert len(results.names["interaction"]) == 2


def test_searching_every_type_shows_the_best_few_of_each_and_links_to_all_of_a_type(
    client, users, login_as
):
    for n in range(8):
        person(f"Persona{n}", "Pérez")
    make_organization(name="Pérez y Asociados")
    person("Secreta", "Pérez", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()
    login_as("officer")

    html = page(client.get("/search/", query_string={"q": "perez"}))
    preview = re.findall(r'<li><a href="/contacts/\d+">([^<]*)</a>', html)
    link = re.search(r'<a href="([^"]+)">All 8 contacts</a>', html)
    everyone = search(client, "perez", type="contact")

    assert len(preview) == 5
    assert link and "type=contact" in link.group(1)
    assert "All 1 organizations" not in html  # all of them are already shown
    assert len(everyone.names["contact"]) == 8
    assert "Secreta Pérez" not in everyone.names["contact"]
    assert "Page 1 of" not in page(client.get(link.group(1).replace("&amp;", "&")))


def test_every_type_at_once_counts_fewer_than_one_type_alone(client, login_as, monkeypatch):
    monkeypatch.setattr(search_service, "PREVIEW_COUNTED_AT_MOST", 6)
    monkeypatch.setattr(search_service, "COUNTED_AT_MOST", 22)
    people = [person(f"Persona{n}", "Pérez") for n in range(10)]
    person("Secreta", "Pérez", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()
    login_as("officer")

    html = page(client.get("/search/", query_string={"q": "perez"}))
    preview = re.findall(r'<li><a href="/contacts/\d+">([^<]*)</a>', html)
    link = re.search(r'<a href="([^"]+)">All 6\+ contacts</a>', html)
    one_type = search(client, "perez", type="contact")

    assert "<small>(6+)</small>" in html
    assert "More than 6 results" in html
    # Past the count, the newest come first.
    assert preview == [p.display_name for p in reversed(people)][:5]
    assert link and "type=contact" in link.group(1)
    assert one_type.totals == {"contact": 10}
    assert "Secreta Pérez" not in one_type.names["contact"]


def filter_options(html, name):
    """The labels a filter's drop-down offers, after its "any" option."""
    select_ = re.search(rf'<select name="{name}">(.*?)</select>', html, re.S).group(1)
    return [unescape(label) for label in re.findall(r"<option [^>]*>([^<]*)</option>", select_)][1:]


def test_the_filters_offer_the_tiers_work_areas_and_active_staff_in_order(client, users, login_as):
    make_user(full_name="Zoe Active")
    make_user(full_name="Ana Gone", active=False)
    db.session.commit()
    login_as("officer")
    english = page(client.get("/search/"))
    users["officer"].language = "es"
    db.session.commit()
    spanish = page(client.get("/search/"))

    tiers = [tier.name for tier in db.session.scalars(select(RelationshipTier))]
    assert filter_options(english, "tier") == sorted(tiers)  # by rank, which follows the name
    assert filter_options(spanish, "tier")[0] == "Nivel 1 — Estratégico"
    areas = list(db.session.scalars(select(WorkArea).order_by(WorkArea.name)))
    assert filter_options(english, "work_area") == [area.name for area in areas]
    assert filter_options(spanish, "work_area") == [area.name_es or area.name for area in areas]
    owners = filter_options(english, "owner")
    assert "Zoe Active" in owners and "Ana Gone" not in owners
    assert owners == sorted(owners)


def test_a_broad_word_still_finds_what_a_filter_narrows_it_to(client, users, login_as, monkeypatch):
    monkeypatch.setattr(search_service, "PREVIEW_COUNTED_AT_MOST", 3)
    for n in range(10):
        person(f"Persona{n}", "Pérez")
    mine = person("Propia", "Pérez", owner=users["admin"])
    db.session.commit()
    login_as("officer")

    results = search(client, "perez", owner=str(users["admin"].id))

    assert results.names == {"contact": [mine.display_name]}
    assert results.totals == {"contact": 1}


def test_a_word_that_names_a_record_type_matches_only_records_that_contain_it(client, login_as):
    person("Ana", "Ruiz")
    make_organization(name="Contact Center Tijuana")
    db.session.commit()
    login_as("officer")

    assert found(client, "contact") == ["Contact Center Tijuana"]
    assert found(client, "interaction") == []
    assert found(client, "organization") == []


@pytest.mark.parametrize(
    ("types", "shown"),
    [
        (["contact"], ["contact"]),
        (["organization", "interaction"], ["organization", "interaction"]),
        (["interaction"], ["interaction"]),
    ],
)
def test_the_type_boxes_narrow_the_results(client, users, login_as, types, shown):
    make_affiliation(nunez(), tijuana_city_hall())
    meeting("Visita a Tijuana", users["officer"])
    db.session.commit()
    login_as("officer")

    results = search(client, "tijuana", type=types)

    assert list(results.names) == shown
    assert results.totals == dict.fromkeys(shown, 1)
    for record_type in ("organization", "contact", "interaction"):
        box = re.search(
            rf'<input type="checkbox" name="type" value="{record_type}"[^>]*>', results.html
        )
        assert box and ("checked" in box.group(0)) == (record_type in types)


def test_the_kind_filter_narrows_organizations_and_the_people_posted_at_them(client, login_as):
    consulate = body("Consulado de Frontera", kind="consulate")
    agency = body("Agencia de Frontera", kind="agency")
    make_affiliation(person("Ana", "Frontera"), consulate)
    make_affiliation(person("Ben", "Frontera"), agency)
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", kind="consulate")

    assert results.names == {"organization": ["Consulado de Frontera"], "contact": ["Ana Frontera"]}


def test_the_country_filter_narrows_organizations_and_people(client, login_as):
    mx = body("Aduana Frontera Norte", country="MX", subdivision="MX-BCN")
    us = body("Border Frontera Office", country="US", subdivision="US-CA")
    make_affiliation(person("Ana", "Frontera"), mx)
    make_affiliation(person("Ben", "Frontera"), us)
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", country="mx")

    assert results.names == {"organization": ["Aduana Frontera Norte"], "contact": ["Ana Frontera"]}


def test_the_tier_filter_narrows_organizations_and_people(client, login_as):
    tier = first_tier()
    body("Frontera Tier Office", tier=tier)
    body("Frontera Plain Office")
    person("Ana", "Frontera", tier=tier)
    person("Ben", "Frontera")
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", tier=tier.id)

    assert results.names == {"organization": ["Frontera Tier Office"], "contact": ["Ana Frontera"]}


def test_the_work_area_filter_narrows_organizations_and_interactions(client, users, login_as):
    chosen, other = two_work_areas()
    body("Frontera Chosen Office", work_areas=[chosen])
    body("Frontera Other Office", work_areas=[other])
    meeting("Frontera chosen meeting", users["officer"], work_areas=[chosen])
    meeting("Frontera plain meeting", users["officer"])
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", work_area=chosen.id, type=["organization", "interaction"])

    assert results.names == {
        "organization": ["Frontera Chosen Office"],
        "interaction": ["Frontera chosen meeting"],
    }


def test_the_owner_filter_narrows_every_type(client, users, login_as):
    mine, theirs = users["officer"], users["admin"]
    body("Frontera Mine Office", owner=mine)
    body("Frontera Their Office", owner=theirs)
    person("Ana", "Frontera", owner=mine)
    person("Ben", "Frontera", owner=theirs)
    meeting("Frontera mine meeting", mine)
    meeting("Frontera their meeting", theirs)
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", owner=mine.id)

    assert results.names == {
        "organization": ["Frontera Mine Office"],
        "contact": ["Ana Frontera"],
        "interaction": ["Frontera mine meeting"],
    }


def test_the_date_range_narrows_interactions_to_those_days(client, users, login_as):
    owner = users["officer"]
    for day in (1, 10, 20):
        start = at(date(2026, 3, day), time(10))
        meeting(
            f"Frontera meeting {day}", owner, starts_at=start, ends_at=start + timedelta(hours=1)
        )
    db.session.commit()
    login_as("officer")

    results = search(client, "frontera", since="2026-03-05", until="2026-03-20")

    assert sorted(results.names["interaction"]) == ["Frontera meeting 10", "Frontera meeting 20"]
    assert found(client, "frontera", since="2026-03-11") == ["Frontera meeting 20"]
    assert found(client, "frontera", until="2026-03-09") == ["Frontera meeting 1"]


def test_the_date_range_is_read_in_the_searchers_time_zone(client, users, login_as):
    # 23:30 in Los Angeles on the 10th is already the 11th in UTC.
    start = at(date(2026, 3, 10), time(23, 30))
    meeting("Late call", users["officer"], starts_at=start, ends_at=start + timedelta(minutes=30))
    db.session.commit()
    login_as("officer")  # America/Los_Angeles

    assert found(client, "late call", since="2026-03-10", until="2026-03-10") == ["Late call"]
    assert found(client, "late call", since="2026-03-11") == []


# --- The index stays in step -----------------------------------------------------------------


def test_a_renamed_contact_is_found_by_the_new_name_only(client, users, login_as):
    josé = nunez()
    db.session.commit()

    edit_contact(josé, users["officer"], family_name="Zamora", second_family_name="")
    login_as("officer")

    assert found(client, "jose zamora") == ["José Ángel Zamora"]
    assert found(client, "nunez") == []


def test_an_added_e_mail_and_phone_find_the_contact(client, users, login_as):
    josé = nunez()
    db.session.commit()
    login_as("officer")
    assert found(client, "jnunez") == []

    edit_contact(
        josé,
        users["officer"],
        emails=[EmailInput("jnunez@sre.gob.mx")],
        phones=[PhoneInput("+52 664 123 4567")],
    )

    assert found(client, "jnunez") == [NUNEZ]
    assert found(client, "664-123-4567") == [NUNEZ]


def test_a_removed_e_mail_no_longer_finds_the_contact(client, users, login_as):
    josé = nunez(emails=("jnunez@sre.gob.mx", "pepe.casa@correo.example"))
    db.session.commit()

    edit_contact(josé, users["officer"], emails=[EmailInput("pepe.casa@correo.example")])
    login_as("officer")

    assert found(client, "jnunez") == []
    assert found(client, "pepe") == [NUNEZ]


def test_a_new_post_finds_the_contact_by_its_city(client, users, login_as):
    josé = nunez()
    tijuana_city_hall()
    db.session.commit()

    add_affiliation(
        josé, AffiliationInput("Ayuntamiento de Tijuana", title="Enlace"), users["officer"]
    )
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, "nunez tijuana") == [NUNEZ]
    assert contacts_found(client, "nunez enlace") == [NUNEZ]


def test_after_an_organization_is_renamed_its_people_and_units_follow(client, users, login_as):
    parent = body(
        "Procuraduría General de la República", acronym="PGR", country="MX", subdivision="MX-CMX"
    )
    body("Delegación Estatal Mexicali", parent=parent, country="MX", subdivision="MX-BCN")
    make_affiliation(nunez(), parent)
    db.session.commit()

    edit_organization(
        parent, users["officer"], name="Fiscalía General de la República", acronym="FGR"
    )
    login_as("officer")

    assert contacts_found(client, "nunez fiscalia") == [NUNEZ]
    assert contacts_found(client, "nunez fgr") == [NUNEZ]
    assert contacts_found(client, "nunez procuraduria") == []
    assert found(client, "fgr bc") == ["Delegación Estatal Mexicali"]
    assert found(client, "pgr bc") == []


def test_a_new_interaction_is_found_at_once(client, users, login_as):
    create_interaction(
        InteractionInput(
            subject="Mesa de trabajo sobre migración",
            day=date(2026, 5, 4),
            start=time(10),
            end=time(11),
            timezone="America/Los_Angeles",
            summary="Revisamos los albergues de Tijuana.",
        ),
        users["officer"],
    )
    db.session.commit()
    login_as("officer")

    assert found(client, "mesa migracion") == ["Mesa de trabajo sobre migración"]
    assert found(client, "albergues") == ["Mesa de trabajo sobre migración"]


@pytest.mark.parametrize("record_type", ["contact", "organization", "interaction"])
def test_a_record_in_the_trash_is_not_found(client, users, login_as, record_type):
    officer = users["officer"]
    made = {
        "contact": lambda: (nunez(), delete_contact),
        "organization": lambda: (body("Consulado de Zacatecas"), delete_organization),
        "interaction": lambda: (meeting("Reunión en Zacatecas", officer), delete_interaction),
    }
    record, trash = made[record_type]()
    name = {"contact": "nunez", "organization": "zacatecas", "interaction": "zacatecas"}
    db.session.commit()
    login_as("officer")
    assert len(found(client, name[record_type])) == 1

    trash(record, officer)
    db.session.commit()

    assert found(client, name[record_type]) == []
    assert suggest(client, name[record_type]) == []


def test_a_contact_restored_from_the_trash_is_found_again(client, users, login_as):
    josé = nunez()
    db.session.commit()
    delete_contact(josé, users["officer"])
    db.session.commit()

    restore_contact(josé.id, users["admin"])
    db.session.commit()
    login_as("officer")

    assert found(client, "nunez") == [NUNEZ]


def test_imported_people_are_found_by_name_e_mail_phone_and_post(client, users, login_as):
    plan = ImportPlan(file_name="contactos.csv", file_format="csv", records=[imported_rosa()])
    run_import(plan, users["officer"], "US", commit=True)
    db.session.commit()
    login_as("officer")

    for query in ("rosa ibarra", "ribarra", "664 987 6543", "rosa tijuana", "ibarra consul"):
        assert contacts_found(client, query) == ["Rosa Ibarra"], query
    assert search(client, "guatemala").names == {
        "organization": ["Consulado de Guatemala en Tijuana"],
        "contact": ["Rosa Ibarra"],
    }


def test_a_previewed_import_leaves_nothing_to_find(client, users, login_as):
    plan = ImportPlan(file_name="contactos.csv", file_format="csv", records=[imported_rosa()])
    run_import(plan, users["officer"], "US", commit=False)
    db.session.commit()
    login_as("officer")

    assert found(client, "rosa ibarra") == []
    assert found(client, "guatemala") == []
    assert count(SearchDocument) == 0


def test_after_merging_contacts_the_survivor_is_found_by_what_the_other_had(
    client, users, login_as
):
    survivor = person("Ana", "Gómez")
    other = person("Anita", "Gómez Ruiz", emails=("agruiz@policia.example",))
    make_affiliation(other, tijuana_city_hall(), title="Comandante")
    db.session.commit()

    merge_contacts(survivor, other, set(), users["officer"])
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, "agruiz") == ["Ana Gómez"]
    assert contacts_found(client, "gomez tijuana comandante") == ["Ana Gómez"]
    assert contacts_found(client, "anita") == []  # the merged record is in the trash


def test_after_merging_organizations_their_people_are_found_by_the_survivors_name(
    client, users, login_as
):
    survivor = body("Policía Estatal de Baja California", acronym="PEBC")
    other = body("Policia Estatal BC (old record)")
    make_affiliation(nunez(), other)
    db.session.commit()

    merge_organizations(survivor, other, set(), users["officer"])
    db.session.commit()
    login_as("officer")

    assert contacts_found(client, "nunez pebc") == [NUNEZ]
    assert found(client, "policia estatal") == ["Policía Estatal de Baja California", NUNEZ]


def test_a_rollback_leaves_no_document_for_a_record_never_committed(client, login_as):
    person("Fantasma", "Perdido")
    db.session.rollback()
    person("Rosa", "Ibarra")
    db.session.commit()
    login_as("officer")

    assert found(client, "fantasma") == []
    assert suggest(client, "fantasma") == []
    assert found(client, "rosa") == ["Rosa Ibarra"]
    assert count(SearchDocument) == 1


def test_reindex_rebuilds_the_index_to_the_same_results(app, client, users, login_as):
    fgr = body(
        "Fiscalía General de la República", acronym="FGR", country="MX", subdivision="MX-CMX"
    )
    body("Delegación Estatal Mexicali", parent=fgr, country="MX", subdivision="MX-BCN")
    josé = nunez(emails=("jnunez@sre.gob.mx",), phones=("+526641234567",))
    make_affiliation(josé, tijuana_city_hall(), title="Director")
    meeting("Reunión sobre seguridad fronteriza", users["officer"], contacts=[josé])
    db.session.commit()
    login_as("officer")
    queries = ["nunez tijuana", "jnunez", "6641234567", "fgr bc", "seguridad", "tijuana"]
    before = {q: found(client, q) for q in queries}
    assert all(before.values())

    db.session.execute(delete(SearchDocument))
    db.session.commit()
    assert all(found(client, q) == [] for q in queries)  # the index is lost

    result = app.test_cli_runner().invoke(args=["crm", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Search index rebuilt: 5 records." in result.output
    assert {q: found(client, q) for q in queries} == before


def test_setup_rebuilds_an_index_left_incomplete(app, client, login_as):
    make_affiliation(nunez(), tijuana_city_hall())
    db.session.commit()
    db.session.execute(delete(SearchDocument))
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["crm", "setup"])

    assert result.exit_code == 0, result.output
    login_as("officer")
    assert search(client, "tijuana").names == {
        "organization": ["Ayuntamiento de Tijuana"],
        "contact": [NUNEZ],
    }


# --- Visibility: nothing above the searcher's clearance ------------------------------------


@pytest.mark.parametrize(
    ("record_type", "query"),
    [
        ("contact", "Ximena Oculta Reyes"),
        ("organization", "Unidad de Análisis Reservado"),
        ("interaction", "Operativo Halcón Reservado"),
    ],
)
def test_a_record_above_my_clearance_is_never_found_even_by_its_exact_name(
    client, users, login_as, record_type, query
):
    hidden = Sensitivity.CONFIDENTIAL
    if record_type == "contact":
        make_contact(
            given_names="Ximena",
            family_name="Oculta",
            second_family_name="Reyes",
            sensitivity=hidden,
        )
    elif record_type == "organization":
        body(query, sensitivity=hidden)
    else:
        meeting(query, users["admin"], sensitivity=hidden)
    db.session.commit()

    login_as("officer")  # clearance: official
    results = search(client, query)
    assert results.all == [] and results.totals == {} and results.status == "0 results"
    assert suggest(client, query) == []

    login_as("admin")  # cleared for it: the record is indexed
    assert found(client, query) == [query]
    assert suggested(client, query) == [(record_type, query)]


@pytest.mark.parametrize("participant", ["contact", "organization", "represented organization"])
def test_an_interaction_with_a_hidden_participant_is_not_found(
    client, users, login_as, participant
):
    secret = Sensitivity.CONFIDENTIAL
    visible_person = person("Ana", "Ruiz")
    links = {
        "contact": {"contacts": [visible_person, person("Ximena", "Oculta", sensitivity=secret)]},
        "organization": {"organizations": [body("Unidad Reservada", sensitivity=secret)]},
        "represented organization": {
            "contacts": [(visible_person, body("Unidad Reservada", sensitivity=secret))]
        },
    }
    meeting("Reunión con la fuente", users["admin"], **links[participant])
    db.session.commit()

    login_as("officer")
    assert found(client, "reunion fuente") == []
    assert suggest(client, "reunion fuente") == []
    login_as("admin")
    assert found(client, "reunion fuente") == ["Reunión con la fuente"]


def test_the_result_count_leaves_out_hidden_records(client, login_as):
    person("Ana", "Pérez")
    person("Ben", "Pérez")
    person("Ximena", "Pérez", sensitivity=Sensitivity.CONFIDENTIAL)
    body("Pérez Consulting", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    db.session.commit()
    login_as("officer")

    results = search(client, "perez")

    assert results.totals == {"contact": 2}
    assert results.status == "2 results"
    assert sorted(results.all) == ["Ana Pérez", "Ben Pérez"]
    assert "Ximena" not in results.html and "Consulting" not in results.html


def test_a_person_is_not_found_by_the_name_of_an_organization_i_cannot_see(client, login_as):
    # The post itself is hidden from the officer (a post is seen only when both ends are),
    # so finding the person by that organization's name reveals it.
    unit = body("Unidad de Inteligencia Financiera", sensitivity=Sensitivity.CONFIDENTIAL)
    make_affiliation(person("Ana", "Ruiz"), unit, title="Analista encubierta")
    db.session.commit()
    login_as("officer")

    assert found(client, "unidad inteligencia financiera") == []
    assert found(client, "analista encubierta") == []
    assert suggest(client, "inteligencia financiera") == []


@pytest.mark.parametrize("narrowing", [{"kind": "consulate"}, {"country": "MX"}])
def test_the_post_filters_count_only_posts_at_organizations_i_can_see(client, login_as, narrowing):
    hidden = body(
        "Consulado Reservado",
        kind="consulate",
        country="MX",
        subdivision="MX-BCN",
        sensitivity=Sensitivity.CONFIDENTIAL,
    )
    make_affiliation(person("Ana", "Frontera"), hidden)
    db.session.commit()
    login_as("officer")
    # The contacts page, filtered the same way, does not list her: the post is hidden.
    assert linked_names(page(client.get("/contacts/")), "/contacts") == ["Frontera, Ana"]
    assert linked_names(page(client.get("/contacts/", query_string=narrowing)), "/contacts") == []

    assert found(client, "frontera", **narrowing) == []


def test_a_unit_is_not_found_by_the_acronym_of_a_parent_i_cannot_see(client, login_as):
    parent = body(
        "Centro Nacional de Inteligencia", acronym="CNI", sensitivity=Sensitivity.CONFIDENTIAL
    )
    body("Oficina Regional Noroeste", parent=parent, country="MX", subdivision="MX-BCN")
    db.session.commit()
    login_as("officer")

    assert found(client, "cni") == []


# --- Type-ahead --------------------------------------------------------------------------------


def test_each_suggestion_has_a_type_a_label_and_the_page_to_open(client, users, login_as):
    consulate = body(
        "Consulado General de México en San Diego",
        acronym="CGMSD",
        kind="consulate",
        city="San Diego",
    )
    make_affiliation(nunez(), consulate)
    meeting("Visita a San Diego", users["officer"])
    db.session.commit()
    login_as("officer")

    hits = suggest(client, "san diego")

    assert [(h["type"], h["label"]) for h in hits] == [
        ("organization", "Consulado General de México en San Diego (CGMSD)"),
        ("contact", NUNEZ),
        ("interaction", "Visita a San Diego"),
    ]
    for hit in hits:
        assert re.fullmatch(rf"{PAGES[hit['type']]}/\d+", hit["url"])
        opened = client.get(hit["url"])
        assert opened.status_code == 200
        assert unescape(hit["label"].split(" (")[0]) in unescape(page(opened))


def test_type_ahead_offers_at_most_five_of_each_type(client, users, login_as):
    for n in range(7):
        person(f"Persona{n}", "Pérez")
        body(f"Pérez Agency {n}")
    meeting("Pérez visit", users["officer"])
    db.session.commit()
    login_as("officer")

    types = [hit["type"] for hit in suggest(client, "perez")]

    assert types.count("organization") == 5
    assert types.count("contact") == 5
    assert types.count("interaction") == 1
    assert search(client, "perez").totals == {"organization": 7, "contact": 7, "interaction": 1}


def test_type_ahead_without_words_suggests_nothing(client, login_as):
    nunez()
    db.session.commit()
    login_as("officer")

    assert suggest(client, "") == []
    assert suggest(client, "  ¿?  ") == []


# --- Saved searches ----------------------------------------------------------------------------


def test_a_saved_search_keeps_the_query_and_filters_in_my_sidebar(client, users, login_as):
    make_affiliation(nunez(), tijuana_city_hall())
    body("Consulado de Tijuana", kind="consulate", country="MX", subdivision="MX-BCN")
    db.session.commit()
    login_as("officer")

    response = save(client, "Tijuana agencies", q="tijuana", kind="agency", type="organization")

    assert parse_qs(urlsplit(redirect_target(response)).query) == {
        "q": ["tijuana"],
        "kind": ["agency"],
        "type": ["organization"],
    }
    html = page(client.get("/search/"))
    assert "Search saved." in flashes(html)
    link = sidebar(html)["Tijuana agencies"]
    assert parse_qs(urlsplit(link).query) == {
        "q": ["tijuana"],
        "kind": ["agency"],
        "type": ["organization"],
    }
    assert read_results(page(client.get(link))).names == {
        "organization": ["Ayuntamiento de Tijuana"]
    }


def test_my_saved_searches_are_shown_to_me_only(client, users, login_as):
    login_as("officer")
    save(client, "Consulates", q="consulado", kind="consulate")

    login_as("admin")
    assert "Consulates" not in sidebar(page(client.get("/search/")))
    login_as("officer")
    assert list(sidebar(page(client.get("/search/")))) == ["Consulates"]


@pytest.mark.parametrize("name", ["", "   "])
def test_a_search_cannot_be_saved_without_a_name(client, users, login_as, name):
    login_as("officer")

    response = save(client, name, q="tijuana")

    assert redirect_target(response) == "/search/?q=tijuana"
    html = page(client.get(redirect_target(response)))
    assert "Name the search." in flashes(html)
    assert sidebar(html) == {}
    assert count(SavedSearch) == 0


def test_another_user_cannot_delete_my_saved_search(client, users, login_as):
    login_as("officer")
    save(client, "Consulates", q="consulado")
    saved = db.session.scalars(select(SavedSearch)).one()

    login_as("admin")
    assert client.post(f"/search/saved/{saved.id}/delete").status_code == 404
    assert count(SavedSearch) == 1

    login_as("officer")
    response = client.post(f"/search/saved/{saved.id}/delete")
    assert redirect_target(response) == "/search/"
    html = page(client.get("/search/"))
    assert "Saved search removed." in flashes(html)
    assert sidebar(html) == {}


def test_saving_a_search_keeps_every_ticked_type(client, users, login_as):
    make_affiliation(nunez(), tijuana_city_hall())
    meeting("Visita a Tijuana", users["officer"])
    db.session.commit()
    login_as("officer")

    save(client, "Tijuana people and bodies", q="tijuana", type=["organization", "contact"])

    link = sidebar(page(client.get("/search/")))["Tijuana people and bodies"]
    assert parse_qs(urlsplit(link).query).get("type") == ["organization", "contact"]
    assert list(read_results(page(client.get(link))).names) == ["organization", "contact"]


def test_the_save_form_carries_every_ticked_type(client, users, login_as):
    login_as("officer")

    html = page(client.get("/search/?q=tijuana&type=organization&type=contact&owner=3"))

    fields = save_form_fields(html)
    assert ("q", "tijuana") in fields and ("owner", "3") in fields
    assert [v for k, v in fields if k == "type"] == ["organization", "contact"]


# --- The search box in every page's header ----------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/contacts/", "/organizations/", "/interactions/", "/lists/", "/search/?q=x"]
)
def test_every_page_has_the_labelled_search_box_in_its_header(client, users, login_as, path):
    login_as("officer")

    top = header(page(client.get(path)))

    form = re.search(r'<form [^>]*role="search"[^>]*>(.*?)</form>', top, re.S)
    assert form, "no search form in the header"
    assert 'action="/search/"' in form.group(0)
    label = re.search(r'<label for="global-search"[^>]*>([^<]+)</label>', form.group(1))
    assert label and label.group(1).strip() == "Search organizations, people and meetings"
    assert re.search(r'<input type="search" id="global-search" name="q"', form.group(1))
    assert 'data-search="/search/suggest"' in form.group(1)


# --- The database's own index ------------------------------------------------------------------


def fts_rowids(word, record_type="contact"):
    fts = f"search_fts_{record_type}"
    return set(
        db.session.scalars(text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :w"), {"w": word})
    )


@pytest.mark.skipif(_dialect() != "sqlite", reason="FTS5 is the SQLite index")
def test_on_sqlite_every_prefix_up_to_ten_letters_has_its_own_index(app):
    # FTS5 answers a longer prefix by merging every word that starts with it, in full.
    for record_type in ("organization", "contact", "interaction"):
        definition = db.session.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = :name"),
            {"name": f"search_fts_{record_type}"},
        )
        assert "prefix='1 2 3 4 5 6 7 8 9 10'" in definition
    make_contact(given_names="Consuelo", family_name="Sanromán")
    db.session.commit()
    assert len(fts_rowids('"consuel"* AND "sanroma"*')) == 1


@pytest.mark.skipif(_dialect() != "sqlite", reason="FTS5 is the SQLite index")
def test_on_sqlite_the_fts5_table_follows_the_documents(app):
    assert db.engine.dialect.name == "sqlite"
    assert (
        db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'search_fts_contact'"))
        .upper()
        .startswith("CREATE VIRTUAL TABLE SEARCH_FTS_CONTACT USING FTS5")
    )
    document = SearchDocument(record_type="contact", record_id=1, content="zorzal azul")
    body = SearchDocument(record_type="organization", record_id=1, content="zorzal rojo")
    db.session.add_all([document, body])
    db.session.commit()
    # Each record type has its own table: people's words only among people.
    assert fts_rowids("zorzal") == {document.id}
    assert fts_rowids("zorzal", "organization") == {body.id}
    assert fts_rowids("zorzal", "interaction") == set()

    document.content = "gaviota azul"
    db.session.commit()
    assert fts_rowids("zorzal") == set()
    assert fts_rowids("gaviota") == fts_rowids("azul") == {document.id}

    db.session.delete(document)
    db.session.commit()
    assert fts_rowids("azul") == set()


@pytest.mark.skipif(_dialect() != "postgresql", reason="GIN indexes are the PostgreSQL index")
def test_on_postgresql_the_word_prefix_indexes_exist(app):
    assert db.engine.dialect.name == "postgresql"
    indexes = dict(
        db.session.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'search_documents'")
        ).all()
    )
    generated = dict(
        db.session.execute(
            text(
                "SELECT column_name, generation_expression FROM information_schema.columns "
                "WHERE table_name = 'search_documents' AND is_generated = 'ALWAYS'"
            )
        ).all()
    )
    assert generated == {
        "search_words": "to_tsvector('simple'::regconfig, content)",
        "search_prefixes": "search_word_prefixes(content)",
    }
    for record_type in ("organization", "contact", "interaction"):
        assert f"ix_search_documents_words_{record_type}" not in indexes
        definition = indexes[f"ix_search_documents_prefixes_{record_type}"]
        assert "USING gin (search_prefixes)" in definition
        assert f"WHERE ((record_type)::text = '{record_type}'::text)" in definition
        definition = indexes[f"ix_search_documents_newest_{record_type}"]
        assert f"(id) WHERE ((record_type)::text = '{record_type}'::text)" in definition
    assert "USING gin (content gin_trgm_ops)" in indexes["ix_search_documents_trigrams"]
    assert db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))


@pytest.mark.skipif(_dialect() != "postgresql", reason="PostgreSQL's prefix index")
def test_on_postgresql_a_document_holds_every_prefix_up_to_ten_letters_and_long_words_whole(
    app,
):
    prefixes = db.session.scalar(
        text("SELECT tsvector_to_array(search_word_prefixes('sé internacionalizacion'))")
    )
    word = "internacionalizacion"
    assert sorted(prefixes) == sorted(["s", "sé", *(word[:n] for n in range(1, 11)), word])


@pytest.mark.skipif(_dialect() != "postgresql", reason="PostgreSQL's planner settings")
def test_on_postgresql_a_search_leaves_the_planner_as_it_found_it(app, users):
    for n in range(3):
        person(f"Persona{n}", "Pérez")
    db.session.commit()
    # A setting of the session's own, as a deployment might make.
    db.session.execute(text("SET max_parallel_workers_per_gather = 1"))

    search_service.search(search_service.SearchFilters(q="perez"), users["officer"])
    search_service.suggestions("perez", users["officer"])

    # The rest of the request plans its own queries as before.
    for setting in ("seqscan", "indexscan", "bitmapscan", "hashjoin", "mergejoin", "memoize"):
        assert db.session.execute(text(f"SHOW enable_{setting}")).scalar() == "on"
    assert db.session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "1"
    assert db.session.execute(text("SHOW plan_cache_mode")).scalar() == "auto"


def broad_word_office(users):
    """Thirty people named Pérez (the fourth is written last, so its document is the
    newest), one above every clearance but the highest, and a confidential dozen."""
    people = [person(f"Persona{n}", "Pérez") for n in range(30)]
    person("Secreta", "Pérez", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    reserved = [
        person(f"Reservada{n}", "Pérez", sensitivity=Sensitivity.CONFIDENTIAL) for n in range(12)
    ]
    db.session.commit()
    edit_contact(people[3], users["admin"], notes="al día")
    db.session.commit()
    # PostgreSQL's count of the people, which decides between walking and the word index.
    db.session.execute(text("ANALYZE contacts"))
    return people, reserved


def contact_matches(words, viewer):
    """The people a search of one type finds, as found (up to 22 counted)."""
    filters = search_service.SearchFilters(q=" ".join(words), types=("contact",))
    return search_service._visible_matches(["contact"], words, viewer, filters, 22)["contact"]


@pytest.fixture
def walking(monkeypatch):
    """Limits small enough for a few dozen people: at most 22 counted, the newest 10
    documents sampled, and a walk whenever most of them match."""
    monkeypatch.setattr(search_service, "COUNTED_AT_MOST", 22)
    monkeypatch.setattr(search_service, "SAMPLE_SIZE", 10)
    monkeypatch.setattr(search_service, "WALK_FACTOR", 1)


@pytest.mark.skipif(_dialect() != "postgresql", reason="PostgreSQL walks a broad word's matches")
def test_on_postgresql_a_broad_word_is_walked_from_the_newest_document(app, users, walking):
    people, _reserved = broad_word_office(users)
    filters = search_service.SearchFilters(q="perez", types=("contact",))
    officer = users["officer"]

    matches = contact_matches(["perez"], officer)
    results = search_service.search(filters, officer)
    # A word that few of the newest documents have goes to the word index, which sorts its
    # few matches newest first.
    rare = contact_matches(["persona3"], officer)

    assert matches.newest_first
    assert len(matches.ids) == 23
    assert results.totals["contact"] == 22 and "contact" in results.more
    names = [c.display_name for c in results.groups["contact"]]
    assert names[0] == "Persona3 Pérez"
    assert len(names) == 20
    assert all(name.startswith("Persona") for name in names)
    assert rare.newest_first
    assert rare.ids == [people[3].id]


@pytest.mark.parametrize("few_at_most", [1000, 1])
@pytest.mark.skipif(_dialect() != "postgresql", reason="PostgreSQL walks a broad word's matches")
def test_on_postgresql_a_word_none_of_the_newest_documents_has_is_shown_newest_first(
    app, users, walking, monkeypatch, few_at_most
):
    # With few matches expected, the word index's matches are sorted; with many, a page
    # beyond the count walks from the newest document. Either way the newest come first.
    monkeypatch.setattr(search_service, "GATHER_NEWEST_AT_MOST", few_at_most)
    people, reserved = broad_word_office(users)
    edit_contact(people[7], users["admin"], notes="al día")
    edit_contact(reserved[0], users["admin"], notes="al día")
    db.session.commit()
    # The newest documents (all ten sampled) are of other people.
    for n in range(12):
        person(f"Otra{n}", "Ruiz")
    db.session.commit()
    db.session.execute(text("ANALYZE contacts"))
    officer = users["officer"]

    matches = contact_matches(["perez"], officer)
    results = search_service.search(
        search_service.SearchFilters(q="perez", types=("contact",)), officer
    )

    assert matches.newest_first is (few_at_most == 1000)
    assert len(matches.ids) == 23
    assert results.totals["contact"] == 22 and "contact" in results.more
    names = [c.display_name for c in results.groups["contact"]]
    # Persona7 was written last of the people an officer may see, Persona3 before it; the
    # confidential one written after them never shows.
    assert names[:4] == ["Persona7 Pérez", "Persona3 Pérez", "Persona29 Pérez", "Persona28 Pérez"]
    assert len(names) == 20
    assert all(name.startswith("Persona") for name in names)


@pytest.mark.skipif(_dialect() != "postgresql", reason="PostgreSQL walks a broad word's matches")
def test_on_postgresql_a_walk_that_finds_too_few_visible_matches_leaves_them_to_the_index(
    app, users, walking, monkeypatch
):
    # The walk gives up after the 25 newest documents; the word index finds the rest.
    monkeypatch.setattr(search_service, "WALK_AT_MOST", 25)
    people, reserved = broad_word_office(users)
    # The newest documents are now the confidential dozen, which an officer may not see.
    for person_ in reserved:
        edit_contact(person_, users["admin"], notes="al día")
    db.session.commit()
    filters = search_service.SearchFilters(q="perez", types=("contact",))
    officer = users["officer"]

    matches = contact_matches(["perez"], officer)
    results = search_service.search(filters, officer)
    seen_above = contact_matches(["perez"], users["admin"])

    # Too few for the walk (12 of the 25 newest documents are confidential): the word index
    # has them all, few enough to sort, newest first.
    assert len(matches.ids) == 23
    assert matches.newest_first
    assert matches.ids[:3] == [people[3].id, people[29].id, people[28].id]
    names = [c.display_name for c in results.groups["contact"]]
    assert len(names) == 20
    assert all(name.startswith("Persona") for name in names)
    # Whoever may see the confidential dozen finds enough among the newest.
    assert seen_above.newest_first
    assert {c.id for c in reserved} <= set(seen_above.ids)
