"""Derived data kept in step with every write: each interaction's effective sensitivity (what
the visibility gate reads) and each record's last held interaction per clearance (what the
going-cold views read). Every test checks what a user would see or the stored rows, and the
stored rows always equal what a rebuild from scratch computes."""

from __future__ import annotations

import os
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

from config import database_url
from crm import create_app
from crm.extensions import db
from crm.models import (
    Contact,
    Interaction,
    InteractionContact,
    LastHeldInteraction,
    Organization,
    RelationshipTier,
    Sensitivity,
    User,
    interaction_organizations,
)
from crm.services import derived
from crm.services.contacts import ContactInput, update_contact
from crm.services.dashboard import home_summary
from crm.services.duplicates import merge_contacts, merge_organizations
from crm.services.interactions import (
    InteractionInput,
    ParticipantInput,
    contact_timeline,
    create_interaction,
    delete_interaction,
    list_interactions,
    restore_interaction,
    to_instant,
    update_interaction,
)
from crm.services.organizations import OrganizationInput, update_organization
from crm.services.reference_data import ensure_reference_data
from crm.services.relationships import going_cold, relationships, tier_coverage
from tests.factories import make_contact, make_interaction, make_organization, make_user
from tests.service_helpers import assert_refused
from tests.view_helpers import linked_names, page

PUBLIC = Sensitivity.PUBLIC
OFFICIAL = Sensitivity.OFFICIAL
CONFIDENTIAL = Sensitivity.CONFIDENTIAL
LES = Sensitivity.LAW_ENFORCEMENT_SENSITIVE
LEVELS = list(Sensitivity)
ZONE = "America/Mexico_City"


# --- Helpers ---------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def tier(rank: int) -> RelationshipTier:
    return db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == rank)).one()


def participant(contact: Contact, represented: Organization | None = None) -> ParticipantInput:
    return ParticipantInput(contact.id, represented.id if represented else None)


def meeting_input(days_ago: int = 10, **fields: Any) -> InteractionInput:
    """A meeting at 09:00 in Mexico City ``days_ago`` days ago (negative: in the future), as
    the form hands it to the service; held unless said otherwise."""
    values: dict[str, Any] = {
        "subject": f"Meeting {days_ago} days ago",
        "day": (now() - timedelta(days=days_ago)).date(),
        "start": time(9, 0),
        "end": time(10, 0),
        "timezone": ZONE,
        "status": "held",
    }
    values.update(fields)
    return InteractionInput(**values)


def log(actor: User, days_ago: int = 10, **fields: Any) -> Interaction:
    return create_interaction(meeting_input(days_ago, **fields), actor)


def edit(interaction: Interaction, actor: User, days_ago: int = 10, **fields: Any) -> None:
    update_interaction(interaction, meeting_input(days_ago, **fields), actor)


def started(days_ago: int) -> datetime:
    """The instant ``meeting_input(days_ago)`` starts at."""
    return to_instant((now() - timedelta(days=days_ago)).date(), time(9, 0), ZONE)


def past(days_ago: int) -> datetime:
    """A start written straight to the table by the factory."""
    return now().replace(microsecond=0) - timedelta(days=days_ago)


def effective(interaction: Interaction) -> Sensitivity:
    """The level the gate reads, as stored (not the copy in memory)."""
    return db.session.scalar(
        select(Interaction.effective_sensitivity).where(Interaction.id == interaction.id)
    )


def last_held(record: Organization | Contact) -> dict[Sensitivity, datetime]:
    """The record's stored last held interaction, per clearance."""
    record_type = "organization" if isinstance(record, Organization) else "contact"
    table = LastHeldInteraction.__table__
    rows = db.session.execute(
        select(table.c.clearance, table.c.held_at).where(
            table.c.record_type == record_type, table.c.record_id == record.id
        )
    )
    return {Sensitivity(level): held_at for level, held_at in rows}


def at_every_level(held_at: datetime, *, from_level: Sensitivity = PUBLIC) -> dict:
    return {level: held_at for level in LEVELS if level >= from_level}


def derived_state() -> tuple[dict, dict]:
    """Both derived tables as stored: effective sensitivity per interaction, and last held
    per (record type, record, clearance)."""
    db.session.flush()
    levels = {
        i: Sensitivity(level)
        for i, level in db.session.execute(
            select(Interaction.id, Interaction.effective_sensitivity)
        )
    }
    table = LastHeldInteraction.__table__
    held = {
        (kind, record_id, int(clearance)): (held_at, zone)
        for kind, record_id, clearance, held_at, zone in db.session.execute(
            select(
                table.c.record_type,
                table.c.record_id,
                table.c.clearance,
                table.c.held_at,
                table.c.timezone,
            )
        )
    }
    return levels, held


def assert_matches_rebuild() -> None:
    """What the writes kept equals what a rebuild from scratch computes."""
    kept = derived_state()
    derived.rebuild(db.session.connection())
    rebuilt = derived_state()
    assert kept[0] == rebuilt[0], "effective sensitivity differs from a rebuild"
    assert kept[1] == rebuilt[1], "last held interactions differ from a rebuild"


def cold(viewer: User, **filters: Any) -> list[str]:
    return [r.record.name for r in going_cold(viewer, now(), **filters) if r.kind == "organization"]


def last_seen(viewer: User, record: Organization | Contact) -> datetime | None:
    """The last interaction the relationships view shows the viewer for this record."""
    for r in relationships(viewer, now()):
        if r.record.id == record.id and isinstance(r.record, type(record)):
            return r.last_interaction_at
    raise AssertionError(f"{record} is not among the viewer's relationships")


def contact_input(contact: Contact, **changes: Any) -> ContactInput:
    values: dict[str, Any] = {
        "given_names": contact.given_names,
        "family_name": contact.family_name,
        "second_family_name": contact.second_family_name,
        "honorific": contact.honorific or "",
        "preferred_language": contact.preferred_language,
        "tier_id": contact.tier_id,
        "owner_id": contact.owner_id,
        "sensitivity": contact.sensitivity.code,
        "notes": contact.notes or "",
    }
    values.update(changes)
    return ContactInput(**values)


