"""Free tags shared across records."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from crm.extensions import db
from crm.models import Tag
from crm.services.normalize import clean, fold


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


def all_tags() -> list[Tag]:
    return list(db.session.scalars(select(Tag).order_by(Tag.name_key)))
