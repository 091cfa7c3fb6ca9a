"""Organizations: validation, listing and search through the gate, hierarchy, trash."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import County, Organization, RelationshipTier, Sensitivity, WorkArea
from crm.models.base import utcnow
from crm.services.errors import PermissionDenied, RecordNotFound, ValidationError
from crm.services.organizations import (
    OrganizationFilters,
    OrganizationInput,
    create_organization,
    delete_organization,
    list_organizations,
    lookup,
    organization_page,
    restore_organization,
    update_organization,
)
from crm.services.tags import resolve_tags
from tests.factories import make_affiliation, make_contact, make_organization, make_user
from tests.service_helpers import assert_refused, row_counts

TODAY = date(2024, 6, 1)


def county(name):
    return db.session.scalar(select(County).where(County.name == name))


def tier(rank):
    return db.session.scalar(select(RelationshipTier).where(RelationshipTier.rank == rank))


def work_area(name):
    return db.session.scalar(select(WorkArea).where(WorkArea.name == name))


def org_input(**fields):
    values = {
        "kind": "agency",
        "name": "California Highway Patrol",
        "country": "US",
        "subdivision": "US-CA",
        "government_level": "state",
    }
    values.update(fields)
    return OrganizationInput(**values)


def create(actor, **fields):
    return create_organization(org_input(**fields), actor)


def names(organizations):
    return [o.name for o in organizations]


def listed(viewer, page=1, per_page=25, **filters):
    return list_organizations(OrganizationFilters(**filters), viewer, page, per_page)


# Creating and editing -------------------------------------------------------------------


def test_create_stores_a_normalised_organization(app, users):
    officer = users["officer"]
    organization = create(
        officer,
        kind="consulate",
        name="  Consulado General de  México en San Diego ",
        name_es="Consulado General de México en San Diego",
        acronym="CGM",
        country="us",
        subdivision="us-ca",
        government_level="federal",
        website="consulmex.sre.gob.mx/sandiego",
        email="Protección@SRE.GOB.MX",
        phone="(619) 231-8414",
        tier_id=tier(1).id,
        owner_id=officer.id,
        sensitivity="public",
        tags="Border, Priority",
        work_area_ids=[work_area("Child abduction").id, work_area("Human trafficking").id],
        county_ids=[county("San Diego").id, county("Imperial").id],
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Organization, organization.id)

    assert stored.name == "Consulado General de México en San Diego"
    assert stored.name_key == "consulado general de mexico en san diego"
    assert (stored.country, stored.subdivision) == ("US", "US-CA")
    assert stored.website == "https://consulmex.sre.gob.mx/sandiego"
    assert stored.email == "Protección@sre.gob.mx"
    assert stored.phone == "+16192318414"
    assert stored.tier.rank == 1
    assert stored.owner == officer
    assert stored.sensitivity == Sensitivity.PUBLIC
    assert [t.name for t in stored.tags] == ["Border", "Priority"]
    assert [w.name for w in stored.work_areas] == ["Child abduction", "Human trafficking"]
    assert [c.name for c in stored.district_counties] == ["Imperial", "San Diego"]


def test_a_phone_typed_nationally_is_read_in_the_organizations_country(app, users):
    organization = create(
        users["officer"], name="FGE Baja California", country="MX", subdivision="MX-BCN",
        phone="664 123 4567",
    )  # fmt: skip
    assert organization.phone == "+526641234567"


@pytest.mark.parametrize("website", ["http://example.gov", "https://example.gov"])
def test_a_website_with_a_scheme_is_kept(app, users, website):
    assert create(users["officer"], website=website).website == website


def test_tags_are_created_once_and_shared_regardless_of_case_and_accents(app, users):
    first = create(users["officer"], name="First agency", tags="Trata, niñez, trata")
    second = create(users["officer"], name="Second agency", tags="TRATA , Ninez, Frontera")

    trata, ninez, frontera = resolve_tags(["trata", "NIÑEZ", "frontera"])
    assert set(first.tags) == {trata, ninez}
    assert set(second.tags) == {trata, ninez, frontera}
    assert (trata.name, ninez.name) == ("Trata", "niñez")  # the first spelling is kept
    assert row_counts()["tags"] == 3


def test_update_changes_the_fields_and_replaces_tags_areas_and_counties(app, users):
    officer = users["officer"]
    organization = create(
        officer, kind="consulate", tags="border", county_ids=[county("Imperial").id],
        work_area_ids=[work_area("Child abduction").id],
    )  # fmt: skip

    update_organization(
        organization,
        org_input(
            kind="consulate", name="Consulado de México en Calexico", tags="priority",
            county_ids=[county("Riverside").id], work_area_ids=[],
        ),
        officer,
    )  # fmt: skip
    db.session.commit()
    db.session.expire_all()

    assert organization.name_key == "consulado de mexico en calexico"
    assert [t.name for t in organization.tags] == ["priority"]
    assert [c.name for c in organization.district_counties] == ["Riverside"]
    assert organization.work_areas == []


def test_an_organization_keeps_its_own_name_on_update(app, users):
    organization = create(users["officer"], name="Consulado General de México")
    update_organization(
        organization, org_input(name="consulado general de mexico", acronym="CGM"), users["officer"]
    )
    assert organization.acronym == "CGM"


def inactive_owner():
    return {"owner_id": make_user(active=False).id}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (lambda: {"name": "   "}, "name"),
        (lambda: {"kind": "embassy"}, "kind"),
        (lambda: {"government_level": "galactic"}, "government_level"),
        (lambda: {"country": "XX", "subdivision": ""}, "country"),
        (lambda: {"country": "US", "subdivision": "MX-BCN"}, "subdivision"),
        (lambda: {"subdivision": "US-ZZ"}, "subdivision"),
        (lambda: {"email": "protección at sre.gob.mx"}, "email"),
        (lambda: {"phone": "12345"}, "phone"),
        (lambda: {"phone": "call the front desk"}, "phone"),
        (lambda: {"parent": "Ministry of Nowhere"}, "parent"),
        (lambda: {"kind": "agency", "county_ids": [county("Imperial").id]}, "county_ids"),
        (lambda: {"kind": "consulate", "county_ids": [987654]}, "county_ids"),
        (lambda: {"work_area_ids": [987654]}, "work_area_ids"),
        (lambda: {"sensitivity": "confidential"}, "sensitivity"),
        (lambda: {"sensitivity": "top_secret"}, "sensitivity"),
        (inactive_owner, "owner_id"),
        (lambda: {"owner_id": 987654}, "owner_id"),
        (lambda: {"tier_id": 987654}, "tier_id"),
    ],
    ids=[
        "empty-name", "bad-kind", "bad-level", "bad-country", "subdivision-of-other-country",
        "bogus-subdivision", "bad-email", "short-phone", "garbage-phone", "unknown-parent",
        "counties-on-agency", "unknown-county", "unknown-work-area", "above-own-clearance",
        "unknown-sensitivity", "inactive-owner", "unknown-owner", "unknown-tier",
    ],
)  # fmt: skip
def test_bad_input_is_refused_on_its_field_and_changes_nothing(app, users, fields, field):
    values = fields()
    assert_refused(field, lambda: create(users["officer"], **values))


def test_bad_input_on_update_leaves_the_stored_organization_unchanged(app, users):
    organization = create(users["officer"], phone="(916) 657-7261")
    assert_refused(
        "phone",
        lambda: update_organization(
            organization, org_input(name="Renamed", phone="not a phone"), users["officer"]
        ),
    )
    db.session.expire_all()
    assert (organization.name, organization.phone) == ("California Highway Patrol", "+19166577261")


def test_several_problems_are_reported_together(app, users):
    with pytest.raises(ValidationError) as caught:
        create(users["officer"], name="", country="XX", email="nope")
    assert {"name", "country", "email"} <= set(caught.value.errors)


@pytest.mark.parametrize(
    "duplicate",
    ["consulado general de mexico", "CONSULADO  GENERAL DE MÉXICO", "Consulado General de México"],
)
def test_a_duplicate_name_is_refused_ignoring_case_accents_and_spaces(app, users, duplicate):
    create(users["officer"], name="Consulado General de México")
    assert_refused("name", lambda: create(users["officer"], name=duplicate))


def test_a_parent_is_found_by_name_and_a_cycle_is_refused(app, users):
    officer = users["officer"]
    ministry = create(officer, name="Secretaría de Relaciones Exteriores", country="MX",
                      subdivision="", government_level="federal")  # fmt: skip
    unit = create(officer, name="Dirección de Protección", country="MX", subdivision="",
                  parent="secretaria de relaciones exteriores")  # fmt: skip
    assert unit.parent == ministry

    as_ministry = org_input(name=ministry.name, country="MX", subdivision="")
    assert_refused(
        "parent",
        lambda: update_organization(ministry, replace(as_ministry, parent=unit.name), officer),
    )
    assert_refused(
        "parent",
        lambda: update_organization(ministry, replace(as_ministry, parent=ministry.name), officer),
    )
    db.session.expire_all()
    assert ministry.parent is None


def test_a_grandchild_cannot_become_the_parent(app, users):
    officer = users["officer"]
    top = create(officer, name="Top")
    middle = create(officer, name="Middle", parent="Top")
    create(officer, name="Bottom", parent="Middle")

    assert_refused(
        "parent", lambda: update_organization(top, org_input(name="Top", parent="Bottom"), officer)
    )
    assert middle.parent == top


def test_an_edit_keeps_a_parent_the_editor_cannot_see(app, users):
    reserved = make_organization(name="Reserved Unit", sensitivity=Sensitivity.CONFIDENTIAL)
    unit = make_organization(name="Border Crimes Unit", parent=reserved)
    data = org_input(name="Border Crimes Unit", acronym="BCU", parent="")

    update_organization(unit, data, users["officer"])
    assert (unit.acronym, unit.parent) == ("BCU", reserved)

    update_organization(unit, data, users["admin"])  # who sees the parent may detach it
    assert unit.parent is None


def test_a_parent_above_clearance_is_simply_not_found(app, users):
    make_organization(name="Unidad Reservada", sensitivity=Sensitivity.CONFIDENTIAL)

    hidden = assert_refused("parent", lambda: create(users["officer"], parent="Unidad Reservada"))
    missing = assert_refused("parent", lambda: create(users["officer"], parent="No Such Unit"))
    assert hidden == missing


def test_a_viewer_may_not_create_edit_or_delete(app, users):
    organization = make_organization()
    db.session.commit()
    before = row_counts()
    viewer = users["viewer"]

    with pytest.raises(PermissionDenied):
        create(viewer, name="Viewer's agency")
    with pytest.raises(PermissionDenied):
        update_organization(organization, org_input(name="Renamed"), viewer)
    with pytest.raises(PermissionDenied):
        delete_organization(organization, viewer)
    assert row_counts() == before
    assert organization.name != "Renamed"
    assert organization.deleted_at is None


# Listing and search ---------------------------------------------------------------------


@pytest.fixture
def directory(users):
    """A small directory of organizations, by short name."""
    officer, admin = users["officer"], users["admin"]
    made = {
        "fge": make_organization(
            name="Fiscalía General del Estado de Baja California", acronym="FGE",
            country="MX", subdivision="MX-BCN", tier_id=tier(1).id, owner_id=officer.id,
        ),
        "chp": make_organization(
            name="California Highway Patrol", acronym="CHP", tier_id=tier(2).id,
            owner_id=admin.id,
        ),
        "fbi": make_organization(
            name="Federal Bureau of Investigation", acronym="FBI", subdivision="",
            government_level="federal",
        ),
        "polaris": make_organization(
            name="Polaris Project", kind="ngo", subdivision="US-DC", government_level="none",
        ),
        "sre": make_organization(
            name="Mexican Ministry of Foreign Affairs", name_es="Secretaria de Relaciones",
            acronym="SRE", country="MX", subdivision="", government_level="federal",
        ),
    }  # fmt: skip
    made["fge"].tags = resolve_tags(["Frontera", "Trata"])
    made["polaris"].tags = resolve_tags(["trata"])
    db.session.commit()
    return made


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("fiscalia", ["fge"]),
        ("FISCALÍA  baja", ["fge"]),
        ("baja fiscalía", ["fge"]),
        ("california", ["chp", "fge"]),
        ("chp", ["chp"]),
        ("fbi", ["fbi"]),
        ("relaciones", ["sre"]),
        ("fiscalia highway", []),
        ("consulate", []),
    ],
)
def test_search_is_accent_blind_every_word_must_match_and_acronyms_count(
    app, users, directory, q, expected
):
    result = listed(users["officer"], q=q)
    assert names(result.items) == [directory[key].name for key in expected]
    assert result.total == len(expected)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"kind": "ngo"}, ["polaris"]),
        ({"country": "mx"}, ["fge", "sre"]),
        ({"subdivision": "MX-BCN"}, ["fge"]),
        ({"government_level": "federal"}, ["fbi", "sre"]),
        ({"tag": "TRATA"}, ["fge", "polaris"]),
        ({"tag": "frontera"}, ["fge"]),
        ({"tag": "unknown"}, []),
        ({"kind": "agency", "country": "US"}, ["chp", "fbi"]),
    ],
    ids=["kind", "country", "subdivision", "level", "tag", "tag2", "no-tag", "combined"],
)
def test_filters_narrow_the_list(app, users, directory, filters, expected):
    result = listed(users["officer"], **filters)
    assert sorted(names(result.items)) == sorted(directory[key].name for key in expected)
    assert result.total == len(expected)


def test_tier_and_owner_filters(app, users, directory):
    officer = users["officer"]
    assert names(listed(officer, tier_id=tier(1).id).items) == [directory["fge"].name]
    assert names(listed(officer, tier_id=tier(2).id).items) == [directory["chp"].name]
    assert names(listed(officer, owner_id=users["admin"].id).items) == [directory["chp"].name]
    assert listed(officer, tier_id=tier(3).id).total == 0


def test_the_county_filter_answers_which_consulate_covers_a_county(app, users):
    officer = users["officer"]
    calexico = create(officer, kind="consulate", name="Consulado de México en Calexico",
                      county_ids=[county("Imperial").id])  # fmt: skip
    create(officer, kind="consulate", name="Consulado General de México en San Diego",
           county_ids=[county("San Diego").id])  # fmt: skip

    result = listed(officer, county_id=county("Imperial").id)
    assert result.items == [calexico]
    assert listed(officer, county_id=county("Yuba").id).total == 0


def test_sorting_by_name_follows_the_folded_name(app, users):
    for name in ("Oaxaca Liaison", "Ñuu Savi Council", "Nogales Police", "Nuevo León Office"):
        make_organization(name=name)
    expected = ["Nogales Police", "Nuevo León Office", "Ñuu Savi Council", "Oaxaca Liaison"]

    assert names(listed(users["officer"]).items) == expected
    assert names(listed(users["officer"], sort="name").items) == expected
    assert names(listed(users["officer"], sort="-name").items) == expected[::-1]


def test_pagination_counts_everything_and_clamps_to_the_last_page(app, users):
    for n in range(7):
        make_organization(name=f"Agency {n}")
    officer = users["officer"]

    first = listed(officer, page=1, per_page=3)
    assert names(first.items) == ["Agency 0", "Agency 1", "Agency 2"]
    assert (first.total, first.pages, first.has_next) == (7, 3, True)
    beyond = listed(officer, page=99, per_page=3)
    assert (beyond.page, names(beyond.items)) == (3, ["Agency 6"])
    assert not beyond.has_next


def test_records_above_clearance_are_absent_from_items_and_total(app, users):
    for n in range(3):
        make_organization(name=f"Open Agency {n}")
    make_organization(name="Secret Agency", sensitivity=Sensitivity.CONFIDENTIAL)
    make_organization(name="Sensitive Agency", sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)
    make_organization(name="Deleted Agency", deleted_at=utcnow())

    officer_view = listed(users["officer"], q="agency", per_page=2, page=2)
    assert officer_view.total == 3
    assert names(officer_view.items) == ["Open Agency 2"]
    assert listed(users["officer"], q="secret").total == 0
    assert listed(users["admin"], q="agency").total == 5


def test_lookup_matches_name_prefix_word_prefix_and_acronym_within_the_gate(app, users, directory):
    make_organization(name="California Secret Task Force", sensitivity=Sensitivity.CONFIDENTIAL)
    officer = users["officer"]

    assert names(lookup("Cali", officer)) == [directory["chp"].name, directory["fge"].name]
    assert names(lookup("high", officer)) == [directory["chp"].name]
    assert names(lookup("fiscalía gen", officer)) == [directory["fge"].name]
    assert names(lookup("fb", officer)) == [directory["fbi"].name]
    assert lookup("ighway", officer) == []
    assert lookup("   ", officer) == []
    assert "California Secret Task Force" in names(lookup("cali", users["admin"]))


# The organization's page ----------------------------------------------------------------


def test_the_page_splits_current_and_former_people_and_hides_what_is_above_clearance(app, users):
    organization = make_organization(name="Consulado de México en Calexico")
    day = timedelta(days=1)
    current = [
        make_affiliation(make_contact(family_name="Zamora"), organization),
        make_affiliation(make_contact(family_name="Álvarez"), organization, end=TODAY),
        make_affiliation(make_contact(family_name="Medina"), organization, end=TODAY + day),
    ]
    former_recent = make_affiliation(
        make_contact(family_name="Bravo"), organization, end=TODAY - day
    )
    former_old = make_affiliation(
        make_contact(family_name="Aguilar"), organization, end=TODAY - 300 * day
    )
    make_affiliation(
        make_contact(family_name="Secreto", sensitivity=Sensitivity.CONFIDENTIAL), organization
    )
    make_affiliation(make_contact(family_name="Borrado", deleted_at=utcnow()), organization)

    page = organization_page(str(organization.id), users["officer"], TODAY)

    assert page.organization == organization
    assert [a.contact.family_name for a in page.current_people] == ["Álvarez", "Medina", "Zamora"]
    assert set(page.current_people) == set(current)
    assert page.former_people == [former_recent, former_old]
    admin_page = organization_page(organization.id, users["admin"], TODAY)
    assert "Secreto" in [a.contact.family_name for a in admin_page.current_people]


def test_the_page_shows_only_visible_children_and_hides_an_invisible_parent(app, users):
    secret_parent = make_organization(name="Reserved Unit", sensitivity=Sensitivity.CONFIDENTIAL)
    organization = make_organization(name="Liaison Office", parent=secret_parent)
    make_organization(name="Open Child B", parent=organization)
    make_organization(name="Open Child A", parent=organization)
    make_organization(
        name="Secret Child", parent=organization, sensitivity=Sensitivity.CONFIDENTIAL
    )
    make_organization(name="Deleted Child", parent=organization, deleted_at=utcnow())

    officer_page = organization_page(organization.id, users["officer"], TODAY)
    assert officer_page.parent is None
    assert names(officer_page.children) == ["Open Child A", "Open Child B"]

    admin_page = organization_page(organization.id, users["admin"], TODAY)
    assert admin_page.parent == secret_parent
    assert names(admin_page.children) == ["Open Child A", "Open Child B", "Secret Child"]


def test_the_page_of_an_invisible_organization_is_not_found(app, users):
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    with pytest.raises(RecordNotFound):
        organization_page(secret.id, users["officer"], TODAY)


# Trash ----------------------------------------------------------------------------------


def test_delete_is_soft_and_hides_the_organization(app, users):
    organization = create(users["officer"], name="Polaris Project")
    delete_organization(organization, users["officer"])
    db.session.commit()

    assert db.session.get(Organization, organization.id).deleted_at is not None
    assert organization.deleted_by_id == users["officer"].id
    assert listed(users["admin"]).total == 0
    assert lookup("polaris", users["admin"]) == []


def test_only_an_admin_restores(app, users):
    organization = create(users["officer"], name="Polaris Project")
    delete_organization(organization, users["officer"])

    with pytest.raises(PermissionDenied):
        restore_organization(organization.id, users["officer"])
    restored = restore_organization(str(organization.id), users["admin"])

    assert restored == organization
    assert (organization.deleted_at, organization.deleted_by_id) == (None, None)
    assert names(listed(users["officer"]).items) == ["Polaris Project"]


def test_restore_is_refused_when_a_live_organization_took_the_name(app, users):
    old = create(users["officer"], name="Polaris Project")
    delete_organization(old, users["officer"])
    create(users["officer"], name="POLARIS project")

    assert_refused("name", lambda: restore_organization(old.id, users["admin"]))
    assert db.session.get(Organization, old.id).deleted_at is not None


def test_restore_of_a_live_or_unknown_organization_is_not_found(app, users):
    live = create(users["officer"])
    for record_id in (live.id, live.id + 1000, "abc"):
        with pytest.raises(RecordNotFound):
            restore_organization(record_id, users["admin"])


# Words in any of an organization's names ----------------------------------------------------


@pytest.mark.parametrize("typed", ["secretaria relaciones", "SECRETARÍA exteriores", "SRE"])
def test_every_name_an_organization_goes_by_is_searched_accent_blind(app, users, typed):
    create(
        users["officer"],
        name="Ministry of Foreign Affairs of Mexico",
        name_es="Secretaría de Relaciones Exteriores",
        acronym="SRE",
        country="MX",
        subdivision="",
    )
    assert names(listed(users["officer"], q=typed).items) == [
        "Ministry of Foreign Affairs of Mexico"
    ]
    assert names(lookup(typed.split()[0], users["officer"])) == [
        "Ministry of Foreign Affairs of Mexico"
    ]


def test_wildcard_characters_typed_in_a_search_match_only_themselves(app, users):
    make_organization(name="Unit 5% Reserve")
    make_organization(name="Unit 50 North")
    assert names(listed(users["officer"], q="5%").items) == ["Unit 5% Reserve"]
    assert names(listed(users["officer"], q="_").items) == []
    assert names(lookup("unit 5_", users["officer"])) == []
    assert names(lookup("unit 5%", users["officer"])) == ["Unit 5% Reserve"]
