"""Finding and merging duplicate contacts and organizations.

Candidates: the same e-mail or phone; names equal once case, accents and spacing are folded
("Jose Nunez" and "José Núñez"); and names that are merely similar for people at the same
organization. Only records the viewer may see are compared, so a candidate never reveals a
hidden record. A merge keeps one record, moves everything that pointed at the other to it,
and sends the other to the trash marked as merged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from itertools import combinations
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from crm.extensions import db
from crm.models import (
    Affiliation,
    AuditEvent,
    CalendarFeed,
    Contact,
    ContactEmail,
    ContactListMember,
    ContactPhone,
    FollowUp,
    InteractionContact,
    Organization,
    User,
    consular_district_counties,
    interaction_organizations,
    organization_tags,
    organization_work_areas,
)
from crm.models.base import utcnow
from crm.services import derived, records
from crm.services.audit import Action
from crm.services.contacts import current_post_clause, name_key
from crm.services.normalize import fold
from crm.services.organizations import search_key
from crm.services.visibility import get_visible, visible

SIMILAR_NAMES = 0.85
MAX_CANDIDATES = 200

REASON_LABELS = {
    "email": _l("same e-mail address"),
    "phone": _l("same phone number"),
    "name": _l("same name"),
    "similar": _l("similar names at the same organization"),
    "acronym": _l("same acronym in the same country"),
    "website": _l("same website"),
    "similar_org": _l("similar names in the same country"),
}


@dataclass
class Candidate:
    first: Any
    second: Any
    reasons: list[str] = field(default_factory=list)

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASON_LABELS[r]) for r in self.reasons]


def _pairs(groups: dict[Any, set[int]]) -> set[tuple[int, int]]:
    found = set()
    for ids in groups.values():
        for a, b in combinations(sorted(ids), 2):
            found.add((a, b))
    return found


def _grouped(stmt) -> dict[Any, set[int]]:
    groups: dict[Any, set[int]] = defaultdict(set)
    for key, record_id in db.session.execute(stmt):
        groups[key].add(record_id)
    return {k: v for k, v in groups.items() if len(v) > 1}


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a, b).ratio() >= SIMILAR_NAMES


def contact_candidates(viewer: User, today: date) -> list[Candidate]:
    """Pairs of visible contacts that may be the same person, strongest first."""
    live = visible(Contact, viewer).with_only_columns(Contact.id).scalar_subquery()
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for pair in _pairs(
        _grouped(
            select(func.lower(ContactEmail.address), ContactEmail.contact_id).where(
                ContactEmail.contact_id.in_(live)
            )
        )
    ):
        reasons[pair].append("email")
    for pair in _pairs(
        _grouped(
            select(ContactPhone.number, ContactPhone.contact_id).where(
                ContactPhone.contact_id.in_(live)
            )
        )
    ):
        reasons[pair].append("phone")
    for pair in _pairs(_grouped(select(Contact.name_key, Contact.id).where(Contact.id.in_(live)))):
        reasons[pair].append("name")
    people: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for organization_id, contact_id, key in db.session.execute(
        select(Affiliation.organization_id, Contact.id, Contact.name_key)
        .join(Contact, Affiliation.contact_id == Contact.id)
        .where(Contact.id.in_(live), current_post_clause(today))
    ):
        people[organization_id].append((contact_id, key))
    for members in people.values():
        for (a, key_a), (b, key_b) in combinations(sorted(set(members)), 2):
            if a != b and key_a != key_b and _similar(key_a, key_b):
                reasons[(min(a, b), max(a, b))].append("similar")
    return _candidates(Contact, reasons)


def organization_candidates(viewer: User) -> list[Candidate]:
    """Pairs of visible organizations that may be the same body."""
    live = visible(Organization, viewer).with_only_columns(Organization.id).scalar_subquery()
    reasons: dict[tuple[int, int], list[str]] = defaultdict(list)
    for reason, key in (
        ("email", func.lower(Organization.email)),
        ("phone", Organization.phone),
        ("website", func.lower(Organization.website)),
    ):
        for pair in _pairs(
            _grouped(select(key, Organization.id).where(Organization.id.in_(live), key != ""))
        ):
            reasons[pair].append(reason)
    for pair in _pairs(
        _grouped(
            select(
                func.lower(Organization.acronym) + "|" + Organization.country, Organization.id
            ).where(Organization.id.in_(live), Organization.acronym != "")
        )
    ):
        reasons[pair].append("acronym")
    by_country: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for organization_id, country, key in db.session.execute(
        select(Organization.id, Organization.country, Organization.name_key).where(
            Organization.id.in_(live)
        )
    ):
        by_country[country].append((organization_id, key))
    for members in by_country.values():
        for (a, key_a), (b, key_b) in combinations(sorted(members), 2):
            if _similar(key_a, key_b):
                reasons[(a, b)].append("similar_org")
    return _candidates(Organization, reasons)


def _candidates(model: type, reasons: dict[tuple[int, int], list[str]]) -> list[Candidate]:
    ranked = sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0]))[:MAX_CANDIDATES]
    ids = {i for pair, _ in ranked for i in pair}
    loaded = {r.id: r for r in db.session.scalars(select(model).where(model.id.in_(ids)))}
    return [Candidate(loaded[a], loaded[b], sorted(set(r))) for (a, b), r in ranked]


# --- Merging -------------------------------------------------------------------------------

CONTACT_FIELDS = (
    "honorific",
    "given_names",
    "family_name",
    "second_family_name",
    "preferred_language",
    "tier_id",
    "owner_id",
    "notes",
)
ORGANIZATION_FIELDS = (
    "kind",
    "name",
    "name_es",
    "acronym",
    "country",
    "subdivision",
    "government_level",
    "parent_id",
    "website",
    "email",
    "phone",
    "street",
    "city",
    "postal_code",
    "tier_id",
    "owner_id",
    "notes",
)


def get_pair(model: type, first_id: object, second_id: object, viewer: User) -> tuple[Any, Any]:
    first = get_visible(model, first_id, viewer)
    second = get_visible(model, second_id, viewer)
    if first.id == second.id:
        records.raise_if({"records": _("Choose two different records.")})
    return first, second


def _take(survivor: Any, other: Any, fields: tuple[str, ...], from_other: set[str]) -> None:
    for name in fields:
        if name in from_other:
            setattr(survivor, name, getattr(other, name))


def _mark_merged(survivor: Any, other: Any, record_type: str, actor: User) -> None:
    """The other record goes to the trash, pointing at the one it was merged into; the
    survivor's history says what was merged into it."""
    other.merged_into_id = survivor.id
    records.soft_delete(other, actor)
    db.session.add(
        AuditEvent(
            occurred_at=utcnow(),
            actor_id=actor.id,
            action=Action.UPDATE.value,
            record_type=record_type,
            record_id=survivor.id,
            record_label=str(survivor)[:400],
            sensitivity=max(survivor.sensitivity, other.sensitivity),
            changes={"merged": [None, f"{other} (#{other.id})"]},
        )
    )


