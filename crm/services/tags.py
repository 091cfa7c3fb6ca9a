"""Free tags shared across records."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from crm.extensions import db
from crm.models import Contact, Organization, Tag, User, contact_tags, organization_tags
from crm.services.normalize import clean, fold
from crm.services.visibility import visibility_clause


def parse_tag_list(text: str) -> list[str]:
    """Split "trata, Niñez ,trata" into distinct names, first spelling wins."""
    seen: dict[str, str] = {}
    for part in text.split(","):
        name = clean(part)[:64]
        if name and fold(name) not in seen:
            seen[fold(name)] = name
    return list(seen.values())


def resolve_tags(names: Iterable[str]) -> list[Tag]:
    """The tags with these names, creating the missing ones (matched case- and accent-blind)."""
    wanted = {fold(name): name for name in names if fold(name)}
    if not wanted:
        return []
    existing = {
        t.name_key: t for t in db.session.scalars(select(Tag).where(Tag.name_key.in_(wanted)))
    }
    tags = []
    for key, name in wanted.items():
        tag = existing.get(key)
        if tag is None:
            tag = Tag(name=name, name_key=key)
            db.session.add(tag)
        tags.append(tag)
    return tags


def tags_in_use(model: type[Organization] | type[Contact], viewer: User) -> list[Tag]:
    """Tags on records of ``model`` the viewer may see: a filter never hints at hidden ones.

    Asked tag by tag (is there one visible record under it?), so the answer costs a few index
    lookups per tag however many records there are."""
    table = organization_tags if model is Organization else contact_tags
    record_column = table.c.organization_id if model is Organization else table.c.contact_id
    used = (
        select(record_column)
        .join(model, model.id == record_column)
        .where(table.c.tag_id == Tag.id, visibility_clause(model, viewer))
        .exists()
    )
    return list(db.session.scalars(select(Tag).where(used).order_by(Tag.name_key)))