def organization_input(organization: Organization, **changes: Any) -> OrganizationInput:
    values: dict[str, Any] = {
        "kind": organization.kind,
        "name": organization.name,
        "country": organization.country,
        "subdivision": organization.subdivision,
        "government_level": organization.government_level,
        "tier_id": organization.tier_id,
        "owner_id": organization.owner_id,
        "sensitivity": organization.sensitivity.code,
    }
    values.update(changes)
    return OrganizationInput(**values)


def listed_interactions(viewer: User) -> list[str]:
    return [i.subject for i in list_interactions(viewer, per_page=100).items]


# --- Effective sensitivity -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["contact", "represented", "organization"])
def test_a_confidential_participant_raises_an_interaction_created_through_the_service(
    app, users, who
):
    admin = users["admin"]
    secret_contact = make_contact(sensitivity=CONFIDENTIAL)
    secret_body = make_organization(name="Vetted unit", sensitivity=CONFIDENTIAL)
    plain = make_contact()
    fields: dict[str, Any] = {
        "contact": {"contacts": [participant(secret_contact)]},
        "represented": {"contacts": [participant(plain, secret_body)]},
        "organization": {"organization_ids": [secret_body.id]},
    }[who]
    meeting = log(admin, 3, sensitivity="public", **fields)
    open_one = log(
        admin, 4, sensitivity="public", contacts=[participant(make_contact(sensitivity=PUBLIC))]
    )

    assert effective(meeting) == CONFIDENTIAL
    assert effective(open_one) == PUBLIC
    assert listed_interactions(users["officer"]) == [open_one.subject]
    assert listed_interactions(make_user(clearance=CONFIDENTIAL)) == [
        meeting.subject,
        open_one.subject,
    ]


@pytest.mark.parametrize("who", ["contact", "represented", "organization"])
def test_a_confidential_participant_raises_an_interaction_written_through_the_orm(app, users, who):
    secret_contact = make_contact(sensitivity=CONFIDENTIAL)
    secret_body = make_organization(sensitivity=CONFIDENTIAL)
    fields: dict[str, Any] = {
        "contact": {"contacts": [secret_contact]},
        "represented": {"contacts": [(make_contact(), secret_body)]},
        "organization": {"organizations": [secret_body]},
    }[who]
    meeting = make_interaction(users["admin"], sensitivity=PUBLIC, **fields)
    db.session.commit()

    assert effective(meeting) == CONFIDENTIAL
    assert listed_interactions(users["officer"]) == []


def test_the_own_level_counts_when_it_is_the_highest(app, users):
    meeting = make_interaction(users["admin"], sensitivity=LES, contacts=[make_contact()])
    unmarked = make_interaction(
        users["admin"], sensitivity=PUBLIC, contacts=[make_contact(sensitivity=PUBLIC)]
    )
    raised = make_interaction(users["admin"], sensitivity=PUBLIC, contacts=[make_contact()])
    highest = make_interaction(
        users["admin"],
        sensitivity=OFFICIAL,
        contacts=[make_contact(sensitivity=CONFIDENTIAL)],
        organizations=[make_organization(sensitivity=LES)],
    )
    assert [effective(i) for i in (meeting, unmarked, raised, highest)] == [
        LES,
        PUBLIC,
        OFFICIAL,
        LES,
    ]


@pytest.mark.parametrize("who", ["contact", "represented", "organization"])
def test_removing_the_confidential_participant_through_the_service_lowers_it_again(app, users, who):
    admin = users["admin"]
    secret_contact = make_contact(sensitivity=CONFIDENTIAL)
    secret_body = make_organization(name="Vetted unit", sensitivity=CONFIDENTIAL)
    plain = make_contact()
    fields: dict[str, Any] = {
        "contact": {"contacts": [participant(plain), participant(secret_contact)]},
        "represented": {"contacts": [participant(plain, secret_body)]},
        "organization": {"contacts": [participant(plain)], "organization_ids": [secret_body.id]},
    }[who]
    meeting = log(admin, 3, subject="Joint operation debrief", **fields)
    db.session.commit()
    assert effective(meeting) == CONFIDENTIAL
    assert listed_interactions(users["officer"]) == []

    edit(meeting, admin, 3, subject="Joint operation debrief", contacts=[participant(plain)])
    db.session.commit()

    assert effective(meeting) == OFFICIAL
    assert listed_interactions(users["officer"]) == ["Joint operation debrief"]


def test_adding_a_confidential_participant_through_the_service_raises_it(app, users):
    admin = users["admin"]
    plain = make_contact(sensitivity=PUBLIC)
    secret = make_contact(sensitivity=LES)
    meeting = log(admin, 3, contacts=[participant(plain)])
    assert effective(meeting) == OFFICIAL
    edit(meeting, admin, 3, contacts=[participant(plain), participant(secret)])
    assert effective(meeting) == LES
    edit(meeting, admin, 3, contacts=[participant(plain)], sensitivity="confidential")
    assert effective(meeting) == CONFIDENTIAL
    edit(meeting, admin, 3, contacts=[participant(plain)], sensitivity="public")
    assert effective(meeting) == PUBLIC
    assert listed_interactions(make_user(clearance=PUBLIC)) == [meeting.subject]


def test_changing_who_a_participant_represented_moves_the_level(app, users):
    admin = users["admin"]
    person = make_contact()
    secret_body = make_organization(name="Vetted unit", sensitivity=CONFIDENTIAL)
    open_body = make_organization(name="Open agency")
    meeting = log(admin, 3, contacts=[participant(person, open_body)])
    assert effective(meeting) == OFFICIAL
    edit(meeting, admin, 3, contacts=[participant(person, secret_body)])
    assert effective(meeting) == CONFIDENTIAL
    edit(meeting, admin, 3, contacts=[participant(person, open_body)])
    assert effective(meeting) == OFFICIAL


def interaction_form(subject: str, contact: Contact) -> dict[str, str]:
    return {
        "subject": subject,
        "kind": "meeting",
        "status": "planned",
        "day": (now() + timedelta(days=5)).date().isoformat(),
        "start": "10:00",
        "end": "11:00",
        "end_day": "",
        "timezone": "America/Los_Angeles",
        "location": "",
        "video_url": "",
        "sensitivity": "official",
        "summary": "",
        "outcome": "",
        "organization_names-0": "",
        "contact_ids": str(contact.id),
    }


