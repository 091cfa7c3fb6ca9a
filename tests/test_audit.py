"""The audit trail: one event per change, with who, what and each field before and after;
read back through the gated histories and the admins' log, and never editable."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from crm.extensions import db
from crm.models import AuditEvent, Sensitivity
from crm.services.contacts import (
    AffiliationInput,
    ContactInput,
    EmailInput,
    PhoneInput,
    add_affiliation,
    create_contact,
    get_affiliation,
    remove_affiliation,
    update_affiliation,
    update_contact,
)
from crm.services.errors import ValidationError
from crm.services.history import AuditFilters, audit_log, contact_history, organization_history
from crm.services.organizations import (
    OrganizationInput,
    all_tiers,
    create_organization,
    delete_organization,
    restore_organization,
    update_organization,
)
from tests import factories
from tests.view_helpers import count, page


def events(*where: Any) -> list[AuditEvent]:
    """Every stored event (matching ``where``), oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(*where).order_by(AuditEvent.id)))


def org_input(**changes: Any) -> OrganizationInput:
    values: dict[str, Any] = {
        "kind": "agency",
        "name": "Border Health Agency",
        "country": "US",
        "subdivision": "US-CA",
        "government_level": "state",
        "phone": "+1 619 555 0100",
        "tags": "health, border",
    }
    values.update(changes)
    return OrganizationInput(**values)


def main_content(html: str) -> str:
    match = re.search(r"<main\b.*?</main>", html, flags=re.S)
    assert match, "no <main> on the page"
    return match.group(0)


def audit_rows(html: str) -> list[str]:
    """The rows of the event table, as plain text with single spaces."""
    table = re.search(r'<table class="audit">.*?</table>', html, flags=re.S)
    if table is None:
        return []
    rows = re.findall(r"<tbody>.*?</tbody>", table.group(0), flags=re.S)[0]
    found = []
    for tr in re.findall(r"<tr>(.*?)</tr>", rows, flags=re.S):
        text = unescape(re.sub(r"<[^>]+>", " ", tr))
        found.append(" ".join(text.split()))
    return found


# 1. Organizations ------------------------------------------------------------------------------


def test_organization_lifecycle_writes_one_event_per_change(app, users):
    officer, admin = users["officer"], users["admin"]

    organization = create_organization(org_input(), officer)
    db.session.commit()
    (created,) = events()
    assert (created.action, created.record_type, created.record_id) == (
        "create",
        "organization",
        organization.id,
    )
    assert created.actor_id == officer.id
    assert created.changes["name"] == [None, "Border Health Agency"]
    assert created.changes["tags"] == [None, ["border", "health"]]

    delete_organization(organization, officer)
    db.session.commit()
    restore_organization(organization.id, admin)
    db.session.commit()

    recorded = events()
    assert [(e.action, e.actor_id, e.record_type, e.record_id) for e in recorded] == [
        ("create", officer.id, "organization", organization.id),
        ("delete", officer.id, "organization", organization.id),
        ("restore", admin.id, "organization", organization.id),
    ]


def test_an_organization_edit_is_one_event_with_exactly_the_changed_fields(app, users):
    officer = users["officer"]
    organization = create_organization(org_input(), officer)
    db.session.commit()
    old_phone = organization.phone
    tier = all_tiers()[0]

    update_organization(
        organization,
        org_input(
            name="Border Public Health Agency",
            phone="+1 619 555 0199",
            tags="health, binational",
            tier_id=tier.id,
            owner_id=officer.id,
        ),
        officer,
    )
    db.session.commit()

    created, edited = events()
    assert created.action == "create"
    assert (edited.action, edited.actor_id, edited.record_id) == (
        "update",
        officer.id,
        organization.id,
    )
    assert edited.changes == {
        "name": ["Border Health Agency", "Border Public Health Agency"],
        "phone": [old_phone, organization.phone],
        "tags": [["border", "health"], ["binational", "health"]],
        "tier": [None, tier.name],
        "owner": [None, officer.full_name],
    }
    assert old_phone != organization.phone


def test_saving_an_organization_unchanged_records_nothing(app, users):
    organization = create_organization(org_input(), users["officer"])
    db.session.commit()

    update_organization(organization, org_input(), users["officer"])
    db.session.commit()

    assert [e.action for e in events()] == ["create"]


