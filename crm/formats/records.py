"""Plain records handed to the file formats: what an export knows about a person or a body.

Nothing changes a record once built, yet records are not frozen dataclasses: an export builds
one per row, and a frozen dataclass sets each field through ``object.__setattr__``, which made
building them take more than twice as long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(slots=True)
class Email:
    address: str
    kind: str = "work"  # work, personal, other


@dataclass(slots=True)
class Phone:
    number: str  # E.164
    kind: str = "work"  # work, mobile, home, fax, other
    extension: str = ""


@dataclass(slots=True)
class Address:
    street: str = ""
    city: str = ""
    region: str = ""  # ISO 3166-2 subdivision code, e.g. US-CA
    postal_code: str = ""
    country: str = ""  # ISO 3166-1 alpha-2

    def __bool__(self) -> bool:
        return any((self.street, self.city, self.region, self.postal_code, self.country))


class PersonName:
    """How a person's name reads, from ``honorific``, ``given_names``, ``family_name`` and
    ``second_family_name`` (Spanish names carry two surnames): for contacts and their records."""

    __slots__ = ()

    @property
    def family_names(self) -> str:
        return " ".join(p for p in (self.family_name, self.second_family_name) if p)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.given_names, self.family_names) if p)

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.full_name}" if self.honorific else self.full_name


@dataclass(slots=True)
class ContactRecord(PersonName):
    uid: str
    given_names: str
    family_name: str
    second_family_name: str = ""
    honorific: str = ""
    preferred_language: str = "en"
    emails: tuple[Email, ...] = ()
    phones: tuple[Phone, ...] = ()
    # The current main post, flattened.
    organization: str = ""
    title: str = ""
    department: str = ""
    work_address: Address = field(default_factory=Address)
    tags: tuple[str, ...] = ()
    tier: str = ""
    owner: str = ""
    sensitivity: str = ""
    notes: str = ""
    updated_at: datetime | None = None
    # Activity, from the interaction log.
    last_interaction_on: date | None = None
    interaction_count: int = 0


@dataclass(slots=True)
class OrganizationRecord:
    name: str
    kind: str = ""
    name_es: str = ""
    acronym: str = ""
    country: str = ""
    subdivision: str = ""
    government_level: str = ""
    parent: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    address: Address = field(default_factory=Address)
    tags: tuple[str, ...] = ()
    work_areas: tuple[str, ...] = ()
    tier: str = ""
    owner: str = ""
    sensitivity: str = ""
    notes: str = ""
    people_count: int = 0
    last_interaction_on: date | None = None
