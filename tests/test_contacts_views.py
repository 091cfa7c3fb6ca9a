"""Contact pages: the list with its filters, the detail page, create, edit, posts, access."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    FollowUp,
    Organization,
    Sensitivity,
    Tag,
)
from crm.models.base import utcnow
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    count,
    count_text,
    field_error,
    flashes,
    linked_names,
    page,
    redirect_target,
    row,
    without_csrf_tokens,
)

BAD_PHONE = (
    "Enter a valid phone number, with the country code if it is not local "
    "(for example +52 664 123 4567)."
)
SPARE_ROWS = 2


def contact_form(
    emails: tuple[tuple[str, str], ...] = (),
    phones: tuple[tuple[str, str, str], ...] = (),
    **changes: Any,
) -> dict[str, Any]:
    """What a browser sends from the contact form, spare empty rows included."""
    data: dict[str, Any] = {
        "honorific": "Lic.",
        "given_names": "José Ángel",
        "family_name": "Núñez",
        "second_family_name": "Peña",
        "preferred_language": "es",
        "phone_region": "US",
        "tier_id": "",
        "owner_id": "",
        "sensitivity": "official",
        "tags": "",
        "notes": "",
    }
    rows = [*emails, *[("", "work")] * SPARE_ROWS]
    for index, (address, kind) in enumerate(rows):
        data[f"emails-{index}-address"] = address
        data[f"emails-{index}-kind"] = kind
    for index, (number, kind, extension) in enumerate([*phones, *[("", "work", "")] * 2]):
        data[f"phones-{index}-number"] = number
        data[f"phones-{index}-kind"] = kind
        data[f"phones-{index}-extension"] = extension
    data.update(changes)
    return data


def post_form(organization_name: str, **changes: Any) -> dict[str, Any]:
    data = {"organization": organization_name, "title": "", "department": ""}
    data.update(start_date="", end_date="")
    data.update(changes)
    return data


def contact_state(contact_id: int) -> dict[str, Any]:
    """The contact's row with its addresses, phones and posts, as stored."""
    return {
        "row": row(Contact, contact_id),
        "emails": [
            (e.address, e.kind, e.position)
            for e in db.session.scalars(
                select(ContactEmail).where(ContactEmail.contact_id == contact_id)
            )
        ],
        "phones": [
            (p.number, p.kind, p.extension, p.position)
            for p in db.session.scalars(
                select(ContactPhone).where(ContactPhone.contact_id == contact_id)
            )
        ],
        "posts": [
            (a.organization_id, a.title, a.start_date, a.end_date)
            for a in db.session.scalars(
                select(Affiliation).where(Affiliation.contact_id == contact_id)
            )
        ],
    }


def listed(client, **query: Any) -> list[str]:
    response = client.get("/contacts/", query_string=query)
    assert response.status_code == 200
    return linked_names(page(response), "/contacts")


def table_row(html: str, contact_id: int) -> str:
    match = re.search(rf'<tr>\s*<td><a href="/contacts/{contact_id}">.*?</tr>', html, flags=re.S)
    assert match, f"no row for contact {contact_id}"
    return match.group(0)


# The list -------------------------------------------------------------------------------------


@pytest.fixture
def people() -> dict[str, Any]:
    consulate = factories.make_organization(
        kind="consulate", name="Consulado General de México en San Diego", country="US"
    )
    chp = factories.make_organization(name="California Highway Patrol", acronym="CHP")
    fiscalia = factories.make_organization(
        name="Fiscalía General del Estado de Baja California", country="MX", subdivision="MX-BCN"
    )
    jose = factories.make_contact(
        given_names="José Ángel",
        family_name="Núñez",
        second_family_name="Peña",
        preferred_language="es",
        emails=("jnunez@sre.gob.mx",),
    )
    mary = factories.make_contact(
        given_names="Mary", family_name="Smith", emails=("msmith@chp.ca.gov",)
    )
    luis = factories.make_contact(
        given_names="Luis", family_name="Ortega", second_family_name="Ruiz"
    )
    factories.make_affiliation(jose, consulate, start=date(2022, 1, 10), title="Cónsul General")
    factories.make_affiliation(mary, chp, start=date(2021, 5, 1), title="Captain")
    factories.make_affiliation(mary, fiscalia, start=date(2015, 1, 1), end=date(2020, 12, 31))
    factories.make_affiliation(luis, fiscalia, start=date(2019, 3, 1), title="Fiscal")
    db.session.commit()
    return {
        "consulate": consulate,
        "chp": chp,
        "fiscalia": fiscalia,
        "jose": jose,
        "mary": mary,
        "luis": luis,
    }