# 2. Contacts, e-mails and phones --------------------------------------------------------------


def test_email_and_phone_changes_are_lines_of_one_contact_event(app, users):
    officer = users["officer"]
    contact = create_contact(
        ContactInput(
            given_names="Rosa",
            family_name="Ibáñez",
            emails=[EmailInput("rosa@agency.example", "work")],
            phones=[PhoneInput("+1 619 555 0101", "work"), PhoneInput("+1 619 555 0102", "mobile")],
        ),
        officer,
    )
    db.session.commit()
    kept, dropped = (p.number for p in contact.phones)

    update_contact(
        contact,
        ContactInput(
            given_names="Rosa",
            family_name="Ibáñez",
            emails=[
                EmailInput("rosa@agency.example", "personal"),
                EmailInput("rosa.i@agency.example", "work"),
            ],
            phones=[PhoneInput("+1 619 555 0101", "work")],
        ),
        officer,
    )
    db.session.commit()

    edits = events(AuditEvent.action == "update")
    assert len(edits) == 1
    (edit,) = edits
    assert (edit.record_type, edit.record_id, edit.actor_id) == ("contact", contact.id, officer.id)
    assert edit.changes == {
        "emails": [
            ["rosa@agency.example (work)"],
            ["rosa@agency.example (personal)", "rosa.i@agency.example (work)"],
        ],
        "phones": [[f"{kept} (work)", f"{dropped} (mobile)"], [f"{kept} (work)"]],
    }


def contact_form(phone: str) -> dict[str, str]:
    """What the browser sends from the contact form for Rosa Ibáñez with one phone."""
    data = {
        "honorific": "",
        "given_names": "Rosa",
        "family_name": "Ibáñez",
        "second_family_name": "",
        "preferred_language": "en",
        "phone_region": "US",
        "tier_id": "",
        "owner_id": "",
        "sensitivity": "official",
        "tags": "",
        "notes": "",
        "emails-0-address": "",
        "emails-0-kind": "work",
        "phones-0-number": phone,
        "phones-0-kind": "work",
        "phones-0-extension": "",
    }
    return data


def test_the_history_page_shows_who_changed_a_phone_and_what_it_was(app, client, login_as, users):
    officer = users["officer"]
    contact = create_contact(
        ContactInput(
            given_names="Rosa", family_name="Ibáñez", phones=[PhoneInput("+1 619 555 0101")]
        ),
        users["admin"],
    )
    contact_id = contact.id
    login_as("officer")

    response = client.post(f"/contacts/{contact_id}/edit", data=contact_form("+1 619 555 0177"))
    assert response.status_code == 302

    response = client.get(f"/contacts/{contact_id}/history")
    assert response.status_code == 200
    newest = audit_rows(page(response))[0]
    assert officer.full_name in newest
    assert "Changed contact" in newest
    assert "+16195550101" in newest
    assert "+16195550177" in newest
    html = page(response)
    assert re.search(r"<del>[^<]*\+16195550101[^<]*</del>", html)
    assert re.search(r"<ins>[^<]*\+16195550177[^<]*</ins>", html)


# 3. Affiliations -------------------------------------------------------------------------------


def test_post_events_appear_in_both_the_contact_and_organization_history(app, users):
    officer = users["officer"]
    organization = create_organization(org_input(), officer)
    contact = create_contact(ContactInput(given_names="Rosa", family_name="Ibáñez"), officer)
    db.session.commit()

    post = add_affiliation(
        contact,
        AffiliationInput(organization.name, title="Director", start_date=date(2020, 1, 6)),
        officer,
    )
    db.session.commit()
    # Loaded afresh, as the edit page does (see the report on expired records).
    post = get_affiliation(contact, post.id, officer)
    update_affiliation(
        post,
        AffiliationInput(
            organization.name,
            title="Director",
            start_date=date(2020, 1, 6),
            end_date=date(2024, 6, 30),
        ),
        officer,
    )
    db.session.commit()
    remove_affiliation(post, officer)
    db.session.commit()

    def posts_in(history: Any) -> list[tuple[str, dict[str, Any]]]:
        return [(e.action, e.changes) for e in history.items if e.record_type == "affiliation"]

    expected = [
        ("delete", {
            "organization": ["Border Health Agency", None],
            "title": ["Director", None],
            "start_date": ["2020-01-06", None],
            "end_date": ["2024-06-30", None],
            "is_primary": [False, None],
        }),
        ("update", {"end_date": [None, "2024-06-30"]}),
        ("create", {
            "organization": [None, "Border Health Agency"],
            "title": [None, "Director"],
            "start_date": [None, "2020-01-06"],
            "is_primary": [None, False],
        }),
    ]  # fmt: skip
    _, contact_events = contact_history(contact.id, users["viewer"])
    _, organization_events = organization_history(organization.id, users["viewer"])
    assert posts_in(contact_events) == expected
    assert posts_in(organization_events) == expected


