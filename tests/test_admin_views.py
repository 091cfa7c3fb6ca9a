"""Administration: who may reach it, staff accounts, tiers, work areas and the trash."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Contact, Organization, RelationshipTier, Sensitivity, User, WorkArea
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    count,
    flashes,
    linked_names,
    page,
    redirect_target,
    row,
)

NEW_PASSWORD = "a long enough passphrase"


def user_form(**changes: Any) -> dict[str, Any]:
    """What the account form sends; ``active=None`` leaves the box unticked (not sent)."""
    data: dict[str, Any] = {
        "full_name": "Ana Reyes",
        "email": "ana.reyes@office.example",
        "role": "officer",
        "clearance": "official",
        "language": "es",
        "timezone": "America/Tijuana",
        "active": "y",
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def tier_form(**changes: Any) -> dict[str, Any]:
    data = {"name": "Tier 4 — Watch list", "rank": "4", "cadence_days": "365", "description": ""}
    data.update(changes)
    return data


def tier(rank: int) -> RelationshipTier:
    return db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == rank)).one()


def work_area(name: str) -> WorkArea:
    return db.session.scalars(select(WorkArea).where(WorkArea.name == name)).one()


def table_rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S)
    return re.findall(r"<tr.*?</tr>", body.group(1), flags=re.S) if body else []


def row_for(html: str, text: str) -> str:
    found = [r for r in table_rows(html) if text in r]
    assert len(found) == 1, f"expected one row with {text!r}, found {len(found)}"
    return found[0]


def can_sign_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


# Who may reach administration -----------------------------------------------------------------

ADMIN_PAGES = [
    ("get", "/admin/"),
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("get", "/admin/users/{user}/edit"),
    ("post", "/admin/users/{user}/edit"),
    ("get", "/admin/tiers"),
    ("get", "/admin/tiers/new"),
    ("post", "/admin/tiers/new"),
    ("get", "/admin/tiers/{tier}/edit"),
    ("post", "/admin/tiers/{tier}/edit"),
    ("post", "/admin/tiers/{tier}/delete"),
    ("get", "/admin/work-areas"),
    ("get", "/admin/work-areas/new"),
    ("post", "/admin/work-areas/new"),
    ("get", "/admin/work-areas/{area}/edit"),
    ("post", "/admin/work-areas/{area}/edit"),
    ("get", "/admin/trash"),
    ("post", "/admin/trash/organization/{org}/restore"),
    ("post", "/admin/trash/contact/{contact}/restore"),
]


@pytest.fixture
def admin_ids(users) -> dict[str, int]:
    """Ids for every admin URL: a tier, a work area, an account, and two records in the trash."""
    organization = factories.make_organization(name="Deleted Agency")
    contact = factories.make_contact(given_names="Deleted", family_name="Person")
    for record in (organization, contact):
        record.deleted_at = datetime.now(UTC)
        record.deleted_by_id = users["admin"].id
    db.session.commit()
    return {
        "user": users["officer"].id,
        "tier": tier(3).id,
        "area": work_area("Human trafficking").id,
        "org": organization.id,
        "contact": contact.id,
    }


def admin_state() -> dict[str, Any]:
    return {
        "users": sorted(
            (u.email, u.role, int(u.clearance), u.active) for u in db.session.scalars(select(User))
        ),
        "tiers": sorted(
            (t.name, t.rank, t.cadence_days) for t in db.session.scalars(select(RelationshipTier))
        ),
        "areas": sorted(w.name for w in db.session.scalars(select(WorkArea))),
        "trash": count(Organization, Organization.deleted_at.is_not(None))
        + count(Contact, Contact.deleted_at.is_not(None)),
    }


@pytest.mark.parametrize("role", ["officer", "viewer"])
@pytest.mark.parametrize(("method", "url"), ADMIN_PAGES)
def test_only_admins_reach_administration(client, login_as, admin_ids, role, method, url):
    login_as(role)
    before = admin_state()
    data = {**user_form(role="admin"), **tier_form(), "name": "Taken over"}

    response = getattr(client, method)(url.format(**admin_ids), data=data)

    assert response.status_code == 403
    assert "Not allowed" in page(response)
    assert admin_state() == before


@pytest.mark.parametrize(
    "url",
    [url for method, url in ADMIN_PAGES if method == "get" and url != "/admin/"],
)
def test_an_admin_reaches_every_administration_page(client, login_as, admin_ids, url):
    login_as("admin")

    assert client.get(url.format(**admin_ids)).status_code == 200


def test_only_admins_see_the_administration_link(client, login_as):
    login_as("officer")
    assert 'href="/admin/users"' not in page(client.get("/"))
    login_as("admin")
    assert 'href="/admin/users"' in page(client.get("/"))
    assert redirect_target(client.get("/admin/")) == "/admin/users"


# Staff accounts -------------------------------------------------------------------------------


def test_an_admin_creates_an_account_that_can_sign_in(app, client, login_as):
    login_as("admin")

    response = client.post("/admin/users/new", data=user_form())

    assert redirect_target(response) == "/admin/users"
    listing = page(client.get("/admin/users"))
    assert "Account created for Ana Reyes." in flashes(listing)
    line = row_for(listing, "Ana Reyes")
    assert "ana.reyes@office.example" in line and "Officer" in line and "Active" in line
    created = db.session.scalars(select(User).where(User.email == "ana.reyes@office.example")).one()
    assert (created.language, created.timezone) == ("es", "America/Tijuana")
    assert can_sign_in(app, "ana.reyes@office.example", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"email": "Officer@Office.Example"},
            "email",
            "Another account already uses this e-mail address.",
        ),
        ({"email": "not an address"}, "email", "Enter a valid e-mail address."),
        ({"password": "short"}, "password", "Use at least 10 characters."),
        ({"timezone": "Mars/Base"}, "timezone", "Choose a time zone from the list."),
        ({"role": "superuser"}, "role", "Choose a role."),
    ],
    ids=["duplicate-email", "bad-email", "short-password", "bad-time-zone", "bad-role"],
)
def test_a_bad_account_shows_the_error_beside_the_field(
    client, login_as, users, changes, field, message
):
    login_as("admin")

    response = client.post("/admin/users/new", data=user_form(**changes))

    assert response.status_code == 200
    assert_error_beside(page(response), field, message)
    assert count(User) == 3


def test_an_admin_changes_role_and_clearance(client, login_as, users):
    login_as("admin")
    officer = users["officer"]
    form = page(client.get(f"/admin/users/{officer.id}/edit"))
    assert 'value="officer@office.example"' in form

    response = client.post(
        f"/admin/users/{officer.id}/edit",
        data=user_form(
            full_name=officer.full_name,
            email=officer.email,
            role="viewer",
            clearance="confidential",
            password="",
        ),
    )

    assert redirect_target(response) == "/admin/users"
    line = row_for(page(client.get("/admin/users")), officer.email)
    assert "Viewer" in line and "Confidential" in line
    saved = row(User, officer.id)
    assert saved["password_hash"] == factories.password_hash()

    login_as(officer)
    assert client.get("/organizations/new").status_code == 403


def test_a_deactivated_account_is_shown_so_and_cannot_sign_in(app, client, login_as, users):
    login_as("admin")
    officer = users["officer"]

    response = client.post(
        f"/admin/users/{officer.id}/edit",
        data=user_form(full_name=officer.full_name, email=officer.email, active=None, password=""),
    )

    assert redirect_target(response) == "/admin/users"
    assert "Deactivated" in row_for(page(client.get("/admin/users")), officer.email)
    assert not can_sign_in(app, officer.email, factories.PASSWORD)


@pytest.mark.parametrize(
    "changes", [{"role": "officer"}, {"active": None}], ids=["demoted", "deactivated"]
)
def test_the_last_admin_cannot_be_demoted_or_deactivated(client, login_as, users, changes):
    admin = login_as("admin")
    before = row(User, admin.id)

    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data=user_form(
            **{
                "full_name": admin.full_name,
                "email": admin.email,
                "role": "admin",
                "clearance": "law_enforcement_sensitive",
                "password": "",
                **changes,
            }
        ),
    )

    assert response.status_code == 200
    assert_error_beside(
        page(response),
        "role",
        "This is the last active administrator; keep it an active admin.",
    )
    assert row(User, admin.id) == before


def test_an_admin_can_be_demoted_while_another_remains(client, login_as, users):
    factories.make_user(role="admin", email="second.admin@office.example")
    admin = login_as("admin")

    response = client.post(
        f"/admin/users/{admin.id}/edit",
        data=user_form(full_name=admin.full_name, email=admin.email, role="officer", password=""),
    )

    assert redirect_target(response) == "/admin/users"
    assert row(User, admin.id)["role"] == "officer"


def test_an_unknown_account_is_not_found(client, login_as, users):
    login_as("admin")

    assert client.get(f"/admin/users/{users['viewer'].id + 999}/edit").status_code == 404


# Relationship tiers ---------------------------------------------------------------------------


def test_the_tiers_page_lists_the_three_defaults_with_their_cadence(client, login_as):
    login_as("admin")

    html = page(client.get("/admin/tiers"))

    rows = table_rows(html)
    assert len(rows) == 3
    for line, (name, cadence) in zip(
        rows,
        [("Tier 1 — Strategic", 30), ("Tier 2 — Operational", 90), ("Tier 3 — Informational", 180)],
        strict=True,
    ):
        assert name in line
        assert f"<td>{cadence}</td>" in line


def test_an_admin_changes_a_tiers_cadence(client, login_as):
    login_as("admin")
    operational = tier(2)
    assert 'value="90"' in page(client.get(f"/admin/tiers/{operational.id}/edit"))

    response = client.post(
        f"/admin/tiers/{operational.id}/edit",
        data=tier_form(name="Tier 2 — Operational", rank="2", cadence_days="60"),
    )

    assert redirect_target(response) == "/admin/tiers"
    html = page(client.get("/admin/tiers"))
    assert "Tier saved." in flashes(html)
    assert "<td>60</td>" in row_for(html, "Tier 2 — Operational")


def test_an_admin_creates_a_tier(client, login_as):
    login_as("admin")

    response = client.post("/admin/tiers/new", data=tier_form())

    assert redirect_target(response) == "/admin/tiers"
    assert "<td>365</td>" in row_for(page(client.get("/admin/tiers")), "Tier 4 — Watch list")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"rank": "1"}, "rank", "Another tier already has this rank."),
        ({"name": "Tier 1 — Strategic"}, "name", "Another tier already has this name."),
        ({"cadence_days": "0"}, "cadence_days", "between 1 and 3650"),
        ({"cadence_days": "often"}, "cadence_days", "Not a valid integer value."),
    ],
    ids=["rank-taken", "name-taken", "cadence-zero", "cadence-not-a-number"],
)
def test_a_bad_tier_shows_the_error_and_saves_nothing(client, login_as, changes, field, message):
    login_as("admin")

    response = client.post("/admin/tiers/new", data=tier_form(**changes))

    assert response.status_code == 200
    assert_error_beside(page(response), field, message)
    assert count(RelationshipTier) == 3


def test_a_tier_in_use_cannot_be_deleted(client, login_as):
    factories.make_organization(name="California Highway Patrol", tier=tier(1))
    db.session.commit()
    login_as("admin")

    response = client.post(f"/admin/tiers/{tier(1).id}/delete")

    assert redirect_target(response) == "/admin/tiers"
    html = page(client.get("/admin/tiers"))
    assert "Records still use this tier; move them to another tier first." in flashes(html)
    assert "Tier 1 — Strategic" in html
    assert count(RelationshipTier) == 3


def test_an_unused_tier_is_deleted(client, login_as):
    login_as("admin")

    response = client.post(f"/admin/tiers/{tier(3).id}/delete")

    assert redirect_target(response) == "/admin/tiers"
    html = page(client.get("/admin/tiers"))
    assert "Tier deleted." in flashes(html)
    assert "Tier 3 — Informational" not in html
    assert len(table_rows(html)) == 2


def test_an_unknown_tier_is_not_found(client, login_as):
    login_as("admin")
    missing = tier(3).id + 999

    assert client.get(f"/admin/tiers/{missing}/edit").status_code == 404
    assert client.post(f"/admin/tiers/{missing}/delete").status_code == 404


# Work areas -----------------------------------------------------------------------------------


def test_an_admin_creates_and_renames_a_work_area(client, login_as):
    login_as("admin")

    response = client.post(
        "/admin/work-areas/new",
        data={"name": "Cybercrime", "name_es": "Ciberdelincuencia", "description": ""},
    )

    assert redirect_target(response) == "/admin/work-areas"
    html = page(client.get("/admin/work-areas"))
    assert "Work area saved." in flashes(html)
    assert "Ciberdelincuencia" in row_for(html, "Cybercrime")
    assert len(table_rows(html)) == 11

    area = work_area("Cybercrime")
    response = client.post(
        f"/admin/work-areas/{area.id}/edit",
        data={"name": "Cyber-enabled crime", "name_es": "Ciberdelitos", "description": "x"},
    )

    assert redirect_target(response) == "/admin/work-areas"
    html = page(client.get("/admin/work-areas"))
    assert "Ciberdelitos" in row_for(html, "Cyber-enabled crime")
    assert "Cybercrime" not in html


def test_a_work_area_name_cannot_be_taken_twice(client, login_as):
    login_as("admin")

    response = client.post(
        "/admin/work-areas/new",
        data={"name": "Human trafficking", "name_es": "", "description": ""},
    )

    assert_error_beside(page(response), "name", "Another work area already has this name.")
    assert count(WorkArea) == 10


# The trash ------------------------------------------------------------------------------------


@pytest.fixture
def deleted_by_officer(client, login_as, users) -> dict[str, Any]:
    """An organization and a contact an officer moved to the trash through the pages."""
    organization = factories.make_organization(name="California Highway Patrol")
    contact = factories.make_contact(given_names="Mary", family_name="Smith")
    db.session.commit()
    login_as("officer")
    assert client.post(f"/organizations/{organization.id}/delete").status_code == 302
    assert client.post(f"/contacts/{contact.id}/delete").status_code == 302
    return {"organization": organization, "contact": contact}


def test_the_trash_shows_what_was_deleted_and_by_whom(client, login_as, users, deleted_by_officer):
    login_as("admin")

    html = page(client.get("/admin/trash"))

    officer_name = users["officer"].full_name
    organization = row_for(html, "California Highway Patrol")
    assert "Organization" in organization and officer_name in organization
    contact = row_for(html, "Mary Smith")
    assert "Contact" in contact and officer_name in contact


def test_restoring_brings_records_back_to_the_lists(client, login_as, deleted_by_officer):
    login_as("admin")
    organization = deleted_by_officer["organization"]
    contact = deleted_by_officer["contact"]

    response = client.post(f"/admin/trash/organization/{organization.id}/restore")
    assert redirect_target(response) == "/admin/trash"
    response = client.post(f"/admin/trash/contact/{contact.id}/restore")
    assert redirect_target(response) == "/admin/trash"

    html = page(client.get("/admin/trash"))
    assert "“Mary Smith” restored." in flashes(html)
    assert "The trash is empty." in html
    login_as("officer")
    assert "California Highway Patrol" in linked_names(
        page(client.get("/organizations/")), "/organizations"
    )
    assert "Smith, Mary" in linked_names(page(client.get("/contacts/")), "/contacts")
    assert client.get(f"/organizations/{organization.id}").status_code == 200
    assert client.get(f"/contacts/{contact.id}").status_code == 200


def test_a_record_whose_name_was_reused_is_not_restored(client, login_as, deleted_by_officer):
    factories.make_organization(name="California Highway Patrol")
    db.session.commit()
    login_as("admin")
    organization = deleted_by_officer["organization"]

    client.post(f"/admin/trash/organization/{organization.id}/restore")

    html = page(client.get("/admin/trash"))
    assert "A live organization already has this name; rename it first." in flashes(html)
    assert row(Organization, organization.id)["deleted_at"] is not None


def test_restoring_a_live_record_or_an_unknown_kind_is_not_found(client, login_as):
    live = factories.make_organization(name="California Highway Patrol")
    db.session.commit()
    login_as("admin")

    assert client.post(f"/admin/trash/organization/{live.id}/restore").status_code == 404
    assert client.post(f"/admin/trash/user/{live.id}/restore").status_code == 404


def test_the_trash_never_shows_records_above_the_admins_clearance(client, login_as, users):
    secret = factories.make_organization(
        name="Joint Task Force Tijuana", sensitivity=Sensitivity.CONFIDENTIAL
    )
    informant = factories.make_contact(
        given_names="Ramón",
        family_name="Informante",
        sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    )
    plain = factories.make_organization(name="California Highway Patrol")
    db.session.commit()
    login_as("admin")
    for url in (
        f"/organizations/{secret.id}/delete",
        f"/contacts/{informant.id}/delete",
        f"/organizations/{plain.id}/delete",
    ):
        assert client.post(url).status_code == 302
    assert "Joint Task Force Tijuana" in page(client.get("/admin/trash"))

    login_as(factories.make_user(role="admin", clearance=Sensitivity.OFFICIAL))
    html = page(client.get("/admin/trash"))

    assert "California Highway Patrol" in html
    assert "Joint Task Force Tijuana" not in html
    assert "Informante" not in html
    assert len(table_rows(html)) == 1
    assert client.post(f"/admin/trash/organization/{secret.id}/restore").status_code == 404
    assert client.post(f"/admin/trash/contact/{informant.id}/restore").status_code == 404
    assert row(Organization, secret.id)["deleted_at"] is not None
    assert row(Contact, informant.id)["deleted_at"] is not None


def test_refusing_to_delete_a_tier_reveals_nothing_about_hidden_records(client, users, login_as):
    official_admin = factories.make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    factories.make_organization(
        name="Vetted Unit", tier=tier(1), sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE
    )
    db.session.commit()
    login_as(official_admin)

    client.post(f"/admin/tiers/{tier(1).id}/delete")

    messages = flashes(page(client.get("/admin/tiers")))
    assert messages == ["Records still use this tier; move them to another tier first."]
    assert not any(char.isdigit() for message in messages for char in message)
    assert count(RelationshipTier) == 3
