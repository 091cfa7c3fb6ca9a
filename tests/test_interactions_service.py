"""Interactions at their real local time in each zone, validated, and behind the gate."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AuditEvent, Interaction, Sensitivity
from crm.services.admin import list_trash
from crm.services.errors import PermissionDenied, RecordNotFound, ValidationError
from crm.services.interactions import (
    InteractionInput,
    ParticipantInput,
    contact_timeline,
    create_interaction,
    delete_interaction,
    get_interaction,
    local_time,
    organization_timeline,
    restore_interaction,
    update_interaction,
)
from crm.services.visibility import visible
from tests.factories import make_affiliation, make_contact, make_organization, make_user


def meeting(**fields):
    values = {
        "subject": "Binational task force on child abduction",
        "day": date(2026, 6, 15),
        "start": time(10, 0),
        "end": time(11, 30),
        "timezone": "America/Los_Angeles",
    }
    values.update(fields)
    return InteractionInput(**values)


def interaction_count():
    return db.session.scalar(select(func.count()).select_from(Interaction))


def refused(field, data, actor):
    before = interaction_count()
    with pytest.raises(ValidationError) as caught:
        create_interaction(data, actor)
    db.session.rollback()
    assert interaction_count() == before
    return caught.value.errors[field]


# Each zone on both sides of the 2026 US changes (8 March, 1 November): California and
# Tijuana move their clocks; Mexico City and Hermosillo keep one offset all year.
OFFSETS = {
    "America/Los_Angeles": (-8, -7),
    "America/Tijuana": (-8, -7),
    "America/Mexico_City": (-6, -6),
    "America/Hermosillo": (-7, -7),
}
DAYS = [
    (date(2026, 3, 7), 0),
    (date(2026, 3, 9), 1),
    (date(2026, 10, 31), 1),
    (date(2026, 11, 2), 0),
]


@pytest.mark.parametrize("zone", sorted(OFFSETS))
@pytest.mark.parametrize(("day", "summer"), DAYS)
def test_a_meeting_keeps_its_wall_clock_time_across_daylight_saving_changes(
    app, users, zone, day, summer
):
    saved = create_interaction(meeting(day=day, timezone=zone), users["officer"])
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Interaction, saved.id)

    offset = OFFSETS[zone][summer]
    assert stored.starts_at == datetime.combine(day, time(10, 0), UTC) - timedelta(hours=offset)
    shown = local_time(stored.starts_at, stored.timezone)
    assert (shown.date(), shown.time()) == (day, time(10, 0))
    assert local_time(stored.ends_at, zone).time() == time(11, 30)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "America/Tijuana"])
def test_a_time_skipped_by_the_clocks_jumping_forward_is_refused(app, users, zone):
    message = refused(
        "start",
        meeting(day=date(2026, 3, 8), start=time(2, 30), end=None, timezone=zone),
        users["officer"],
    )
    assert "does not exist" in message


def test_the_same_hour_is_fine_where_the_clocks_do_not_change(app, users):
    saved = create_interaction(
        meeting(day=date(2026, 3, 8), start=time(2, 30), end=None, timezone="America/Mexico_City"),
        users["officer"],
    )
    assert saved.starts_at == datetime(2026, 3, 8, 8, 30, tzinfo=UTC)


def test_a_time_that_happens_twice_when_clocks_fall_back_is_the_first_one(app, users):
    saved = create_interaction(
        meeting(day=date(2026, 11, 1), start=time(1, 30), end=None), users["officer"]
    )
    assert saved.starts_at == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)  # 01:30 PDT


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("subject", {"subject": "  "}),
        ("end", {"end": time(9, 0)}),
        ("end", {"end": time(10, 0)}),
        ("timezone", {"timezone": "America/Atlantis"}),
        ("day", {"day": None}),
        ("kind", {"kind": "party"}),
        ("status", {"status": "maybe"}),
        ("video_url", {"video_url": "meet.example/abc"}),
        ("sensitivity", {"sensitivity": "confidential"}),
        ("staff_ids", {"staff_ids": [999999]}),
        ("work_area_ids", {"work_area_ids": [999999]}),
    ],
)
def test_bad_input_is_refused_on_its_field_and_saves_nothing(app, users, field, changes):
    assert refused(field, meeting(**changes), users["officer"])


def test_a_participant_the_officer_cannot_see_is_as_unknown_as_one_that_does_not_exist(app, users):
    secret = make_contact(sensitivity=Sensitivity.CONFIDENTIAL)
    hidden = refused("contacts", meeting(contacts=[ParticipantInput(secret.id)]), users["officer"])
    missing = refused(
        "contacts", meeting(contacts=[ParticipantInput(secret.id + 1000)]), users["officer"]
    )
    assert hidden == missing == "A participant was not found."


def test_participants_are_saved_with_the_organization_they_represented(app, users):
    consulate = make_organization(name="Consulado de México en Calexico", kind="consulate")
    person = make_contact(given_names="José Ángel", family_name="Núñez")
    colleague = make_user(full_name="Kevin Tran")
    saved = create_interaction(
        meeting(
            contacts=[ParticipantInput(person.id, consulate.id)],
            organization_ids=[consulate.id],
            staff_ids=[colleague.id],
        ),
        users["officer"],
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Interaction, saved.id)
    assert [
        (link.contact.given_names, link.organization.name) for link in stored.contact_links
    ] == [("José Ángel", "Consulado de México en Calexico")]
    assert [o.name for o in stored.organizations] == ["Consulado de México en Calexico"]
    assert [u.full_name for u in stored.staff] == ["Kevin Tran"]
    assert stored.owner == users["officer"]


def test_an_interaction_is_as_sensitive_as_its_most_sensitive_participant(app, users):
    agency = make_organization(name="FGR")
    person = make_contact()
    saved = create_interaction(
        meeting(contacts=[ParticipantInput(person.id)], organization_ids=[agency.id]),
        users["officer"],
    )
    db.session.commit()
    assert get_interaction(saved.id, users["officer"]) == saved

    # Raising a participant later hides the interaction at once, from lists and by id.
    agency.sensitivity = Sensitivity.LAW_ENFORCEMENT_SENSITIVE
    db.session.commit()
    with pytest.raises(RecordNotFound):
        get_interaction(saved.id, users["officer"])
    assert list(db.session.scalars(visible(Interaction, users["officer"]))) == []
    assert get_interaction(saved.id, users["admin"]) == saved

    agency.sensitivity = Sensitivity.OFFICIAL
    person.sensitivity = Sensitivity.CONFIDENTIAL
    db.session.commit()
    assert list(db.session.scalars(visible(Interaction, users["officer"]))) == []


def test_the_sequence_rises_when_time_place_or_status_change_only(app, users):
    saved = create_interaction(meeting(), users["officer"])
    assert saved.sequence == 0
    update_interaction(saved, meeting(summary="Agenda attached"), users["officer"])
    assert saved.sequence == 0
    update_interaction(
        saved, meeting(summary="Agenda attached", start=time(10, 30)), users["officer"]
    )
    assert saved.sequence == 1
    update_interaction(
        saved,
        meeting(summary="Agenda attached", start=time(10, 30), status="cancelled"),
        users["officer"],
    )
    assert saved.sequence == 2


def test_editing_the_participants_keeps_those_who_stay(app, users):
    first, second = make_contact(), make_contact()
    saved = create_interaction(meeting(contacts=[ParticipantInput(first.id)]), users["officer"])
    db.session.commit()
    update_interaction(
        saved,
        meeting(contacts=[ParticipantInput(first.id), ParticipantInput(second.id)]),
        users["officer"],
    )
    db.session.commit()
    db.session.expire_all()
    assert {link.contact_id for link in db.session.get(Interaction, saved.id).contact_links} == {
        first.id,
        second.id,
    }


def test_a_viewer_cannot_log_an_interaction(app, users):
    with pytest.raises(PermissionDenied):
        create_interaction(meeting(), users["viewer"])


# Timelines --------------------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def logged(subject, day, actor, status="held", **fields):
    return create_interaction(meeting(subject=subject, day=day, status=status, **fields), actor)


def test_a_contact_timeline_is_newest_first_with_the_next_planned_meeting_on_top(app, users):
    person = make_contact()
    who = [ParticipantInput(person.id)]
    officer = users["officer"]
    logged("Last year", date(2025, 6, 1), officer, contacts=who)
    logged("Far ahead", date(2026, 9, 1), officer, status="planned", contacts=who)
    logged("Soon", date(2026, 6, 10), officer, status="planned", contacts=who)
    logged("Called off", date(2026, 6, 5), officer, status="cancelled", contacts=who)
    logged("Someone else", date(2026, 6, 6), officer, status="planned")
    secret_unit = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    logged(
        "Vetted", date(2026, 6, 7), users["admin"], contacts=who, organization_ids=[secret_unit.id]
    )

    timeline = contact_timeline(person, officer, NOW)

    assert timeline.next_planned.subject == "Soon"
    assert [i.subject for i in timeline.items] == ["Far ahead", "Soon", "Called off", "Last year"]
    assert "Vetted" in [i.subject for i in contact_timeline(person, users["admin"], NOW).items]


def test_an_organization_timeline_has_its_people_and_optionally_its_units(app, users):
    officer = users["officer"]
    consulate = make_organization(name="Consulado General en San Diego", kind="consulate")
    unit = make_organization(name="Departamento de Protección", parent=consulate)
    consul, former, guest = make_contact(), make_contact(), make_contact()
    make_affiliation(consul, consulate, start=date(2024, 1, 1))
    make_affiliation(former, consulate, start=date(2019, 1, 1), end=date(2023, 12, 31))
    logged("With the body", date(2026, 5, 1), officer, organization_ids=[consulate.id])
    logged("Consul alone", date(2026, 5, 2), officer, contacts=[ParticipantInput(consul.id)])
    logged(
        "Guest for them",
        date(2026, 5, 3),
        officer,
        contacts=[ParticipantInput(guest.id, consulate.id)],
    )
    logged("Former staffer", date(2026, 5, 4), officer, contacts=[ParticipantInput(former.id)])
    logged("Unit only", date(2026, 5, 5), officer, organization_ids=[unit.id])

    own = [i.subject for i in organization_timeline(consulate, officer, NOW).items]
    assert own == ["Guest for them", "Consul alone", "With the body"]
    with_units = organization_timeline(consulate, officer, NOW, include_units=True)
    assert [i.subject for i in with_units.items] == ["Unit only", *own]


def test_a_deleted_interaction_waits_in_the_trash_until_an_admin_restores_it(app, users):
    saved = create_interaction(meeting(), users["officer"])
    delete_interaction(saved, users["officer"])
    db.session.commit()
    with pytest.raises(RecordNotFound):
        get_interaction(saved.id, users["officer"])
    assert [(i.kind, i.name, i.deleted_by) for i in list_trash(users["admin"])] == [
        ("interaction", saved.subject, users["officer"].full_name)
    ]
    with pytest.raises(PermissionDenied):
        restore_interaction(saved.id, users["officer"])

    restore_interaction(saved.id, users["admin"])
    db.session.commit()
    assert get_interaction(saved.id, users["officer"]) == saved
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.record_type == "interaction", AuditEvent.record_id == saved.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["create", "delete", "restore"]


# Whole-day items and cancellations --------------------------------------------------------


def test_an_all_day_item_runs_from_local_midnight_to_the_midnight_after_its_last_day(app, users):
    conference = create_interaction(
        meeting(
            subject="Binational conference",
            all_day=True,
            start=None,
            end=None,
            day=date(2026, 12, 1),
            end_day=date(2026, 12, 2),
            timezone="America/Tijuana",
        ),
        users["officer"],
    )

    assert conference.all_day
    assert conference.starts_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert conference.ends_at == datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def test_an_all_day_item_whose_last_day_is_before_its_first_is_refused(app, users):
    data = meeting(all_day=True, day=date(2026, 12, 2), end_day=date(2026, 12, 1))

    assert refused("end_day", data, users["officer"]) == (
        "The last day cannot be before the first."
    )


def test_cancelling_records_when_and_planning_again_clears_it(app, users):
    officer = users["officer"]
    interaction = create_interaction(meeting(status="planned"), officer)
    assert interaction.cancelled_at is None

    update_interaction(interaction, meeting(status="cancelled"), officer)
    cancelled_at = interaction.cancelled_at
    assert cancelled_at is not None
    assert interaction.sequence == 1

    update_interaction(interaction, meeting(status="cancelled", summary="Rescheduling"), officer)
    assert interaction.cancelled_at == cancelled_at

    update_interaction(interaction, meeting(status="planned"), officer)
    assert interaction.cancelled_at is None
    assert interaction.sequence == 2


def test_turning_a_meeting_into_an_all_day_item_raises_the_sequence(app, users):
    officer = users["officer"]
    interaction = create_interaction(meeting(), officer)

    update_interaction(interaction, meeting(all_day=True, end=None), officer)

    assert interaction.sequence == 1
