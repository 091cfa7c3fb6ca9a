"""Contacts and their posts (affiliations): listing, creating, editing, soft delete, restore."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from flask_babel import gettext as _
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactPhone,
    EmailKind,
    Organization,
    PhoneKind,
    Tag,
    User,
)
from crm.services import records
from crm.services.errors import RecordNotFound
from crm.services.normalize import (
    clean,
    contains,
    fold,
    normalize_email,
    normalize_phone,
    starts_with,
    word_starts_with,
)
from crm.services.organizations import find_by_name
from crm.services.pagination import Page, paginate
from crm.services.tags import parse_tag_list, resolve_tags
from crm.services.visibility import get_visible, visibility_clause, visible

LANGUAGES = ("en", "es")
T = TypeVar("T", ContactEmail, ContactPhone)

SORTS = {
    "name": (Contact.name_key.asc(),),
    "-name": (Contact.name_key.desc(),),
    "-updated": (Contact.updated_at.desc(), Contact.id.desc()),
}


@dataclass
class ContactFilters:
    q: str = ""
    organization_id: int | None = None
    kind: str = ""
    country: str = ""
    subdivision: str = ""
    tier_id: int | None = None
    tag: str = ""
    owner_id: int | None = None
    language: str = ""
    sort: str = "name"


@dataclass
class EmailInput:
    address: str
    kind: str = EmailKind.WORK.value


@dataclass
class PhoneInput:
    number: str
    kind: str = PhoneKind.WORK.value
    extension: str = ""


@dataclass
class ContactInput:
    given_names: str
    family_name: str
    second_family_name: str = ""
    honorific: str = ""
    preferred_language: str = "en"
    tier_id: int | None = None
    owner_id: int | None = None
    sensitivity: str = "official"
    tags: str = ""
    notes: str = ""
    emails: list[EmailInput] = field(default_factory=list)
    phones: list[PhoneInput] = field(default_factory=list)
    # Where a number typed without +country code is assumed to be.
    phone_region: str = "US"


@dataclass
class AffiliationInput:
    organization: str
    title: str = ""
    department: str = ""
    start_date: date | None = None
    end_date: date | None = None
    is_primary: bool = False


def current_post_clause(today: date):
    return or_(Affiliation.end_date.is_(None), Affiliation.end_date >= today)


def filtered(filters: ContactFilters, viewer: User, today: date) -> Select[tuple[Contact]]:
    stmt = visible(Contact, viewer)
    if filters.q:
        for word in fold(filters.q).split():
            stmt = stmt.where(
                Contact.name_key.like(contains(word), escape="\\")
                | Contact.emails.any(ContactEmail.address.ilike(contains(word), escape="\\"))
            )
    org_conditions = []
    if filters.organization_id:
        org_conditions.append(Organization.id == filters.organization_id)
    if filters.kind:
        org_conditions.append(Organization.kind == filters.kind)
    if filters.country:
        org_conditions.append(Organization.country == filters.country.upper())
    if filters.subdivision:
        org_conditions.append(Organization.subdivision == filters.subdivision.upper())
    if org_conditions:
        # People who currently hold a post at a (visible) organization matching the filters.
        stmt = stmt.where(
            Contact.affiliations.any(
                and_(
                    current_post_clause(today),
                    Affiliation.organization.has(
                        and_(visibility_clause(Organization, viewer), *org_conditions)
                    ),
                )
            )
        )
    if filters.tier_id:
        stmt = stmt.where(Contact.tier_id == filters.tier_id)
    if filters.tag:
        stmt = stmt.where(Contact.tags.any(Tag.name_key == fold(filters.tag)))
    if filters.owner_id:
        stmt = stmt.where(Contact.owner_id == filters.owner_id)
    if filters.language:
        stmt = stmt.where(Contact.preferred_language == filters.language)
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["name"]), Contact.id)


def list_contacts(
    filters: ContactFilters, viewer: User, today: date, page: int = 1, per_page: int = 25
) -> Page[Contact]:
    stmt = filtered(filters, viewer, today).options(selectinload(Contact.emails))
    return paginate(stmt, page, per_page)


def current_posts(contacts: list[Contact], viewer: User, today: date) -> dict[int, Affiliation]:
    """Each contact's main current post at a visible organization (one query for the page)."""
    if not contacts:
        return {}
    posts = db.session.scalars(
        select(Affiliation)
        .where(Affiliation.contact_id.in_([c.id for c in contacts]))
        .where(current_post_clause(today))
        .where(visibility_clause(Affiliation, viewer))
        .options(selectinload(Affiliation.organization))
        # An undated post comes after dated ones on every database (PostgreSQL puts NULL first).
        .order_by(Affiliation.is_primary.desc(), Affiliation.start_date.desc().nulls_last())
    )
    result: dict[int, Affiliation] = {}
    for post in posts:
        result.setdefault(post.contact_id, post)
    return result