SORT_NAMES = {
    "jose": "Núñez Peña, José Ángel",
    "mary": "Smith, Mary",
    "luis": "Ortega Ruiz, Luis",
}


def test_the_list_shows_contacts_by_surname_with_their_current_post(client, login_as, people):
    login_as("viewer")

    response = client.get("/contacts/")

    html = page(response)
    assert linked_names(html, "/contacts") == [
        SORT_NAMES["jose"],
        SORT_NAMES["luis"],
        SORT_NAMES["mary"],
    ]
    jose = table_row(html, people["jose"].id)
    assert "Cónsul General" in jose
    assert f'href="/organizations/{people["consulate"].id}"' in jose
    assert "jnunez@sre.gob.mx" in jose
    mary = table_row(html, people["mary"].id)
    assert ">CHP</a>" in mary
    assert f'href="/organizations/{people["fiscalia"].id}"' not in mary


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "jose nunez"}, {"jose"}),
        ({"q": "NÚÑEZ peña"}, {"jose"}),
        ({"q": "msmith@chp"}, {"mary"}),
        ({"kind": "consulate"}, {"jose"}),
        ({"country": "MX"}, {"luis"}),
        ({"subdivision": "mx-bcn"}, {"luis"}),
        ({"subdivision": "US-CA"}, {"jose", "mary"}),
        ({"organization": "fiscalia"}, {"luis"}),
        ({"organization": "chp"}, {"mary"}),
        ({"language": "es"}, {"jose"}),
        ({"q": "luis", "kind": "consulate"}, set()),
    ],
    ids=[
        "q-accent-blind",
        "q-accents-and-case",
        "q-email",
        "kind",
        "country-current-posts-only",
        "subdivision",
        "subdivision-US-CA",
        "organization-current-posts-only",
        "organization",
        "language",
        "nobody",
    ],
)
def test_list_filters(client, login_as, people, query, expected):
    login_as("officer")
    if "organization" in query:
        query = {"organization": people[query["organization"]].id}

    assert sorted(listed(client, **query)) == sorted(SORT_NAMES[key] for key in expected)


def test_the_list_of_one_organizations_people_names_it(client, login_as, people):
    login_as("officer")

    html = page(client.get(f"/contacts/?organization={people['chp'].id}"))

    assert "<h1>Contacts · California Highway Patrol</h1>" in html


def test_the_list_pages_and_sorts(client, login_as, people):
    login_as("officer")

    first = page(client.get("/contacts/?per_page=2"))
    assert count_text(first) == "1–2 of 3"
    assert 'rel="next">Next</a>' in first
    assert listed(client, sort="-name") == [
        SORT_NAMES["mary"],
        SORT_NAMES["luis"],
        SORT_NAMES["jose"],
    ]


# The detail page ------------------------------------------------------------------------------


