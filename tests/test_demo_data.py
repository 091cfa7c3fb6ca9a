"""The demo office a new user meets after `make run`."""

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from crm.extensions import db
from crm.models import (
    Contact,
    County,
    Interaction,
    Organization,
    OrganizationKind,
    Role,
    Sensitivity,
    User,
)
from crm.models.base import utcnow
from crm.services.contacts import contact_page
from crm.services.demo_data import DEMO_PASSWORD, load_demo_office
from crm.services.follow_ups import my_follow_ups
from crm.services.normalize import fold, normalize_email, normalize_phone
from crm.services.relationships import going_cold, relationships
from crm.services.users import authenticate


def test_demo_office_is_realistic_and_walkable(app):
    counts = load_demo_office()
    db.session.commit()
    assert counts["organizations"] >= 50
    assert counts["contacts"] >= 200

    organizations = db.session.scalars(select(Organization)).all()
    assert {o.kind for o in organizations} == {k.value for k in OrganizationKind}
    assert {o.sensitivity for o in organizations} >= {
        Sensitivity.PUBLIC,
        Sensitivity.OFFICIAL,
        Sensitivity.CONFIDENTIAL,
        Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
    }
    assert any(o.parent_id for o in organizations), "some units sit inside a ministry"

    # Every California county is served by exactly one consulate.
    served = Counter(
        county.id
        for o in organizations
        if o.kind == OrganizationKind.CONSULATE
        for county in o.district_counties
    )
    counties = db.session.scalars(select(County).where(County.subdivision == "US-CA")).all()
    assert len(counties) == 58
    assert all(served[c.id] == 1 for c in counties)

    contacts = db.session.scalars(select(Contact)).all()
    assert any(c.second_family_name for c in contacts), "Spanish names with two surnames"
    assert {c.sensitivity for c in contacts} == set(Sensitivity)
    for contact in contacts:
        for email in contact.emails:
            assert normalize_email(email.address) == email.address
        for phone in contact.phones:
            assert normalize_phone(phone.number, "US") == phone.number

    # Users for each role, all able to sign in with the printed password.
    users = db.session.scalars(select(User)).all()
    assert {u.role for u in users} == {r.value for r in Role}
    assert all(authenticate(u.email, DEMO_PASSWORD) == u for u in users)

    # The walkthrough's person who changed posts: both posts, the current one first.
    jose = db.session.scalar(
        select(Contact).where(Contact.name_key == fold("Núñez Peña José Ángel"))
    )
    admin = next(u for u in users if u.role == Role.ADMIN)
    page = contact_page(jose.id, admin, date.today())
    assert [p.organization.name for p in page.current_posts] == [
        "Consulado General de México en San Diego"
    ]
    assert [p.organization.name for p in page.former_posts] == ["Consulado de México en Calexico"]


def test_demo_office_has_a_living_year_of_interactions_and_follow_ups(app):
    load_demo_office()
    db.session.commit()
    now = utcnow()
    interactions = db.session.scalars(select(Interaction)).all()
    statuses = Counter(i.status for i in interactions)
    assert statuses["held"] > 200 and statuses["planned"] > 10 and statuses["cancelled"] > 0
    assert min(i.starts_at for i in interactions) < now - timedelta(days=300)
    assert max(i.starts_at for i in interactions) > now + timedelta(days=14)
    assert {i.timezone for i in interactions} >= {"America/Los_Angeles", "America/Mexico_City"}

    officer = db.session.scalar(select(User).where(User.email == "officer@liaison.demo"))
    mine = my_follow_ups(officer, now.date())
    assert mine.overdue and (mine.this_week or mine.later)
    admin = db.session.scalar(select(User).where(User.role == "admin"))
    cold = going_cold(admin, now)
    tiered = relationships(admin, now)
    assert 0 < len(cold) < len(tiered)