def get_contact(contact_id: object, viewer: User) -> Contact:
    return get_visible(Contact, contact_id, viewer)


def lookup(query: str, viewer: User, limit: int = 10) -> list[Contact]:
    """Type-ahead: visible contacts whose names start with the typed words."""
    words = fold(query).split()
    if not words:
        return []
    stmt = visible(Contact, viewer)
    for word in words:
        stmt = stmt.where(
            Contact.name_key.like(starts_with(word), escape="\\")
            | Contact.name_key.like(word_starts_with(word), escape="\\")
        )
    return list(db.session.scalars(stmt.order_by(Contact.name_key).limit(limit)))


def name_key(given_names: str, family_name: str, second_family_name: str) -> str:
    """Sort key: surnames first, so Núñez Peña sorts with the N's, accents folded."""
    return fold(" ".join(p for p in (family_name, second_family_name, given_names) if p))


def _validate(data: ContactInput, actor: User) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "honorific": clean(data.honorific),
        "given_names": clean(data.given_names),
        "family_name": clean(data.family_name),
        "second_family_name": clean(data.second_family_name),
        "notes": (data.notes or "").strip(),
    }
    if not values["given_names"]:
        errors["given_names"] = _("Enter the given name(s).")
    if not values["family_name"]:
        errors["family_name"] = _("Enter the family name.")
    if data.preferred_language not in LANGUAGES:
        errors["preferred_language"] = _("Choose English or Spanish.")
    values["preferred_language"] = data.preferred_language

    emails: list[ContactEmail] = []
    seen_emails: set[str] = set()
    for index, entry in enumerate(data.emails):
        if not clean(entry.address):
            continue
        try:
            address = normalize_email(entry.address)
        except ValueError:
            errors[f"emails-{index}-address"] = _("Enter a valid e-mail address.")
            continue
        if entry.kind not in EmailKind.__members__.values():
            errors[f"emails-{index}-kind"] = _("Choose a type.")
        elif address.casefold() in seen_emails:
            errors[f"emails-{index}-address"] = _("This address is listed twice.")
        seen_emails.add(address.casefold())
        emails.append(ContactEmail(address=address, kind=entry.kind, position=len(emails)))
    phones: list[ContactPhone] = []
    for index, entry in enumerate(data.phones):
        if not clean(entry.number):
            continue
        try:
            number = normalize_phone(entry.number, data.phone_region)
        except ValueError:
            errors[f"phones-{index}-number"] = _(
                "Enter a valid phone number, with the country code if it is not local "
                "(for example +52 664 123 4567)."
            )
            continue
        if entry.kind not in PhoneKind.__members__.values():
            errors[f"phones-{index}-kind"] = _("Choose a type.")
        extension = clean(entry.extension)
        if extension and not extension.isdigit():
            errors[f"phones-{index}-extension"] = _("An extension has digits only.")
        phones.append(
            ContactPhone(number=number, kind=entry.kind, extension=extension, position=len(phones))
        )
    level, tier, owner = records.check_common(
        errors, actor, sensitivity=data.sensitivity, tier_id=data.tier_id, owner_id=data.owner_id
    )
    records.check_lengths(errors, Contact, values)
    for index, phone in enumerate(phones):
        if len(phone.extension) > 10:
            errors[f"phones-{index}-extension"] = _("Use at most %(count)d characters.", count=10)
    records.raise_if(errors)
    values.update(sensitivity=level, tier=tier, owner=owner, emails=emails, phones=phones)
    values["tags"] = resolve_tags(parse_tag_list(data.tags))
    values["name_key"] = name_key(
        str(values["given_names"]), str(values["family_name"]), str(values["second_family_name"])
    )
    return values


def create_contact(data: ContactInput, actor: User) -> Contact:
    records.require_editor(actor)
    values = _validate(data, actor)
    contact = Contact(**values)
    db.session.add(contact)
    db.session.flush()
    return contact