def test_the_detail_page_shows_addresses_and_nationally_formatted_phones(client, login_as):
    contact = factories.make_contact(
        given_names="José Ángel",
        family_name="Núñez",
        emails=("jnunez@sre.gob.mx", "jose.nunez@example.mx"),
    )
    contact.emails[1].kind = "personal"
    contact.phones = [
        ContactPhone(number="+16195551234", kind="work", extension="210", position=0),
        ContactPhone(number="+526641234567", kind="mobile", position=1),
    ]
    db.session.commit()
    login_as("viewer")

    html = page(client.get(f"/contacts/{contact.id}"))

    assert '<a href="mailto:jnunez@sre.gob.mx">jnunez@sre.gob.mx</a>' in html
    assert "E-mail (Personal)" in html
    assert '<a href="tel:+16195551234">(619) 555-1234</a> ext. 210' in html
    # A number outside the United States is shown in international form.
    assert '<a href="tel:+526641234567">+52 664 123 4567</a>' in html
    assert "Phone (Mobile)" in html


def post_rows(html: str) -> list[str]:
    match = re.search(r"<h2>Posts</h2>.*?<tbody>(.*?)</tbody>", html, flags=re.S)
    assert match, "no posts table"
    return re.findall(r"<tr.*?</tr>", match.group(1), flags=re.S)


def test_a_contact_who_changed_posts_shows_current_ones_first_then_former(client, login_as):
    fiscalia = factories.make_organization(name="Fiscalía General de Baja California")
    consulate = factories.make_organization(name="Consulado de México en Los Ángeles")
    ngo = factories.make_organization(kind="ngo", name="Red por la Infancia")
    contact = factories.make_contact(given_names="Laura", family_name="Medina")
    factories.make_affiliation(
        contact, fiscalia, start=date(2015, 2, 1), end=date(2021, 12, 31), title="Fiscal"
    )
    factories.make_affiliation(contact, ngo, start=date(2023, 1, 1), title="Consejera")
    factories.make_affiliation(
        contact, consulate, start=date(2022, 1, 15), title="Cónsul Adscrita", is_primary=True
    )
    db.session.commit()
    login_as("viewer")

    html = page(client.get(f"/contacts/{contact.id}"))

    assert "<p>Cónsul Adscrita, Consulado de México en Los Ángeles</p>" in html
    rows = post_rows(html)
    assert [re.search(r">([^<]+)</a>", r).group(1) for r in rows] == [
        "Consulado de México en Los Ángeles",
        "Red por la Infancia",
        "Fiscalía General de Baja California",
    ]
    assert "(main)" in rows[0]
    assert "current" in rows[0] and "current" in rows[1]
    assert 'class="former"' in rows[2]
    assert "Feb 1, 2015" in rows[2] and "Dec 31, 2021" in rows[2]


# Create and edit ------------------------------------------------------------------------------


def test_an_officer_creates_a_contact_with_several_addresses_and_phones(client, login_as):
    login_as("officer")
    data = contact_form(
        emails=(("jnunez@sre.gob.mx", "work"), ("jose.nunez@example.mx", "personal")),
        phones=(("(619) 555-1234", "work", "210"), ("+52 664 123 4567", "mobile", "")),
    )

    response = client.post("/contacts/new", data=data)

    contact = db.session.scalars(select(Contact)).one()
    assert redirect_target(response) == f"/contacts/{contact.id}"
    state = contact_state(contact.id)
    assert state["emails"] == [
        ("jnunez@sre.gob.mx", "work", 0),
        ("jose.nunez@example.mx", "personal", 1),
    ]
    assert state["phones"] == [
        ("+16195551234", "work", "210", 0),
        ("+526641234567", "mobile", "", 1),
    ]
    html = page(client.get(f"/contacts/{contact.id}"))
    assert "Contact created." in flashes(html)
    assert "<h1>Lic. José Ángel Núñez Peña</h1>" in html
    assert "(619) 555-1234" in html


def test_a_number_without_country_code_is_read_in_the_chosen_region(client, login_as):
    login_as("officer")

    client.post(
        "/contacts/new",
        data=contact_form(phones=(("664 123 4567", "work", ""),), phone_region="MX"),
    )

    assert [p.number for p in db.session.scalars(select(ContactPhone))] == ["+526641234567"]


