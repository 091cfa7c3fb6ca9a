"""The home page: counts, my week and the charts, all limited to what the user may see."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from crm.extensions import db
from crm.models import Organization, RelationshipTier, Sensitivity
from crm.services.dashboard import reused_office_figures
from crm.services.follow_ups import FollowUpInput, create_follow_up
from crm.services.interactions import InteractionInput, create_interaction
from tests import factories
from tests.view_helpers import page


def home_counts(client) -> tuple[int, int]:
    """The organization and contact figures on the home page."""
    html = page(client.get("/"))
    organizations = re.search(r'<h2><a href="/organizations/">(\d+)</a></h2>', html)
    contacts = re.search(r'<h2><a href="/contacts/">(\d+)</a></h2>', html)
    assert organizations and contacts, "the home page shows both figures"
    return int(organizations.group(1)), int(contacts.group(1))


def section(client, heading: str) -> str:
    """The text of one section of the home page."""
    html = page(client.get("/"))
    match = re.search(rf"<h2>{re.escape(heading)}</h2>(.*?)</section>", html, flags=re.S)
    assert match, f"no section {heading!r}"
    return match.group(1)


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


def meeting(actor, subject, day, **fields):
    data = InteractionInput(
        subject=subject,
        day=day,
        start=time(10, 0),
        timezone="America/Tijuana",
        status=fields.pop("status", "planned"),
        **fields,
    )
    return create_interaction(data, actor)


def test_my_week_shows_my_meetings_follow_ups_and_cold_relationships(client, login_as, users):
    officer = users["officer"]
    soon = date.today() + timedelta(days=3)
    mine = meeting(officer, "Reunión con el consulado", soon)
    meeting(users["admin"], "Someone else's meeting", soon)
    secret = factories.make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    meeting(
        users["admin"],
        "Vetted briefing",
        soon,
        organization_ids=[secret.id],
        staff_ids=[officer.id],
    )
    create_follow_up(
        FollowUpInput(
            "Send the minutes", date.today() - timedelta(days=2), officer.id, interaction_id=mine.id
        ),
        officer,
    )
    tier_one = db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == 1)).one()
    factories.make_organization(name="Fiscalía de Sonora", tier=tier_one, owner=officer)
    factories.make_organization(name="Not mine", tier=tier_one, owner=users["admin"])
    db.session.commit()
    login_as("officer")

    upcoming = section(client, "My upcoming meetings")
    assert "Reunión con el consulado" in upcoming
    assert "Someone else" not in upcoming and "Vetted" not in upcoming
    assert "Send the minutes" in section(client, "My overdue follow-ups")
    cold = section(client, "Going cold, mine")
    assert "Fiscalía de Sonora" in cold and "never contacted" in cold
    assert "Not mine" not in cold


def test_charts_count_only_visible_interactions_and_have_a_table(client, login_as, users):
    officer = users["officer"]
    last_week = date.today() - timedelta(days=7)
    meeting(officer, "Held openly", last_week, status="held")
    secret = factories.make_organization(sensitivity=Sensitivity.CONFIDENTIAL)
    meeting(
        users["admin"], "Held in secret", last_week, status="held", organization_ids=[secret.id]
    )
    db.session.commit()

    def this_month_total():
        html = page(client.get("/"))
        month = last_week.strftime("%b %Y")  # as an English reader sees it: "Nov 2026"
        found = re.search(rf'<th scope="row">{month}</th><td>(\d+)</td>', html)
        return int(found.group(1)) if found else 0

    login_as("officer")
    officer_total = this_month_total()
    login_as("admin")
    admin_total = this_month_total()
    assert (officer_total, admin_total) == (1, 2)
    html = page(client.get("/"))
    assert "<svg" in html and "Show as a table" in html


def test_reused_figures_follow_every_write_and_stay_per_clearance(app, client, login_as, users):
    app.config["DASHBOARD_FIGURES_SECONDS"] = 3600
    factories.make_organization(name="California Highway Patrol")
    db.session.commit()
    login_as("officer")
    assert home_counts(client) == (1, 0)

    # Read again at once, after a write: the new record counts.
    factories.make_contact(given_names="Mary", family_name="Smith")
    db.session.commit()
    assert home_counts(client) == (1, 1)

    # A record above the officer's clearance: the officer's figures stay, the admin's own
    # (read after the officer's were kept) include it.
    factories.make_organization(name="Joint Task Force", sensitivity=Sensitivity.CONFIDENTIAL)
    db.session.commit()
    assert home_counts(client) == (1, 1)
    login_as("admin")
    assert home_counts(client) == (2, 1)
    login_as("officer")
    assert home_counts(client) == (1, 1)


def test_reused_figures_are_read_again_once_they_are_old(app, client, login_as, users):
    officer = users["officer"]
    factories.make_organization(name="California Highway Patrol")
    db.session.commit()
    now = datetime.now(UTC)
    first = reused_office_figures(officer, now, "en", 60)
    # A change that leaves no audit event (as a bulk load would) shows once the time is up.
    db.session.execute(update(Organization).values(deleted_at=now))
    db.session.commit()

    assert reused_office_figures(officer, now + timedelta(seconds=30), "en", 60) is first
    later = reused_office_figures(officer, now + timedelta(seconds=61), "en", 60)
    assert later.organization_count == first.organization_count - 1
