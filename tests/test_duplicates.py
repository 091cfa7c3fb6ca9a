"""Duplicates: the candidate pairs (found only among records the user may see) and the merge
that keeps one record, moves everything attached to the other onto it and trashes the other."""

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    AuditEvent,
    CalendarFeed,
    ContactList,
    ContactListMember,
    County,
    FollowUp,
    InteractionContact,
    Organization,
    Sensitivity,
    WorkArea,
)
from crm.services.duplicates import (
    CONTACT_FIELDS,
    ORGANIZATION_FIELDS,
    merge_contacts,
    merge_organizations,
)
from crm.services.errors import ValidationError
from crm.services.tags import resolve_tags
from tests.factories import (
    make_affiliation,
    make_contact,
    make_interaction,
    make_organization,
)
from tests.view_helpers import count, flashes, linked_names, page, redirect_target

MERGED = "Merged. The other record is in the trash, marked as merged."

# --- Helpers -------------------------------------------------------------------------------


def person(given_names, family_name, second_family_name="", **fields):
    """A contact whose name_key is built from the name, as the contacts service builds it."""
    return make_contact(
        given_names=given_names,
        family_name=family_name,
        second_family_name=second_family_name,
        **fields,
    )


def body(name, **fields):
    """An organization. Names matter: the finder compares the names of every pair in a
    country, so tests give clearly different names to bodies that must not match."""
    return make_organization(name=name, **fields)


def give_tags(record, *names):
    record.tags = resolve_tags(names)
    db.session.flush()


def tag_names(record):
    return sorted(t.name for t in record.tags)


def county(name):
    return db.session.scalar(select(County).where(County.name == name))


def work_area(name):
    return db.session.scalar(select(WorkArea).where(WorkArea.name == name))


def follow_up(assignee, description, **links):
    task = FollowUp(
        description=description,
        due_date=date.today() + timedelta(days=7),
        assignee=assignee,
        **links,
    )
    db.session.add(task)
    db.session.flush()
    return task


def calendar_feed(user, organization, name="Consulate meetings"):
    feed = CalendarFeed(
        user=user,
        name=name,
        scope="organization",
        organization=organization,
        token_hash=hashlib.sha256(name.encode()).hexdigest(),
    )
    db.session.add(feed)
    db.session.flush()
    return feed


def a_list(owner, name, *members):
    contact_list = ContactList(owner=owner, name=name, description="", is_smart=False)
    contact_list.memberships = [ContactListMember(contact=c, added_by_id=owner.id) for c in members]
    db.session.add(contact_list)
    db.session.flush()
    return contact_list


def list_members(contact_list):
    return sorted(
        db.session.scalars(
            select(ContactListMember.contact_id).where(ContactListMember.list_id == contact_list.id)
        )
    )


def participants(interaction):
    """The contact ids taking part in an interaction, repeats included."""
    return sorted(
        db.session.scalars(
            select(InteractionContact.contact_id).where(
                InteractionContact.interaction_id == interaction.id
            )
        )
    )


def meetings_of(contact):
    return sorted(
        db.session.scalars(
            select(InteractionContact.interaction_id).where(
                InteractionContact.contact_id == contact.id
            )
        )
    )


def section(html, kind):
    """The part of the duplicates page listing contacts or organizations."""
    contacts, organizations = html.split("<h2>Organizations</h2>")
    return contacts.split("<h2>Contacts</h2>")[1] if kind == "contacts" else organizations


def candidates(html, kind):
    """The candidate pairs of a section, in page order: (record, possible duplicate, why)."""
    prefix = f"/{kind}"
    rows = re.findall(
        rf'<td><a href="{prefix}/\d+">([^<]*)</a></td>\s*'
        rf'<td><a href="{prefix}/\d+">([^<]*)</a></td>\s*<td>([^<]*)</td>',
        section(html, kind),
    )
    return [(unescape(a), unescape(b), unescape(why)) for a, b, why in rows]


def merge_links(html, kind):
    return re.findall(
        rf'<a href="(/duplicates/{kind}/\d+/\d+)">Compare and merge</a>', section(html, kind)
    )


def duplicates_page(client):
    response = client.get("/duplicates/")
    assert response.status_code == 200
    return page(response)