@pytest.mark.parametrize(
    ("emails", "phones", "field", "message"),
    [
        (
            (("jnunez@sre.gob.mx", "work"), ("not-an-address", "work")),
            (),
            "emails-1-address",
            "Enter a valid e-mail address.",
        ),
        (
            (("jnunez@sre.gob.mx", "work"), ("JNUNEZ@sre.gob.mx", "personal")),
            (),
            "emails-1-address",
            "This address is listed twice.",
        ),
        ((), (("555", "work", ""),), "phones-0-number", BAD_PHONE),
        (
            (),
            (("+16195551234", "work", ""), ("+52 12", "mobile", "")),
            "phones-1-number",
            BAD_PHONE,
        ),
        ((), (("+16195551234", "work", "x12"),), "phones-0-extension", "digits only"),
    ],
    ids=["bad-email", "email-twice", "bad-phone", "bad-second-phone", "bad-extension"],
)
def test_a_bad_entry_shows_beside_that_entry_and_saves_nothing(
    client, login_as, emails, phones, field, message
):
    login_as("officer")

    response = client.post("/contacts/new", data=contact_form(emails=emails, phones=phones))

    assert response.status_code == 200
    html = page(response)
    assert_error_beside(html, field, message)
    assert 'value="José Ángel"' in html
    assert count(Contact) == count(ContactEmail) == count(ContactPhone) == 0


@pytest.fixture
def mary() -> Contact:
    contact = factories.make_contact(
        given_names="Mary", family_name="Smith", emails=("msmith@chp.ca.gov",)
    )
    contact.phones = [ContactPhone(number="+19166574333", kind="work", position=0)]
    db.session.commit()
    return contact


@pytest.mark.parametrize(
    ("emails", "phones", "field"),
    [
        ((("msmith@", "work"),), (("+19166574333", "work", ""),), "emails-0-address"),
        ((("msmith@chp.ca.gov", "work"),), (("+1 916 000", "work", ""),), "phones-0-number"),
    ],
    ids=["bad-email", "bad-phone"],
)
def test_a_bad_entry_on_edit_changes_nothing(client, login_as, mary, emails, phones, field):
    login_as("officer")
    before = contact_state(mary.id)

    response = client.post(
        f"/contacts/{mary.id}/edit",
        data=contact_form(
            emails=emails, phones=phones, given_names="Maria", family_name="Smith-Jones"
        ),
    )

    assert response.status_code == 200
    assert field_error(page(response), field)
    assert contact_state(mary.id) == before


def test_an_officer_edits_a_contacts_addresses(client, login_as, mary):
    login_as("officer")
    form = page(client.get(f"/contacts/{mary.id}/edit"))
    assert 'value="msmith@chp.ca.gov"' in form
    assert 'value="+19166574333"' in form

    response = client.post(
        f"/contacts/{mary.id}/edit",
        data=contact_form(
            emails=(("", "work"), ("mary.smith@chp.ca.gov", "work")),
            phones=(("916 657 4300", "work", ""),),
            honorific="",
            given_names="Mary",
            family_name="Smith",
            second_family_name="",
            preferred_language="en",
        ),
    )

    assert redirect_target(response) == f"/contacts/{mary.id}"
    state = contact_state(mary.id)
    assert state["emails"] == [("mary.smith@chp.ca.gov", "work", 0)]
    assert state["phones"] == [("+19166574300", "work", "", 0)]
    assert "Changes saved." in flashes(page(client.get(f"/contacts/{mary.id}")))


# Posts ----------------------------------------------------------------------------------------


@pytest.fixture
def fiscalia() -> Organization:
    organization = factories.make_organization(
        name="Fiscalía General del Estado de Baja California", country="MX", subdivision="MX-BCN"
    )
    db.session.commit()
    return organization


