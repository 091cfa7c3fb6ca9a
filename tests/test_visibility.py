"""The one visibility gate: clearance, soft delete, inactive users, and posts."""

import itertools

import pytest

from crm.extensions import db
from crm.models import Affiliation, Contact, Organization, Sensitivity
from crm.models.base import utcnow
from crm.services.errors import RecordNotFound
from crm.services.visibility import can_see, get_visible, visible
from tests.factories import make_affiliation, make_contact, make_organization, make_user

LEVELS = list(Sensitivity)


def one_organization_per_level(*, deleted=False):
    return {
        level: make_organization(
            name=f"{level.code} {'deleted' if deleted else 'live'} agency",
            sensitivity=level,
            deleted_at=utcnow() if deleted else None,
        )
        for level in LEVELS
    }


def seen(model, viewer, *, deleted=False):
    return set(db.session.scalars(visible(model, viewer, deleted=deleted)))


@pytest.mark.parametrize("clearance", LEVELS, ids=lambda level: level.code)
def test_organizations_at_or_below_clearance_are_visible_and_no_others(app, clearance):
    organizations = one_organization_per_level()
    viewer = make_user(clearance=clearance)

    assert seen(Organization, viewer) == {
        org for level, org in organizations.items() if level <= clearance
    }


@pytest.mark.parametrize("clearance", LEVELS, ids=lambda level: level.code)
def test_contacts_at_or_below_clearance_are_visible_and_no_others(app, clearance):
    contacts = {level: make_contact(sensitivity=level) for level in LEVELS}
    viewer = make_user(clearance=clearance)

    assert seen(Contact, viewer) == {c for level, c in contacts.items() if level <= clearance}


def test_deleted_records_are_left_out_and_the_trash_shows_only_them(app):
    live = one_organization_per_level()
    trash = one_organization_per_level(deleted=True)
    viewer = make_user(clearance=Sensitivity.CONFIDENTIAL)

    assert seen(Organization, viewer) == {
        live[level] for level in LEVELS if level <= Sensitivity.CONFIDENTIAL
    }
    assert seen(Organization, viewer, deleted=True) == {
        trash[level] for level in LEVELS if level <= Sensitivity.CONFIDENTIAL
    }


@pytest.mark.parametrize("model", [Organization, Contact, Affiliation])
def test_inactive_users_and_anonymous_see_nothing(app, model):
    organization = make_organization(sensitivity=Sensitivity.PUBLIC)
    make_affiliation(make_contact(sensitivity=Sensitivity.PUBLIC), organization)
    inactive = make_user(
        role="admin", clearance=Sensitivity.LAW_ENFORCEMENT_SENSITIVE, active=False
    )

    assert seen(model, make_user()), "an active user sees the public records"
    assert seen(model, inactive) == set()
    assert seen(model, None) == set()


def test_get_visible_loads_a_visible_record_by_numeric_id_or_string(app):
    organization = make_organization()
    viewer = make_user()

    assert get_visible(Organization, organization.id, viewer) is organization
    assert get_visible(Organization, str(organization.id), viewer) is organization


def not_found_message(record_id, viewer, **kwargs):
    with pytest.raises(RecordNotFound) as caught:
        get_visible(Organization, record_id, viewer, **kwargs)
    return str(caught.value)


def test_get_visible_cannot_tell_secret_deleted_and_missing_records_apart(app):
    viewer = make_user(clearance=Sensitivity.OFFICIAL)
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    deleted = make_organization(deleted_at=utcnow())
    missing_id = max(secret.id, deleted.id) + 1000

    messages = {not_found_message(i, viewer) for i in (secret.id, deleted.id, missing_id)}

    assert len(messages) == 1


@pytest.mark.parametrize(
    "record_id", ["abc", "", None, "1.5", "-1", "0", "99999999999999999999", str(2**40), "١"]
)
def test_get_visible_treats_malformed_and_out_of_range_ids_as_not_found(app, record_id):
    make_organization()
    viewer = make_user(clearance=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)

    with pytest.raises(RecordNotFound):
        get_visible(Organization, record_id, viewer)
    # The session is still usable: the bad id never reached the database.
    assert seen(Organization, viewer)


def test_get_visible_in_the_trash_only_finds_deleted_records(app):
    viewer = make_user()
    live = make_organization()
    deleted = make_organization(deleted_at=utcnow())

    assert get_visible(Organization, deleted.id, viewer, deleted=True) is deleted
    not_found_message(live.id, viewer, deleted=True)


@pytest.mark.parametrize(
    ("contact_level", "organization_level"), list(itertools.product(LEVELS, LEVELS))
)
def test_a_post_is_visible_only_when_both_person_and_organization_are(
    app, contact_level, organization_level
):
    post = make_affiliation(
        make_contact(sensitivity=contact_level),
        make_organization(sensitivity=organization_level),
    )
    viewer = make_user(clearance=Sensitivity.OFFICIAL)
    expected = max(contact_level, organization_level) <= Sensitivity.OFFICIAL

    assert (post in seen(Affiliation, viewer)) is expected


@pytest.mark.parametrize("deleted_side", ["contact", "organization"])
def test_a_post_with_a_deleted_person_or_organization_is_hidden(app, deleted_side):
    post = make_affiliation(make_contact(), make_organization())
    getattr(post, deleted_side).deleted_at = utcnow()
    db.session.flush()

    assert seen(Affiliation, make_user()) == set()


def gated_records():
    """Every combination of sensitivity and deletion, for organizations, contacts and posts."""
    records = []
    for level, deleted in itertools.product(LEVELS, (False, True)):
        when = utcnow() if deleted else None
        organization = make_organization(sensitivity=level, deleted_at=when)
        contact = make_contact(sensitivity=level, deleted_at=when)
        records += [organization, contact]
    live_organizations = [r for r in records if isinstance(r, Organization) and not r.is_deleted]
    contacts = [r for r in records if isinstance(r, Contact)]
    for contact, organization in itertools.product(contacts, live_organizations):
        records.append(make_affiliation(contact, organization))
    return records


@pytest.mark.parametrize("deleted", [False, True], ids=["live", "trash"])
@pytest.mark.parametrize("active", [True, False], ids=["active", "inactive"])
@pytest.mark.parametrize("clearance", LEVELS, ids=lambda level: level.code)
def test_can_see_agrees_with_the_query_gate(app, clearance, active, deleted):
    records = gated_records()
    viewer = make_user(clearance=clearance, active=active)
    queried = set().union(*(seen(m, viewer, deleted=deleted) for m in (Organization, Contact)))
    queried |= seen(Affiliation, viewer, deleted=deleted)

    for record in records:
        assert can_see(record, viewer, deleted=deleted) is (record in queried), record
    assert can_see(records[0], None) is False