def test_raising_a_participant_later_hides_the_interaction_from_lower_clearances(
    client, users, login_as
):
    """The officer (official clearance) sees the meeting in the list, on the other
    participant's timeline and in search until one participant is raised to confidential."""
    informant = make_contact(given_names="Ismael", family_name="Quiroga")
    colleague = make_contact(given_names="Teresa", family_name="Valdivia")
    login_as("admin")
    response = client.post(
        "/interactions/new", data=interaction_form("Ammunition tracing briefing", informant)
    )
    assert response.status_code in (302, 303), page(response)
    meeting = db.session.scalars(select(Interaction)).one()
    meeting.contact_links.append(InteractionContact(contact=colleague))
    db.session.commit()

    def officer_sees() -> dict[str, bool]:
        login_as("officer")
        subject = "Ammunition tracing briefing"
        return {
            "list": subject in linked_names(page(client.get("/interactions/")), "/interactions"),
            "timeline": subject in page(client.get(f"/contacts/{colleague.id}")),
            "search": subject in page(client.get("/search/", query_string={"q": "ammunition"})),
            "detail": client.get(f"/interactions/{meeting.id}").status_code == 200,
        }

    assert officer_sees() == dict.fromkeys(("list", "timeline", "search", "detail"), True)

    update_contact(informant, contact_input(informant, sensitivity="confidential"), users["admin"])
    db.session.commit()

    assert effective(meeting) == CONFIDENTIAL
    assert officer_sees() == dict.fromkeys(("list", "timeline", "search", "detail"), False)
    timeline = contact_timeline(colleague, users["officer"], now())
    assert timeline.items == [] and timeline.next_planned is None
    cleared = make_user(clearance=CONFIDENTIAL)
    assert [i.subject for i in contact_timeline(colleague, cleared, now()).items] == [
        "Ammunition tracing briefing"
    ]

    # Lowered again, it is back.
    update_contact(informant, contact_input(informant, sensitivity="official"), users["admin"])
    db.session.commit()
    assert effective(meeting) == OFFICIAL
    assert officer_sees() == dict.fromkeys(("list", "timeline", "search", "detail"), True)


@pytest.mark.parametrize("link", ["organization", "represented"])
def test_raising_an_organization_later_hides_its_meetings_and_their_feed_events(
    app, client, users, login_as, link
):
    from crm.services.calendar import FeedInput, create_feed

    admin = users["admin"]
    agency = make_organization(name="Fiscalía Anticorrupción")
    person = make_contact()
    fields: dict[str, Any] = (
        {"organization_ids": [agency.id], "contacts": [participant(person)]}
        if link == "organization"
        else {"contacts": [participant(person, agency)]}
    )
    meeting = log(admin, -3, status="planned", subject="Asset forfeiture coordination", **fields)
    _feed, token = create_feed(FeedInput(scope="office"), users["officer"])
    db.session.commit()

    def feed_has_it() -> bool:
        response = app.test_client().get(f"/calendar/feeds/{token}.ics")
        assert response.status_code == 200
        return "Asset forfeiture coordination" in response.get_data(as_text=True)

    assert feed_has_it()
    assert listed_interactions(users["officer"]) == ["Asset forfeiture coordination"]

    update_organization(agency, organization_input(agency, sensitivity="confidential"), admin)
    db.session.commit()

    assert effective(meeting) == CONFIDENTIAL
    assert not feed_has_it()
    assert listed_interactions(users["officer"]) == []
    assert listed_interactions(admin) == ["Asset forfeiture coordination"]


def test_a_participant_raised_above_the_own_level_is_not_lowered_by_editing_the_meeting(app, users):
    admin = users["admin"]
    person = make_contact()
    meeting = log(admin, 3, contacts=[participant(person)])
    update_contact(person, contact_input(person, sensitivity="law_enforcement_sensitive"), admin)
    assert effective(meeting) == LES
    edit(meeting, admin, 3, contacts=[participant(person)], summary="Notes added later.")
    assert effective(meeting) == LES


# --- Last held interaction per clearance -----------------------------------------------------


def test_a_held_meeting_with_a_confidential_participant_warms_only_cleared_viewers(
    client, users, login_as
):
    admin = users["admin"]
    bank = make_organization(name="Banco del Pacífico", tier=tier(1))
    secret = make_contact(sensitivity=CONFIDENTIAL)
    old = log(admin, 60, organization_ids=[bank.id])
    recent = log(admin, 5, organization_ids=[bank.id], contacts=[participant(secret)])
    db.session.commit()

    stored = last_held(bank)
    assert PUBLIC not in stored
    assert stored == {OFFICIAL: started(60), CONFIDENTIAL: started(5), LES: started(5)}
    assert effective(old) == OFFICIAL and effective(recent) == CONFIDENTIAL

    cleared = make_user(clearance=CONFIDENTIAL, email="cleared@office.example")
    db.session.commit()
    assert cold(users["officer"]) == ["Banco del Pacífico"]
    assert last_seen(users["officer"], bank) == started(60)
    assert cold(cleared) == []
    assert last_seen(cleared, bank) == started(5)
    public_viewer = make_user(clearance=PUBLIC)
    assert cold(public_viewer) == []  # the bank itself is official: not shown at all

    # The going-cold page agrees.
    login_as("officer")
    assert "Banco del Pacífico" in page(client.get("/going-cold"))
    login_as(cleared)
    assert "Banco del Pacífico" not in page(client.get("/going-cold"))


def test_a_public_meeting_warms_a_public_viewer(app, users):
    agency = make_organization(name="Open data office", tier=tier(1), sensitivity=PUBLIC)
    earlier, later = past(2), past(1)
    make_interaction(
        users["admin"], status="held", starts_at=earlier, sensitivity=PUBLIC, organizations=[agency]
    )
    make_interaction(
        users["admin"], status="held", starts_at=later, sensitivity=OFFICIAL, organizations=[agency]
    )
    assert last_held(agency) == {PUBLIC: earlier, OFFICIAL: later, CONFIDENTIAL: later, LES: later}
    assert cold(make_user(clearance=PUBLIC)) == []


