"""Interaction pages: logging a meeting in one form (without JavaScript), bad input shown
beside its field, editing at the local time, visibility, the trash and the history."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import Interaction, Sensitivity
from tests import factories
from tests.view_helpers import (
    assert_error_beside,
    control,
    count,
    count_text,
    flashes,
    linked_names,
    page,
    redirect_target,
    row,
)

NOT_FOUND = "A participant was not found."


def meeting_form(**changes: Any) -> dict[str, Any]:
    """What a browser sends from the interaction form when the user presses Save."""
    data: dict[str, Any] = {
        "subject": "Border crossing working group",
        "kind": "meeting",
        "status": "held",
        "day": "2026-06-15",
        "start": "10:00",
        "end": "11:30",
        "end_day": "",
        "timezone": "America/Tijuana",
        "location": "Garita El Chaparral",
        "video_url": "",
        "sensitivity": "official",
        "summary": "Wait times at the port of entry.",
        "outcome": "",
        "organization_names-0": "",
        "organization_names-1": "",
        "organization_names-2": "",
        "contact_search": "",
        "action": "save",
    }
    data.update(changes)
    return data


def make_jose() -> tuple[Any, Any]:
    """José Ángel Núñez, whose current main post is at the Secretaría de Economía."""
    jose = factories.make_contact(
        given_names="José Ángel", family_name="Núñez", second_family_name="Peña"
    )
    old = factories.make_organization(name="Old Employer")
    factories.make_affiliation(jose, old, start=date(2010, 1, 1), end=date(2015, 1, 1))
    economia = factories.make_organization(name="Secretaría de Economía", country="MX")
    factories.make_affiliation(jose, economia, start=date(2020, 1, 1), is_primary=True)
    return jose, economia


def selected_option(html: str, select_id: str) -> str | None:
    """The value of the option the select shows as chosen."""
    match = re.search(
        rf'<select\b[^>]*\bid="{re.escape(select_id)}"[^>]*>(.*?)</select>', html, re.S
    )
    assert match, f"no select {select_id!r}"
    for option in re.findall(r"<option\b[^>]*>", match.group(1)):
        if re.search(r"\sselected\b", option):
            return re.search(r'value="([^"]*)"', option).group(1)  # type: ignore[union-attr]
    return None


def log_as(client: Any, login_as: Any, who: Any, **changes: Any) -> Interaction:
    """Log an interaction through the form as ``who``; return it."""
    login_as(who)
    before = count(Interaction)
    response = client.post("/interactions/new", data=meeting_form(**changes))
    assert response.status_code == 302, page(response)
    assert count(Interaction) == before + 1
    interaction_id = int(redirect_target(response).rsplit("/", 1)[1])
    return db.session.get(Interaction, interaction_id)


# 1 and 2: one form, plain posts ------------------------------------------------------------


def test_officer_logs_a_meeting_finding_people_without_saving(client, users, login_as):
    jose, economia = make_jose()
    login_as("officer")

    found = client.post(
        "/interactions/new",
        data=meeting_form(action="find", contact_search="jose nunez", staff_ids=[]),
    )
    html = page(found)
    assert found.status_code == 200
    assert "José Ángel Núñez" in html
    assert f'name="contact_ids" value="{jose.id}"' in html
    assert count(Interaction) == 0

    ticked = client.post(
        "/interactions/new",
        data=meeting_form(action="find", contact_ids=[str(jose.id)], staff_ids=[]),
    )
    html = page(ticked)
    assert ticked.status_code == 200
    assert selected_option(html, f"represented-{jose.id}") == str(economia.id)
    assert "Old Employer" not in html  # only current posts are offered
    assert count(Interaction) == 0

    saved = client.post(
        "/interactions/new",
        data=meeting_form(
            contact_ids=[str(jose.id)],
            **{f"represented-{jose.id}": str(economia.id)},
            staff_ids=[str(users["officer"].id)],
        ),
    )
    assert count(Interaction) == 1
    interaction = db.session.scalars(select(Interaction)).one()
    assert redirect_target(saved) == f"/interactions/{interaction.id}"

    shown = client.get(redirect_target(saved))
    html = page(shown)
    assert "Interaction saved." in flashes(html)
    assert "Border crossing working group" in html
    starts = re.search(r"<dt>Starts</dt><dd>([^<]*)</dd>", html)
    assert starts and "10:00" in starts.group(1) and "(America/Tijuana)" in starts.group(1)
    assert f'<a href="/contacts/{jose.id}">José Ángel Núñez Peña</a>' in html
    assert f'<a href="/organizations/{economia.id}">Secretaría de Economía</a>' in html
    assert users["officer"].full_name in html
    # 10:00 in Tijuana in June (UTC-7) is 17:00 UTC.
    assert interaction.starts_at.astimezone(UTC) == datetime(2026, 6, 15, 17, 0, tzinfo=UTC)


def test_the_form_works_with_plain_buttons_and_no_script(client, users, login_as):
    login_as("officer")
    html = page(client.get("/interactions/new"))
    assert '<form method="post"' in html
    assert re.search(r'<button type="submit" name="action" value="find"', html)
    assert re.search(r'<button type="submit" name="action" value="save"', html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert "javascript:" not in html
    # Defaults a user would expect: their own zone, and themselves among the staff.
    assert selected_option(html, "timezone") == "America/Los_Angeles"
    assert re.search(rf'name="staff_ids" value="{users["officer"].id}"\s*checked', html), (
        "the officer is ticked as staff"
    )


def test_searching_for_nobody_says_so(client, users, login_as):
    login_as("officer")
    html = page(
        client.post("/interactions/new", data=meeting_form(action="find", contact_search="zzz"))
    )
    assert "Nobody found by that name." in html
    assert count(Interaction) == 0


def test_a_name_typed_without_accents_finds_the_organization(client, users, login_as):
    economia = factories.make_organization(name="Secretaría de Economía", country="MX")
    interaction = log_as(
        client, login_as, "officer", **{"organization_names-0": "secretaria de economia"}
    )
    assert [o.id for o in interaction.organizations] == [economia.id]


# 3: bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": "10:00", "end": "09:00"}, "end", "The end must be after the start."),
        (
            {"day": "2026-03-08", "start": "02:30", "end": "", "timezone": "America/Los_Angeles"},
            "start",
            "does not exist",
        ),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list."),
        ({"subject": ""}, "subject", "Enter a subject."),
        (
            {"organization_names-0": "Nonexistent Agency"},
            "organization_names-0",
            "No organization with this name was found.",
        ),
    ],
    ids=["end-before-start", "skipped-by-dst", "unknown-zone", "no-subject", "unknown-org"],
)
def test_bad_input_is_shown_beside_the_field_and_nothing_is_saved(
    client, users, login_as, changes, field, message
):
    login_as("officer")
    response = client.post("/interactions/new", data=meeting_form(**changes))
    assert response.status_code == 200
    html = page(response)
    assert_error_beside(html, field, message)
    assert count(Interaction) == 0
    # What the user typed is kept.
    assert 'value="Garita El Chaparral"' in control(html, "location")


def test_a_hidden_participant_reads_exactly_like_a_missing_one(client, users, login_as):
    secret = factories.make_contact(
        given_names="Hidden", family_name="Person", sensitivity=Sensitivity.CONFIDENTIAL
    )
    login_as("officer")
    hidden = client.post("/interactions/new", data=meeting_form(contact_ids=[str(secret.id)]))
    missing = client.post("/interactions/new", data=meeting_form(contact_ids=["999999"]))
    assert hidden.status_code == missing.status_code == 200
    for response in (hidden, missing):
        html = page(response)
        assert NOT_FOUND in html
        assert f'id="contacts-error" class="field-error" role="alert">{NOT_FOUND}' in html
        assert '<fieldset aria-describedby="contacts-error">' in html
        assert "Hidden" not in html
    assert count(Interaction) == 0


# 4: editing --------------------------------------------------------------------------------


def test_edit_shows_the_local_time_and_keeps_it(client, users, login_as):
    interaction = log_as(
        client,
        login_as,
        "officer",
        timezone="America/Mexico_City",
        day="2026-11-20",
        start="10:00",
        end="",
    )
    starts_at = row(Interaction, interaction.id)["starts_at"]

    html = page(client.get(f"/interactions/{interaction.id}/edit"))
    assert 'value="2026-11-20"' in control(html, "day")
    assert 'value="10:00"' in control(html, "start")
    assert selected_option(html, "timezone") == "America/Mexico_City"

    response = client.post(
        f"/interactions/{interaction.id}/edit",
        data=meeting_form(
            timezone="America/Mexico_City",
            day="2026-11-20",
            start="10:00",
            end="",
            summary="Agreed a second meeting.",
            staff_ids=[str(users["officer"].id)],
        ),
    )
    assert redirect_target(response) == f"/interactions/{interaction.id}"
    after = row(Interaction, interaction.id)
    assert after["summary"] == "Agreed a second meeting."
    assert after["starts_at"] == starts_at
    assert count(Interaction) == 1
    assert "10:00" in page(client.get(f"/interactions/{interaction.id}"))


# 5: visibility and roles -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["participant", "organization"])
def test_a_confidential_party_hides_the_interaction_from_an_official_officer(
    client, users, login_as, where
):
    open_one = log_as(client, login_as, "admin", subject="Open meeting")
    if where == "participant":
        secret = factories.make_contact(sensitivity=Sensitivity.CONFIDENTIAL)
        changes: dict[str, Any] = {"contact_ids": [str(secret.id)]}
    else:
        factories.make_organization(name="Secret Unit", sensitivity=Sensitivity.CONFIDENTIAL)
        changes = {"organization_names-0": "Secret Unit"}
    hidden = log_as(client, login_as, "admin", subject="Closed meeting", **changes)

    html = page(client.get("/interactions/"))
    assert sorted(linked_names(html, "/interactions")) == ["Closed meeting", "Open meeting"]
    assert count_text(html) == "1–2 of 2"
    assert client.get(f"/interactions/{hidden.id}/history").status_code == 200

    login_as("officer")
    html = page(client.get("/interactions/"))
    assert linked_names(html, "/interactions") == ["Open meeting"]
    assert count_text(html) == "1–1 of 1"
    for path in ("", "/edit", "/history"):
        assert client.get(f"/interactions/{hidden.id}{path}").status_code == 404
    assert client.post(f"/interactions/{hidden.id}/edit", data=meeting_form()).status_code == 404
    assert client.post(f"/interactions/{hidden.id}/delete").status_code == 404
    assert row(Interaction, hidden.id)["deleted_at"] is None
    assert client.get(f"/interactions/{open_one.id}").status_code == 200


def test_a_viewer_reads_but_cannot_change(client, users, login_as):
    interaction = log_as(client, login_as, "officer")
    login_as("viewer")
    listing = page(client.get("/interactions/"))
    assert "Border crossing working group" in listing
    assert "Log an interaction" not in listing
    detail = client.get(f"/interactions/{interaction.id}")
    assert detail.status_code == 200
    assert "Edit" not in page(detail) and "Move to trash" not in page(detail)

    assert client.get("/interactions/new").status_code == 403
    assert client.post("/interactions/new", data=meeting_form()).status_code == 403
    assert client.get(f"/interactions/{interaction.id}/edit").status_code == 403
    edit = client.post(f"/interactions/{interaction.id}/edit", data=meeting_form(subject="X"))
    assert edit.status_code == 403
    assert client.post(f"/interactions/{interaction.id}/delete").status_code == 403
    assert count(Interaction) == 1
    stored = row(Interaction, interaction.id)
    assert stored["subject"] == "Border crossing working group"
    assert stored["deleted_at"] is None


def test_unknown_ids_are_not_found(client, users, login_as):
    login_as("admin")
    for path in (
        "/interactions/999999",
        "/interactions/999999/edit",
        "/interactions/999999/history",
    ):
        assert client.get(path).status_code == 404
    assert client.post("/interactions/999999/delete").status_code == 404


# 6: delete ---------------------------------------------------------------------------------


def test_delete_moves_it_to_the_trash(client, users, login_as):
    interaction = log_as(client, login_as, "officer")
    assert linked_names(page(client.get("/interactions/")), "/interactions") == [
        "Border crossing working group"
    ]
    response = client.post(f"/interactions/{interaction.id}/delete")
    assert redirect_target(response) == "/interactions/"
    html = page(client.get("/interactions/"))
    assert "“Border crossing working group” moved to the trash." in flashes(html)
    assert linked_names(html, "/interactions") == []
    assert "No interactions logged yet." in html
    assert client.get(f"/interactions/{interaction.id}").status_code == 404
    assert count(Interaction) == 1
    assert row(Interaction, interaction.id)["deleted_at"] is not None


# 7: history --------------------------------------------------------------------------------


def test_history_lists_the_creation_and_the_change(client, users, login_as):
    interaction = log_as(client, login_as, "officer")
    login_as("officer")
    client.post(
        f"/interactions/{interaction.id}/edit",
        data=meeting_form(subject="Renamed working group", staff_ids=[str(users["officer"].id)]),
    )
    login_as("admin")
    response = client.get(f"/interactions/{interaction.id}/history")
    assert response.status_code == 200
    html = page(response)
    assert "History of Renamed working group" in html
    assert "Created" in html and "Changed" in html
    assert html.index("Changed") < html.index("Created")  # newest first
    assert "<del>Border crossing working group</del>" in html
    assert "<ins>Renamed working group</ins>" in html
    assert users["officer"].full_name in html


def test_logging_from_an_organization_page_fills_in_the_organization(client, login_as):
    agency = factories.make_organization(name="Fiscalía General del Estado de Sonora")
    db.session.commit()
    login_as("officer")
    html = page(client.get(f"/organizations/{agency.id}"))
    assert f'href="/interactions/new?organization={agency.id}"' in html
    form = page(client.get(f"/interactions/new?organization={agency.id}"))
    assert 'value="Fiscalía General del Estado de Sonora"' in form


# Whole-day items ------------------------------------------------------------------------------


def test_a_conference_logged_as_all_day_shows_its_days_and_edits_as_all_day(
    client, users, login_as
):
    conference = log_as(
        client,
        login_as,
        users["officer"],
        subject="Binational conference",
        all_day="y",
        start="",
        end="",
        day="2026-10-01",
        end_day="2026-10-02",
    )

    assert conference.all_day
    shown = page(client.get(f"/interactions/{conference.id}"))
    assert "Oct 1, 2026 – Oct 2, 2026 (all day)" in shown
    form = page(client.get(f"/interactions/{conference.id}/edit"))
    assert "checked" in control(form, "all_day")
    assert 'value="2026-10-02"' in control(form, "end_day")
    assert 'value=""' in control(form, "start") or "value=" not in control(form, "start")


def test_a_timed_meeting_still_needs_its_start_time(client, users, login_as):
    login_as(users["officer"])
    before = count(Interaction)

    response = client.post("/interactions/new", data=meeting_form(start=""))

    assert_error_beside(page(response), "start", "Enter the date and start time.")
    assert count(Interaction) == before
