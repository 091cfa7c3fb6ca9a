"""Organization pages: the list with its filters, the detail page, create, edit, delete, access."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import County, Organization, RelationshipTier, Sensitivity, Tag
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    count,
    count_text,
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


def org_form(**changes: Any) -> dict[str, Any]:
    """Everything a browser sends from the organization form, valid unless changed."""
    data: dict[str, Any] = {
        "kind": "agency",
        "government_level": "state",
        "name": "California Department of Justice",
        "name_es": "Departamento de Justicia de California",
        "acronym": "CA DOJ",
        "country": "US",
        "subdivision": "US-CA",
        "parent": "",
        "phone": "",
        "email": "",
        "website": "",
        "street": "",
        "city": "",
        "postal_code": "",
        "tier_id": "",
        "owner_id": "",
        "sensitivity": "official",
        "tags": "",
        "notes": "",
    }
    data.update(changes)
    return data


def listed(client, **query: Any) -> list[str]:
    response = client.get("/organizations/", query_string=query)
    assert response.status_code == 200
    return linked_names(page(response), "/organizations")


def tier(rank: int) -> RelationshipTier:
    return db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == rank)).one()


def county(name: str) -> County:
    return db.session.scalars(select(County).where(County.name == name)).one()


def tag(name: str) -> Tag:
    return Tag(name=name, name_key=name.lower())


# The list -------------------------------------------------------------------------------------


@pytest.fixture
def catalog(users) -> dict[str, Any]:
    """Four organizations on both sides of the border, with tiers, tags, owners and districts."""
    trata = tag("trata")
    made = {
        "consulate_sd": factories.make_organization(
            kind="consulate",
            name="Consulado General de México en San Diego",
            country="US",
            subdivision="US-CA",
            government_level="federal",
            tier=tier(1),
            owner=users["officer"],
            district_counties=[county("San Diego"), county("Imperial")],
        ),
        "us_consulate_tj": factories.make_organization(
            kind="consulate",
            name="US Consulate General Tijuana",
            country="MX",
            subdivision="MX-BCN",
            government_level="federal",
        ),
        "fiscalia": factories.make_organization(
            name="Fiscalía General del Estado de Baja California",
            acronym="FGEBC",
            country="MX",
            subdivision="MX-BCN",
            tags=[trata],
        ),
        "chp": factories.make_organization(
            name="California Highway Patrol",
            acronym="CHP",
            tier=tier(2),
            owner=users["admin"],
            tags=[trata, tag("highways")],
        ),
    }
    db.session.commit()
    return made


NAMES = {
    "consulate_sd": "Consulado General de México en San Diego",
    "us_consulate_tj": "US Consulate General Tijuana",
    "fiscalia": "Fiscalía General del Estado de Baja California",
    "chp": "California Highway Patrol",
}


def test_the_list_shows_visible_organizations_in_name_order(client, login_as, catalog):
    login_as("viewer")

    assert listed(client) == [
        NAMES["chp"],
        NAMES["consulate_sd"],
        NAMES["fiscalia"],
        NAMES["us_consulate_tj"],
    ]


FilterQuery = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda c, u: {"kind": "consulate"}, {"consulate_sd", "us_consulate_tj"}),
        (lambda c, u: {"country": "MX"}, {"us_consulate_tj", "fiscalia"}),
        (lambda c, u: {"country": "mx"}, {"us_consulate_tj", "fiscalia"}),
        (lambda c, u: {"subdivision": "US-CA"}, {"consulate_sd", "chp"}),
        (lambda c, u: {"kind": "consulate", "subdivision": "US-CA"}, {"consulate_sd"}),
        (lambda c, u: {"tier": tier(1).id}, {"consulate_sd"}),
        (lambda c, u: {"tier": tier(2).id}, {"chp"}),
        (lambda c, u: {"tag": "trata"}, {"fiscalia", "chp"}),
        (lambda c, u: {"tag": "Highways"}, {"chp"}),
        (lambda c, u: {"owner": u["officer"].id}, {"consulate_sd"}),
        (lambda c, u: {"county": county("Imperial").id}, {"consulate_sd"}),
        (lambda c, u: {"county": county("Los Angeles").id}, set()),
        (lambda c, u: {"q": "fiscalia general"}, {"fiscalia"}),
        (lambda c, u: {"q": "MEXICO"}, {"consulate_sd"}),
        (lambda c, u: {"q": "chp"}, {"chp"}),
        (lambda c, u: {"q": "tijuana", "kind": "agency"}, set()),
    ],
    ids=[
        "kind",
        "country",
        "country-lower-case",
        "subdivision",
        "consulates-in-US-CA",
        "tier-1",
        "tier-2",
        "tag",
        "tag-any-case",
        "owner",
        "county",
        "county-nobody-covers",
        "q-accent-blind",
        "q-any-case",
        "q-acronym",
        "q-and-kind",
    ],
)
def test_list_filters(client, login_as, catalog, users, query: FilterQuery, expected):
    login_as("officer")

    shown = listed(client, **query(catalog, users))

    assert sorted(shown) == sorted(NAMES[key] for key in expected)
    if not expected:
        assert "No organization matches these filters." in page(
            client.get("/organizations/", query_string=query(catalog, users))
        )


def test_sort_links_reverse_and_change_the_order(client, login_as, catalog):
    login_as("officer")
    html = page(client.get("/organizations/"))
    assert re.search(r'<th scope="col" aria-sort="ascending"><a href="[^"]*sort=-name', html)

    assert listed(client, sort="-name") == [
        NAMES["us_consulate_tj"],
        NAMES["fiscalia"],
        NAMES["consulate_sd"],
        NAMES["chp"],
    ]
    assert listed(client, sort="kind") == [
        NAMES["chp"],
        NAMES["fiscalia"],
        NAMES["consulate_sd"],
        NAMES["us_consulate_tj"],
    ]
    assert listed(client, sort="country")[:2] == [NAMES["fiscalia"], NAMES["us_consulate_tj"]]


def test_sort_links_keep_the_filters(client, login_as, catalog):
    login_as("officer")

    html = page(client.get("/organizations/", query_string={"kind": "consulate"}))

    links = re.findall(r'<th scope="col"[^>]*><a href="([^"]*)"', html)
    assert links and all("kind=consulate" in link for link in links)


def test_pagination_shows_a_page_at_a_time_with_next_and_previous(client, login_as, catalog):
    login_as("officer")

    first = page(client.get("/organizations/?per_page=2"))
    assert count_text(first) == "1–2 of 4"
    assert re.search(r'<a href="[^"]*page=2[^"]*" rel="next">Next</a>', first)
    assert 'rel="prev"' not in first
    assert len(linked_names(first, "/organizations")) == 2

    second = page(client.get("/organizations/?per_page=2&page=2"))
    assert count_text(second) == "3–4 of 4"
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    assert set(linked_names(first, "/organizations")).isdisjoint(
        linked_names(second, "/organizations")
    )


# Clearance ------------------------------------------------------------------------------------


@pytest.fixture
def secret_org() -> Organization:
    """An organization above the officer's and viewer's clearance (official)."""
    organization = factories.make_organization(
        name="Calexico Joint Task Force",
        acronym="CJTF",
        sensitivity=Sensitivity.CONFIDENTIAL,
        tags=[tag("trata")],
    )
    db.session.commit()
    return organization


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_a_record_above_clearance_never_appears_in_the_list_or_its_count(
    client, login_as, secret_org, role
):
    factories.make_organization(name="California Highway Patrol")
    factories.make_organization(name="Calexico Police Department")
    login_as(role)

    for query in ({}, {"q": "calexico"}, {"tag": "trata"}, {"per_page": 2}):
        html = page(client.get("/organizations/", query_string=query))
        assert "Calexico Joint Task Force" not in html
        assert "CJTF" not in html
    assert count_text(page(client.get("/organizations/?per_page=2"))) == "1–2 of 2"
    assert 'rel="next"' not in page(client.get("/organizations/?per_page=2"))


def test_an_admin_with_the_clearance_does_see_it(client, login_as, secret_org):
    login_as("admin")

    assert "Calexico Joint Task Force" in listed(client)
    assert client.get(f"/organizations/{secret_org.id}").status_code == 200


def test_a_record_above_clearance_is_not_offered_by_the_type_ahead(client, login_as, secret_org):
    factories.make_organization(name="Calexico Police Department", acronym="CPD")
    login_as("officer")

    for q in ("calexico", "cjtf", "Cal"):
        response = client.get("/organizations/lookup", query_string={"q": q})
        assert response.status_code == 200
        assert "Calexico Joint Task Force" not in [o["name"] for o in response.get_json()]
    found = client.get("/organizations/lookup?q=calexico").get_json()
    assert [o["name"] for o in found] == ["Calexico Police Department"]
    assert found[0]["acronym"] == "CPD"


def test_a_record_above_clearance_looks_exactly_like_one_that_does_not_exist(
    client, login_as, secret_org
):
    login_as("officer")
    missing = secret_org.id + 1000

    hidden = client.get(f"/organizations/{secret_org.id}")
    unknown = client.get(f"/organizations/{missing}")

    assert hidden.status_code == unknown.status_code == 404
    assert without_csrf_tokens(page(hidden)) == without_csrf_tokens(page(unknown))
    assert "Calexico" not in page(hidden)
    for url in ("/organizations/{}/edit", "/organizations/{}/delete"):
        assert client.post(url.format(secret_org.id), data=org_form()).status_code == 404
    assert row(Organization, secret_org.id)["deleted_at"] is None


def test_the_detail_page_hides_a_parent_and_units_above_clearance(client, login_as, secret_org):
    unit = factories.make_organization(name="Border Crimes Unit", parent=secret_org)
    child = factories.make_organization(
        name="Secret Sub-Unit", parent=unit, sensitivity=Sensitivity.CONFIDENTIAL
    )
    db.session.commit()
    login_as("officer")

    html = page(client.get(f"/organizations/{unit.id}"))

    assert "Calexico Joint Task Force" not in html
    assert "Part of" not in html
    assert child.name not in html


# The detail page ------------------------------------------------------------------------------


def section(html: str, heading: str) -> str:
    """The HTML of the <section> whose <h2> is ``heading``."""
    match = re.search(rf"<h2>{re.escape(heading)}</h2>.*?</section>", html, flags=re.S)
    assert match, f"no section {heading!r}"
    return match.group(0)


def test_the_detail_page_lists_current_and_former_people_and_the_hierarchy(client, login_as):
    ministry = factories.make_organization(
        name="Fiscalía General de la República", country="MX", subdivision=""
    )
    office = factories.make_organization(
        name="Delegación Baja California", country="MX", subdivision="MX-BCN", parent=ministry
    )
    unit = factories.make_organization(
        name="Unidad de Trata", acronym="UT", country="MX", subdivision="MX-BCN", parent=office
    )
    current = factories.make_contact(given_names="José Ángel", family_name="Núñez")
    former = factories.make_contact(given_names="Laura", family_name="Medina")
    factories.make_affiliation(current, office, start=date(2024, 2, 1), title="Delegado")
    factories.make_affiliation(
        former, office, start=date(2019, 1, 15), end=date(2023, 6, 30), title="Delegada"
    )
    db.session.commit()
    login_as("viewer")

    html = page(client.get(f"/organizations/{office.id}"))

    people = section(html, "Current people")
    assert "José Ángel Núñez" in people
    assert "Delegado" in people
    assert "Feb 1, 2024" in people
    assert "Laura Medina" not in people
    gone = section(html, "Former people")
    assert "Laura Medina" in gone
    assert "Jun 30, 2023" in gone
    assert "José Ángel" not in gone
    assert f'<a href="/organizations/{ministry.id}">Fiscalía General de la República</a>' in html
    units = section(html, "Units and offices")
    assert f'<a href="/organizations/{unit.id}">Unidad de Trata (UT)</a>' in units


def test_the_detail_page_shows_the_facts(client, login_as, catalog):
    login_as("viewer")

    html = page(client.get(f"/organizations/{catalog['consulate_sd'].id}"))

    assert "<h1>Consulado General de México en San Diego" in html
    assert "United States · California (US-CA)" in html
    assert "Tier 1 — Strategic" in html
    assert "Imperial, San Diego" in html


# Create and edit ------------------------------------------------------------------------------


def test_an_officer_creates_an_organization_and_lands_on_its_page(client, login_as, users):
    login_as("officer")
    data = org_form(
        phone="(916) 445-9555",
        tags="Trata, niñez",
        tier_id=str(tier(1).id),
        owner_id=str(users["officer"].id),
    )

    response = client.post("/organizations/new", data=data)

    created = db.session.scalars(
        select(Organization).where(Organization.name == "California Department of Justice")
    ).one()
    assert redirect_target(response) == f"/organizations/{created.id}"
    assert created.phone == "+19164459555"
    assert {t.name for t in created.tags} == {"Trata", "niñez"}
    shown = page(client.get(redirect_target(response)))
    assert "Organization created." in flashes(shown)
    assert "(916) 445-9555" in shown
    assert "Departamento de Justicia de California" in shown


def test_a_consulate_is_created_with_its_consular_district(client, login_as):
    login_as("officer")
    data = org_form(
        kind="consulate",
        name="Consulado de México en Calexico",
        name_es="",
        acronym="",
        government_level="federal",
        county_ids=[county("Imperial").id, county("Riverside").id],
    )

    response = client.post("/organizations/new", data=data)

    assert response.status_code == 302
    shown = listed(client, county=county("Riverside").id)
    assert shown == ["Consulado de México en Calexico"]


def test_a_bad_phone_on_create_shows_beside_the_phone_and_saves_nothing(client, login_as):
    login_as("officer")

    response = client.post("/organizations/new", data=org_form(phone="12345"))

    assert response.status_code == 200
    assert_error_beside(page(response), "phone", BAD_PHONE)
    assert 'value="California Department of Justice"' in page(response)
    assert count(Organization) == 0


@pytest.fixture
def chp() -> Organization:
    organization = factories.make_organization(
        name="California Highway Patrol", acronym="CHP", phone="+19166574333"
    )
    db.session.commit()
    return organization


def test_a_bad_phone_on_edit_shows_beside_the_phone_and_changes_nothing(client, login_as, chp):
    login_as("officer")
    before = row(Organization, chp.id)

    response = client.post(
        f"/organizations/{chp.id}/edit",
        data=org_form(name="CHP renamed", phone="+52 12", acronym="CHP"),
    )

    assert response.status_code == 200
    assert_error_beside(page(response), "phone", BAD_PHONE)
    assert row(Organization, chp.id) == before


def test_an_officer_edits_an_organization(client, login_as, chp):
    login_as("officer")

    response = client.post(
        f"/organizations/{chp.id}/edit",
        data=org_form(name="California Highway Patrol", acronym="CHP", phone="916 657 4300"),
    )

    assert redirect_target(response) == f"/organizations/{chp.id}"
    assert row(Organization, chp.id)["phone"] == "+19166574300"
    assert "Changes saved." in flashes(page(client.get(f"/organizations/{chp.id}")))


def test_the_edit_form_shows_the_current_values(client, login_as, catalog):
    login_as("officer")

    html = page(client.get(f"/organizations/{catalog['chp'].id}/edit"))

    assert 'value="California Highway Patrol"' in html
    assert 'value="highways, trata"' in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"country": "ZZ"}, "country", "Enter a valid ISO 3166-1 country code"),
        ({"subdivision": "US-XX"}, "subdivision", "Enter a valid ISO 3166-2 code"),
        ({"subdivision": "MX-BCN"}, "subdivision", "Enter a valid ISO 3166-2 code"),
        ({"name": "california highway patrol"}, "name", "already exists"),
        ({"name": "  "}, "name", "Enter the organization's name."),
        ({"parent": "No Such Ministry"}, "parent", "No organization with this name was found."),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address."),
        ({"county_ids": "San Diego"}, "county_ids", "Only a consulate has a consular district."),
        ({"sensitivity": "confidential"}, "sensitivity", "above your own clearance"),
    ],
    ids=[
        "unknown-country",
        "unknown-subdivision",
        "subdivision-of-another-country",
        "duplicate-name",
        "blank-name",
        "unknown-parent",
        "bad-email",
        "district-on-an-agency",
        "above-own-clearance",
    ],
)
def test_bad_input_on_create_shows_its_message_and_saves_nothing(
    client, login_as, chp, changes, field, message
):
    login_as("officer")
    if "county_ids" in changes:
        changes = {"county_ids": [county(changes["county_ids"]).id]}

    response = client.post("/organizations/new", data=org_form(**changes))

    assert response.status_code == 200
    html = page(response)
    if field == "county_ids":  # a group of check boxes, shown with its message
        assert message in html
    else:
        assert_error_beside(html, field, message)
    assert count(Organization) == 1


@pytest.mark.parametrize("parent", ["self", "grandchild"])
def test_an_organization_cannot_be_put_under_itself_or_its_own_units(client, login_as, parent):
    top = factories.make_organization(name="Secretaría de Seguridad")
    middle = factories.make_organization(name="Policía Estatal", parent=top)
    factories.make_organization(name="Unidad Cibernética", parent=middle)
    db.session.commit()
    login_as("officer")
    before = row(Organization, top.id)
    parent_name = "Secretaría de Seguridad" if parent == "self" else "unidad cibernetica"

    response = client.post(
        f"/organizations/{top.id}/edit",
        data=org_form(name="Secretaría de Seguridad", acronym="", parent=parent_name),
    )

    assert response.status_code == 200
    assert_error_beside(
        page(response),
        "parent",
        "An organization cannot sit under itself or one of its own units.",
    )
    assert row(Organization, top.id) == before


def test_renaming_onto_another_organizations_name_is_refused(client, login_as, catalog):
    login_as("officer")
    fiscalia = catalog["fiscalia"]
    before = row(Organization, fiscalia.id)

    response = client.post(
        f"/organizations/{fiscalia.id}/edit",
        data=org_form(name="CALIFORNIA highway patrol", country="MX", subdivision="MX-BCN"),
    )

    assert_error_beside(page(response), "name", "An organization with this name already exists.")
    assert row(Organization, fiscalia.id) == before


# Viewers, unknown ids and delete -------------------------------------------------------------


def test_a_viewer_sees_no_editing_buttons(client, login_as, chp):
    login_as("viewer")

    listing = page(client.get("/organizations/"))
    detail = page(client.get(f"/organizations/{chp.id}"))

    assert "New organization" not in listing
    assert 'href="/organizations/new"' not in listing
    assert f'href="/organizations/{chp.id}/edit"' not in detail
    assert f'action="/organizations/{chp.id}/delete"' not in detail
    assert "Move to trash" not in detail


def test_an_officer_sees_the_editing_buttons(client, login_as, chp):
    login_as("officer")

    assert 'href="/organizations/new"' in page(client.get("/organizations/"))
    detail = page(client.get(f"/organizations/{chp.id}"))
    assert f'href="/organizations/{chp.id}/edit"' in detail
    assert f'action="/organizations/{chp.id}/delete"' in detail


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/organizations/new"),
        ("post", "/organizations/new"),
        ("get", "/organizations/{id}/edit"),
        ("post", "/organizations/{id}/edit"),
        ("post", "/organizations/{id}/delete"),
    ],
)
def test_a_viewer_may_not_change_organizations(client, login_as, chp, method, url):
    login_as("viewer")
    before = row(Organization, chp.id)
    data = org_form(name="Viewer Was Here", acronym="VWH")

    response = getattr(client, method)(url.format(id=chp.id), data=data)

    assert response.status_code == 403
    assert "Not allowed" in page(response)
    assert row(Organization, chp.id) == before
    assert count(Organization) == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/organizations/{id}"),
        ("get", "/organizations/{id}/edit"),
        ("post", "/organizations/{id}/edit"),
        ("post", "/organizations/{id}/delete"),
    ],
)
def test_unknown_ids_are_not_found(client, login_as, chp, method, url):
    login_as("officer")

    response = getattr(client, method)(url.format(id=chp.id + 999), data=org_form())

    assert response.status_code == 404
    assert "Not found" in page(response)


def test_delete_moves_the_organization_to_the_trash(client, login_as, users, chp):
    login_as("officer")

    response = client.post(f"/organizations/{chp.id}/delete")

    assert redirect_target(response) == "/organizations/"
    listing = page(client.get("/organizations/"))
    assert "“California Highway Patrol” moved to the trash." in flashes(listing)
    assert "California Highway Patrol" not in linked_names(listing, "/organizations")
    assert client.get(f"/organizations/{chp.id}").status_code == 404
    kept = row(Organization, chp.id)
    assert kept["deleted_at"] is not None
    assert kept["deleted_by_id"] == users["officer"].id


def test_a_deleted_organization_is_no_longer_offered_as_a_parent(client, login_as, chp):
    login_as("officer")
    client.post(f"/organizations/{chp.id}/delete")

    response = client.post(
        "/organizations/new",
        data=org_form(name="CHP Border Division", parent="California Highway Patrol"),
    )

    assert_error_beside(page(response), "parent", "No organization with this name was found.")
    assert client.get("/organizations/lookup?q=california").get_json() == []


def test_the_detail_page_leaves_out_people_above_clearance(client, login_as, chp):
    informant = factories.make_contact(
        given_names="Ramón", family_name="Informante", sensitivity=Sensitivity.CONFIDENTIAL
    )
    officer_contact = factories.make_contact(given_names="Ana", family_name="Reyes")
    factories.make_affiliation(informant, chp, title="Source")
    factories.make_affiliation(officer_contact, chp, title="Sergeant")
    db.session.commit()
    login_as("viewer")

    people = section(page(client.get(f"/organizations/{chp.id}")), "Current people")

    assert "Ana Reyes" in people
    assert "Informante" not in people
    assert "Source" not in people


# A parent the editor may not see -------------------------------------------------------------


@pytest.fixture
def unit_under_secret(secret_org) -> Organization:
    unit = factories.make_organization(name="Border Crimes Unit", parent=secret_org)
    db.session.commit()
    return unit


def test_the_edit_form_does_not_name_a_parent_above_clearance(client, login_as, unit_under_secret):
    login_as("officer")

    html = page(client.get(f"/organizations/{unit_under_secret.id}/edit"))

    assert 'value="Border Crimes Unit"' in html
    assert "Calexico Joint Task Force" not in html


def test_the_edit_form_does_not_name_a_parent_in_the_trash(client, login_as, users):
    parent = factories.make_organization(name="Old Ministry")
    unit = factories.make_organization(name="Border Crimes Unit", parent=parent)
    parent.deleted_at = datetime(2024, 1, 1, tzinfo=UTC)
    parent.deleted_by_id = users["officer"].id
    db.session.commit()
    login_as("officer")

    assert "Old Ministry" not in page(client.get(f"/organizations/{unit.id}/edit"))


def test_saving_an_edit_keeps_a_parent_the_editor_cannot_see(
    client, login_as, secret_org, unit_under_secret
):
    """The form cannot name a parent above the editor's clearance; saving must not drop it."""
    login_as("officer")

    response = client.post(
        f"/organizations/{unit_under_secret.id}/edit",
        data=org_form(name="Border Crimes Unit", acronym="BCU", parent=""),
    )

    assert response.status_code == 302
    assert row(Organization, unit_under_secret.id)["parent_id"] == secret_org.id


def test_the_tag_filter_offers_only_tags_on_records_the_user_may_see(client, login_as):
    shown = factories.make_organization(name="Border Liaison Office")
    hidden = factories.make_organization(
        name="Vetted Unit", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE
    )
    shown.tags = [Tag(name="border", name_key="border")]
    hidden.tags = [Tag(name="operation nightfall", name_key="operation nightfall")]
    db.session.commit()
    login_as("officer")

    html = page(client.get("/organizations/"))

    assert '<option value="border"' in html
    assert "nightfall" not in html


@pytest.mark.parametrize("name", ["tier", "owner", "county", "page"])
def test_an_absurd_number_in_a_filter_is_ignored_not_an_error(client, login_as, name):
    factories.make_organization(name="Border Liaison Office")
    login_as("officer")

    response = client.get(f"/organizations/?{name}=99999999999999999999")

    assert response.status_code == 200
    assert "Border Liaison Office" in page(response)