def merge(client, kind, first, second, *, keep="first", take=()):
    """Submit the merge screen as a user would: every field's radio set, to the kept record's
    value except the fields named in ``take``, which come from the other record."""
    fields = CONTACT_FIELDS if kind == "contacts" else ORGANIZATION_FIELDS
    assert set(take) <= set(fields), f"unknown fields {set(take) - set(fields)}"
    other = "second" if keep == "first" else "first"
    data = {"survivor": keep}
    data.update({f"field-{name}": other if name in take else keep for name in fields})
    return client.post(f"/duplicates/{kind}/{first.id}/{second.id}", data=data)


def flash_after(client, response):
    return flashes(page(client.get(redirect_target(response))))


# --- Who may use it ------------------------------------------------------------------------


def test_viewers_cannot_open_the_duplicates_page(client, login_as):
    login_as("viewer")

    assert client.get("/duplicates/").status_code == 403


def test_officers_and_admins_open_the_duplicates_page(client, login_as):
    for role in ("officer", "admin"):
        login_as(role)

        html = duplicates_page(client)

        assert "<h1>Duplicates</h1>" in html
        assert "No likely duplicates." in section(html, "contacts")


def test_a_viewer_cannot_merge(client, login_as):
    first = person("Ana", "Torres", emails=("ana@agency.example",))
    second = person("Ana", "Torres", emails=("ANA@agency.example",))
    login_as("viewer")

    response = merge(client, "contacts", first, second)

    assert response.status_code == 403
    assert first.deleted_at is None and second.deleted_at is None
    assert client.get(f"/duplicates/contacts/{first.id}/{second.id}").status_code == 403


# --- Finding contacts ----------------------------------------------------------------------


def test_the_same_email_in_another_case_makes_a_candidate(client, login_as):
    first = person("Ana", "Torres", emails=("ana.torres@sre.example",))
    second = person("Anita", "Torres Vega", emails=("Ana.Torres@SRE.example",))
    person("Luis", "Ortega", emails=("luis@sre.example",))
    login_as("officer")

    html = duplicates_page(client)

    assert candidates(html, "contacts") == [
        ("Ana Torres", "Anita Torres Vega", "same e-mail address")
    ]
    assert merge_links(html, "contacts") == [f"/duplicates/contacts/{first.id}/{second.id}"]


def test_the_same_phone_makes_a_candidate(client, login_as):
    person("Ana", "Torres", phones=("+526641234567",))
    person("Anita", "Vega", phones=("+526641234567",))
    person("Luis", "Ortega", phones=("+526649876543",))
    login_as("officer")

    assert candidates(duplicates_page(client), "contacts") == [
        ("Ana Torres", "Anita Vega", "same phone number")
    ]


def test_names_equal_once_case_accents_and_spacing_are_folded_are_candidates(client, login_as):
    person("José  Luis", "Núñez")
    person("jose luis", "NUNEZ")
    person("José", "Núñez Peña")
    login_as("officer")

    assert candidates(duplicates_page(client), "contacts") == [
        ("José  Luis Núñez", "jose luis NUNEZ", "same name")
    ]


def test_similar_names_at_the_same_organization_are_candidates(client, login_as):
    port = body("Port of San Diego")
    make_affiliation(person("Jonathan", "Smith"), port)
    make_affiliation(person("Jonathon", "Smith"), port)
    make_affiliation(person("Maria", "Lopez"), port)
    login_as("officer")

    assert candidates(duplicates_page(client), "contacts") == [
        ("Jonathan Smith", "Jonathon Smith", "similar names at the same organization")
    ]


def test_similar_names_at_different_organizations_are_not_candidates(client, login_as):
    make_affiliation(person("Jonathan", "Smith"), body("Port of San Diego"))
    make_affiliation(person("Jonathon", "Smith"), body("Imperial Irrigation District"))
    login_as("officer")

    html = duplicates_page(client)

    assert candidates(html, "contacts") == []
    assert "No likely duplicates." in section(html, "contacts")