def test_a_post_is_added_by_typing_the_organization_name_without_accents(
    client, login_as, mary, fiscalia
):
    login_as("officer")
    assert client.get(f"/contacts/{mary.id}/posts/new").status_code == 200

    response = client.post(
        f"/contacts/{mary.id}/posts/new",
        data=post_form(
            "fiscalia general del estado de BAJA CALIFORNIA",
            title="Enlace Internacional",
            start_date="2024-03-01",
            is_primary="y",
        ),
    )

    assert redirect_target(response) == f"/contacts/{mary.id}"
    assert contact_state(mary.id)["posts"] == [
        (fiscalia.id, "Enlace Internacional", date(2024, 3, 1), None)
    ]
    html = page(client.get(f"/contacts/{mary.id}"))
    assert "Post added." in flashes(html)
    assert "<p>Enlace Internacional, Fiscalía General del Estado de Baja California</p>" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"start_date": "2024-05-01", "end_date": "2024-04-30"},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"organization": "Fiscalía de Marte"}, "organization", "No organization with this"),
        ({"organization": ""}, "organization", "Enter the organization."),
    ],
    ids=["end-before-start", "unknown-organization", "no-organization"],
)
def test_a_bad_post_shows_its_message_and_saves_nothing(
    client, login_as, mary, fiscalia, changes, field, message
):
    login_as("officer")

    response = client.post(
        f"/contacts/{mary.id}/posts/new", data=post_form(fiscalia.name, **changes)
    )

    assert response.status_code == 200
    assert_error_beside(page(response), field, message)
    assert count(Affiliation) == 0


@pytest.fixture
def marys_post(mary, fiscalia) -> Affiliation:
    post = factories.make_affiliation(mary, fiscalia, start=date(2020, 1, 6), title="Asesora")
    db.session.commit()
    return post


def test_editing_a_post_gives_it_an_end_date(client, login_as, mary, marys_post):
    login_as("officer")
    url = f"/contacts/{mary.id}/posts/{marys_post.id}/edit"
    assert 'value="Fiscalía General del Estado de Baja California"' in page(client.get(url))

    response = client.post(
        url,
        data=post_form(
            "Fiscalía General del Estado de Baja California",
            title="Asesora Jurídica",
            start_date="2020-01-06",
            end_date="2023-08-31",
        ),
    )

    assert redirect_target(response) == f"/contacts/{mary.id}"
    assert row(Affiliation, marys_post.id)["end_date"] == date(2023, 8, 31)
    rows = post_rows(page(client.get(f"/contacts/{mary.id}")))
    assert len(rows) == 1
    assert 'class="former"' in rows[0] and "Asesora Jurídica" in rows[0]


def test_editing_a_post_with_the_end_before_the_start_changes_nothing(
    client, login_as, mary, marys_post
):
    login_as("officer")
    before = row(Affiliation, marys_post.id)

    response = client.post(
        f"/contacts/{mary.id}/posts/{marys_post.id}/edit",
        data=post_form(
            "Fiscalía General del Estado de Baja California",
            start_date="2020-01-06",
            end_date="2019-12-31",
        ),
    )

    assert_error_beside(page(response), "end_date", "The end date cannot be before the start date.")
    assert row(Affiliation, marys_post.id) == before


def test_a_post_entered_by_mistake_is_removed(client, login_as, mary, marys_post):
    login_as("officer")

    response = client.post(f"/contacts/{mary.id}/posts/{marys_post.id}/delete")

    assert redirect_target(response) == f"/contacts/{mary.id}"
    assert count(Affiliation) == 0
    html = page(client.get(f"/contacts/{mary.id}"))
    assert "Post removed." in flashes(html)
    assert "No posts recorded." in html


def test_a_post_of_another_contact_is_not_found_under_this_one(client, login_as, marys_post):
    other = factories.make_contact(given_names="Luis", family_name="Ortega")
    db.session.commit()
    login_as("officer")

    for method, url in (
        ("get", "/contacts/{c}/posts/{p}/edit"),
        ("post", "/contacts/{c}/posts/{p}/delete"),
    ):
        response = getattr(client, method)(url.format(c=other.id, p=marys_post.id))
        assert response.status_code == 404
    assert count(Affiliation) == 1


