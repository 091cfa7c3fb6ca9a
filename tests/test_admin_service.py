"""What only admins do: relationship tiers, work areas and the trash."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crm.extensions import db
from crm.models import RelationshipTier, Sensitivity, WorkArea
from crm.services.admin import (
    TierInput,
    WorkAreaInput,
    delete_tier,
    get_tier,
    get_work_area,
    list_trash,
    save_tier,
    save_work_area,
)
from crm.services.errors import PermissionDenied, RecordNotFound
from crm.services.organizations import all_tiers, delete_organization
from tests.factories import make_contact, make_organization, make_user
from tests.service_helpers import assert_refused


def tier(rank):
    return db.session.scalar(select(RelationshipTier).where(RelationshipTier.rank == rank))


def tier_input(**fields):
    values = {"name": "Tier 4 — Watch list", "rank": 4, "cadence_days": 365}
    values.update(fields)
    return TierInput(**values)


def as_input(existing, **fields):
    values = {
        "name": existing.name,
        "rank": existing.rank,
        "cadence_days": existing.cadence_days,
        "description": existing.description,
    }
    values.update(fields)
    return TierInput(**values)


def at(day):
    return datetime(2024, 5, day, 12, 0, tzinfo=UTC)


# Tiers ----------------------------------------------------------------------------------


def test_save_tier_creates_a_tier(app, users):
    data = tier_input(name="  Tier 4 —  Watch list ", description=" Yearly ")
    created = save_tier(data, users["admin"])
    db.session.commit()

    assert [(t.name, t.rank, t.cadence_days) for t in all_tiers()][-1] == (
        "Tier 4 — Watch list", 4, 365,
    )  # fmt: skip
    assert created.description == "Yearly"


def test_save_tier_edits_a_tier_keeping_its_own_name_and_rank(app, users):
    strategic = tier(1)
    save_tier(as_input(strategic, cadence_days=14), users["admin"], strategic)
    db.session.commit()
    db.session.expire_all()

    assert (strategic.rank, strategic.cadence_days) == (1, 14)
    assert len(all_tiers()) == 3


@pytest.mark.parametrize("cadence", [1, 3650])
def test_the_cadence_bounds_are_accepted(app, users, cadence):
    assert save_tier(tier_input(cadence_days=cadence), users["admin"]).cadence_days == cadence


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Tier 1 — Strategic"}, "name"),
        ({"name": "   "}, "name"),
        ({"rank": 1}, "rank"),
        ({"rank": 0}, "rank"),
        ({"cadence_days": 0}, "cadence_days"),
        ({"cadence_days": 3651}, "cadence_days"),
    ],
    ids=["duplicate-name", "no-name", "duplicate-rank", "rank-zero", "cadence-0", "cadence-3651"],
)
def test_save_tier_refuses_bad_input(app, users, fields, field):
    assert_refused(field, lambda: save_tier(tier_input(**fields), users["admin"]))


def test_editing_a_tier_onto_another_tiers_rank_is_refused(app, users):
    operational = tier(2)
    data = as_input(operational, rank=1)
    assert_refused("rank", lambda: save_tier(data, users["admin"], operational))
    db.session.expire_all()
    assert operational.rank == 2


@pytest.mark.parametrize("maker", [make_organization, make_contact])
def test_a_tier_in_use_cannot_be_deleted(app, users, maker):
    strategic = tier(1)
    record = maker(tier_id=strategic.id)

    assert_refused("tier", lambda: delete_tier(strategic, users["admin"]))
    assert tier(1) is not None

    record.tier_id = tier(2).id
    delete_tier(strategic, users["admin"])
    db.session.commit()
    assert [t.rank for t in all_tiers()] == [2, 3]


def test_a_deleted_record_still_holds_its_tier(app, users):
    make_organization(tier_id=tier(3).id, deleted_at=at(1))
    assert_refused("tier", lambda: delete_tier(tier(3), users["admin"]))


def test_an_unused_tier_can_be_deleted(app, users):
    informational_id = tier(3).id
    delete_tier(tier(3), users["admin"])
    db.session.commit()

    assert [t.rank for t in all_tiers()] == [1, 2]
    with pytest.raises(RecordNotFound):
        get_tier(informational_id)


# Work areas -----------------------------------------------------------------------------


def test_save_work_area_creates_and_edits(app, users):
    area = save_work_area(
        WorkAreaInput(" Cybercrime ", name_es="Ciberdelincuencia", description=" Online "),
        users["admin"],
    )
    assert (area.name, area.name_es) == ("Cybercrime", "Ciberdelincuencia")
    assert area.description == "Online"

    renamed = WorkAreaInput("Cybercrime", name_es="Delitos cibernéticos")
    save_work_area(renamed, users["admin"], area)
    db.session.commit()
    db.session.expire_all()
    assert get_work_area(area.id).name_es == "Delitos cibernéticos"


@pytest.mark.parametrize("name", ["Child abduction", "  "])
def test_save_work_area_refuses_a_taken_or_empty_name(app, users, name):
    assert_refused("name", lambda: save_work_area(WorkAreaInput(name), users["admin"]))


def test_renaming_a_work_area_onto_another_is_refused(app, users):
    area = db.session.scalar(select(WorkArea).where(WorkArea.name == "Money laundering"))
    assert_refused(
        "name", lambda: save_work_area(WorkAreaInput("Child abduction"), users["admin"], area)
    )
    db.session.expire_all()
    assert area.name == "Money laundering"


# Trash ----------------------------------------------------------------------------------


def test_the_trash_lists_deleted_records_newest_first_within_clearance(app, users):
    admin, officer = users["admin"], users["officer"]
    make_organization(name="Old Agency", deleted_at=at(1), deleted_by_id=officer.id)
    make_contact(given_names="Ana", family_name="Ortiz", deleted_at=at(3), deleted_by_id=admin.id)
    make_organization(name="Secret Agency", deleted_at=at(2), sensitivity=Sensitivity.CONFIDENTIAL)
    make_contact(given_names="Top", family_name="Secret", deleted_at=at(4),
                 sensitivity=Sensitivity.LAW_ENFORCEMENT_SENSITIVE)  # fmt: skip
    make_organization(name="Live Agency")
    make_contact(given_names="Live", family_name="Person")
    db.session.commit()
    db.session.expire_all()

    trash = list_trash(admin)
    assert [(item.kind, item.name) for item in trash] == [
        ("contact", "Top Secret"),
        ("contact", "Ana Ortiz"),
        ("organization", "Secret Agency"),
        ("organization", "Old Agency"),
    ]
    assert trash[1].deleted_by == admin.full_name
    assert trash[3].deleted_by == officer.full_name

    limited_admin = make_user(role="admin", clearance=Sensitivity.OFFICIAL)
    assert [item.name for item in list_trash(limited_admin)] == ["Ana Ortiz", "Old Agency"]


# Permissions ----------------------------------------------------------------------------


def inactive_admin(users):
    return make_user(role="admin", clearance=Sensitivity.LAW_ENFORCEMENT_SENSITIVE, active=False)


@pytest.mark.parametrize(
    "who",
    [lambda users: users["officer"], lambda users: users["viewer"], inactive_admin],
    ids=["officer", "viewer", "inactive-admin"],
)
def test_only_an_active_admin_manages_reference_data_and_the_trash(app, users, who):
    actor = who(users)
    make_organization(deleted_at=at(1))
    attempts = [
        lambda: save_tier(tier_input(), actor),
        lambda: save_tier(as_input(tier(1), cadence_days=1), actor, tier(1)),
        lambda: delete_tier(tier(3), actor),
        lambda: save_work_area(WorkAreaInput("Cybercrime"), actor),
        lambda: list_trash(actor),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    db.session.expire_all()
    assert [(t.rank, t.cadence_days) for t in all_tiers()] == [(1, 30), (2, 90), (3, 180)]
    assert db.session.scalar(select(WorkArea).where(WorkArea.name == "Cybercrime")) is None


def test_a_record_deleted_a_moment_ago_sorts_with_older_trash(app, users):
    old = make_organization(name="Deleted last year", deleted_at=datetime(2025, 1, 1, tzinfo=UTC))
    db.session.commit()
    db.session.expire(old)  # read back from the database, as a later request would
    fresh = make_organization(name="Deleted just now")
    delete_organization(fresh, users["admin"])

    assert [item.name for item in list_trash(users["admin"])] == [
        "Deleted just now",
        "Deleted last year",
    ]