def _repoint(column: Any, old_id: int, new_id: int) -> None:
    """Rows that pointed at the merged record point at the one kept."""
    db.session.execute(update(column.table).where(column == old_id).values({column.key: new_id}))


def _move_links(table: Any, key: str, partner: str, other: Any, survivor: Any) -> None:
    """Move a link table's rows from ``other`` to ``survivor``, dropping those the survivor
    already has with the same partner (a meeting both attended is kept once)."""
    kept = select(table.c[partner]).where(table.c[key] == survivor.id)
    db.session.execute(delete(table).where(table.c[key] == other.id, table.c[partner].in_(kept)))
    _repoint(table.c[key], other.id, survivor.id)


def merge_contacts(survivor: Contact, other: Contact, from_other: set[str], actor: User) -> Contact:
    """Keep ``survivor``, with the fields named in ``from_other`` taken from ``other``;
    every e-mail, phone, tag, post, interaction, list membership and follow-up of
    ``other`` moves to it. The merged record is as sensitive as the more sensitive one."""
    records.require_editor(actor)
    if survivor.id == other.id:
        records.raise_if({"records": _("Choose two different records.")})
    with db.session.no_autoflush:
        _take(survivor, other, CONTACT_FIELDS, from_other)
        survivor.sensitivity = max(survivor.sensitivity, other.sensitivity)
        survivor.name_key = name_key(
            survivor.given_names, survivor.family_name, survivor.second_family_name
        )
        addresses = {e.address.casefold() for e in survivor.emails}
        for email in list(other.emails):
            if email.address.casefold() not in addresses:
                survivor.emails.append(
                    ContactEmail(
                        address=email.address, kind=email.kind, position=len(survivor.emails)
                    )
                )
        numbers = {p.number for p in survivor.phones}
        for phone in list(other.phones):
            if phone.number not in numbers:
                survivor.phones.append(
                    ContactPhone(
                        number=phone.number,
                        kind=phone.kind,
                        extension=phone.extension,
                        position=len(survivor.phones),
                    )
                )
        survivor.tags = list({t.id: t for t in [*survivor.tags, *other.tags]}.values())
    db.session.flush()
    # Posts, participations, memberships and follow-ups point at the survivor from now on.
    _repoint(Affiliation.__table__.c.contact_id, other.id, survivor.id)
    with derived.links_moving(db.session.connection(), (), (survivor.id, other.id)):
        _move_links(InteractionContact.__table__, "contact_id", "interaction_id", other, survivor)
    _move_links(ContactListMember.__table__, "contact_id", "list_id", other, survivor)
    _repoint(FollowUp.__table__.c.contact_id, other.id, survivor.id)
    db.session.expire_all()
    _mark_merged(survivor, other, "contact", actor)
    db.session.flush()
    return survivor