def test_a_post_at_an_organization_above_clearance_is_not_shown(client, login_as, mary):
    task_force = factories.make_organization(
        name="Joint Task Force Tijuana", sensitivity=Sensitivity.CONFIDENTIAL
    )
    factories.make_affiliation(mary, task_force, start=date(2023, 1, 1), title="Liaison Agent")
    db.session.commit()

    login_as("viewer")
    detail = page(client.get(f"/contacts/{mary.id}"))
    listing = page(client.get("/contacts/"))
    assert "Joint Task Force Tijuana" not in detail
    assert "Liaison Agent" not in detail
    assert "No posts recorded." in detail
    assert "Joint Task Force Tijuana" not in listing

    login_as("admin")
    assert "Joint Task Force Tijuana" in page(client.get(f"/contacts/{mary.id}"))


def test_a_post_cannot_be_added_at_an_organization_above_clearance(client, login_as, mary):
    factories.make_organization(
        name="Joint Task Force Tijuana", sensitivity=Sensitivity.CONFIDENTIAL
    )
    db.session.commit()
    login_as("officer")

    response = client.post(
        f"/contacts/{mary.id}/posts/new", data=post_form("Joint Task Force Tijuana")
    )

    assert_error_beside(page(response), "organization", "No organization with this name was found.")
    assert count(Affiliation) == 0


# Viewers, clearance, unknown ids and delete --------------------------------------------------


def test_a_viewer_sees_no_editing_buttons(client, login_as, mary, marys_post):
    login_as("viewer")

    listing = page(client.get("/contacts/"))
    detail = page(client.get(f"/contacts/{mary.id}"))

    assert 'href="/contacts/new"' not in listing
    assert "New contact" not in listing
    assert f'href="/contacts/{mary.id}/edit"' not in detail
    assert f'action="/contacts/{mary.id}/delete"' not in detail
    assert "Add a post" not in detail
    assert f"/posts/{marys_post.id}/edit" not in detail


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/contacts/new"),
        ("post", "/contacts/new"),
        ("get", "/contacts/{c}/edit"),
        ("post", "/contacts/{c}/edit"),
        ("post", "/contacts/{c}/delete"),
        ("get", "/contacts/{c}/posts/new"),
        ("post", "/contacts/{c}/posts/new"),
        ("get", "/contacts/{c}/posts/{p}/edit"),
        ("post", "/contacts/{c}/posts/{p}/edit"),
        ("post", "/contacts/{c}/posts/{p}/delete"),
    ],
)
def test_a_viewer_may_not_change_contacts_or_posts(client, login_as, mary, marys_post, method, url):
    login_as("viewer")
    before = contact_state(mary.id)
    data = {
        **contact_form(emails=(("viewer@example.org", "work"),)),
        **post_form("Fiscalía General del Estado de Baja California", title="Viewer"),
    }

    response = getattr(client, method)(url.format(c=mary.id, p=marys_post.id), data=data)

    assert response.status_code == 403
    assert contact_state(mary.id) == before
    assert count(Contact) == 1


@pytest.fixture
def secret_contact() -> Contact:
    contact = factories.make_contact(
        given_names="Ramón",
        family_name="Informante",
        emails=("informante@example.mx",),
        sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    )
    db.session.commit()
    return contact


def test_a_contact_above_clearance_never_appears_in_the_list_count_or_type_ahead(
    client, login_as, mary, secret_contact
):
    login_as("officer")

    for query in ({}, {"q": "ramon"}, {"q": "informante@example"}):
        assert "Informante" not in page(client.get("/contacts/", query_string=query))
    assert count_text(page(client.get("/contacts/"))) == "1–1 of 1"
    assert client.get("/contacts/lookup?q=ramon").get_json() == []
    assert client.get("/contacts/lookup?q=smith").get_json() == [
        {"id": mary.id, "name": "Mary Smith"}
    ]


