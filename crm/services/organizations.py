"""Organizations: listing with filters, creating, editing, hierarchy, soft delete and restore."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import (
    Affiliation,
    County,
    GovernmentLevel,
    Organization,
    OrganizationKind,
    RelationshipTier,
    Tag,
    User,
    WorkArea,
)
from crm.services import records
from crm.services.errors import ValidationError
from crm.services.normalize import (
    clean,
    contains,
    fold,
    is_country,
    is_subdivision_of,
    normalize_email,
    normalize_phone,
    starts_with,
    word_starts_with,
)
from crm.services.pagination import Page, paginate
from crm.services.tags import parse_tag_list, resolve_tags
from crm.services.visibility import can_see, get_visible, visibility_clause, visible

SORTS = {
    "name": (Organization.name_key.asc(),),
    "-name": (Organization.name_key.desc(),),
    "kind": (Organization.kind.asc(), Organization.name_key.asc()),
    "country": (Organization.country.asc(), Organization.subdivision.asc(), Organization.name_key),
    "-updated": (Organization.updated_at.desc(), Organization.id.desc()),
}


@dataclass
class OrganizationFilters:
    q: str = ""
    kind: str = ""
    country: str = ""
    subdivision: str = ""
    government_level: str = ""
    tier_id: int | None = None
    tag: str = ""
    owner_id: int | None = None
    county_id: int | None = None
    sort: str = "name"


@dataclass
class OrganizationInput:
    kind: str
    name: str
    country: str
    name_es: str = ""
    acronym: str = ""
    subdivision: str = ""
    government_level: str = GovernmentLevel.NONE.value
    parent: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    tier_id: int | None = None
    owner_id: int | None = None
    sensitivity: str = "official"
    tags: str = ""
    work_area_ids: list[int] = field(default_factory=list)
    county_ids: list[int] = field(default_factory=list)
    notes: str = ""


def filtered(filters: OrganizationFilters, viewer: User) -> Select[tuple[Organization]]:
    stmt = visible(Organization, viewer)
    if filters.q:
        for word in fold(filters.q).split():
            stmt = stmt.where(Organization.search_key.like(contains(word), escape="\\"))
    if filters.kind:
        stmt = stmt.where(Organization.kind == filters.kind)
    if filters.country:
        stmt = stmt.where(Organization.country == filters.country.upper())
    if filters.subdivision:
        stmt = stmt.where(Organization.subdivision == filters.subdivision.upper())
    if filters.government_level:
        stmt = stmt.where(Organization.government_level == filters.government_level)
    if filters.tier_id:
        stmt = stmt.where(Organization.tier_id == filters.tier_id)
    if filters.tag:
        stmt = stmt.where(Organization.tags.any(Tag.name_key == fold(filters.tag)))
    if filters.owner_id:
        stmt = stmt.where(Organization.owner_id == filters.owner_id)
    if filters.county_id:
        stmt = stmt.where(Organization.district_counties.any(County.id == filters.county_id))
    return stmt.order_by(*SORTS.get(filters.sort, SORTS["name"]), Organization.id)


def search_key(name: str, name_es: str, acronym: str) -> str:
    """What a word search looks in: every name the organization goes by, folded."""
    return fold(" ".join(part for part in (name, name_es, acronym) if part))


def list_organizations(
    filters: OrganizationFilters, viewer: User, page: int = 1, per_page: int = 25
) -> Page[Organization]:
    stmt = filtered(filters, viewer).options(
        selectinload(Organization.tier), selectinload(Organization.owner)
    )
    return paginate(stmt, page, per_page)


def get_organization(organization_id: object, viewer: User) -> Organization:
    return get_visible(Organization, organization_id, viewer)


def lookup(query: str, viewer: User, limit: int = 10) -> list[Organization]:
    """Type-ahead: visible organizations whose name or acronym starts with what was typed."""
    key = fold(query)
    if not key:
        return []
    stmt = (
        visible(Organization, viewer)
        .where(
            Organization.search_key.like(starts_with(key), escape="\\")
            | Organization.search_key.like(word_starts_with(key), escape="\\")
        )
        .order_by(Organization.name_key)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def find_by_name(name: str, viewer: User, *, other_than: int | None = None) -> Organization | None:
    """The visible live organization with exactly this name (ignoring case and accents)."""
    key = fold(name)
    if not key:
        return None
    stmt = visible(Organization, viewer).where(Organization.name_key == key)
    if other_than is not None:
        stmt = stmt.where(Organization.id != other_than)
    return db.session.scalars(stmt.limit(1)).first()


def would_create_cycle(organization: Organization, parent: Organization) -> bool:
    """True when ``parent`` is the organization itself or one of its descendants."""
    if organization.id is None:
        return False
    seen: set[int] = set()
    current: int | None = parent.id
    while current is not None and current not in seen:
        if current == organization.id:
            return True
        seen.add(current)
        current = db.session.scalar(
            select(Organization.parent_id).where(Organization.id == current)
        )
    return False


def _validate(
    data: OrganizationInput, actor: User, organization: Organization
) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    values["name"] = name = clean(data.name)
    if not name:
        errors["name"] = _("Enter the organization's name.")
    elif find_by_name(name, actor, other_than=organization.id) is not None:
        errors["name"] = _("An organization with this name already exists.")
    values["name_es"] = clean(data.name_es)
    values["acronym"] = clean(data.acronym)
    if data.kind not in OrganizationKind.__members__.values():
        errors["kind"] = _("Choose a kind of organization.")
    values["kind"] = data.kind
    if data.government_level not in GovernmentLevel.__members__.values():
        errors["government_level"] = _("Choose a government level.")
    values["government_level"] = data.government_level

    country = clean(data.country).upper()
    if not is_country(country):
        errors["country"] = _("Enter a valid ISO 3166-1 country code, such as US or MX.")
    values["country"] = country
    subdivision = clean(data.subdivision).upper()
    if subdivision and not is_subdivision_of(subdivision, country):
        errors["subdivision"] = _(
            "Enter a valid ISO 3166-2 code of that country, such as US-CA or MX-BCN."
        )
    values["subdivision"] = subdivision

    values["parent"] = None
    if clean(data.parent):
        parent = find_by_name(data.parent, actor)
        if parent is None:
            errors["parent"] = _("No organization with this name was found.")
        elif would_create_cycle(organization, parent):
            errors["parent"] = _("An organization cannot sit under itself or one of its own units.")
        values["parent"] = parent
    elif organization.parent is not None and not can_see(organization.parent, actor):
        # The editor cannot see, so cannot name, the current parent: an empty field keeps it.
        values["parent"] = organization.parent

    values["website"] = clean(data.website)
    if values["website"] and not str(values["website"]).startswith(("http://", "https://")):
        values["website"] = f"https://{values['website']}"
    values["email"] = ""
    if clean(data.email):
        try:
            values["email"] = normalize_email(data.email)
        except ValueError:
            errors["email"] = _("Enter a valid e-mail address.")
    values["phone"] = ""
    if clean(data.phone):
        try:
            values["phone"] = normalize_phone(data.phone, country if is_country(country) else "US")
        except ValueError:
            errors["phone"] = _(
                "Enter a valid phone number, with the country code if it is not local "
                "(for example +52 664 123 4567)."
            )
    values["street"] = clean(data.street)
    values["city"] = clean(data.city)
    values["postal_code"] = clean(data.postal_code)
    values["notes"] = (data.notes or "").strip()

    level, tier, owner = records.check_common(
        errors, actor, sensitivity=data.sensitivity, tier_id=data.tier_id, owner_id=data.owner_id
    )
    values.update(sensitivity=level, tier=tier, owner=owner)

    work_areas = list(
        db.session.scalars(select(WorkArea).where(WorkArea.id.in_(data.work_area_ids)))
    )
    if len(work_areas) != len(set(data.work_area_ids)):
        errors["work_area_ids"] = _("Choose work areas from the list.")
    values["work_areas"] = work_areas
    counties = list(db.session.scalars(select(County).where(County.id.in_(data.county_ids))))
    if len(counties) != len(set(data.county_ids)):
        errors["county_ids"] = _("Choose counties from the list.")
    elif counties and data.kind != OrganizationKind.CONSULATE:
        errors["county_ids"] = _("Only a consulate has a consular district.")
    values["district_counties"] = counties
    records.check_lengths(errors, Organization, values)
    records.raise_if(errors)
    values["tags"] = resolve_tags(parse_tag_list(data.tags))
    values["name_key"] = fold(name)
    values["search_key"] = search_key(name, str(values["name_es"]), str(values["acronym"]))
    return values


def create_organization(data: OrganizationInput, actor: User) -> Organization:
    records.require_editor(actor)
    organization = Organization()
    values = _validate(data, actor, organization)
    for key, value in values.items():
        setattr(organization, key, value)
    db.session.add(organization)
    db.session.flush()
    return organization


def update_organization(
    organization: Organization, data: OrganizationInput, actor: User
) -> Organization:
    records.require_editor(actor)
    values = _validate(data, actor, organization)
    # One flush for the whole edit, so it is one change in the record's history.
    with db.session.no_autoflush:
        for key, value in values.items():
            setattr(organization, key, value)
    db.session.flush()
    return organization


def delete_organization(organization: Organization, actor: User) -> None:
    """Move to the trash. People's posts there stay, to reappear on restore."""
    records.soft_delete(organization, actor)


