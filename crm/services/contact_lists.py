"""Contact lists: hand-picked (static) or a saved filter (smart), owned by one user and
shared read-only with others. Members are always read through the visibility gate, so a
person above the reader's clearance is neither listed nor counted."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import selectinload

from crm.extensions import db
from crm.models import Contact, ContactList, ContactListMember, User, contact_list_shares
from crm.services import records
from crm.services.contacts import ContactFilters, filtered
from crm.services.errors import PermissionDenied, RecordNotFound, parse_id
from crm.services.normalize import clean
from crm.services.pagination import Page, paginate
from crm.services.visibility import visible

# The contact filters a smart list may save (the contact list page's query string).
FILTER_KEYS = tuple(f.name for f in fields(ContactFilters) if f.name != "sort")
MAX_MEMBERS_AT_ONCE = 5000


@dataclass
class ListInput:
    name: str
    description: str = ""
    is_smart: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    shared_with_ids: list[int] = field(default_factory=list)


def smart_filters(values: dict[str, Any]) -> dict[str, Any]:
    """The known, non-empty contact filters out of a query string or a stored list."""
    kept: dict[str, Any] = {}
    for name in FILTER_KEYS:
        value = values.get(name)
        if value is None or not clean(str(value)):
            continue
        if name in ("organization_id", "tier_id", "owner_id"):
            try:
                kept[name] = parse_id(value)
            except RecordNotFound:
                continue
        else:
            kept[name] = clean(str(value))
    return kept


def _validate(data: ListInput, actor: User) -> dict[str, Any]:
    errors: dict[str, str] = {}
    name = clean(data.name)
    if not name:
        errors["name"] = _("Enter a name for the list.")
    elif len(name) > 120:
        errors["name"] = _("Use at most 120 characters.")
    filters = smart_filters(data.filters) if data.is_smart else {}
    if data.is_smart and not filters:
        errors["name"] = errors.get("name") or _(
            "A smart list needs at least one filter: filter the contacts, then save."
        )
    wanted = set(data.shared_with_ids) - {actor.id}
    shared = list(db.session.scalars(select(User).where(User.id.in_(wanted), User.active)))
    if len(shared) != len(wanted):
        errors["shared_with_ids"] = _("Choose active staff members.")
    records.raise_if(errors)
    return {
        "name": name,
        "description": (data.description or "").strip(),
        "is_smart": bool(data.is_smart),
        "filters": filters,
        "shared_with": shared,
    }


def create_list(data: ListInput, actor: User) -> ContactList:
    records.require_editor(actor)
    contact_list = ContactList(owner=actor, **_validate(data, actor))
    db.session.add(contact_list)
    db.session.flush()
    return contact_list


def update_list(contact_list: ContactList, data: ListInput, actor: User) -> ContactList:
    require_owner(contact_list, actor)
    values = _validate(data, actor)
    values["is_smart"] = contact_list.is_smart  # a list keeps its kind
    if not contact_list.is_smart:
        values["filters"] = {}
    for key, value in values.items():
        setattr(contact_list, key, value)
    db.session.flush()
    return contact_list


def delete_list(contact_list: ContactList, actor: User) -> None:
    require_owner(contact_list, actor)
    records.soft_delete(contact_list, actor)


def require_owner(contact_list: ContactList, actor: User) -> None:
    records.require_editor(actor)
    if contact_list.owner_id != actor.id:
        raise PermissionDenied()


def _readable(viewer: User) -> Any:
    shared = select(contact_list_shares.c.list_id).where(contact_list_shares.c.user_id == viewer.id)
    return or_(ContactList.owner_id == viewer.id, ContactList.id.in_(shared))


def lists_for(viewer: User) -> list[ContactList]:
    """The lists the viewer owns or that are shared with them, by name."""
    if not viewer.active:
        return []
    return list(
        db.session.scalars(
            select(ContactList)
            .where(ContactList.deleted_at.is_(None), _readable(viewer))
            .options(selectinload(ContactList.owner))
            .order_by(ContactList.name, ContactList.id)
        )
    )


def own_static_lists(viewer: User) -> list[ContactList]:
    """The lists the viewer may add people to."""
    return [cl for cl in lists_for(viewer) if cl.owner_id == viewer.id and not cl.is_smart]


def get_list(list_id: object, viewer: User) -> ContactList:
    """A list the viewer may read; anyone else's is "not found"."""
    contact_list = db.session.scalars(
        select(ContactList).where(
            ContactList.id == parse_id(list_id),
            ContactList.deleted_at.is_(None),
            _readable(viewer),
        )
    ).first()
    if contact_list is None or not viewer.active:
        raise RecordNotFound()
    return contact_list


