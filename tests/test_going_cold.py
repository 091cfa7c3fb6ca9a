"""Going cold: tiered relationships past their cadence, computed in bulk, behind the gate."""

from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import event, select

from crm.extensions import db
from crm.models import RelationshipTier, Sensitivity, WorkArea
from crm.services.interactions import InteractionInput, ParticipantInput, create_interaction
from crm.services.relationships import going_cold
from tests.factories import make_contact, make_organization
from tests.view_helpers import page

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def tier(rank):
    return db.session.scalars(select(RelationshipTier).where(RelationshipTier.rank == rank)).one()


def held(actor, days_ago, status="held", **fields):
    day = (NOW - timedelta(days=days_ago)).date()
    data = InteractionInput(
        subject=f"Meeting {days_ago} days ago",
        day=day,
        start=time(9, 0),
        timezone="America/Mexico_City",
        status=status,
        **fields,
    )
    return create_interaction(data, actor)


def cold_names(viewer, **filters):
    return [
        (r.record.name if r.kind == "organization" else r.record.given_names, r.days_overdue)
        for r in going_cold(viewer, NOW, **filters)
    ]


def test_relationships_past_their_cadence_are_listed_by_tier_and_days_overdue(app, users):
    officer = users["officer"]  # tier 1: 30 days, tier 2: 90 days
    warm = make_organization(name="Warm", tier=tier(1))
    cold = make_organization(name="Cold", tier=tier(1))
    colder = make_organization(name="Colder", tier=tier(1))
    make_organization(name="Never", tier=tier(2))
    make_organization(name="Untiered")
    planned_only = make_organization(name="Only planned", tier=tier(2))
    held(officer, 10, organization_ids=[warm.id])
    held(officer, 40, organization_ids=[cold.id])
    held(officer, 75, organization_ids=[colder.id])
    held(officer, 200, status="cancelled", organization_ids=[planned_only.id])
    held(officer, -5, status="planned", organization_ids=[planned_only.id])
    consul = make_contact(given_names="Rosa", tier=tier(1))
    represented = make_organization(name="Represented", tier=tier(1))
    held(officer, 5, contacts=[ParticipantInput(consul.id, represented.id)])

    assert cold_names(officer) == [
        ("Colder", 45),
        ("Cold", 10),
        ("Never", None),
        ("Only planned", None),
    ]


def test_hidden_records_and_hidden_meetings_do_not_count(app, users):
    officer = users["officer"]
    secret = make_organization(
        name="Vetted unit", tier=tier(1), sensitivity=Sensitivity.CONFIDENTIAL
    )
    partner = make_organization(name="Partner", tier=tier(1))
    # The only recent meeting with the partner also had the vetted unit in it.
    held(users["admin"], 3, organization_ids=[partner.id, secret.id])

    assert cold_names(officer) == [("Partner", None)]
    assert cold_names(users["admin"]) == []


def test_filter_by_owner_and_work_area(app, users):
    area = db.session.scalars(select(WorkArea).where(WorkArea.name == "Money laundering")).one()
    make_organization(name="Bank", tier=tier(2), owner=users["officer"], work_areas=[area])
    make_organization(name="Other", tier=tier(2), owner=users["admin"])
    assert cold_names(users["officer"], owner_id=users["officer"].id) == [("Bank", None)]
    assert cold_names(users["officer"], work_area_id=area.id) == [("Bank", None)]


@contextmanager
def counted_queries():
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_calculation_does_not_run_a_query_per_record(app, users):
    def queries_for(organizations):
        for n in range(organizations):
            org = make_organization(name=f"Org {organizations}-{n}", tier=tier(1))
            held(users["officer"], 40 + n, organization_ids=[org.id])
        db.session.commit()
        with counted_queries() as statements:
            rows = going_cold(users["officer"], NOW)
        return len(statements), len(rows)

    few = queries_for(2)
    many = queries_for(20)
    assert many[1] == few[1] + 20
    assert many[0] == few[0]


def test_the_going_cold_page(client, users, login_as):
    make_organization(name="Consulado de México en Fresno", tier=tier(1))
    login_as("viewer")
    html = page(client.get("/going-cold"))
    assert "Consulado de México en Fresno" in html
    assert "never contacted" in html