@pytest.mark.parametrize("status", ["planned", "cancelled"])
def test_planned_and_cancelled_meetings_never_warm(app, users, status):
    admin = users["admin"]
    agency = make_organization(name="Never met", tier=tier(1))
    person = make_contact(tier=tier(1))
    days_ago = 5 if status == "cancelled" else -5
    log(
        admin, days_ago, status=status, organization_ids=[agency.id], contacts=[participant(person)]
    )
    make_interaction(
        admin, status=status, starts_at=past(3), organizations=[agency], contacts=[person]
    )
    assert last_held(agency) == {} and last_held(person) == {}
    assert cold(users["officer"]) == ["Never met"]
    assert [r.days_overdue for r in going_cold(users["officer"], now())] == [None, None]


def test_marking_a_planned_meeting_held_warms_and_cancelling_it_cools(app, users):
    admin = users["admin"]
    agency = make_organization(name="Consulado en Calexico", tier=tier(1))
    meeting = log(admin, 2, status="planned", organization_ids=[agency.id])
    assert cold(users["officer"]) == ["Consulado en Calexico"]
    edit(meeting, admin, 2, status="held", organization_ids=[agency.id])
    assert cold(users["officer"]) == []
    assert last_held(agency) == at_every_level(started(2), from_level=OFFICIAL)
    edit(meeting, admin, 2, status="cancelled", organization_ids=[agency.id])
    assert cold(users["officer"]) == ["Consulado en Calexico"]
    assert last_held(agency) == {}


def test_deleting_a_held_meeting_stops_it_warming_and_restoring_warms_again(app, users):
    admin = users["admin"]
    agency = make_organization(name="Border liaison unit", tier=tier(1))
    person = make_contact(tier=tier(1))
    log(admin, 50, organization_ids=[agency.id], contacts=[participant(person)])
    meeting = log(admin, 4, organization_ids=[agency.id], contacts=[participant(person)])
    db.session.commit()
    assert last_seen(users["officer"], agency) == started(4)
    assert last_seen(users["officer"], person) == started(4)

    delete_interaction(meeting, admin)
    db.session.commit()
    assert last_seen(users["officer"], agency) == started(50)
    assert last_seen(users["officer"], person) == started(50)
    assert cold(users["officer"]) == ["Border liaison unit"]

    restore_interaction(meeting.id, admin)
    db.session.commit()
    assert last_seen(users["officer"], agency) == started(4)
    assert last_seen(users["officer"], person) == started(4)
    assert cold(users["officer"]) == []
    assert_matches_rebuild()


def test_removing_a_participant_from_a_held_meeting_makes_them_cold_again(app, users):
    admin = users["admin"]
    stays = make_contact(given_names="Stays", tier=tier(1))
    leaves = make_contact(given_names="Leaves", tier=tier(1))
    body_stays = make_organization(name="Body that stays", tier=tier(1))
    body_leaves = make_organization(name="Body that leaves", tier=tier(1))
    represented = make_organization(name="Represented body", tier=tier(1))
    meeting = log(
        admin,
        4,
        organization_ids=[body_stays.id, body_leaves.id],
        contacts=[participant(stays), participant(leaves, represented)],
    )
    db.session.commit()
    assert cold(users["officer"]) == []

    edit(meeting, admin, 4, organization_ids=[body_stays.id], contacts=[participant(stays)])
    db.session.commit()

    assert cold(users["officer"]) == ["Body that leaves", "Represented body"]
    names = [
        r.record.given_names for r in going_cold(users["officer"], now()) if r.kind == "contact"
    ]
    assert names == ["Leaves"]
    assert last_held(leaves) == {} and last_held(body_leaves) == {} and last_held(represented) == {}
    assert last_held(stays) == at_every_level(started(4), from_level=OFFICIAL)


def test_moving_the_meeting_date_moves_the_last_contact(app, users):
    admin = users["admin"]
    agency = make_organization(name="Moved", tier=tier(1))
    person = make_contact(tier=tier(2))
    log(admin, 20, organization_ids=[agency.id])
    meeting = log(admin, 10, organization_ids=[agency.id], contacts=[participant(person)])
    assert last_seen(users["officer"], agency) == started(10)

    edit(meeting, admin, 45, organization_ids=[agency.id], contacts=[participant(person)])
    assert last_seen(users["officer"], agency) == started(20)
    assert last_seen(users["officer"], person) == started(45)
    assert cold(users["officer"]) == []

    edit(meeting, admin, 40, organization_ids=[agency.id], contacts=[participant(person)])
    edit(meeting, admin, 2, organization_ids=[agency.id], contacts=[participant(person)])
    assert last_seen(users["officer"], agency) == started(2)
    assert last_seen(users["officer"], person) == started(2)
    assert_matches_rebuild()


def test_the_last_contact_keeps_the_zone_of_the_meeting_it_was(app, users):
    admin = users["admin"]
    person = make_contact(tier=tier(2))
    log(admin, 30, contacts=[participant(person)], timezone="America/Tijuana")
    latest = log(admin, 10, contacts=[participant(person)])
    table = LastHeldInteraction.__table__

    def zones() -> set[str]:
        return set(
            db.session.scalars(
                select(table.c.timezone).where(
                    table.c.record_type == "contact", table.c.record_id == person.id
                )
            )
        )

    assert zones() == {ZONE}
    latest.timezone = "Asia/Tokyo"
    db.session.commit()
    assert zones() == {"Asia/Tokyo"}
    assert_matches_rebuild()


def test_raising_a_participant_later_cools_the_others_for_lower_clearances(app, users):
    admin = users["admin"]
    agency = make_organization(name="Partner agency", tier=tier(1))
    person = make_contact()
    log(admin, 50, organization_ids=[agency.id])
    log(admin, 3, organization_ids=[agency.id], contacts=[participant(person)])
    assert cold(users["officer"]) == []

    update_contact(person, contact_input(person, sensitivity="confidential"), admin)
    db.session.commit()

    assert cold(users["officer"]) == ["Partner agency"]
    assert last_held(agency) == {
        OFFICIAL: started(50),
        CONFIDENTIAL: started(3),
        LES: started(3),
    }
    assert_matches_rebuild()