def restore_organization(organization_id: object, actor: User) -> Organization:

    def name_is_free(organization: Organization) -> None:
        if find_by_name(organization.name, actor) is not None:
            raise ValidationError(
                {"name": _("A live organization already has this name; rename it first.")}
            )

    organization = records.restore(Organization, organization_id, actor, check=name_is_free)
    db.session.flush()
    return organization


@dataclass
class OrganizationPage:
    """Everything an organization's page shows, already passed through the gate."""

    organization: Organization
    parent: Organization | None
    children: list[Organization]
    current_people: list[Affiliation]
    former_people: list[Affiliation]


def organization_page(organization_id: object, viewer: User, today: date) -> OrganizationPage:
    organization = get_organization(organization_id, viewer)
    parent = (
        organization.parent
        if organization.parent and can_see(organization.parent, viewer)
        else None
    )
    children = list(
        db.session.scalars(
            visible(Organization, viewer)
            .where(Organization.parent_id == organization.id)
            .order_by(Organization.name_key)
        )
    )
    posts = list(
        db.session.scalars(
            select(Affiliation)
            .where(Affiliation.organization_id == organization.id)
            .where(visibility_clause(Affiliation, viewer))
            .options(selectinload(Affiliation.contact))
            .order_by(Affiliation.end_date.desc(), Affiliation.start_date.desc())
        )
    )
    current = sorted((a for a in posts if a.is_current(today)), key=lambda a: a.contact.name_key)
    former = [a for a in posts if not a.is_current(today)]
    return OrganizationPage(organization, parent, children, current, former)


def all_tiers() -> list[RelationshipTier]:
    return list(db.session.scalars(select(RelationshipTier).order_by(RelationshipTier.rank)))


def all_work_areas() -> list[WorkArea]:
    return list(db.session.scalars(select(WorkArea).order_by(WorkArea.name)))


def all_counties() -> list[County]:
    return list(db.session.scalars(select(County).order_by(County.subdivision, County.name)))