def merge_organizations(
    survivor: Organization, other: Organization, from_other: set[str], actor: User
) -> Organization:
    """Keep ``survivor`` (fields in ``from_other`` taken from ``other``); the other's
    people, meetings, units, tags, work areas, district, follow-ups and feeds move to it."""
    records.require_editor(actor)
    if survivor.id == other.id:
        records.raise_if({"records": _("Choose two different records.")})
    if "parent_id" in from_other and other.parent_id == survivor.id:
        from_other = from_other - {"parent_id"}
    with db.session.no_autoflush:
        _take(survivor, other, ORGANIZATION_FIELDS, from_other)
        # The other, going to the trash, is named as merged, so the two never read alike.
        suffix = f" (merged #{other.id})"
        other.name = other.name[: 200 - len(suffix)] + suffix
        other.name_key = fold(other.name)
        if survivor.parent_id == other.id:
            # A unit merged with the body it belonged to takes that body's place.
            survivor.parent_id = other.parent_id if other.parent_id != survivor.id else None
        survivor.sensitivity = max(survivor.sensitivity, other.sensitivity)
        survivor.tags = list({t.id: t for t in [*survivor.tags, *other.tags]}.values())
        survivor.work_areas = list(
            {w.id: w for w in [*survivor.work_areas, *other.work_areas]}.values()
        )
        survivor.district_counties = list(
            {c.id: c for c in [*survivor.district_counties, *other.district_counties]}.values()
        )
    survivor.name_key = fold(survivor.name)
    survivor.search_key = search_key(survivor.name, survivor.name_es, survivor.acronym)
    db.session.flush()
    for table in (organization_tags, organization_work_areas, consular_district_counties):
        db.session.execute(delete(table).where(table.c.organization_id == other.id))
    _repoint(Affiliation.__table__.c.organization_id, other.id, survivor.id)
    with derived.links_moving(db.session.connection(), (survivor.id, other.id), ()):
        _move_links(interaction_organizations, "organization_id", "interaction_id", other, survivor)
        _repoint(InteractionContact.__table__.c.organization_id, other.id, survivor.id)
    db.session.execute(
        update(Organization)
        .where(Organization.parent_id == other.id, Organization.id != survivor.id)
        .values(parent_id=survivor.id)
    )
    _repoint(FollowUp.__table__.c.organization_id, other.id, survivor.id)
    _repoint(CalendarFeed.__table__.c.organization_id, other.id, survivor.id)
    db.session.expire_all()
    _mark_merged(survivor, other, "organization", actor)
    db.session.flush()
    return survivor