# 4. Visibility ---------------------------------------------------------------------------------


def test_an_event_stays_as_secret_as_its_record_was_at_its_most_sensitive(app, users):
    admin = users["admin"]
    official_admin = factories.make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    organization = create_organization(org_input(), admin)
    db.session.commit()
    update_organization(organization, org_input(sensitivity="law_enforcement_sensitive"), admin)
    db.session.commit()
    update_organization(organization, org_input(sensitivity="official"), admin)
    db.session.commit()
    update_organization(organization, org_input(notes="Met at the summit."), admin)
    db.session.commit()

    def seen(viewer: Any) -> list[dict[str, Any]]:
        return [e.changes for e in audit_log(AuditFilters(), viewer).items if e.action == "update"]

    raised = {"sensitivity": ["official", "law_enforcement_sensitive"]}
    lowered = {"sensitivity": ["law_enforcement_sensitive", "official"]}
    noted = {"notes": [None, "Met at the summit."]}
    assert seen(admin) == [noted, lowered, raised]
    assert seen(official_admin) == [noted]
    _, history = organization_history(organization.id, users["officer"])
    assert [e.changes for e in history.items if e.action == "update"] == [noted]


def test_a_confidential_contacts_history_is_not_found_for_an_official_officer(
    app, client, login_as, users
):
    contact = factories.make_contact(sensitivity=Sensitivity.CONFIDENTIAL)
    login_as("officer")

    assert client.get(f"/contacts/{contact.id}/history").status_code == 404
    assert client.get("/contacts/999999/history").status_code == 404


def test_the_admin_log_hides_events_above_the_admins_clearance(app, client, login_as, users):
    official_admin = factories.make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    create_contact(
        ContactInput(given_names="Secret", family_name="Informant", sensitivity="confidential"),
        users["admin"],
    )
    create_contact(ContactInput(given_names="Open", family_name="Liaison"), users["admin"])
    login_as(official_admin)

    html = page(client.get("/admin/audit"))

    rows = audit_rows(html)
    assert len(rows) == 1
    assert "Open Liaison" in rows[0]
    assert "Informant" not in html


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_admins_open_the_audit_log(app, client, login_as, users, role):
    create_contact(ContactInput(given_names="Open", family_name="Liaison"), users["admin"])
    login_as(role)

    response = client.get("/admin/audit")

    assert response.status_code == 403
    assert "Open Liaison" not in page(response)


# 5. Filters of the admin log -------------------------------------------------------------------


def test_the_admin_log_filters_by_user_record_type_and_dates(app, client, login_as, users):
    admin, officer = users["admin"], users["officer"]
    zone = ZoneInfo(admin.timezone)
    today = datetime.now(zone).date()
    create_organization(org_input(name="Officer Agency"), officer)
    create_contact(ContactInput(given_names="Officer", family_name="Contact"), officer)
    create_contact(ContactInput(given_names="Admin", family_name="Contact"), admin)
    db.session.flush()
    old_day = today - timedelta(days=3)
    old = create_organization(org_input(name="Old Agency"), admin)
    db.session.flush()
    # Arrange an event from three days ago (noon in the admin's own time zone).
    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.record_id == old.id, AuditEvent.record_type == "organization")
        .values(occurred_at=datetime.combine(old_day, time(12), zone))
    )
    login_as("admin")

    def record_labels(**query: Any) -> list[str]:
        response = client.get("/admin/audit", query_string=query)
        assert response.status_code == 200
        return audit_rows(page(response))

    everything = record_labels()
    assert len(everything) == 4

    by_officer = record_labels(user=officer.id)
    assert len(by_officer) == 2
    assert all(officer.full_name in row for row in by_officer)
    assert any("Officer Agency" in row for row in by_officer)
    assert any("Officer Contact" in row for row in by_officer)

    contacts = record_labels(type="contact")
    assert len(contacts) == 2
    assert all("Created contact" in row for row in contacts)

    officer_contacts = record_labels(user=officer.id, type="contact")
    assert len(officer_contacts) == 1
    assert "Officer Contact" in officer_contacts[0]

    todays = record_labels(since=today.isoformat(), until=today.isoformat())
    assert len(todays) == 3
    assert not any("Old Agency" in row for row in todays)

    yesterday = (today - timedelta(days=1)).isoformat()
    assert record_labels(since=yesterday, until=yesterday) == []
    (until_yesterday,) = record_labels(until=yesterday)
    assert "Old Agency" in until_yesterday
    (that_day,) = record_labels(since=old_day.isoformat(), until=old_day.isoformat())
    assert "Old Agency" in that_day
    assert len(record_labels(since=yesterday)) == 3