def update_contact(contact: Contact, data: ContactInput, actor: User) -> Contact:
    records.require_editor(actor)
    values = _validate(data, actor)
    # One flush for the whole edit, so it is one change in the record's history.
    with db.session.no_autoflush:
        contact.emails = _merge(contact.emails, values.pop("emails"), "address")  # type: ignore[arg-type]
        contact.phones = _merge(contact.phones, values.pop("phones"), "number")  # type: ignore[arg-type]
        for key, value in values.items():
            setattr(contact, key, value)
    db.session.flush()
    return contact


def _merge(current: list[T], wanted: list[T], key: str) -> list[T]:
    """Keep the rows that stay (updated in place), add new ones; the rest are orphans and go."""
    existing = {getattr(row, key): row for row in current}
    merged = []
    for row in wanted:
        kept = existing.get(getattr(row, key))
        if kept is None:
            merged.append(row)
            continue
        for column in row.__table__.columns.keys():  # noqa: SIM118  # type: ignore[attr-defined]
            if column not in ("id", "contact_id"):
                setattr(kept, column, getattr(row, column))
        merged.append(kept)
    return merged


def delete_contact(contact: Contact, actor: User) -> None:
    records.soft_delete(contact, actor)


def restore_contact(contact_id: object, actor: User) -> Contact:
    contact = records.restore(Contact, contact_id, actor)
    db.session.flush()
    return contact


@dataclass
class ContactPage:
    """Everything a contact's page shows, already passed through the gate."""

    contact: Contact
    current_posts: list[Affiliation]
    former_posts: list[Affiliation]


def contact_page(contact_id: object, viewer: User, today: date) -> ContactPage:
    contact = get_contact(contact_id, viewer)
    posts = list(
        db.session.scalars(
            select(Affiliation)
            .where(Affiliation.contact_id == contact.id)
            .where(visibility_clause(Affiliation, viewer))
            .options(selectinload(Affiliation.organization))
        )
    )
    current = sorted(
        (p for p in posts if p.is_current(today)),
        key=lambda p: (not p.is_primary, -(p.start_date or date.min).toordinal()),
    )
    former = sorted(
        (p for p in posts if not p.is_current(today)),
        key=lambda p: -(p.end_date or date.min).toordinal(),
    )
    return ContactPage(contact, current, former)


# Affiliations ---------------------------------------------------------------------------


def get_affiliation(contact: Contact, affiliation_id: object, viewer: User) -> Affiliation:
    affiliation = get_visible(Affiliation, affiliation_id, viewer)
    if affiliation.contact_id != contact.id:
        raise RecordNotFound("Affiliation")
    return affiliation


def _validate_affiliation(data: AffiliationInput, actor: User) -> dict[str, object]:
    errors: dict[str, str] = {}
    organization = find_by_name(data.organization, actor) if clean(data.organization) else None
    if organization is None:
        errors["organization"] = (
            _("No organization with this name was found.")
            if clean(data.organization)
            else _("Enter the organization.")
        )
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The end date cannot be before the start date.")
    records.check_lengths(
        errors, Affiliation, {"title": clean(data.title), "department": clean(data.department)}
    )
    records.raise_if(errors)
    return {
        "organization": organization,
        "title": clean(data.title),
        "department": clean(data.department),
        "start_date": data.start_date,
        "end_date": data.end_date,
        "is_primary": data.is_primary,
    }


def _keep_one_primary(contact: Contact, chosen: Affiliation) -> None:
    if chosen.is_primary:
        for other in contact.affiliations:
            if other is not chosen:
                other.is_primary = False


def add_affiliation(contact: Contact, data: AffiliationInput, actor: User) -> Affiliation:
    records.require_editor(actor)
    affiliation = Affiliation(contact=contact, **_validate_affiliation(data, actor))
    db.session.add(affiliation)
    _keep_one_primary(contact, affiliation)
    db.session.flush()
    return affiliation


def update_affiliation(
    affiliation: Affiliation, data: AffiliationInput, actor: User
) -> Affiliation:
    records.require_editor(actor)
    values = _validate_affiliation(data, actor)
    with db.session.no_autoflush:
        for key, value in values.items():
            setattr(affiliation, key, value)
    _keep_one_primary(affiliation.contact, affiliation)
    db.session.flush()
    return affiliation


def remove_affiliation(affiliation: Affiliation, actor: User) -> None:
    """Delete a post entered by mistake (a post that ended gets an end date instead)."""
    records.require_editor(actor)
    db.session.delete(affiliation)
    db.session.flush()