# --- Merges ----------------------------------------------------------------------------------


def test_merging_contacts_moves_their_meetings_and_last_contact_to_the_survivor(app, users):
    admin = users["admin"]
    kept = make_contact(given_names="Ana", family_name="Frontera", tier=tier(1))
    other = make_contact(
        given_names="Ana María", family_name="Frontera", tier=tier(1), sensitivity=CONFIDENTIAL
    )
    agency = make_organization(name="Aduanas", tier=tier(1))
    old = log(admin, 60, contacts=[participant(kept)])
    recent = log(admin, 5, contacts=[participant(other, agency)])
    db.session.commit()
    assert last_held(kept) == at_every_level(started(60), from_level=OFFICIAL)
    assert last_held(other) == at_every_level(started(5), from_level=CONFIDENTIAL)

    merge_contacts(kept, other, set(), admin)
    db.session.commit()

    # The survivor is confidential now, so officers no longer see even its older meeting.
    assert last_held(kept) == at_every_level(started(5), from_level=CONFIDENTIAL)
    assert last_held(other) == {}
    # The survivor is now confidential, and so is every meeting it is in.
    assert (effective(old), effective(recent)) == (CONFIDENTIAL, CONFIDENTIAL)
    assert listed_interactions(users["officer"]) == []
    cleared = make_user(clearance=CONFIDENTIAL)
    assert last_seen(cleared, kept) == started(5)
    assert last_seen(cleared, agency) == started(5)
    assert_matches_rebuild()


def test_merging_a_duplicate_who_was_in_the_same_meeting_forgets_what_they_represented(app, users):
    """Both records sat in one meeting; the merge keeps the survivor's seat only, so the body
    the duplicate represented there is no longer in the meeting: it must not stay warm from
    it, and the meeting is no longer as sensitive as that body."""
    admin = users["admin"]
    kept = make_contact(given_names="Luis", family_name="Arriaga")
    other = make_contact(given_names="Luis A.", family_name="Arriaga")
    body = make_organization(name="Unidad de Inteligencia", tier=tier(1), sensitivity=CONFIDENTIAL)
    meeting = log(admin, 5, contacts=[participant(kept), participant(other, body)])
    db.session.commit()
    assert effective(meeting) == CONFIDENTIAL
    assert last_held(body) == at_every_level(started(5), from_level=CONFIDENTIAL)

    merge_contacts(kept, other, set(), admin)
    db.session.commit()

    seats = db.session.execute(
        select(InteractionContact.contact_id, InteractionContact.organization_id).where(
            InteractionContact.interaction_id == meeting.id
        )
    ).all()
    assert [contact_id for contact_id, _org in seats] == [kept.id]
    if body.id in {organization_id for _contact, organization_id in seats}:
        # The survivor's seat took over what the duplicate represented.
        assert effective(meeting) == CONFIDENTIAL
        assert last_held(body) == at_every_level(started(5), from_level=CONFIDENTIAL)
    else:
        # The body is no longer in the meeting: it is not warmed by it, nor raises it.
        assert effective(meeting) == OFFICIAL
        assert last_held(body) == {}
        assert [r.record.name for r in going_cold(admin, now())] == ["Unidad de Inteligencia"]
    assert_matches_rebuild()


def test_merging_organizations_moves_their_meetings_and_last_contact_to_the_survivor(app, users):
    admin = users["admin"]
    kept = make_organization(name="Fiscalía de Baja California", tier=tier(1))
    other = make_organization(name="FGE Baja California", tier=tier(1), sensitivity=CONFIDENTIAL)
    person = make_contact()
    delegate = make_contact()
    old = log(admin, 60, organization_ids=[kept.id])
    both = log(admin, 30, organization_ids=[kept.id, other.id])
    via_other = log(admin, 5, organization_ids=[other.id], contacts=[participant(person)])
    represented = log(admin, 8, contacts=[participant(delegate, other)])
    db.session.commit()
    assert last_held(kept) == at_every_level(started(60), from_level=OFFICIAL) | {
        CONFIDENTIAL: started(30),
        LES: started(30),
    }

    merge_organizations(kept, other, set(), admin)
    db.session.commit()

    assert last_held(kept) == at_every_level(started(5), from_level=CONFIDENTIAL)
    assert last_held(other) == {}
    assert {effective(i) for i in (old, both, via_other, represented)} == {CONFIDENTIAL}
    assert last_held(person) == at_every_level(started(5), from_level=CONFIDENTIAL)
    assert last_held(delegate) == at_every_level(started(8), from_level=CONFIDENTIAL)
    cleared = make_user(clearance=CONFIDENTIAL)
    assert last_seen(cleared, kept) == started(5)
    assert [r.record.name for r in going_cold(cleared, now())] == []
    assert_matches_rebuild()


def test_merging_an_official_duplicate_into_a_confidential_organization(app, users):
    admin = users["admin"]
    kept = make_organization(name="Vetted unit", tier=tier(1), sensitivity=CONFIDENTIAL)
    other = make_organization(name="Vetted unit (old)", tier=tier(1))
    person = make_contact(tier=tier(1))
    moved = log(admin, 5, contacts=[participant(person, other)])
    db.session.commit()
    assert effective(moved) == OFFICIAL
    assert last_seen(users["officer"], person) == started(5)

    merge_organizations(kept, other, set(), admin)
    db.session.commit()

    assert effective(moved) == CONFIDENTIAL
    assert listed_interactions(users["officer"]) == []
    # The person is still official, but the meeting with them is no longer seen by officers.
    assert last_seen(users["officer"], person) is None
    assert last_held(kept) == at_every_level(started(5), from_level=CONFIDENTIAL)
    assert_matches_rebuild()


# --- Consistency with a rebuild --------------------------------------------------------------


