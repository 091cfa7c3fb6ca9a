"""A large, realistic office for measuring the app at scale (``flask crm seed-scale``).

Deterministic for a seed: the same numbers give the same data. Written with bulk inserts in
batches, so a hundred thousand contacts and a million interactions load in minutes; the
search index is rebuilt at the end.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    Interaction,
    InteractionContact,
    Organization,
    RelationshipTier,
    Sensitivity,
    User,
    WorkArea,
    interaction_organizations,
    interaction_staff,
    interaction_work_areas,
)
from crm.services.contacts import name_key
from crm.services.normalize import fold
from crm.services.organizations import search_key
from crm.services.users import hash_password

BATCH = 5000
GIVEN = (
    "José Ángel", "María Fernanda", "Ana Lucía", "Luis", "Guadalupe", "Juan Carlos", "Sofía",
    "Miguel", "Alejandra", "Jorge", "Verónica", "Ricardo", "John", "Sarah", "Michael",
    "Jennifer", "David", "Emily", "Robert", "Karen", "Iñaki", "Ximena", "Héctor", "Natalia",
)  # fmt: skip
FAMILY = (
    "Núñez", "García", "López", "Hernández", "Martínez", "González", "Rodríguez", "Pérez",
    "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Reyes", "Cruz",
    "Morales", "Ortiz", "Gutiérrez", "Chávez", "Peña", "Smith", "Johnson", "Williams", "Brown",
    "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Nguyen", "Kim", "Patel",
)  # fmt: skip
KINDS = (
    ("agency", 45), ("consulate", 3), ("tribal_government", 4), ("ngo", 18),
    ("private_sector", 20), ("legislature", 5), ("international", 3), ("internal_unit", 2),
)  # fmt: skip
PLACES = (
    ("US", "US-CA", "Los Angeles"), ("US", "US-CA", "San Diego"), ("US", "US-CA", "Sacramento"),
    ("US", "US-CA", "Calexico"), ("US", "US-CA", "Fresno"), ("US", "US-AZ", "Phoenix"),
    ("MX", "MX-BCN", "Tijuana"), ("MX", "MX-BCN", "Mexicali"), ("MX", "MX-CMX", "Ciudad de México"),
    ("MX", "MX-SON", "Hermosillo"), ("MX", "MX-JAL", "Guadalajara"),
)  # fmt: skip
WORDS = (
    "Fiscalía", "Secretaría", "Oficina", "Departamento", "Consejo", "Instituto", "Centro",
    "Coordinación", "Unidad", "Dirección", "Office", "Department", "Bureau", "Council",
    "Task Force", "Alliance", "Foundation", "Services", "Justice", "Security", "Protection",
    "Border", "Migration", "Children", "Families", "Trafficking", "Finance", "Commerce",
)  # fmt: skip
SUBJECTS = (
    "Reunión de coordinación", "Binational working group", "Call about extradition request",
    "Capacitación sobre trata de personas", "Site visit to the port of entry",
    "Mesa de trabajo sobre sustracción de menores", "Follow-up on money laundering case",
    "Conference on border environmental enforcement", "Llamada con el consulado",
    "Task force meeting", "Intercambio de información", "Briefing for leadership",
)  # fmt: skip
ZONES = ("America/Los_Angeles", "America/Los_Angeles", "America/Tijuana", "America/Mexico_City")
SENSITIVITY_WEIGHTS = (
    (Sensitivity.PUBLIC, 20),
    (Sensitivity.OFFICIAL, 65),
    (Sensitivity.CONFIDENTIAL, 10),
    (Sensitivity.LAW_ENFORCEMENT_SENSITIVE, 5),
)
DOMAINS = ("gob.mx", "ca.gov", "example.org")
TITLES = ("Director", "Cónsul", "Fiscal", "Analyst", "Coordinator")
SCALE_PASSWORD = "liaison-scale-2026"


@dataclass
class ScaleCounts:
    organizations: int
    contacts: int
    interactions: int


def _weighted(rng: random.Random, pairs: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _insert(model: Any, rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            db.session.execute(insert(model), batch)
            batch = []
    if batch:
        db.session.execute(insert(model), batch)


def load_scale_office(
    contacts: int,
    organizations: int,
    interactions: int,
    seed: int = 2026,
    progress: Callable[[str], None] = lambda message: None,
) -> ScaleCounts:
    """Add staff, organizations, people with posts, and years of interactions."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    password = hash_password(SCALE_PASSWORD)
    staff_ids = []
    for n in range(25):
        user = User(
            email=f"staff{n}@scale.example",
            full_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            role="admin" if n == 0 else "officer",
            clearance=Sensitivity.LAW_ENFORCEMENT_SENSITIVE if n < 3 else Sensitivity.OFFICIAL,
            password_hash=password,
        )
        db.session.add(user)
        db.session.flush()
        staff_ids.append(user.id)
    tiers = list(db.session.scalars(select(RelationshipTier.id)))
    areas = list(db.session.scalars(select(WorkArea.id)))

    def organization_rows() -> Iterator[dict[str, Any]]:
        for n in range(organizations):
            country, subdivision, city = rng.choice(PLACES)
            name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} de {city} {n}"
            acronym = "".join(w[0] for w in name.split()[:3]).upper()
            yield {
                "kind": _weighted(rng, KINDS),
                "name": name,
                "name_key": fold(name),
                "acronym": acronym,
                "search_key": search_key(name, "", acronym),
                "country": country,
                "subdivision": subdivision,
                "city": city,
                "tier_id": rng.choice(tiers) if tiers and rng.random() < 0.3 else None,
                "owner_id": rng.choice(staff_ids) if rng.random() < 0.5 else None,
                "sensitivity": _weighted(rng, SENSITIVITY_WEIGHTS),
            }

    first_org = (
        db.session.scalar(select(Organization.id).order_by(Organization.id.desc())) or 0
    ) + 1
    _insert(Organization, organization_rows())
    progress(f"{organizations} organizations")

    def contact_rows() -> Iterator[dict[str, Any]]:
        for _ in range(contacts):
            given, family, second = rng.choice(GIVEN), rng.choice(FAMILY), rng.choice(FAMILY)
            yield {
                "uid": _uid(rng),
                "given_names": given,
                "family_name": family,
                "second_family_name": second if rng.random() < 0.6 else "",
                "name_key": name_key(given, family, second),
                "preferred_language": "es" if rng.random() < 0.5 else "en",
                "tier_id": rng.choice(tiers) if tiers and rng.random() < 0.2 else None,
                "owner_id": rng.choice(staff_ids) if rng.random() < 0.4 else None,
                "sensitivity": _weighted(rng, SENSITIVITY_WEIGHTS),
            }

    first_contact = _next_id(Contact)
    _insert(Contact, contact_rows())
    contact_ids = range(first_contact, first_contact + contacts)
    organization_ids = range(first_org, first_org + organizations)
    _insert(ContactEmail, ({**_email(c, rng)} for c in contact_ids))
    _insert(ContactPhone, ({**_phone(c, rng)} for c in contact_ids))
    _insert(
        Affiliation,
        (
            {
                "contact_id": c,
                "organization_id": rng.choice(organization_ids),
                "title": rng.choice(TITLES),
                "is_primary": True,
            }
            for c in contact_ids
        ),
    )
    progress(f"{contacts} contacts with e-mails, phones and posts")

    first_interaction = _next_id(Interaction)
    span = timedelta(days=3650)

    def interaction_rows() -> Iterator[dict[str, Any]]:
        for _ in range(interactions):
            # Evenly over ten years, and one in twenty planned within the coming year.
            if rng.random() < 0.05:
                starts = now + timedelta(seconds=int(365 * 86400 * rng.random()))
            else:
                starts = now - timedelta(seconds=int(span.total_seconds() * rng.random()))
            yield {
                "uid": _uid(rng),
                "kind": rng.choice(("meeting", "meeting", "call", "email", "conference")),
                "subject": rng.choice(SUBJECTS),
                "starts_at": starts,
                "ends_at": starts + timedelta(minutes=rng.choice((30, 60, 90))),
                "timezone": rng.choice(ZONES),
                "status": "planned" if starts > now else "held",
                "sensitivity": _weighted(rng, SENSITIVITY_WEIGHTS[:3]),
                "owner_id": rng.choice(staff_ids),
            }

    _insert(Interaction, interaction_rows())
    interaction_ids = range(first_interaction, first_interaction + interactions)
    progress(f"{interactions} interactions")

    def participants() -> Iterator[dict[str, Any]]:
        for i in interaction_ids:
            for c in set(rng.choices(contact_ids, k=rng.randint(1, 3))):
                yield {"interaction_id": i, "contact_id": c, "organization_id": None}

    _insert(InteractionContact, participants())
    _link(interaction_organizations, "organization_id", interaction_ids, organization_ids, rng, 1)
    _link(interaction_staff, "user_id", interaction_ids, staff_ids, rng, 1)
    if areas:
        _link(interaction_work_areas, "work_area_id", interaction_ids, areas, rng, 1)
    progress("participants, organizations, staff and work areas of every interaction")
    db.session.flush()
    return ScaleCounts(organizations, contacts, interactions)


def _next_id(model: Any) -> int:
    return (db.session.scalar(select(model.id).order_by(model.id.desc())) or 0) + 1


def _email(contact_id: int, rng: random.Random) -> dict[str, Any]:
    address = f"person{contact_id}@{rng.choice(DOMAINS)}"
    return {"contact_id": contact_id, "address": address, "kind": "work", "position": 0}


def _phone(contact_id: int, rng: random.Random) -> dict[str, Any]:
    if rng.random() < 0.5:
        number = f"+52664{rng.randrange(10**7):07d}"
    else:
        number = f"+1619555{rng.randrange(10**4):04d}"
    return {"contact_id": contact_id, "number": number, "kind": "work", "position": 0}


def _link(
    table: Any, column: str, interaction_ids: range, choices: Any, rng: random.Random, most: int
) -> None:
    batch: list[dict[str, Any]] = []
    for i in interaction_ids:
        for value in set(rng.choices(choices, k=rng.randint(0, most))):
            batch.append({"interaction_id": i, column: value})
        if len(batch) >= BATCH:
            db.session.execute(insert(table), batch)
            batch = []
    if batch:
        db.session.execute(insert(table), batch)
