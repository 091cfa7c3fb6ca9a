"""Factory functions: valid records with sensible defaults; pass keywords to override."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import insert

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    Interaction,
    InteractionContact,
    Organization,
    Sensitivity,
    User,
    WorkArea,
)
from crm.services.contacts import name_key
from crm.services.normalize import fold
from crm.services.organizations import search_key
from crm.services.tags import resolve_tags
from crm.services.users import hash_password

PASSWORD = "correct horse battery"
_sequence = itertools.count(1)


@cache
def password_hash() -> str:
    """Hash once per run: argon2 is slow on purpose."""
    return hash_password(PASSWORD)


def make_user(**fields: Any) -> User:
    n = next(_sequence)
    values: dict[str, Any] = {
        "email": f"user{n}@office.example",
        "full_name": f"Staff Member {n}",
        "role": "officer",
        "clearance": Sensitivity.OFFICIAL,
        "password_hash": password_hash(),
        "language": "en",
        "timezone": "America/Los_Angeles",
        "active": True,
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.flush()
    return user


def make_organization(**fields: Any) -> Organization:
    n = next(_sequence)
    values: dict[str, Any] = {
        "kind": "agency",
        "name": f"Agency {n}",
        "country": "US",
        "subdivision": "US-CA",
        "government_level": "state",
        "sensitivity": Sensitivity.OFFICIAL,
    }
    values.update(fields)
    values.setdefault("name_key", fold(values["name"]))
    values.setdefault(
        "search_key",
        search_key(values["name"], values.get("name_es", ""), values.get("acronym", "")),
    )
    organization = Organization(**values)
    db.session.add(organization)
    db.session.flush()
    return organization


def make_contact(
    emails: tuple[str, ...] = (), phones: tuple[str, ...] = (), **fields: Any
) -> Contact:
    n = next(_sequence)
    values: dict[str, Any] = {
        "given_names": f"Person{n}",
        "family_name": "Example",
        "second_family_name": "",
        "preferred_language": "en",
        "sensitivity": Sensitivity.OFFICIAL,
    }
    values.update(fields)
    values.setdefault(
        "name_key",
        name_key(values["given_names"], values["family_name"], values["second_family_name"]),
    )
    contact = Contact(**values)
    contact.emails = [ContactEmail(address=a, position=i) for i, a in enumerate(emails)]
    contact.phones = [ContactPhone(number=p, position=i) for i, p in enumerate(phones)]
    db.session.add(contact)
    db.session.flush()
    return contact


def make_affiliation(
    contact: Contact,
    organization: Organization,
    *,
    start: date | None = None,
    end: date | None = None,
    **fields: Any,
) -> Affiliation:
    affiliation = Affiliation(
        contact=contact, organization=organization, start_date=start, end_date=end, **fields
    )
    db.session.add(affiliation)
    db.session.flush()
    return affiliation


def make_interaction(
    owner: User | None = None,
    *,
    contacts: Iterable[Contact | tuple[Contact, Organization | None]] = (),
    organizations: Iterable[Organization] = (),
    staff: Iterable[User] = (),
    work_areas: Iterable[WorkArea] = (),
    **fields: Any,
) -> Interaction:
    """A meeting tomorrow from 10:00 to 11:00 UTC, written directly (no service checks), so a
    test can arrange any sensitivity or participant. A contact may be given with the
    organization they represented: ``(contact, organization)``. A cancelled one is cancelled
    now unless ``cancelled_at`` says otherwise."""
    n = next(_sequence)
    starts_at = fields.pop(
        "starts_at",
        datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(days=1),
    )
    values: dict[str, Any] = {
        "subject": f"Meeting {n}",
        "kind": "meeting",
        "status": "planned",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "timezone": "America/Los_Angeles",
        "sensitivity": Sensitivity.OFFICIAL,
        "owner": owner,
    }
    values.update(fields)
    if values["status"] == "cancelled":
        values.setdefault("cancelled_at", datetime.now(UTC))
    interaction = Interaction(**values)
    for item in contacts:
        contact, represented = item if isinstance(item, tuple) else (item, None)
        interaction.contact_links.append(
            InteractionContact(contact=contact, organization=represented)
        )
    interaction.organizations = list(organizations)
    interaction.staff = list(staff)
    interaction.work_areas = list(work_areas)
    db.session.add(interaction)
    db.session.flush()
    return interaction


# --- Exports: detailed contacts, tags, rows in bulk ------------------------------------------


def add_email(contact: Contact, address: str, kind: str = "work") -> ContactEmail:
    """Another address for the contact, after those it has, of the given kind."""
    email = ContactEmail(address=address, kind=kind, position=len(contact.emails))
    contact.emails.append(email)
    db.session.flush()
    return email


def add_phone(
    contact: Contact, number: str, kind: str = "work", extension: str = ""
) -> ContactPhone:
    """Another phone (E.164) for the contact, after those it has."""
    phone = ContactPhone(
        number=number, kind=kind, extension=extension, position=len(contact.phones)
    )
    contact.phones.append(phone)
    db.session.flush()
    return phone


def tag(record: Contact | Organization, *names: str) -> None:
    """Give a contact or organization these tags (created when new, matched as the app does)."""
    record.tags = resolve_tags(names)
    db.session.flush()


def insert_contacts(how_many: int, *, first: int = 0) -> list[int]:
    """Official contacts with one work e-mail each, written with two bulk inserts (no ORM
    objects), for lists too long to build one by one. Their ids."""
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [
        {
            "uid": str(uuid.uuid4()),
            "honorific": "",
            "given_names": f"Bulk{n:05d}",
            "family_name": "Exportado",
            "second_family_name": "",
            "name_key": name_key(f"Bulk{n:05d}", "Exportado", ""),
            "preferred_language": "es",
            "sensitivity": Sensitivity.OFFICIAL,
            "notes": f"Bulk contact number {n}",
            "created_at": now,
            "updated_at": now,
        }
        for n in range(first, first + how_many)
    ]
    ids = list(db.session.scalars(insert(Contact).returning(Contact.id), rows))
    db.session.execute(
        insert(ContactEmail),
        [
            {"contact_id": i, "address": f"bulk{n}@agency.example", "kind": "work", "position": 0}
            for n, i in zip(range(first, first + how_many), ids, strict=True)
        ],
    )
    db.session.commit()
    return ids