# 6. Nothing half-written -----------------------------------------------------------------------


def test_a_refused_edit_leaves_no_audit_event(app, users):
    officer = users["officer"]
    organization = create_organization(org_input(), officer)
    contact = create_contact(ContactInput(given_names="Rosa", family_name="Ibáñez"), officer)
    db.session.commit()
    before = count(AuditEvent)

    with pytest.raises(ValidationError):
        update_organization(organization, org_input(name="Renamed", phone="not a phone"), officer)
    assert count(AuditEvent) == before
    db.session.rollback()
    assert count(AuditEvent) == before

    with pytest.raises(ValidationError):
        update_contact(
            contact,
            ContactInput(
                given_names="Rosa",
                family_name="Ibáñez",
                emails=[EmailInput("not an address")],
                sensitivity="law_enforcement_sensitive",
            ),
            officer,
        )
    assert count(AuditEvent) == before
    db.session.rollback()
    assert count(AuditEvent) == before
    assert [e.action for e in events()] == ["create", "create"]


# 7. Read-only ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit/1", "/admin/audit/1/delete"])
def test_no_route_changes_audit_events(app, client, login_as, users, method, path):
    create_contact(ContactInput(given_names="Open", family_name="Liaison"), users["admin"])
    db.session.commit()
    stored = [(e.id, e.action, e.changes) for e in events()]
    login_as("admin")

    response = client.open(path, method=method)

    assert response.status_code in (404, 405)
    assert [(e.id, e.action, e.changes) for e in events()] == stored


def test_history_pages_offer_no_form_to_edit_or_delete_events(app, client, login_as, users):
    officer = users["officer"]
    organization = create_organization(org_input(), officer)
    contact = create_contact(ContactInput(given_names="Rosa", family_name="Ibáñez"), officer)
    add_affiliation(contact, AffiliationInput(organization.name, title="Director"), officer)
    organization_id, contact_id = organization.id, contact.id
    login_as("admin")

    for path in (
        f"/organizations/{organization_id}/history",
        f"/contacts/{contact_id}/history",
        "/admin/audit",
    ):
        response = client.get(path)
        assert response.status_code == 200
        html = page(response)
        assert audit_rows(html), path
        content = main_content(html)
        assert not re.search(r"<form\b[^>]*method=\"post\"", content, flags=re.I), path
        assert len(re.findall(r"<form\b[^>]*method=\"post\"", html, flags=re.I)) == 1
        assert 'action="/logout"' in html


def test_an_edit_of_a_record_expired_by_a_commit_is_still_recorded(app, users):
    contact = factories.make_contact(given_names="Lucía")
    organization = factories.make_organization(name="Fiscalía Regional Tijuana")
    post = add_affiliation(
        contact, AffiliationInput(organization=organization.name, title="Fiscal"), users["officer"]
    )
    db.session.commit()  # expires every loaded value of ``post``

    update_affiliation(
        post,
        AffiliationInput(
            organization=organization.name, title="Fiscal", end_date=date(2026, 6, 30)
        ),
        users["officer"],
    )
    db.session.commit()

    latest = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert latest.action == "update"
    assert latest.changes == {"end_date": [None, "2026-06-30"]}
