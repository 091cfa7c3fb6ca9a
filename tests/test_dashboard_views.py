"""The home page: counts of what the user may see, and the relationships the user holds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from crm.extensions import db
from crm.models import Sensitivity
from tests import factories
from tests.view_helpers import page


def home_counts(client) -> tuple[int, int]:
    """The organization and contact figures on the home page."""
    html = page(client.get("/"))
    organizations = re.search(r'<h2><a href="/organizations/">(\d+)</a></h2>', html)
    contacts = re.search(r'<h2><a href="/contacts/">(\d+)</a></h2>', html)
    assert organizations and contacts, "the home page shows both figures"
    return int(organizations.group(1)), int(contacts.group(1))


def held(client, heading: str) -> list[str]:
    """The names listed under one of the "… I hold" headings."""
    html = page(client.get("/"))
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(.*?)</section>", html, flags=re.S)
    assert match, f"no section {heading!r}"
    return re.findall(r"<li><a [^>]*>([^<]*)</a></li>", match.group(1))


def test_the_home_page_counts_only_what_the_user_may_see(client, login_as, users):
    factories.make_organization(name="California Highway Patrol")
    factories.make_organization(name="Consulado General de México en San Diego")
    factories.make_contact(given_names="Mary", family_name="Smith")
    gone = factories.make_organization(name="Deleted Agency")
    gone.deleted_at, gone.deleted_by_id = datetime.now(UTC), users["officer"].id
    db.session.commit()
    login_as("officer")
    assert home_counts(client) == (2, 1)

    factories.make_organization(name="Joint Task Force", sensitivity=Sensitivity.CONFIDENTIAL)
    factories.make_contact(
        given_names="Ramón",
        family_name="Informante",
        sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    )
    db.session.commit()

    assert home_counts(client) == (2, 1)
    login_as("admin")
    assert home_counts(client) == (3, 2)


def test_organizations_i_hold_lists_my_own_organizations_only(client, login_as, users):
    officer = users["officer"]
    factories.make_organization(name="California Highway Patrol", acronym="CHP", owner=officer)
    factories.make_organization(name="Border Patrol San Diego Sector", owner=officer)
    factories.make_organization(name="Someone Else's Agency", owner=users["admin"])
    factories.make_organization(
        name="Joint Task Force", owner=officer, sensitivity=Sensitivity.CONFIDENTIAL
    )
    factories.make_contact(given_names="Mary", family_name="Smith", owner=officer)
    db.session.commit()
    login_as("officer")

    assert held(client, "Organizations I hold") == [
        "Border Patrol San Diego Sector",
        "California Highway Patrol (CHP)",
    ]
    assert held(client, "Contacts I hold") == ["Mary Smith"]


def test_a_user_who_holds_nothing_is_told_so(client, login_as, users):
    factories.make_organization(name="California Highway Patrol", owner=users["officer"])
    db.session.commit()
    login_as("viewer")

    html = page(client.get("/"))

    assert held(client, "Organizations I hold") == []
    assert "You hold no organization relationships yet." in html
    assert "You hold no contact relationships yet." in html