def test_a_sequence_of_varied_writes_keeps_what_a_rebuild_computes(app, users):
    admin = users["admin"]
    a, b, c = (make_organization(name=f"Body {n}", tier=tier(1)) for n in "ABC")
    p, q, r, s = (make_contact(tier=tier(2)) for _ in range(4))
    first = log(admin, 40, organization_ids=[a.id], contacts=[participant(p, b)])
    second = log(admin, 20, organization_ids=[b.id, c.id], contacts=[participant(q)])
    third = log(admin, 10, status="planned", contacts=[participant(r, c)])
    fourth = make_interaction(
        admin, status="held", starts_at=past(7), contacts=[(s, a)], organizations=[c]
    )
    assert_matches_rebuild()

    edit(third, admin, 10, status="held", contacts=[participant(r, c), participant(s)])
    update_contact(q, contact_input(q, sensitivity="confidential"), admin)
    assert_matches_rebuild()
    delete_interaction(second, admin)
    update_organization(a, organization_input(a, sensitivity="law_enforcement_sensitive"), admin)
    assert_matches_rebuild()
    edit(first, admin, 2, organization_ids=[c.id], contacts=[participant(q)])
    restore_interaction(second.id, admin)
    assert_matches_rebuild()
    fourth.contact_links.clear()
    fourth.organizations = [b]
    db.session.flush()
    assert_matches_rebuild()
    merge_contacts(p, q, set(), admin)
    assert_matches_rebuild()
    merge_organizations(b, c, set(), admin)
    assert_matches_rebuild()
    update_organization(a, organization_input(a, sensitivity="public"), admin)
    update_contact(r, contact_input(r, sensitivity="public"), admin)
    db.session.commit()
    assert_matches_rebuild()


OPERATIONS = ("log", "edit", "delete", "restore", "raise", "lower", "merge_c", "merge_o")


def random_operations(seed: int) -> list[tuple[str, int, int, int, str]]:
    """A short sequence of writes, the same for the same seed."""
    rng = random.Random(seed)
    return [
        (
            rng.choice(OPERATIONS),
            rng.randrange(4),
            rng.randrange(4),
            rng.randint(-3, 60),
            rng.choice(["planned", "held", "cancelled"]),
        )
        for _ in range(rng.randint(3, 8))
    ]


@pytest.mark.parametrize("seed", range(12))
def test_random_writes_keep_what_a_rebuild_computes(app, users, seed):
    admin = users["admin"]
    levels = ["public", "official", "confidential", "law_enforcement_sensitive"]
    organizations = [
        make_organization(name=f"Random body {n}", sensitivity=Sensitivity(n % 3)) for n in range(4)
    ]
    contacts = [make_contact(sensitivity=Sensitivity((n + 1) % 3)) for n in range(4)]
    meetings = [
        make_interaction(
            admin,
            status="held",
            starts_at=past(5 + n),
            contacts=[(contacts[n], organizations[(n + 1) % 4])],
            organizations=[organizations[n]],
        )
        for n in range(2)
    ]
    for operation, i, j, days_ago, status in random_operations(seed):
        if status == "held" and days_ago < 1:
            days_ago = 1
        live_contacts = [c for c in contacts if c.deleted_at is None]
        live_orgs = [o for o in organizations if o.deleted_at is None]
        contact, organization = live_contacts[i % len(live_contacts)], live_orgs[j % len(live_orgs)]
        meeting = meetings[(i + j) % len(meetings)]
        fields: dict[str, Any] = {
            "status": status,
            "contacts": [participant(contact, organization)],
            "organization_ids": [live_orgs[i % len(live_orgs)].id],
        }
        if operation == "log":
            meetings.append(log(admin, days_ago, **fields))
        elif operation == "edit" and meeting.deleted_at is None:
            edit(meeting, admin, days_ago, **fields)
        elif operation == "delete" and meeting.deleted_at is None:
            delete_interaction(meeting, admin)
        elif operation == "restore" and meeting.deleted_at is not None:
            restore_interaction(meeting.id, admin)
        elif operation in ("raise", "lower"):
            level = levels[min(3, days_ago % 4)] if operation == "raise" else "public"
            if i % 2:
                update_contact(contact, contact_input(contact, sensitivity=level), admin)
            else:
                update_organization(
                    organization, organization_input(organization, sensitivity=level), admin
                )
        elif operation == "merge_c" and len(live_contacts) > 2:
            other = live_contacts[(i + 1) % len(live_contacts)]
            merge_contacts(contact, other, set(), admin)
        elif operation == "merge_o" and len(live_orgs) > 2:
            other = live_orgs[(j + 1) % len(live_orgs)]
            merge_organizations(organization, other, set(), admin)
        db.session.commit()
    assert_matches_rebuild()


# --- The migration's backfill ----------------------------------------------------------------

BEFORE_DERIVED = "58b8285b142a"