def test_a_contact_above_clearance_looks_exactly_like_one_that_does_not_exist(
    client, login_as, secret_contact
):
    login_as("officer")
    before = contact_state(secret_contact.id)

    hidden = client.get(f"/contacts/{secret_contact.id}")
    unknown = client.get(f"/contacts/{secret_contact.id + 1000}")

    assert hidden.status_code == unknown.status_code == 404
    assert without_csrf_tokens(page(hidden)) == without_csrf_tokens(page(unknown))
    for url in ("/contacts/{}/edit", "/contacts/{}/delete", "/contacts/{}/posts/new"):
        assert client.post(url.format(secret_contact.id), data=contact_form()).status_code == 404
    assert contact_state(secret_contact.id) == before


def test_the_people_of_an_organization_above_clearance_are_not_found(client, login_as):
    hidden = factories.make_organization(name="Task Force", sensitivity=Sensitivity.CONFIDENTIAL)
    db.session.commit()
    login_as("officer")

    hidden_response = client.get(f"/contacts/?organization={hidden.id}")
    unknown_response = client.get(f"/contacts/?organization={hidden.id + 1000}")

    assert hidden_response.status_code == unknown_response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/contacts/{c}"),
        ("get", "/contacts/{c}/edit"),
        ("post", "/contacts/{c}/edit"),
        ("post", "/contacts/{c}/delete"),
        ("get", "/contacts/{c}/posts/new"),
        ("get", "/contacts/{m}/posts/{p}/edit"),
        ("post", "/contacts/{m}/posts/{p}/edit"),
        ("post", "/contacts/{m}/posts/{p}/delete"),
    ],
)
def test_unknown_ids_are_not_found(client, login_as, mary, marys_post, method, url):
    login_as("officer")
    target = url.format(c=mary.id + 999, m=mary.id, p=marys_post.id + 999)

    response = getattr(client, method)(target, data=contact_form())

    assert response.status_code == 404
    assert "Not found" in page(response)


def test_delete_moves_the_contact_to_the_trash(client, login_as, users, mary):
    login_as("officer")

    response = client.post(f"/contacts/{mary.id}/delete")

    assert redirect_target(response) == "/contacts/"
    listing = page(client.get("/contacts/"))
    assert "“Mary Smith” moved to the trash." in flashes(listing)
    assert "Smith, Mary" not in linked_names(listing, "/contacts")
    assert client.get(f"/contacts/{mary.id}").status_code == 404
    assert client.get("/contacts/lookup?q=mary").get_json() == []
    assert row(Contact, mary.id)["deleted_by_id"] == users["officer"].id


def test_a_type_ahead_suggestion_is_a_name_the_search_finds(client, login_as):
    """The suggestion fills the search box, so it leaves out the honorific the search ignores."""
    login_as("officer")
    lic = factories.make_contact(honorific="Lic.", given_names="José Ángel", family_name="Núñez")
    db.session.commit()

    (suggestion,) = client.get("/contacts/lookup?q=nunez jo").get_json()

    assert suggestion == {"id": lic.id, "name": "José Ángel Núñez"}
    assert client.get("/contacts/lookup", query_string={"q": suggestion["name"]}).get_json() == [
        suggestion
    ]


def test_the_tag_filter_offers_only_tags_on_contacts_the_user_may_see(client, login_as):
    shown = factories.make_contact(given_names="Rosa", family_name="Medina")
    hidden = factories.make_contact(
        given_names="Ana", family_name="Vetted", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE
    )
    trashed = factories.make_contact(given_names="Luis", family_name="Gone")
    shown.tags = [Tag(name="victim services", name_key="victim services")]
    hidden.tags = [Tag(name="informant", name_key="informant")]
    trashed.tags = [Tag(name="retired", name_key="retired")]
    trashed.deleted_at = utcnow()
    db.session.commit()
    login_as("officer")

    html = page(client.get("/contacts/"))

    assert '<option value="victim services"' in html
    assert "informant" not in html
    assert "retired" not in html