def test_a_former_post_does_not_make_similar_names_candidates(client, login_as):
    port = body("Port of San Diego")
    make_affiliation(person("Jonathan", "Smith"), port)
    make_affiliation(
        person("Jonathon", "Smith"), port, start=date(2015, 1, 1), end=date(2019, 12, 31)
    )
    login_as("officer")

    assert candidates(duplicates_page(client), "contacts") == []


def test_unrelated_people_are_not_candidates(client, login_as):
    port = body("Port of San Diego")
    make_affiliation(person("Ana", "Torres", emails=("ana@port.example",)), port)
    make_affiliation(person("Luis", "Ortega", emails=("luis@port.example",)), port)
    person("Carmen", "Ruiz", phones=("+16195550100",))
    login_as("officer")

    html = duplicates_page(client)

    assert candidates(html, "contacts") == []
    assert "No likely duplicates." in section(html, "contacts")


def test_a_pair_matching_on_several_counts_shows_every_reason_and_comes_first(client, login_as):
    person("Ana", "Torres", emails=("ana@sre.example",))
    person("Ana", "Torres", emails=("ANA@sre.example",), phones=("+526641234567",))
    person("Luis", "Ortega", phones=("+526641234567",))
    login_as("officer")

    assert candidates(duplicates_page(client), "contacts") == [
        ("Ana Torres", "Ana Torres", "same e-mail address, same name"),
        ("Ana Torres", "Luis Ortega", "same phone number"),
    ]


# --- Finding organizations -----------------------------------------------------------------


def test_the_same_acronym_in_the_same_country_makes_a_candidate(client, login_as):
    body("Customs and Border Protection", acronym="CBP", country="US")
    body("Field Operations Office", acronym="cbp", country="US")
    body("Tohono O'odham Nation", acronym="TON", country="US")
    login_as("officer")

    assert candidates(duplicates_page(client), "organizations") == [
        (
            "Customs and Border Protection",
            "Field Operations Office",
            "same acronym in the same country",
        )
    ]


def test_the_same_acronym_in_different_countries_is_not_a_candidate(client, login_as):
    body("Secretaría de Relaciones Exteriores", acronym="SRE", country="MX", subdivision="")
    body("State Revenue Estimates", acronym="SRE", country="US")
    login_as("officer")

    assert candidates(duplicates_page(client), "organizations") == []


def test_the_same_website_makes_a_candidate(client, login_as):
    body("Caltrans", website="https://dot.ca.gov", country="US")
    body("Department of Transportation", website="HTTPS://DOT.CA.GOV", country="US")
    body("Water Board", website="https://waterboards.ca.gov", country="US")
    login_as("officer")

    assert candidates(duplicates_page(client), "organizations") == [
        ("Caltrans", "Department of Transportation", "same website")
    ]


def test_similar_names_in_the_same_country_make_a_candidate(client, login_as):
    body("California Department of Transportation", country="US")
    body("California Departament of Transportation", country="US")
    body("Imperial Irrigation District", country="US")
    login_as("officer")

    assert candidates(duplicates_page(client), "organizations") == [
        (
            "California Department of Transportation",
            "California Departament of Transportation",
            "similar names in the same country",
        )
    ]


def test_similar_names_in_different_countries_are_not_candidates(client, login_as):
    body("Ministerio de Salud Publica", country="GT", subdivision="")
    body("Ministerio de Salud Publico", country="SV", subdivision="")
    login_as("officer")

    html = duplicates_page(client)

    assert candidates(html, "organizations") == []
    assert "No likely duplicates." in section(html, "organizations")


# --- Visibility ----------------------------------------------------------------------------


def test_a_contact_above_clearance_is_never_a_candidate_even_sharing_an_email(client, login_as):
    person("Ana", "Torres", emails=("ana@sre.example",))
    person(
        "Hidalgo",
        "Informante",
        emails=("ana@sre.example",),
        phones=("+526641234567",),
        sensitivity=Sensitivity.CONFIDENTIAL,
    )
    person("Ana", "Torres Informante", phones=("+526641234567",))

    login_as("officer")
    html = duplicates_page(client)
    login_as("admin")
    seen_by_admin = candidates(duplicates_page(client), "contacts")

    assert "Hidalgo" not in html
    assert candidates(html, "contacts") == []
    assert ("Ana Torres", "Hidalgo Informante", "same e-mail address") in seen_by_admin