@pytest.fixture
def backfill_url(tmp_path) -> Iterator[str]:
    """A database of its own: a file on SQLite, a sibling database on PostgreSQL (dropped
    after the test)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'backfill.sqlite3'}"
        return
    main = make_url(database_url(url))
    name = f"{main.database}_backfill"
    server = create_engine(main, isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    drop()
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield main.set(database=name).render_as_string(hide_password=False)
    drop()
    server.dispose()


def test_the_migration_backfills_what_a_rebuild_computes(backfill_url):
    url = backfill_url
    office = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with office.app_context():
        from crm.services.demo_data import load_demo_office

        upgrade()
        ensure_reference_data()
        load_demo_office()
        db.session.commit()
        kept_by_writes = derived_state()
        assert kept_by_writes[1], "the demo office has held meetings"
        # End the reading transaction: on PostgreSQL it would block the schema change.
        db.session.rollback()
        downgrade(revision=BEFORE_DERIVED)
        # Rows written by hand on the older schema: what the backfill must work out alone.
        with db.engine.begin() as connection:
            specific = write_old_rows(connection)
        upgrade()
        db.session.remove()
        backfilled = derived_state()
        derived.rebuild(db.session.connection())
        rebuilt = derived_state()
        db.session.rollback()
        db.engine.dispose()
    assert backfilled[0] == rebuilt[0]
    assert backfilled[1] == rebuilt[1]
    # What the demo office's own writes kept agrees too.
    assert {i: backfilled[0][i] for i in kept_by_writes[0]} == kept_by_writes[0]
    for key, held_at in kept_by_writes[1].items():
        if key[1] not in specific["record_ids"][key[0]]:
            assert backfilled[1][key] == held_at
    levels, held = backfilled
    ids = specific["interactions"]
    assert levels[ids["confidential contact"]] == CONFIDENTIAL
    assert levels[ids["represented les"]] == LES
    assert levels[ids["confidential body"]] == CONFIDENTIAL
    assert levels[ids["own level"]] == CONFIDENTIAL
    assert levels[ids["public"]] == PUBLIC
    body = specific["body"]
    assert {
        c: h for (t, r, c), (h, _zone) in held.items() if t == "organization" and r == body
    } == {
        0: datetime(2026, 1, 10, 17, 0, tzinfo=UTC),
        1: datetime(2026, 1, 10, 17, 0, tzinfo=UTC),
        2: datetime(2026, 3, 1, 17, 0, tzinfo=UTC),
        3: datetime(2026, 4, 1, 17, 0, tzinfo=UTC),
    }
    assert {
        zone for (t, r, _c), (_h, zone) in held.items() if t == "organization" and r == body
    } == {"America/Tijuana"}


def write_old_rows(connection) -> dict[str, Any]:
    """Organizations, contacts and interactions in the schema before the derived data."""

    def org(name: str, level: int) -> int:
        return connection.execute(
            text(
                "INSERT INTO organizations (kind, name, name_es, acronym, name_key, search_key,"
                " country, subdivision, government_level, website, email, phone, street, city,"
                " postal_code, sensitivity, notes) VALUES ('agency', :name, '', '', :key, :key,"
                " 'MX', '', 'federal', '', '', '', '', '', '', :level, '') RETURNING id"
            ),
            {"name": name, "key": name.lower(), "level": level},
        ).scalar_one()

    def person(name: str, level: int) -> int:
        return connection.execute(
            text(
                "INSERT INTO contacts (uid, honorific, given_names, family_name,"
                " second_family_name, name_key, preferred_language, sensitivity, notes,"
                " created_at, updated_at) VALUES (:uid, '', :name, 'Backfill', '', :key, 'es',"
                " :level, '', '2026-01-01 00:00:00', '2026-01-01 00:00:00') RETURNING id"
            ),
            {"uid": f"backfill-{name}", "name": name, "key": name.lower(), "level": level},
        ).scalar_one()

    def meeting(subject: str, day: str, status: str, level: int, deleted: bool = False) -> int:
        return connection.execute(
            text(
                "INSERT INTO interactions (uid, kind, subject, starts_at, timezone, all_day,"
                " location, video_url, status, summary, outcome, sensitivity, sequence,"
                " created_at, updated_at, deleted_at) VALUES (:uid, 'meeting', :subject,"
                " :starts, 'America/Tijuana', false, '', '', :status, '', '', :level, 0,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00', :deleted) RETURNING id"
            ),
            {
                "uid": f"backfill-{subject}",
                "subject": subject,
                "starts": f"{day} 17:00:00",
                "status": status,
                "level": level,
                "deleted": "2026-05-01 00:00:00" if deleted else None,
            },
        ).scalar_one()

    def seat(interaction: int, contact: int, organization: int | None = None) -> None:
        connection.execute(
            insert(InteractionContact.__table__).values(
                interaction_id=interaction, contact_id=contact, organization_id=organization
            )
        )

    def attend(interaction: int, organization: int) -> None:
        connection.execute(
            insert(interaction_organizations).values(
                interaction_id=interaction, organization_id=organization
            )
        )

    body = org("Backfill body", 0)
    les_body = org("Backfill LES body", 3)
    secret = person("Secret", 2)
    plain = person("Plain", 1)
    ids = {
        "public": meeting("public", "2026-01-10", "held", 0),
        "confidential contact": meeting("confidential contact", "2026-03-01", "held", 0),
        "represented les": meeting("represented les", "2026-04-01", "held", 1),
        "confidential body": meeting("confidential body", "2026-02-01", "held", 0),
        "own level": meeting("own level", "2026-02-15", "held", 2),
        "planned": meeting("planned", "2026-06-01", "planned", 0),
        "cancelled": meeting("cancelled", "2026-05-01", "cancelled", 0),
        "deleted": meeting("deleted", "2026-05-02", "held", 0, deleted=True),
    }
    attend(ids["public"], body)
    attend(ids["confidential contact"], body)
    seat(ids["confidential contact"], secret)
    seat(ids["represented les"], plain, les_body)
    seat(ids["represented les"], person("Delegate", 0), body)
    attend(ids["confidential body"], org("Backfill secret body", 2))
    seat(ids["confidential body"], plain)
    attend(ids["own level"], body)
    for name in ("planned", "cancelled", "deleted"):
        attend(ids[name], body)
    return {
        "interactions": ids,
        "body": body,
        "record_ids": {"organization": {body, les_body}, "contact": {secret, plain}},
    }


# --- Held only once it has happened ----------------------------------------------------------


def test_held_is_refused_for_a_meeting_that_has_not_started(app, users):
    officer = users["officer"]
    agency = make_organization(name="Future", tier=tier(1))
    message = assert_refused(
        "status", lambda: log(officer, -2, status="held", organization_ids=[agency.id])
    )
    assert "not started" in message
    # Two hours from now, on the local clock.
    soon = (now() + timedelta(hours=2)).astimezone(ZoneInfo(ZONE))
    later_today = meeting_input(
        subject="Later today",
        organization_ids=[agency.id],
        day=soon.date(),
        start=soon.time().replace(second=0, microsecond=0),
        end=None,
    )
    assert_refused("status", lambda: create_interaction(later_today, officer))
    assert last_held(agency) == {}


def test_held_is_refused_when_an_edit_moves_a_held_meeting_into_the_future(app, users):
    officer = users["officer"]
    agency = make_organization(name="Moved ahead", tier=tier(1))
    meeting = log(officer, 3, organization_ids=[agency.id])
    db.session.commit()
    assert_refused("status", lambda: edit(meeting, officer, -3, organization_ids=[agency.id]))
    assert last_held(agency) == at_every_level(started(3), from_level=OFFICIAL)
    # Kept planned, it may move to the future.
    edit(meeting, officer, -3, status="planned", organization_ids=[agency.id])
    assert last_held(agency) == {}


def test_held_is_accepted_for_a_past_start(app, users):
    officer = users["officer"]
    agency = make_organization(name="Past", tier=tier(1))
    meeting = log(officer, 1, organization_ids=[agency.id])
    assert meeting.status == "held"
    assert last_held(agency) == at_every_level(started(1), from_level=OFFICIAL)
    assert cold(officer) == []


def test_the_held_form_error_is_shown_next_to_the_status(client, users, login_as):
    contact = make_contact()
    login_as("officer")
    form = interaction_form("Not yet", contact) | {"status": "held"}
    html = page(client.post("/interactions/new", data=form))
    match = re.search(r'<small id="status-error"[^>]*>(.*?)</small>', html, flags=re.S)
    assert match, "no error beside the status"
    assert "not started" in unescape(match.group(1))
    assert db.session.scalar(select(Interaction.id)) is None


# --- Dashboard and going cold agree ----------------------------------------------------------


def test_the_dashboard_coverage_and_my_cold_list_match_going_cold(app, users):
    admin = users["admin"]
    officer = users["officer"]
    cleared = make_user(clearance=CONFIDENTIAL, role="officer")
    secret = make_contact(sensitivity=CONFIDENTIAL)
    # Per tier: records in and out of their cadence, never contacted, and warm only through a
    # confidential meeting. Tier 2 belongs to the cleared officer, the others to the officer.
    for rank in (1, 2, 3):
        t = tier(rank)
        owner = cleared if rank == 2 else officer
        for label, days_ago, hidden in (
            ("never", None, False),
            ("warm", max(1, t.cadence_days - 5), False),
            ("overdue", t.cadence_days + 12, False),
            ("long overdue", t.cadence_days + 40, False),
            ("secretly warm", t.cadence_days + 3, True),
        ):
            organization = make_organization(name=f"T{rank} {label}", tier=t, owner=owner)
            contact = make_contact(given_names=f"T{rank} {label}", tier=t, owner=owner)
            if days_ago is not None:
                log(
                    admin,
                    days_ago,
                    organization_ids=[organization.id],
                    contacts=[participant(contact)],
                )
            if hidden:
                log(
                    admin,
                    2,
                    organization_ids=[organization.id],
                    contacts=[participant(contact), participant(secret)],
                )
    db.session.commit()
    moment = now()
    names = {1: "Tier 1", 2: "Tier 2", 3: "Tier 3"}
    names = {rank: tier(rank).name for rank in names}

    for viewer in (officer, cleared, admin):
        expected: dict[str, list[int]] = {}
        for r in relationships(viewer, moment):
            within, total = expected.setdefault(r.tier.name, [0, 0])
            warm = r.next_due is not None and r.next_due >= moment
            expected[r.tier.name] = [within + warm, total + 1]
        summary = home_summary(viewer, moment, limit=8)
        assert {c.tier: [c.within, c.total] for c in summary.office.coverage} == expected
        assert {c.tier: [c.within, c.total] for c in tier_coverage(viewer, moment)} == expected

        mine = [
            (r.kind, r.record.id, r.days_overdue)
            for r in going_cold(viewer, moment, owner_id=viewer.id)
        ]
        assert [(r.kind, r.record.id, r.days_overdue) for r in summary.my_cold] == mine[:8]
        everything = home_summary(viewer, moment, limit=100).my_cold
        assert [(r.kind, r.record.id, r.days_overdue) for r in everything] == mine

    # What that means in numbers: the warm records are within; the secretly warm ones only
    # for clearances that see the confidential meeting.
    assert {c.tier: (c.within, c.total) for c in tier_coverage(officer, moment)} == {
        names[1]: (2, 10),
        names[2]: (2, 10),
        names[3]: (2, 10),
    }
    for viewer in (cleared, admin):
        assert {c.tier: (c.within, c.total) for c in tier_coverage(viewer, moment)} == {
            names[1]: (4, 10),
            names[2]: (4, 10),
            names[3]: (4, 10),
        }

    def my_cold(viewer: User) -> list[tuple[int, str, int | None]]:
        return [
            (
                r.tier.rank,
                r.record.name if r.kind == "organization" else r.record.given_names,
                r.days_overdue,
            )
            for r in home_summary(viewer, moment, limit=100).my_cold
        ]

    officers = my_cold(officer)
    assert [(rank, name) for rank, name, _days in officers] == [
        (rank, name)
        for rank in (1, 3)
        for label in ("never", "long overdue", "overdue", "secretly warm")
        for name in sorted_pair(f"T{rank} {label}")
    ]
    assert [days is None for _rank, _name, days in officers] == [True, True, *[False] * 6] * 2
    cleared_cold = my_cold(cleared)
    assert [(rank, name) for rank, name, _days in cleared_cold] == [
        (2, name)
        for label in ("never", "long overdue", "overdue")
        for name in sorted_pair(f"T2 {label}")
    ]


def sorted_pair(name: str) -> list[str]:
    """An organization and a contact of the same name, in the order the lists break ties."""
    organization = db.session.scalars(select(Organization).where(Organization.name == name)).one()
    contact = db.session.scalars(select(Contact).where(Contact.given_names == name)).one()
    pairs = sorted([(organization.name_key, name), (contact.name_key, name)])
    return [n for _key, n in pairs]


def test_a_loaded_interaction_reads_its_new_level_before_the_commit(app, users):
    meeting = make_interaction(users["admin"], sensitivity=PUBLIC)
    db.session.flush()
    assert meeting.effective_sensitivity == PUBLIC

    meeting.contact_links.append(InteractionContact(contact=make_contact(sensitivity=CONFIDENTIAL)))
    db.session.flush()

    assert meeting.effective_sensitivity == CONFIDENTIAL
