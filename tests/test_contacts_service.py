"""Contacts: names, e-mail addresses and phones, listing through the gate, posts over time."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Affiliation, Contact, Sensitivity
from crm.models.base import utcnow
from crm.services.contacts import (
    AffiliationInput,
    ContactFilters,
    ContactInput,
    EmailInput,
    PhoneInput,
    add_affiliation,
    contact_page,
    create_contact,
    current_posts,
    delete_contact,
    get_affiliation,
    list_contacts,
    lookup,
    remove_affiliation,
    restore_contact,
    update_affiliation,
    update_contact,
)
from crm.services.errors import PermissionDenied, RecordNotFound
from crm.services.organizations import all_tiers
from tests.factories import make_affiliation, make_contact, make_organization, make_user
from tests.service_helpers import assert_refused, row_counts

TODAY = date(2024, 6, 1)
DAY = timedelta(days=1)


def contact_input(**fields):
    values = {"given_names": "José Ángel", "family_name": "Núñez", "second_family_name": "Peña"}
    values.update(fields)
    return ContactInput(**values)


def create(actor, **fields):
    return create_contact(contact_input(**fields), actor)


def full_names(contacts):
    return [c.full_name for c in contacts]


def listed(viewer, **filters):
    return list_contacts(ContactFilters(**filters), viewer, TODAY)


def post_input(organization, **fields):
    return AffiliationInput(organization=organization.name, **fields)


# Creating and editing -------------------------------------------------------------------


def test_create_normalises_typed_emails_and_phones_in_the_order_given(app, users):
    contact = create(
        users["officer"],
        honorific=" Lic. ",
        emails=[
            EmailInput("  Jose.Nunez@SRE.GOB.MX ", "work"),
            EmailInput("   "),
            EmailInput("jnp@example.mx", "personal"),
        ],
        phones=[
            PhoneInput("+52 664 123 4567", "mobile"),
            PhoneInput("(619) 555-0100", "work", extension=" 204 "),
        ],
        phone_region="US",
    )
    db.session.commit()
    db.session.expire_all()

    assert [(e.address, e.kind, e.position) for e in contact.emails] == [
        ("Jose.Nunez@sre.gob.mx", "work", 0),
        ("jnp@example.mx", "personal", 1),
    ]
    assert contact.primary_email == "Jose.Nunez@sre.gob.mx"
    assert [(p.number, p.kind, p.extension, p.position) for p in contact.phones] == [
        ("+526641234567", "mobile", "", 0),
        ("+16195550100", "work", "204", 1),
    ]
    assert contact.display_name == "Lic. José Ángel Núñez Peña"


def test_a_phone_without_country_code_is_read_in_the_chosen_region(app, users):
    contact = create(users["officer"], phones=[PhoneInput("664 123 4567")], phone_region="MX")
    assert contact.phones[0].number == "+526641234567"


def test_two_surnames_sort_with_the_first_surname_accents_folded(app, users):
    officer = users["officer"]
    for given, family, second in [
        ("Ana", "Ortiz", ""),
        ("José Ángel", "Núñez", "Peña"),
        ("Beatriz", "Álvarez", "Ruiz"),
        ("Nora", "Nava", ""),
    ]:
        create(officer, given_names=given, family_name=family, second_family_name=second)

    jose = db.session.scalar(select(Contact).where(Contact.family_name == "Núñez"))
    assert jose.name_key == "nunez pena jose angel"
    assert jose.sort_name == "Núñez Peña, José Ángel"
    order = ["Beatriz Álvarez Ruiz", "Nora Nava", "José Ángel Núñez Peña", "Ana Ortiz"]
    assert full_names(listed(officer).items) == order
    assert full_names(listed(officer, sort="-name").items) == order[::-1]


def test_update_replaces_the_email_and_phone_lists(app, users):
    officer = users["officer"]
    contact = create(
        officer,
        emails=[EmailInput("first@example.mx"), EmailInput("second@example.mx")],
        phones=[PhoneInput("(619) 555-0100"), PhoneInput("(619) 555-0101")],
    )
    update_contact(
        contact,
        contact_input(
            family_name="Núñez",
            emails=[EmailInput("second@example.mx", "personal"), EmailInput("new@example.mx")],
            phones=[PhoneInput("+52 664 123 4567", "mobile")],
        ),
        officer,
    )
    db.session.commit()
    db.session.expire_all()

    assert [(e.address, e.kind) for e in contact.emails] == [
        ("second@example.mx", "personal"),
        ("new@example.mx", "work"),
    ]
    assert [p.number for p in contact.phones] == ["+526641234567"]
    assert row_counts()["contact_emails"] == 2
    assert row_counts()["contact_phones"] == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"given_names": " "}, "given_names"),
        ({"family_name": ""}, "family_name"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"sensitivity": "confidential"}, "sensitivity"),
        ({"tier_id": 987654}, "tier_id"),
        ({"emails": [EmailInput("ok@example.mx"), EmailInput("no address")]}, "emails-1-address"),
        ({"emails": [EmailInput("ok@x.mx"), EmailInput(""), EmailInput("x@")]}, "emails-2-address"),
        ({"emails": [EmailInput("a@example.mx"), EmailInput("A@EXAMPLE.MX")]}, "emails-1-address"),
        ({"emails": [EmailInput("a@example.mx", "pager")]}, "emails-0-kind"),
        ({"phones": [PhoneInput("12345")]}, "phones-0-number"),
        ({"phones": [PhoneInput("(619) 555-0100"), PhoneInput("ask me")]}, "phones-1-number"),
        ({"phones": [PhoneInput("(619) 555-0100", "pager")]}, "phones-0-kind"),
        ({"phones": [PhoneInput("(619) 555-0100", extension="ext 4")]}, "phones-0-extension"),
    ],
    ids=[
        "no-given-name", "no-family-name", "language", "above-clearance", "unknown-tier",
        "bad-email", "bad-email-after-blank-row", "duplicate-email", "email-kind", "short-phone",
        "garbage-phone", "phone-kind", "extension",
    ],
)  # fmt: skip
def test_bad_input_is_refused_on_its_field_and_changes_nothing(app, users, fields, field):
    assert_refused(field, lambda: create(users["officer"], **fields))


def test_bad_input_on_update_keeps_the_stored_contact(app, users):
    officer = users["officer"]
    contact = create(officer, emails=[EmailInput("kept@example.mx")])

    assert_refused(
        "phones-0-number",
        lambda: update_contact(
            contact,
            contact_input(family_name="Changed", emails=[], phones=[PhoneInput("0")]),
            officer,
        ),
    )
    db.session.expire_all()
    assert contact.family_name == "Núñez"
    assert [e.address for e in contact.emails] == ["kept@example.mx"]


def test_a_viewer_may_not_create_or_edit_contacts(app, users):
    contact = make_contact()
    with pytest.raises(PermissionDenied):
        create(users["viewer"])
    with pytest.raises(PermissionDenied):
        update_contact(contact, contact_input(family_name="Changed"), users["viewer"])
    with pytest.raises(PermissionDenied):
        delete_contact(contact, users["viewer"])
    assert (contact.family_name, contact.deleted_at) == ("Example", None)


# Listing and search ---------------------------------------------------------------------


@pytest.fixture
def people(users):
    """Contacts with current and former posts at visible and invisible organizations."""
    officer = users["officer"]
    tier_one = all_tiers()[0]
    consulate = make_organization(name="Consulado de México en Calexico", kind="consulate")
    fge = make_organization(name="Fiscalía General del Estado", country="MX", subdivision="MX-BCN")
    reserved = make_organization(
        name="Unidad Reservada", country="MX", subdivision="MX-BCN",
        sensitivity=Sensitivity.CONFIDENTIAL,
    )  # fmt: skip
    made = {
        "jose": create(
            officer, preferred_language="es", tier_id=tier_one.id, owner_id=officer.id,
            tags="Trata", emails=[EmailInput("jose.nunez@sre.gob.mx")],
        ),
        "ana": create(officer, given_names="Ana", family_name="Ortiz", second_family_name=""),
        "carlos": create(
            officer, given_names="Carlos", family_name="Medina", second_family_name="",
            preferred_language="es", tags="trata",
        ),
        "secret": make_contact(
            given_names="Oculto", family_name="Núñez", sensitivity=Sensitivity.CONFIDENTIAL
        ),
    }  # fmt: skip
    make_affiliation(made["jose"], consulate, start=TODAY - 400 * DAY)
    make_affiliation(made["ana"], consulate, start=TODAY - 900 * DAY, end=TODAY - 400 * DAY)
    make_affiliation(made["ana"], fge, start=TODAY - 399 * DAY)
    make_affiliation(made["carlos"], reserved)
    make_affiliation(made["secret"], consulate)
    db.session.commit()
    return {**made, "consulate": consulate, "fge": fge, "reserved": reserved}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("nunez", ["jose"]),
        ("JOSÉ  peña", ["jose"]),
        ("pena jose", ["jose"]),
        ("sre.gob", ["jose"]),
        ("ortiz ana", ["ana"]),
        ("ana jose", []),
    ],
)
def test_search_by_name_accent_blind_and_by_email(app, users, people, q, expected):
    result = listed(users["officer"], q=q)
    assert result.items == [people[key] for key in expected]
    assert result.total == len(expected)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (lambda p: {"kind": "consulate"}, ["jose"]),
        (lambda p: {"organization_id": p["consulate"].id}, ["jose"]),
        (lambda p: {"organization_id": p["fge"].id}, ["ana"]),
        (lambda p: {"country": "mx"}, ["ana"]),
        (lambda p: {"subdivision": "mx-bcn"}, ["ana"]),
        (lambda p: {"organization_id": p["reserved"].id}, []),
        (lambda p: {"country": "US", "kind": "agency"}, []),
        (lambda p: {"tier_id": all_tiers()[0].id}, ["jose"]),
        (lambda p: {"tag": "TRATA"}, ["carlos", "jose"]),
        (lambda p: {"owner_id": p["jose"].owner_id}, ["jose"]),
        (lambda p: {"language": "es"}, ["carlos", "jose"]),
    ],
    ids=[
        "kind", "organization", "organization-2", "country", "subdivision", "invisible-org",
        "no-match", "tier", "tag", "owner", "language",
    ],
)  # fmt: skip
def test_filters_match_current_posts_at_visible_organizations_only(
    app, users, people, filters, expected
):
    result = listed(users["officer"], **filters(people))
    assert result.items == [people[key] for key in expected]
    assert result.total == len(expected)


def test_a_former_post_does_not_match_an_organization_filter(app, users, people):
    # Ana left the consulate; only José (and the hidden contact) are there now.
    assert people["ana"] not in listed(users["officer"], kind="consulate").items
    assert people["ana"] not in listed(users["admin"], organization_id=people["consulate"].id).items


def test_higher_clearance_sees_the_hidden_people_and_posts(app, users, people):
    admin = users["admin"]
    assert listed(admin, q="nunez").total == 2
    assert listed(admin, organization_id=people["reserved"].id).items == [people["carlos"]]
    assert listed(admin, kind="consulate").total == 2


def test_contacts_above_clearance_are_absent_from_items_and_total(app, users, people):
    result = listed(users["officer"])
    assert people["secret"] not in result.items
    assert result.total == 3
    assert listed(users["officer"], q="oculto").total == 0


def test_lookup_matches_word_prefixes_within_the_gate(app, users, people):
    officer = users["officer"]
    assert lookup("nú", officer) == [people["jose"]]
    assert lookup("jose pe", officer) == [people["jose"]]
    assert lookup("ortiz", officer) == [people["ana"]]
    assert lookup("rtiz", officer) == []
    assert lookup("oculto", officer) == []
    assert lookup("oculto", users["admin"]) == [people["secret"]]
    assert lookup(" ", officer) == []


# Posts ----------------------------------------------------------------------------------


def test_current_posts_pick_the_primary_then_the_latest_current_post(app, users):
    officer = users["officer"]
    orgs = [make_organization(name=f"Org {n}") for n in range(4)]
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    with_primary, without_primary, undated, hidden_only = (make_contact() for _ in range(4))
    make_affiliation(with_primary, orgs[0], start=TODAY - 10 * DAY)
    primary = make_affiliation(with_primary, orgs[1], start=TODAY - 900 * DAY, is_primary=True)
    make_affiliation(with_primary, orgs[2], start=TODAY - 5 * DAY, end=TODAY - DAY)
    make_affiliation(without_primary, orgs[0], start=TODAY - 900 * DAY)
    latest = make_affiliation(without_primary, orgs[1], start=TODAY - 10 * DAY)
    make_affiliation(without_primary, orgs[3], start=TODAY - 5 * DAY, end=TODAY - DAY)
    make_affiliation(undated, orgs[0])
    dated = make_affiliation(undated, orgs[1], start=TODAY - 900 * DAY)
    make_affiliation(hidden_only, secret, is_primary=True)

    posts = current_posts([with_primary, without_primary, undated, hidden_only], officer, TODAY)

    assert posts == {with_primary.id: primary, without_primary.id: latest, undated.id: dated}
    assert current_posts([], officer, TODAY) == {}


def test_the_contact_page_orders_posts_and_hides_invisible_organizations(app, users):
    contact = make_contact()
    orgs = [make_organization(name=f"Org {n}") for n in range(5)]
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    newer = make_affiliation(contact, orgs[0], start=TODAY - 10 * DAY)
    primary = make_affiliation(contact, orgs[1], start=TODAY - 900 * DAY, is_primary=True)
    older = make_affiliation(contact, orgs[2], start=TODAY - 500 * DAY, end=TODAY)
    left_long_ago = make_affiliation(contact, orgs[3], end=TODAY - 800 * DAY)
    left_recently = make_affiliation(contact, orgs[4], end=TODAY - DAY)
    make_affiliation(contact, secret)

    page = contact_page(str(contact.id), users["officer"], TODAY)

    assert page.contact == contact
    assert page.current_posts == [primary, newer, older]
    assert page.former_posts == [left_recently, left_long_ago]
    assert len(contact_page(contact.id, users["admin"], TODAY).current_posts) == 4


def test_the_page_of_a_contact_above_clearance_is_not_found(app, users):
    secret = make_contact(sensitivity=Sensitivity.CONFIDENTIAL)
    with pytest.raises(RecordNotFound):
        contact_page(secret.id, users["officer"], TODAY)


def test_add_a_post_by_organization_name(app, users):
    contact = make_contact()
    make_organization(name="Fiscalía General del Estado")
    post = add_affiliation(
        contact,
        AffiliationInput("fiscalia general del estado", title=" Fiscal  Regional ",
                         start_date=TODAY - DAY),
        users["officer"],
    )  # fmt: skip
    db.session.commit()
    db.session.expire_all()

    assert [(p.organization.name, p.title, p.start_date) for p in contact.affiliations] == [
        ("Fiscalía General del Estado", "Fiscal Regional", TODAY - DAY)
    ]
    assert post.is_current(TODAY)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (AffiliationInput("No Such Agency"), "organization"),
        (AffiliationInput(""), "organization"),
        (AffiliationInput("Unidad Reservada"), "organization"),
        (AffiliationInput("Open Agency", start_date=TODAY, end_date=TODAY - DAY), "end_date"),
    ],
    ids=["unknown-organization", "no-organization", "organization-above-clearance", "end-first"],
)
def test_a_bad_post_is_refused_and_nothing_is_saved(app, users, data, field):
    contact = make_contact()
    make_organization(name="Open Agency")
    make_organization(name="Unidad Reservada", sensitivity=Sensitivity.CONFIDENTIAL)
    assert_refused(field, lambda: add_affiliation(contact, data, users["officer"]))
    assert contact.affiliations == []


def primaries(contact):
    db.session.expire_all()
    return [p for p in contact.affiliations if p.is_primary]


def test_a_contact_has_at_most_one_primary_post(app, users):
    officer = users["officer"]
    contact = make_contact()
    first_org, second_org = make_organization(), make_organization()

    first = add_affiliation(contact, post_input(first_org, is_primary=True), officer)
    assert primaries(contact) == [first]
    second = add_affiliation(contact, post_input(second_org, is_primary=True), officer)
    assert primaries(contact) == [second]

    update_affiliation(first, post_input(first_org, title="Cónsul", is_primary=True), officer)
    assert primaries(contact) == [first]
    assert first.title == "Cónsul"


def test_update_a_post_validates_and_keeps_it_unchanged_on_error(app, users):
    officer = users["officer"]
    contact = make_contact()
    organization = make_organization()
    post = add_affiliation(contact, post_input(organization, start_date=TODAY), officer)

    assert_refused(
        "end_date",
        lambda: update_affiliation(
            post, post_input(organization, start_date=TODAY, end_date=TODAY - DAY), officer
        ),
    )
    db.session.expire_all()
    assert post.end_date is None

    update_affiliation(post, post_input(organization, start_date=TODAY, end_date=TODAY), officer)
    db.session.expire_all()
    assert post.end_date == TODAY


def test_remove_a_post(app, users):
    contact = make_contact()
    post = add_affiliation(contact, post_input(make_organization()), users["officer"])
    with pytest.raises(PermissionDenied):
        remove_affiliation(post, users["viewer"])

    remove_affiliation(post, users["officer"])
    db.session.commit()

    assert db.session.scalars(select(Affiliation)).all() == []
    assert contact.affiliations == []


def test_a_post_is_found_only_through_its_own_contact(app, users):
    organization = make_organization()
    mine, other = make_contact(), make_contact()
    post = make_affiliation(mine, organization)

    assert get_affiliation(mine, str(post.id), users["officer"]) == post
    with pytest.raises(RecordNotFound):
        get_affiliation(other, post.id, users["officer"])


# Trash ----------------------------------------------------------------------------------


def test_delete_hides_the_contact_and_only_an_admin_restores_it(app, users):
    contact = create(users["officer"], emails=[EmailInput("jose@example.mx")])
    delete_contact(contact, users["officer"])
    assert listed(users["admin"]).total == 0
    assert contact.deleted_by_id == users["officer"].id

    with pytest.raises(PermissionDenied):
        restore_contact(contact.id, users["officer"])
    assert restore_contact(str(contact.id), users["admin"]) == contact

    assert contact.deleted_at is None
    assert listed(users["officer"]).items == [contact]
    with pytest.raises(RecordNotFound):
        restore_contact(contact.id, users["admin"])


def test_an_admin_cannot_restore_a_contact_above_their_clearance(app, users):
    limited_admin = make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    secret = make_contact(sensitivity=Sensitivity.CONFIDENTIAL, deleted_at=utcnow())
    with pytest.raises(RecordNotFound):
        restore_contact(secret.id, limited_admin)
    assert secret.deleted_at is not None


def test_wildcard_characters_in_an_email_search_match_only_themselves(app, users):
    make_contact(given_names="Ana", emails=("ana_lopez@fge.example",))
    make_contact(given_names="Beto", emails=("anaxlopez@fge.example",))
    assert [c.given_names for c in listed(users["officer"], q="ana_lopez").items] == ["Ana"]