def members(contact_list: ContactList, viewer: User, today: date) -> Select[tuple[Contact]]:
    """The people on the list that the viewer may see (a smart list is evaluated now)."""
    if contact_list.is_smart:
        return filtered(ContactFilters(**smart_filters(contact_list.filters)), viewer, today)
    member_ids = select(ContactListMember.contact_id).where(
        ContactListMember.list_id == contact_list.id
    )
    return (
        visible(Contact, viewer)
        .where(Contact.id.in_(member_ids))
        .order_by(Contact.name_key, Contact.id)
    )


def member_page(
    contact_list: ContactList, viewer: User, today: date, page: int = 1, per_page: int = 25
) -> Page[Contact]:
    stmt = members(contact_list, viewer, today).options(selectinload(Contact.emails))
    return paginate(stmt, page, per_page)


def add_members(contact_list: ContactList, contact_ids: list[int], actor: User) -> int:
    """Add people the actor may see; returns how many were new to the list."""
    require_owner(contact_list, actor)
    if contact_list.is_smart:
        raise PermissionDenied()
    wanted = set(contact_ids)
    if not wanted:
        records.raise_if({"contact_ids": _("Choose the people to add.")})
    if len(wanted) > MAX_MEMBERS_AT_ONCE:
        records.raise_if({"contact_ids": _("Add at most 5,000 people at once.")})
    found = set(
        db.session.scalars(
            visible(Contact, actor).with_only_columns(Contact.id).where(Contact.id.in_(wanted))
        )
    )
    if found != wanted:
        records.raise_if({"contact_ids": _("A person was not found.")})
    present = set(
        db.session.scalars(
            select(ContactListMember.contact_id).where(
                ContactListMember.list_id == contact_list.id,
                ContactListMember.contact_id.in_(wanted),
            )
        )
    )
    added = sorted(wanted - present)
    db.session.add_all(
        ContactListMember(list_id=contact_list.id, contact_id=c, added_by_id=actor.id)
        for c in added
    )
    db.session.flush()
    return len(added)


def remove_members(contact_list: ContactList, contact_ids: list[int], actor: User) -> int:
    require_owner(contact_list, actor)
    if contact_list.is_smart or not contact_ids:
        return 0
    result = db.session.execute(
        delete(ContactListMember).where(
            ContactListMember.list_id == contact_list.id,
            ContactListMember.contact_id.in_(set(contact_ids)),
        )
    )
    db.session.flush()
    return result.rowcount or 0


# The contact list page names some filters differently in its query string.
QUERY_NAMES = {"organization_id": "organization", "tier_id": "tier", "owner_id": "owner"}


def filters_from_query(args: dict[str, Any]) -> dict[str, Any]:
    """A smart list's filters from the contact list page's query string."""
    return smart_filters({name: args.get(QUERY_NAMES.get(name, name)) for name in FILTER_KEYS})


def names_filters(args: dict[str, Any]) -> bool:
    """Whether a query string asks for a smart list (names any contact filter, even blank)."""
    return any(QUERY_NAMES.get(name, name) in args for name in FILTER_KEYS)


def contacts_query(contact_list: ContactList) -> dict[str, Any]:
    """The contact list page's query string that shows what a smart list selects."""
    return {QUERY_NAMES.get(k, k): v for k, v in smart_filters(contact_list.filters).items()}
