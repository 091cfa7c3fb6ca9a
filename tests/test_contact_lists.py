"""Contact lists: hand-picked or smart, filled from contact searches, shared read-only,
exported and audited, and always read through the visibility gate."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import AuditEvent, ContactList, ContactListMember, Sensitivity
from crm.services.contact_lists import ListInput, create_list
from crm.services.errors import ValidationError
from tests.factories import make_affiliation, make_contact, make_organization, make_user
from tests.view_helpers import (
    assert_error_beside,
    count,
    field_error,
    flashes,
    linked_names,
    page,
    redirect_target,
)

# --- Helpers -------------------------------------------------------------------------------


def person(family_name, given_names="Ana", **fields):
    return make_contact(given_names=given_names, family_name=family_name, **fields)


def consulate(subdivision="US-CA", **fields):
    return make_organization(kind="consulate", subdivision=subdivision, **fields)


def a_list(owner, name="Invitations", *, members=(), shared_with=(), filters=None):
    """A list written straight to the database (a smart one when filters are given), so a test
    can arrange any member, even one the owner could not add today."""
    contact_list = ContactList(
        owner=owner,
        name=name,
        description="",
        is_smart=filters is not None,
        filters=filters or {},
        shared_with=list(shared_with),
    )
    contact_list.memberships = [ContactListMember(contact=c, added_by_id=owner.id) for c in members]
    db.session.add(contact_list)
    db.session.commit()
    return contact_list


def new_list(client, name="Consular reception", **fields):
    return client.post("/lists/new", data={"name": name, "description": "", **fields})


def add(client, contact_list_or_id, *contacts_or_ids, next="/contacts/"):
    list_id = getattr(contact_list_or_id, "id", contact_list_or_id)
    ids = [getattr(c, "id", c) for c in contacts_or_ids]
    return client.post(
        "/lists/members", data={"list_id": list_id, "contact_ids": ids, "next": next}
    )


def member_ids(contact_list):
    return set(
        db.session.scalars(
            select(ContactListMember.contact_id).where(ContactListMember.list_id == contact_list.id)
        )
    )


def shown_members(html):
    """The people listed on a list page (or the contacts page), as "Family, Given"."""
    return linked_names(html, "/contacts")


def people_count(html):
    """The "3 people" line of a list page."""
    match = re.search(r'<p role="status">([^<]*)</p>', html)
    assert match, "no people count on the page"
    return match.group(1).strip()


def flash_after(client, response):
    """The messages shown on the page a redirect leads to."""
    return flashes(page(client.get(redirect_target(response))))


def exported_names(response):
    """The people in a CSV export, as "Family, Given" in file order."""
    assert response.status_code == 200
    assert response.content_type.startswith("text/csv")
    rows = csv.DictReader(io.StringIO(page(response)))
    return [f"{r['Family name']}, {r['Given names']}" for r in rows]


def smart_list_link(html):
    match = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Save as smart list</a>', html)
    assert match, "no Save as smart list link"
    return unescape(match.group(1))


def hidden_value(html, name):
    match = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', html)
    assert match, f"no {name} on the page"
    return unescape(match.group(1))


def smart_list_form(client, contacts_url):
    """Follow "Save as smart list" from a contacts search: the new list form it opens."""
    return page(client.get(smart_list_link(page(client.get(contacts_url)))))


def offers_bulk_add(html):
    return 'name="contact_ids"' in html or "Add to list" in html


# --- Creating a list -----------------------------------------------------------------------


def test_an_officer_creates_a_list_and_is_taken_to_it(client, users, login_as):
    login_as("officer")

    response = new_list(client, "Consular reception", description="Guests for 16 September")

    created = db.session.scalars(select(ContactList)).one()
    assert redirect_target(response) == f"/lists/{created.id}"
    html = page(client.get(f"/lists/{created.id}"))
    assert "Consular reception" in html and "Guests for 16 September" in html
    assert people_count(html) == "0 people"
    assert not created.is_smart and created.owner_id == users["officer"].id
    assert "Consular reception" in page(client.get("/lists/"))


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name for the list."), ("   ", "Enter a name for the list."), ("x" * 121, "120")],
)
def test_a_list_needs_a_name_of_at_most_120_characters(client, users, login_as, name, message):
    login_as("officer")

    response = new_list(client, name)

    assert response.status_code == 200
    assert_error_beside(page(response), "name", message)
    assert count(ContactList) == 0


def test_a_viewer_cannot_create_a_list(client, users, login_as):
    login_as("viewer")
    assert client.get("/lists/new").status_code == 403
    assert new_list(client, "Mine").status_code == 403
    assert "New list" not in page(client.get("/lists/"))
    assert count(ContactList) == 0


# --- Adding people from the contacts page --------------------------------------------------


def test_the_contacts_page_offers_ticking_to_the_owner_of_a_list(client, users, login_as):
    ana = person("Aguilar")
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    html = page(client.get("/contacts/"))

    assert f'<input type="checkbox" name="contact_ids" value="{ana.id}"' in html
    assert f'<option value="{roster.id}">Roster</option>' in html
    assert "Add to list" in html


def test_the_contacts_page_offers_no_ticking_without_a_list_of_my_own(client, users, login_as):
    person("Aguilar")
    a_list(users["officer"], "Consulates", filters={"kind": "consulate"})  # smart: no adding
    a_list(users["admin"], "Admin's", shared_with=[users["officer"], users["viewer"]])

    for who in ("officer", "viewer"):
        login_as(who)
        html = page(client.get("/contacts/"))
        assert "Aguilar, Ana" in html
        assert not offers_bulk_add(html), who


def test_ticked_people_are_added_once_and_counted(client, users, login_as):
    ana, ben = person("Aguilar"), person("Barrios", "Ben")
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    first = add(client, roster, ana, ben)
    assert flash_after(client, first) == ["2 people added to “Roster”."]
    html = page(client.get(f"/lists/{roster.id}"))
    assert people_count(html) == "2 people"
    assert shown_members(html) == ["Aguilar, Ana", "Barrios, Ben"]

    again = add(client, roster, ana, ben)
    assert flash_after(client, again) == ["0 people added to “Roster”."]
    assert people_count(page(client.get(f"/lists/{roster.id}"))) == "2 people"
    assert count(ContactListMember) == 2


def test_adding_goes_back_to_the_search_it_came_from(client, users, login_as):
    ana = person("Aguilar")
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    response = add(client, roster, ana, next="/contacts/?kind=consulate&subdivision=US-CA")

    assert redirect_target(response) == "/contacts/?kind=consulate&subdivision=US-CA"
    assert member_ids(roster) == {ana.id}


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/", "/\t/evil.example/", "javascript:alert(1)"],
    ids=["absolute", "scheme-relative", "tab-before-slash", "javascript"],
)
def test_adding_never_sends_the_user_off_the_site(client, users, login_as, next_url):
    ana = person("Aguilar")
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    response = add(client, roster, ana, next=next_url)

    assert response.status_code == 302
    assert response.headers["Location"] == "/contacts/"
    assert member_ids(roster) == {ana.id}


@pytest.mark.parametrize("unknown", ["hidden", "missing", "deleted"])
def test_one_person_i_cannot_see_refuses_the_whole_addition(client, users, login_as, unknown):
    ana = person("Aguilar")
    others = {
        "hidden": lambda: person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL).id,
        "missing": lambda: 999_999,
        "deleted": lambda: person("Borrado", deleted_at=datetime(2026, 1, 1, tzinfo=UTC)).id,
    }
    other_id = others[unknown]()
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    response = add(client, roster, ana, other_id)

    assert flash_after(client, response) == ["A person was not found."]
    assert member_ids(roster) == set()
    assert people_count(page(client.get(f"/lists/{roster.id}"))) == "0 people"


def test_i_cannot_add_people_to_a_list_only_shared_with_me(client, users, login_as):
    ana = person("Aguilar")
    theirs = a_list(users["admin"], "Admin's roster", shared_with=[users["officer"]])
    login_as("officer")

    assert add(client, theirs, ana).status_code == 403
    assert member_ids(theirs) == set()


def test_i_cannot_add_people_to_a_list_not_shared_with_me(client, users, login_as):
    ana = person("Aguilar")
    theirs = a_list(users["admin"], "Admin's roster")
    login_as("officer")

    response = add(client, theirs, ana)

    assert flash_after(client, response) == ["Choose one of your lists."]
    assert member_ids(theirs) == set()


def test_people_cannot_be_added_by_hand_to_a_smart_list(client, users, login_as):
    outsider = person("Aguilar")
    smart = a_list(users["officer"], "Consulates", filters={"kind": "consulate"})
    login_as("officer")

    assert add(client, smart, outsider).status_code == 403
    assert people_count(page(client.get(f"/lists/{smart.id}"))) == "0 people"


# --- Removing people -----------------------------------------------------------------------


def test_the_owner_removes_the_ticked_people_and_the_rest_stay(client, users, login_as):
    ana, ben, cruz = person("Aguilar"), person("Barrios", "Ben"), person("Cruz", "Carla")
    roster = a_list(users["officer"], "Roster", members=[ana, ben, cruz])
    login_as("officer")
    html = page(client.get(f"/lists/{roster.id}"))
    assert f'action="/lists/{roster.id}/members/remove"' in html
    assert "Remove the selected people" in html

    response = client.post(
        f"/lists/{roster.id}/members/remove", data={"contact_ids": [ana.id, cruz.id]}
    )

    assert flash_after(client, response) == ["2 people removed."]
    html = page(client.get(f"/lists/{roster.id}"))
    assert shown_members(html) == ["Barrios, Ben"]
    assert people_count(html) == "1 person"
    assert member_ids(roster) == {ben.id}


# --- Smart lists ---------------------------------------------------------------------------


def test_save_as_smart_list_carries_the_contact_filters_to_the_new_list(client, users, login_as):
    login_as("officer")

    link = smart_list_link(page(client.get("/contacts/?kind=consulate&subdivision=US-CA&page=1")))

    target = urlsplit(link)
    assert target.path == "/lists/new"
    assert parse_qs(target.query) == {"kind": ["consulate"], "subdivision": ["US-CA"]}
    form = page(client.get(link))
    assert "New smart list" in form
    assert "<code>kind</code>: consulate" in form and "<code>subdivision</code>: US-CA" in form
    assert parse_qs(hidden_value(form, "smart_query")) == parse_qs(target.query)


def test_a_smart_list_holds_exactly_the_visible_people_at_consulates_in_the_state(
    client, users, login_as
):
    la, sf = (
        consulate(name="Consulado en Los Ángeles"),
        consulate(name="Consulado en San Francisco"),
    )
    make_affiliation(person("Aguilar"), la)
    make_affiliation(person("Barrios", "Ben"), sf)
    make_affiliation(person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL), la)
    make_affiliation(person("Vetado"), consulate(sensitivity=Sensitivity.CONFIDENTIAL))
    make_affiliation(person("Phoenix"), consulate("US-AZ"))
    make_affiliation(person("Agencia"), make_organization(kind="agency", subdivision="US-CA"))
    make_affiliation(person("Antes"), la, end=date.today() - timedelta(days=1))
    login_as("officer")
    form = page(
        client.get(smart_list_link(page(client.get("/contacts/?kind=consulate&subdivision=US-CA"))))
    )

    response = new_list(
        client, "California consulates", smart_query=hidden_value(form, "smart_query")
    )

    smart = db.session.scalars(select(ContactList)).one()
    assert redirect_target(response) == f"/lists/{smart.id}"
    assert smart.is_smart and smart.filters == {"kind": "consulate", "subdivision": "US-CA"}
    html = page(client.get(f"/lists/{smart.id}"))
    assert "Smart list" in html
    assert shown_members(html) == ["Aguilar, Ana", "Barrios, Ben"]
    assert people_count(html) == "2 people"


def test_a_smart_list_follows_who_holds_a_post_now(client, users, login_as):
    la = consulate()
    leaving = make_affiliation(person("Aguilar"), la)
    smart = a_list(
        users["officer"], "CA consulates", filters={"kind": "consulate", "subdivision": "US-CA"}
    )
    login_as("officer")
    assert shown_members(page(client.get(f"/lists/{smart.id}"))) == ["Aguilar, Ana"]

    make_affiliation(person("Barrios", "Ben"), la, start=date.today())
    leaving.end_date = date.today() - timedelta(days=1)

    html = page(client.get(f"/lists/{smart.id}"))
    assert shown_members(html) == ["Barrios, Ben"]
    assert exported_names(client.get(f"/exports/lists/{smart.id}?format=csv")) == ["Barrios, Ben"]


@pytest.mark.parametrize(
    "filters",
    [{}, {"kind": "", "tag": None}, {"q": "  "}],
    ids=["no-filter", "empty-filters", "blank-search"],
)
def test_a_smart_list_without_a_filter_is_refused(app, users, filters):
    """A blank search is no filter: saved, it would be a smart list of everyone."""
    with pytest.raises(ValidationError) as caught:
        create_list(ListInput("Everyone", is_smart=True, filters=filters), users["officer"])
    db.session.rollback()
    assert "at least one filter" in caught.value.errors["name"]
    assert count(ContactList) == 0


def test_saving_a_blank_search_as_a_smart_list_shows_why_it_is_refused(client, users, login_as):
    login_as("officer")
    form = smart_list_form(client, "/contacts/?q=++")

    response = new_list(client, "Everyone", smart_query=hidden_value(form, "smart_query"))

    assert_error_beside(page(response), "name", "A smart list needs at least one filter")
    assert count(ContactList) == 0


# --- Visibility ----------------------------------------------------------------------------


def test_a_member_above_the_owners_clearance_is_not_shown_counted_or_exported(
    client, users, login_as
):
    secret = person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL)
    roster = a_list(users["officer"], "Roster", members=[person("Aguilar"), secret])
    login_as("officer")

    html = page(client.get(f"/lists/{roster.id}"))

    assert shown_members(html) == ["Aguilar, Ana"]
    assert people_count(html) == "1 person"
    assert "Secreto" not in html
    assert exported_names(client.get(f"/exports/lists/{roster.id}?format=csv")) == ["Aguilar, Ana"]


def test_a_shared_reader_sees_only_the_members_within_their_clearance(client, users, login_as):
    members = [person("Aguilar"), person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL)]
    roster = a_list(users["admin"], "Vetted roster", members=members, shared_with=[users["viewer"]])

    login_as("admin")
    html = page(client.get(f"/lists/{roster.id}"))
    assert shown_members(html) == ["Aguilar, Ana", "Secreto, Ana"]
    assert people_count(html) == "2 people"
    export = client.get(f"/exports/lists/{roster.id}?format=csv")
    assert exported_names(export) == ["Aguilar, Ana", "Secreto, Ana"]

    login_as("viewer")
    html = page(client.get(f"/lists/{roster.id}"))
    assert shown_members(html) == ["Aguilar, Ana"]
    assert people_count(html) == "1 person"
    assert "Secreto" not in html
    export = client.get(f"/exports/lists/{roster.id}?format=csv")
    assert exported_names(export) == ["Aguilar, Ana"]


def test_a_smart_list_shows_each_reader_only_what_they_may_see(client, users, login_as):
    make_affiliation(person("Aguilar"), consulate())
    make_affiliation(person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL), consulate())
    make_affiliation(person("Vetado"), consulate(sensitivity=Sensitivity.CONFIDENTIAL))
    smart = a_list(
        users["admin"], "Consulates", filters={"kind": "consulate"}, shared_with=[users["officer"]]
    )

    login_as("admin")
    html = page(client.get(f"/lists/{smart.id}"))
    assert shown_members(html) == ["Aguilar, Ana", "Secreto, Ana", "Vetado, Ana"]
    assert people_count(html) == "3 people"

    login_as("officer")
    html = page(client.get(f"/lists/{smart.id}"))
    assert shown_members(html) == ["Aguilar, Ana"]
    assert people_count(html) == "1 person"
    export = client.get(f"/exports/lists/{smart.id}?format=csv")
    assert exported_names(export) == ["Aguilar, Ana"]


# --- Sharing -------------------------------------------------------------------------------


def test_a_list_shared_with_me_is_in_my_index_marked_as_shared(client, users, login_as):
    login_as("officer")
    new_list(client, "Consular reception", shared_with_ids=[users["viewer"].id])
    assert "shared with you" not in page(client.get("/lists/"))

    login_as("viewer")
    html = page(client.get("/lists/"))

    assert "Consular reception" in html
    assert "(shared with you)" in html


def test_a_shared_reader_can_open_and_export_the_list_but_not_change_it(client, users, login_as):
    ana = person("Aguilar")
    roster = a_list(users["officer"], "Roster", members=[ana], shared_with=[users["viewer"]])
    login_as("viewer")

    html = page(client.get(f"/lists/{roster.id}"))
    assert shown_members(html) == ["Aguilar, Ana"]
    assert f'href="/lists/{roster.id}/edit"' not in html and ">Edit<" not in html
    assert 'name="contact_ids"' not in html and "Remove the selected people" not in html
    assert "Move to trash" not in html
    export = client.get(f"/exports/lists/{roster.id}?format=csv")
    assert exported_names(export) == ["Aguilar, Ana"]

    assert client.get(f"/lists/{roster.id}/edit").status_code == 403
    assert client.post(f"/lists/{roster.id}/edit", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/lists/{roster.id}/delete").status_code == 403
    removal = client.post(f"/lists/{roster.id}/members/remove", data={"contact_ids": [ana.id]})
    assert removal.status_code == 403
    kept = db.session.get(ContactList, roster.id)
    assert kept.name == "Roster" and kept.deleted_at is None
    assert member_ids(roster) == {ana.id}


def test_an_officer_a_list_is_shared_with_cannot_change_it_either(client, users, login_as):
    ana = person("Aguilar")
    roster = a_list(users["admin"], "Roster", members=[ana], shared_with=[users["officer"]])
    login_as("officer")

    html = page(client.get(f"/lists/{roster.id}"))
    assert ">Edit<" not in html and "Move to trash" not in html
    assert client.post(f"/lists/{roster.id}/edit", data={"name": "Mine"}).status_code == 403
    assert client.post(f"/lists/{roster.id}/delete").status_code == 403
    removal = client.post(f"/lists/{roster.id}/members/remove", data={"contact_ids": [ana.id]})
    assert removal.status_code == 403
    kept = db.session.get(ContactList, roster.id)
    assert kept.name == "Roster" and kept.deleted_at is None
    assert member_ids(roster) == {ana.id}


def test_a_list_not_shared_with_me_is_not_found_like_a_missing_one(client, users, login_as):
    roster = a_list(users["officer"], "Officer roster", members=[person("Aguilar")])
    login_as("admin")  # a higher clearance opens nobody's list

    assert "Officer roster" not in page(client.get("/lists/"))
    for list_id in (roster.id, 999_999):
        assert client.get(f"/lists/{list_id}").status_code == 404
        assert client.get(f"/exports/lists/{list_id}?format=csv").status_code == 404
    assert count(AuditEvent, AuditEvent.action == "export") == 0


def test_sharing_with_an_inactive_user_is_refused_beside_the_field(client, users, login_as):
    gone = make_user(full_name="Former Intern", active=False)
    db.session.commit()
    login_as("officer")
    assert "Former Intern" not in page(client.get("/lists/new"))

    response = new_list(client, "Consular reception", shared_with_ids=[gone.id])

    assert field_error(page(response), "shared_with_ids") == "Choose active staff members."
    assert count(ContactList) == 0


# --- Editing and deleting ------------------------------------------------------------------


def test_editing_a_smart_list_keeps_it_smart_with_the_same_filters(client, users, login_as):
    make_affiliation(person("Aguilar"), consulate())
    make_affiliation(person("Barrios", "Ben"), make_organization(kind="ngo"))
    filters = {"kind": "consulate", "subdivision": "US-CA"}
    smart = a_list(users["officer"], "CA consulates", filters=filters)
    login_as("officer")
    form = page(client.get(f"/lists/{smart.id}/edit"))
    assert "<code>kind</code>: consulate" in form

    response = client.post(
        f"/lists/{smart.id}/edit",
        data={
            "name": "California consulates",
            "description": "For the Mexican Independence reception",
            "shared_with_ids": [users["viewer"].id],
            "smart_query": "kind=ngo",
        },
    )

    assert redirect_target(response) == f"/lists/{smart.id}"
    saved = db.session.get(ContactList, smart.id)
    assert saved.name == "California consulates" and saved.is_smart
    assert saved.filters == filters
    assert [u.id for u in saved.shared_with] == [users["viewer"].id]
    assert shown_members(page(client.get(f"/lists/{smart.id}"))) == ["Aguilar, Ana"]


def test_editing_a_list_keeps_its_members(client, users, login_as):
    ana = person("Aguilar")
    roster = a_list(users["officer"], "Roster", members=[ana])
    login_as("officer")

    client.post(f"/lists/{roster.id}/edit", data={"name": "Reception roster"})

    html = page(client.get(f"/lists/{roster.id}"))
    assert "Reception roster" in html and shown_members(html) == ["Aguilar, Ana"]
    assert not db.session.get(ContactList, roster.id).is_smart


def test_deleting_a_list_moves_it_to_the_trash(client, users, login_as):
    roster = a_list(users["officer"], "Roster", members=[person("Aguilar")])
    login_as("officer")

    response = client.post(f"/lists/{roster.id}/delete")

    assert redirect_target(response) == "/lists/"
    html = page(client.get("/lists/"))
    assert "“Roster” moved to the trash." in flashes(html)
    assert f'href="/lists/{roster.id}"' not in html
    assert client.get(f"/lists/{roster.id}").status_code == 404
    assert client.get(f"/exports/lists/{roster.id}?format=csv").status_code == 404
    assert db.session.get(ContactList, roster.id).deleted_at is not None


# --- Export audit --------------------------------------------------------------------------


def test_exporting_a_list_is_recorded_in_the_audit_log_naming_the_list(client, users, login_as):
    hidden = person("Secreto", sensitivity=Sensitivity.CONFIDENTIAL)
    roster = a_list(users["officer"], "Consular reception", members=[person("Aguilar"), hidden])
    login_as("officer")

    response = client.get(f"/exports/lists/{roster.id}?format=csv")

    assert response.status_code == 200
    assert "consular-reception" in response.headers["Content-Disposition"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.actor_id == users["officer"].id
    assert event.record_id == roster.id
    assert "Consular reception" in event.record_label
    assert event.changes == {"format": [None, "csv"], "rows": [None, 1]}


# --- Adding from the list's own page -----------------------------------------------------------


def test_the_owner_finds_people_on_the_list_page_and_adds_them_there(client, users, login_as):
    ana = person("Aguilar")
    person("Aguirre", sensitivity=Sensitivity.CONFIDENTIAL)  # above the officer: never offered
    roster = a_list(users["officer"], "Roster")
    login_as("officer")

    html = page(client.get(f"/lists/{roster.id}?q=agui"))

    offered = re.findall(r'name="contact_ids" value="(\d+)"', html)
    assert offered == [str(ana.id)]
    assert "Aguirre" not in html
    response = client.post(
        "/lists/members",
        data={"list_id": roster.id, "contact_ids": offered, "next": f"/lists/{roster.id}"},
    )
    assert redirect_target(response) == f"/lists/{roster.id}"
    assert "Aguilar, Ana" in page(client.get(f"/lists/{roster.id}"))
