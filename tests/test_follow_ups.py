"""Follow-ups: what the office owes whom this week, ticked off from the list, behind the gate."""

from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import AuditEvent, FollowUp, Sensitivity
from crm.services.errors import PermissionDenied, RecordNotFound, ValidationError
from crm.services.follow_ups import FollowUpInput, create_follow_up, my_follow_ups, set_done
from crm.services.interactions import InteractionInput, ParticipantInput, create_interaction
from tests.factories import make_contact, make_organization
from tests.view_helpers import page

TODAY = date(2026, 11, 23)


def an_interaction(actor, **fields):
    data = InteractionInput(
        subject="Working group on trafficking",
        day=date(2026, 11, 20),
        start=time(9, 0),
        timezone="America/Los_Angeles",
        status="held",
        **fields,
    )
    return create_interaction(data, actor)


def task(actor, interaction, description, due, assignee=None):
    return create_follow_up(
        FollowUpInput(description, due, (assignee or actor).id, interaction_id=interaction.id),
        actor,
    )


def descriptions(tasks):
    return [t.description for t in tasks]


def test_my_follow_ups_are_grouped_overdue_this_week_and_later(app, users):
    officer = users["officer"]
    meeting = an_interaction(officer)
    task(officer, meeting, "Send minutes", TODAY - timedelta(days=2))
    task(officer, meeting, "Call the consul", TODAY + timedelta(days=3))
    task(officer, meeting, "Draft the MOU", TODAY + timedelta(days=30))
    task(officer, meeting, "Someone else's", TODAY, assignee=users["admin"])
    done = task(officer, meeting, "Book the room", TODAY)
    set_done(done.id, True, officer)

    mine = my_follow_ups(officer, TODAY)

    assert descriptions(mine.overdue) == ["Send minutes"]
    assert descriptions(mine.this_week) == ["Call the consul"]
    assert descriptions(mine.later) == ["Draft the MOU"]
    assert descriptions(mine.recently_done) == ["Book the room"]
    set_done(done.id, False, officer)
    assert "Book the room" in descriptions(my_follow_ups(officer, TODAY).this_week)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("description", {"description": " "}),
        ("due_date", {"due_date": None}),
        ("assignee_id", {"assignee_id": None}),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(app, users, field, changes):
    meeting = an_interaction(users["officer"])
    values = {"description": "Send minutes", "due_date": TODAY, "assignee_id": users["officer"].id}
    values.update(changes)
    with pytest.raises(ValidationError) as caught:
        create_follow_up(FollowUpInput(**values, interaction_id=meeting.id), users["officer"])
    db.session.rollback()
    assert field in caught.value.errors
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0


def test_a_follow_up_of_a_hidden_interaction_is_hidden_too(app, users):
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    meeting = an_interaction(users["admin"], organization_ids=[secret.id])
    hidden = task(users["admin"], meeting, "Vetted unit call", TODAY, assignee=users["officer"])
    db.session.commit()

    assert my_follow_ups(users["officer"], TODAY).this_week == []
    with pytest.raises(RecordNotFound):
        set_done(hidden.id, True, users["officer"])
    with pytest.raises(ValidationError):
        create_follow_up(
            FollowUpInput("x", TODAY, users["officer"].id, interaction_id=meeting.id),
            users["officer"],
        )


def test_a_viewer_cannot_add_or_tick_follow_ups(app, users):
    meeting = an_interaction(users["officer"])
    item = task(users["officer"], meeting, "Send minutes", TODAY)
    with pytest.raises(PermissionDenied):
        set_done(item.id, True, users["viewer"])
    with pytest.raises(PermissionDenied):
        create_follow_up(
            FollowUpInput("x", TODAY, users["viewer"].id, interaction_id=meeting.id),
            users["viewer"],
        )


def test_an_officer_adds_a_follow_up_to_a_meeting_and_ticks_it_off_from_the_list(
    client, users, login_as
):
    person = make_contact(given_names="Rosa")
    meeting = an_interaction(users["officer"], contacts=[ParticipantInput(person.id)])
    db.session.commit()
    login_as("officer")

    bad = client.post(
        "/follow-ups/new",
        data={
            "description": "",
            "due_date": "2026-11-25",
            "assignee_id": users["officer"].id,
            "interaction_id": meeting.id,
        },
    )
    assert bad.status_code == 400
    assert 'id="description-error"' in page(bad)
    assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 0

    added = client.post(
        "/follow-ups/new",
        data={
            "description": "Send the MOU draft",
            "due_date": (date.today() + timedelta(days=2)).isoformat(),
            "assignee_id": users["officer"].id,
            "interaction_id": meeting.id,
        },
    )
    assert added.headers["Location"].endswith(f"/interactions/{meeting.id}")
    assert "Send the MOU draft" in page(client.get(f"/interactions/{meeting.id}"))
    listing = page(client.get("/follow-ups/"))
    assert "Due this week" in listing and "Send the MOU draft" in listing

    follow_up = db.session.scalars(select(FollowUp)).one()
    client.post(f"/follow-ups/{follow_up.id}/done", data={"done": "1", "next": "/follow-ups/"})
    assert db.session.get(FollowUp, follow_up.id).done_at is not None


def test_a_viewer_gets_403_on_follow_up_changes(client, users, login_as):
    meeting = an_interaction(users["officer"])
    item = task(users["officer"], meeting, "Send minutes", TODAY)
    db.session.commit()
    login_as("viewer")
    assert client.post(f"/follow-ups/{item.id}/done", data={"done": "1"}).status_code == 403
    assert client.post("/follow-ups/new", data={}).status_code == 403
    assert db.session.get(FollowUp, item.id).done_at is None


def test_a_follow_up_can_belong_to_a_contact_or_an_organization(client, users, login_as):
    person = make_contact(given_names="Rosa")
    agency = make_organization(name="Fiscalía de Sonora")
    db.session.commit()
    login_as("officer")
    due = (date.today() + timedelta(days=1)).isoformat()

    for link, url in (
        ({"contact_id": person.id}, f"/contacts/{person.id}"),
        ({"organization_id": agency.id}, f"/organizations/{agency.id}"),
    ):
        response = client.post(
            "/follow-ups/new",
            data={
                "description": f"Call back {url}",
                "due_date": due,
                "assignee_id": users["officer"].id,
                **link,
            },
        )
        assert response.headers["Location"].endswith(url)
        assert f"Call back {url}" in page(client.get(url))


def test_follow_ups_are_audited_when_added_and_ticked(app, users):
    meeting = an_interaction(users["officer"])
    item = task(users["officer"], meeting, "Send minutes", TODAY)
    set_done(item.id, True, users["officer"])
    db.session.commit()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.record_type == "follow_up").order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("create", users["officer"].id),
        ("update", users["officer"].id),
    ]
    assert events[1].changes["done_at"][0] is None and events[1].changes["done_at"][1]


def test_a_follow_up_has_a_history_hidden_with_its_interaction(client, users, login_as):
    meeting = an_interaction(users["officer"])
    item = task(users["officer"], meeting, "Send minutes", TODAY)
    set_done(item.id, True, users["officer"])
    secret = make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    hidden_meeting = an_interaction(users["admin"], organization_ids=[secret.id])
    hidden = task(users["admin"], hidden_meeting, "Vetted call", TODAY)
    db.session.commit()
    login_as("officer")

    html = page(client.get(f"/follow-ups/{item.id}/history"))
    assert "Send minutes" in html and "Created" in html and "Changed" in html
    assert client.get(f"/follow-ups/{hidden.id}/history").status_code == 404