def test_the_detail_page_shows_the_timeline_follow_ups_and_history_in_its_body(
    client, login_as, users
):
    rosa = factories.make_contact(given_names="Rosa", family_name="Medina")
    factories.make_interaction(users["officer"], contacts=[rosa], subject="Consular roundtable")
    db.session.add(
        FollowUp(
            description="Send the MOU draft",
            due_date=date(2026, 12, 1),
            contact=rosa,
            assignee=users["officer"],
        )
    )
    db.session.commit()
    login_as("officer")

    html = page(client.get(f"/contacts/{rosa.id}"))

    title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
    body = html[html.index("<main") :]
    assert title.strip() == "Rosa Medina · Liaison CRM"
    assert "Consular roundtable" in body
    assert "Send the MOU draft" in body
    assert "History of changes" in body


def test_each_timeline_entry_names_everyone_who_took_part_by_name(client, login_as, users):
    rosa = factories.make_contact(given_names="Rosa", family_name="Medina")
    ana = factories.make_contact(given_names="Ana", family_name="Ávila", second_family_name="Ruiz")
    officer = users["officer"]
    factories.make_interaction(officer, contacts=[rosa, ana], subject="Consular roundtable")
    factories.make_interaction(officer, contacts=[rosa], subject="Call with Rosa")
    db.session.commit()
    login_as("officer")

    html = page(client.get(f"/contacts/{rosa.id}"))

    section = html[html.index('id="interactions"') :]
    entries = dict(re.findall(r">([^<]+)</a>\s*<br><small>[^<]*· ([^<]+?)\s*</small>", section))
    assert entries == {
        "Consular roundtable": "Ana Ávila Ruiz, Rosa Medina",
        "Call with Rosa": "Rosa Medina",
    }


def held_meetings(contact, owner, count, **fields):
    """``count`` held meetings with ``contact``, one a day going back from yesterday, named
    "Meeting day 1" (the newest) onwards."""
    start = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    return [
        factories.make_interaction(
            owner,
            contacts=[contact],
            subject=f"Meeting day {n}",
            status="held",
            starts_at=start - timedelta(days=n),
            **fields,
        )
        for n in range(1, count + 1)
    ]


def timeline_subjects(html):
    section = html[html.index('id="interactions"') :]
    return re.findall(r">(Meeting day \d+)</a>", section)


def test_a_long_timeline_shows_the_newest_page_and_links_to_older_ones(client, login_as, users):
    rosa = factories.make_contact(given_names="Rosa", family_name="Medina")
    held_meetings(rosa, users["officer"], 23)
    db.session.commit()
    login_as("officer")

    first = page(client.get(f"/contacts/{rosa.id}"))
    older = re.search(r'<a href="([^"]+)#interactions" rel="next">Older interactions</a>', first)

    assert timeline_subjects(first) == [f"Meeting day {n}" for n in range(1, 21)]
    assert older and "Newer interactions" not in first
    second = page(client.get(older.group(1).replace("&amp;", "&")))
    assert timeline_subjects(second) == ["Meeting day 21", "Meeting day 22", "Meeting day 23"]
    assert "Newer interactions" in second and "Older interactions" not in second


def test_a_timeline_page_neither_shows_nor_counts_interactions_above_clearance(
    client, login_as, users
):
    rosa = factories.make_contact(given_names="Rosa", family_name="Medina")
    held_meetings(rosa, users["officer"], 20)
    factories.make_interaction(
        users["admin"],
        contacts=[rosa],
        subject="Vetted debrief",
        status="held",
        starts_at=datetime.now(UTC) - timedelta(days=30),
        sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    )
    db.session.commit()
    login_as("officer")

    html = page(client.get(f"/contacts/{rosa.id}"))

    assert len(timeline_subjects(html)) == 20
    assert "Vetted debrief" not in html
    assert "Older interactions" not in html