def test_an_organization_above_clearance_is_never_a_candidate(client, login_as):
    body("Caltrans", website="https://dot.ca.gov", acronym="DOT")
    body(
        "Task Force Obsidian",
        website="https://dot.ca.gov",
        acronym="DOT",
        sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    )

    login_as("officer")
    html = duplicates_page(client)
    login_as("admin")
    seen_by_admin = candidates(duplicates_page(client), "organizations")

    assert "Obsidian" not in html
    assert candidates(html, "organizations") == []
    assert (
        "Caltrans",
        "Task Force Obsidian",
        "same acronym in the same country, same website",
    ) in seen_by_admin


def test_the_merge_screen_for_a_pair_with_a_hidden_contact_is_not_found(client, login_as):
    visible = person("Ana", "Torres", emails=("ana@sre.example",))
    hidden = person(
        "Ana", "Torres", emails=("ana@sre.example",), sensitivity=Sensitivity.CONFIDENTIAL
    )
    login_as("officer")

    assert client.get(f"/duplicates/contacts/{visible.id}/{hidden.id}").status_code == 404
    assert client.get(f"/duplicates/contacts/{hidden.id}/{visible.id}").status_code == 404
    assert client.get(f"/duplicates/contacts/{visible.id}/999999").status_code == 404
    assert merge(client, "contacts", visible, hidden).status_code == 404
    assert hidden.deleted_at is None and visible.deleted_at is None
    assert hidden.sensitivity == Sensitivity.CONFIDENTIAL


def test_the_merge_screen_for_a_pair_with_a_hidden_organization_is_not_found(client, login_as):
    visible = body("Caltrans")
    hidden = body("Task Force Obsidian", sensitivity=Sensitivity.CONFIDENTIAL)
    login_as("officer")

    assert client.get(f"/duplicates/organizations/{visible.id}/{hidden.id}").status_code == 404
    assert client.get(f"/duplicates/organizations/{hidden.id}/{visible.id}").status_code == 404
    assert merge(client, "organizations", hidden, visible, take=("name",)).status_code == 404
    assert hidden.deleted_at is None and visible.name == "Caltrans"


def test_a_contact_in_the_trash_is_not_a_candidate(client, login_as):
    person("Ana", "Torres", emails=("ana@sre.example",))
    person("Anita", "Papelera", emails=("ana@sre.example",), deleted_at=datetime.now(UTC))
    login_as("admin")

    html = duplicates_page(client)

    assert "Papelera" not in html
    assert candidates(html, "contacts") == []


def test_an_organization_in_the_trash_is_not_a_candidate(client, login_as):
    body("Caltrans", website="https://dot.ca.gov")
    trashed = body("Old Caltrans Record", website="https://dot.ca.gov")
    trashed.deleted_at = datetime.now(UTC)
    login_as("admin")

    html = duplicates_page(client)

    assert "Old Caltrans Record" not in html
    assert candidates(html, "organizations") == []


# --- The merge screen ----------------------------------------------------------------------


def test_the_merge_screen_shows_both_contacts_side_by_side(client, login_as):
    first = person("Ana", "Torres", honorific="Dr.", notes="Met at the border summit")
    second = person("Ana", "Torres", honorific="Lic.", notes="Prefers Spanish")
    login_as("officer")

    html = page(client.get(merge_links(duplicates_page(client), "contacts")[0]))

    assert f"(#{first.id})" in html and f"(#{second.id})" in html
    for value in ("Dr.", "Lic.", "Met at the border summit", "Prefers Spanish"):
        assert value in html
    assert 'name="survivor" value="second"' in html
    assert 'name="field-notes" value="second"' in html


# --- Merging contacts ----------------------------------------------------------------------


def test_merging_contacts_lands_on_the_kept_one_and_trashes_the_other(client, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    login_as("officer")

    response = merge(client, "contacts", kept, other)

    assert redirect_target(response) == f"/contacts/{kept.id}"
    assert MERGED in flash_after(client, response)
    assert kept.deleted_at is None
    assert other.deleted_at is not None and other.merged_into_id == kept.id
    assert client.get(f"/contacts/{other.id}").status_code == 404


def test_merging_contacts_keeps_every_email_and_phone_once(client, login_as):
    kept = person("Ana", "Torres", emails=("ana@sre.example",), phones=("+526641234567",))
    other = person(
        "Ana",
        "Torres",
        emails=("ANA@sre.example", "ana.personal@mail.example"),
        phones=("+526641234567", "+16195550100"),
    )
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert [e.address for e in kept.emails] == ["ana@sre.example", "ana.personal@mail.example"]
    assert [p.number for p in kept.phones] == ["+526641234567", "+16195550100"]


def test_merging_contacts_keeps_both_sets_of_tags(client, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    give_tags(kept, "Border", "Trade")
    give_tags(other, "Trade", "Consular")
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert tag_names(kept) == ["Border", "Consular", "Trade"]


def test_merging_contacts_keeps_the_posts_of_both(client, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    make_affiliation(kept, body("Port of San Diego"), title="Director")
    make_affiliation(other, body("Imperial Irrigation District"), title="Board member")
    make_affiliation(other, body("Water Board"), title="Adviser", end=date(2020, 1, 1))
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert sorted((a.organization.name, a.title) for a in kept.affiliations) == [
        ("Imperial Irrigation District", "Board member"),
        ("Port of San Diego", "Director"),
        ("Water Board", "Adviser"),
    ]


def test_merging_contacts_moves_every_interaction_and_lists_the_kept_one_once(
    client, users, login_as
):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    bystander = person("Luis", "Ortega")
    port = body("Port of San Diego")
    own = make_interaction(users["officer"], contacts=[kept])
    theirs = make_interaction(users["officer"], contacts=[(other, port), bystander])
    shared = make_interaction(users["officer"], contacts=[kept, other])
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert meetings_of(kept) == sorted([own.id, theirs.id, shared.id])
    assert participants(shared) == [kept.id]
    assert participants(theirs) == sorted([kept.id, bystander.id])
    represented = db.session.get(InteractionContact, (theirs.id, kept.id))
    assert represented.organization_id == port.id


def test_merging_contacts_moves_list_memberships_without_duplicates(client, users, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    officer = users["officer"]
    both = a_list(officer, "Consular reception", kept, other)
    only_other = a_list(officer, "Border summit", other)
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert list_members(both) == [kept.id]
    assert list_members(only_other) == [kept.id]


def test_merging_contacts_moves_follow_ups(client, users, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres")
    task = follow_up(users["officer"], "Send the MOU draft", contact=other)
    login_as("officer")

    merge(client, "contacts", kept, other)

    assert task.contact_id == kept.id
    assert "Send the MOU draft" in page(client.get(f"/contacts/{kept.id}"))


def test_fields_chosen_from_the_other_contact_are_taken_and_the_rest_kept(client, login_as):
    kept = person("Ana", "Torres", honorific="", notes="Met at the summit", preferred_language="en")
    other = person(
        "Ana María",
        "Torres",
        "Vega",
        honorific="Lic.",
        notes="Prefers calls",
        preferred_language="es",
    )
    login_as("officer")

    merge(client, "contacts", kept, other, take=("honorific", "notes", "second_family_name"))

    assert kept.honorific == "Lic."
    assert kept.notes == "Prefers calls"
    assert kept.full_name == "Ana Torres Vega"
    assert kept.preferred_language == "en"
    assert kept.name_key == "torres vega ana"


def test_the_merged_contact_is_as_sensitive_as_the_more_sensitive_one(client, login_as):
    kept = person("Ana", "Torres")
    other = person("Ana", "Torres", sensitivity=Sensitivity.CONFIDENTIAL)
    login_as("admin")

    merge(client, "contacts", kept, other)
    login_as("officer")

    assert kept.sensitivity == Sensitivity.CONFIDENTIAL
    assert client.get(f"/contacts/{kept.id}").status_code == 404


def test_a_contact_merge_is_audited(client, users, login_as):
    kept = person("Ana", "Torres")
    other = person("Anita", "Torres")
    login_as("officer")

    merge(client, "contacts", kept, other)

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.record_type == "contact")).all()
    on_kept = [e for e in events if e.record_id == kept.id and "merged" in (e.changes or {})]
    assert len(on_kept) == 1
    assert on_kept[0].action == "update" and on_kept[0].actor_id == users["officer"].id
    assert f"Anita Torres (#{other.id})" in on_kept[0].changes["merged"][1]
    assert any(e.record_id == other.id and e.action == "delete" for e in events)
    assert f"Anita Torres (#{other.id})" in page(client.get(f"/contacts/{kept.id}/history"))


def test_keeping_the_second_contact_keeps_it_instead(client, login_as):
    first = person("Ana", "Torres", honorific="Dr.", emails=("ana@sre.example",))
    second = person("Ana", "Torres", notes="Keep me", emails=("ana.t@mail.example",))
    login_as("officer")

    response = merge(client, "contacts", first, second, keep="second", take=("honorific",))

    assert redirect_target(response) == f"/contacts/{second.id}"
    assert second.deleted_at is None and second.notes == "Keep me"
    assert second.honorific == "Dr."
    assert first.deleted_at is not None and first.merged_into_id == second.id
    assert sorted(e.address for e in second.emails) == ["ana.t@mail.example", "ana@sre.example"]


def test_a_merged_pair_is_no_longer_offered(client, login_as):
    kept = person("Ana", "Torres", emails=("ana@sre.example",))
    other = person("Ana", "Torres", emails=("ana@sre.example",))
    login_as("officer")
    link = merge_links(duplicates_page(client), "contacts")[0]

    merge(client, "contacts", kept, other)

    assert candidates(duplicates_page(client), "contacts") == []
    assert client.get(link).status_code == 404


# --- Merging organizations -----------------------------------------------------------------


def test_merging_organizations_moves_peoples_posts(client, login_as):
    kept = body("Caltrans")
    other = body("California Department of Transportation")
    ana = person("Ana", "Torres")
    make_affiliation(ana, other, title="District Director")
    login_as("officer")

    response = merge(client, "organizations", kept, other)

    assert redirect_target(response) == f"/organizations/{kept.id}"
    assert [(a.organization_id, a.title) for a in ana.affiliations] == [
        (kept.id, "District Director")
    ]
    assert "Ana Torres" in page(client.get(f"/organizations/{kept.id}"))
    assert other.deleted_at is not None and other.merged_into_id == kept.id


def test_merging_organizations_moves_interactions_and_represented_bodies(client, users, login_as):
    kept = body("Caltrans")
    other = body("California Department of Transportation")
    ana = person("Ana", "Torres")
    officer = users["officer"]
    theirs = make_interaction(officer, organizations=[other])
    shared = make_interaction(officer, organizations=[kept, other])
    represented = make_interaction(officer, contacts=[(ana, other)])
    login_as("officer")

    merge(client, "organizations", kept, other)

    assert [o.id for o in theirs.organizations] == [kept.id]
    assert [o.id for o in shared.organizations] == [kept.id]
    assert represented.contact_links[0].organization_id == kept.id


def test_merging_organizations_moves_child_units(client, login_as):
    kept = body("Caltrans")
    other = body("California Department of Transportation")
    unit = body("District 11 Office", parent_id=other.id)
    login_as("officer")

    merge(client, "organizations", kept, other)

    assert unit.parent_id == kept.id
    assert "District 11 Office" in page(client.get(f"/organizations/{kept.id}"))


def test_merging_organizations_keeps_tags_work_areas_and_district_of_both(client, login_as):
    kept = body("Consulate of Mexico in San Diego", kind="consulate")
    other = body("Consulado General de Mexico", kind="consulate")
    give_tags(kept, "Border")
    give_tags(other, "Border", "Trade")
    kept.work_areas = [work_area("Child abduction")]
    other.work_areas = [work_area("Human trafficking"), work_area("Child abduction")]
    kept.district_counties = [county("San Diego")]
    other.district_counties = [county("Imperial"), county("San Diego")]
    login_as("officer")

    merge(client, "organizations", kept, other)

    assert tag_names(kept) == ["Border", "Trade"]
    assert [w.name for w in kept.work_areas] == ["Child abduction", "Human trafficking"]
    assert [c.name for c in kept.district_counties] == ["Imperial", "San Diego"]


def test_merging_organizations_moves_follow_ups_and_calendar_feeds(client, users, login_as):
    kept = body("Caltrans")
    other = body("California Department of Transportation")
    task = follow_up(users["officer"], "Confirm the bridge inspection", organization=other)
    feed = calendar_feed(users["officer"], other)
    login_as("officer")

    merge(client, "organizations", kept, other)

    assert task.organization_id == kept.id
    assert feed.organization_id == kept.id


def test_the_kept_organization_can_take_the_others_name(client, login_as):
    kept = body("Caltrans", acronym="")
    other = body("California Department of Transportation", acronym="CALTRANS")
    login_as("officer")

    response = merge(client, "organizations", kept, other, take=("name", "acronym"))

    assert redirect_target(response) == f"/organizations/{kept.id}"
    assert kept.name == "California Department of Transportation"
    assert kept.acronym == "CALTRANS"
    assert kept.name_key == "california department of transportation"
    assert other.name != kept.name and other.deleted_at is not None
    live = count(Organization, Organization.name == kept.name, Organization.deleted_at.is_(None))
    assert live == 1
    found = linked_names(page(client.get("/organizations/?q=california")), "/organizations")
    assert found == ["California Department of Transportation"]


def test_the_kept_organization_can_take_a_name_of_the_longest_allowed_length(client, login_as):
    """The form accepts names of up to 200 characters; the merge must free such a name too."""
    long_name = (
        "Secretaría de Infraestructura, Desarrollo Urbano y Reordenación Territorial del "
        "Gobierno del Estado Libre y Soberano de Baja California, Dirección General de Obras "
        "Públicas y Proyectos en la Zona Este"
    )
    assert len(long_name) == 200  # the longest name the organization form accepts
    kept = body("SIDURT")
    other = body(long_name, country="MX", subdivision="MX-BCN")
    login_as("officer")

    response = merge(client, "organizations", kept, other, take=("name",))

    assert redirect_target(response) == f"/organizations/{kept.id}"
    assert kept.name == long_name
    assert other.deleted_at is not None


def test_merging_a_parent_into_its_unit_leaves_the_unit_under_neither(client, login_as):
    """The unit takes the parent's place: it is neither its own parent nor left under the
    record that was merged into it (and is now in the trash)."""
    state = body("State of California")
    parent = body("California Department of Transportation", parent_id=state.id)
    unit = body("Caltrans", parent_id=parent.id)
    login_as("officer")

    merge(client, "organizations", unit, parent)

    assert unit.deleted_at is None
    assert unit.parent_id not in (unit.id, parent.id)


def test_taking_the_parent_of_a_unit_being_merged_does_not_make_the_kept_one_its_own_parent(
    client, login_as
):
    state = body("State of California")
    kept = body("California Department of Transportation", parent_id=state.id)
    unit = body("Caltrans", parent_id=kept.id)
    login_as("officer")

    response = merge(client, "organizations", kept, unit, take=("parent_id",))

    assert redirect_target(response) == f"/organizations/{kept.id}"
    assert kept.parent_id == state.id
    assert "State of California" in page(client.get(f"/organizations/{kept.id}"))


# --- Refusals ------------------------------------------------------------------------------


def test_merging_a_contact_with_itself_is_refused(app, users):
    ana = person("Ana", "Torres")

    with pytest.raises(ValidationError) as refused:
        merge_contacts(ana, ana, {"notes"}, users["officer"])

    assert "Choose two different records." in refused.value.errors.values()
    assert ana.deleted_at is None and ana.merged_into_id is None


def test_merging_an_organization_with_itself_is_refused(app, users):
    caltrans = body("Caltrans")

    with pytest.raises(ValidationError):
        merge_organizations(caltrans, caltrans, {"name"}, users["officer"])

    assert caltrans.deleted_at is None and caltrans.name == "Caltrans"


def test_the_merge_screen_refuses_a_record_paired_with_itself_without_failing(client, login_as):
    """A hand-typed address pairing a record with itself gets a refusal, not a server error."""
    ana = person("Ana", "Torres")
    login_as("officer")

    response = merge(client, "contacts", ana, ana)

    assert response.status_code < 500
    assert ana.deleted_at is None and ana.merged_into_id is None
