"""Rules shared by the gated record types (organizations, contacts): owner, tier, sensitivity,
permission to edit, soft delete and restore."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import String, cast, column, func, literal, null, select, union_all

from crm.extensions import db
from crm.models import RelationshipTier, Sensitivity, User, WorkArea
from crm.models.base import utcnow
from crm.models.reference import tier_label, work_area_label
from crm.services.audit import act_as
from crm.services.errors import PermissionDenied, ValidationError
from crm.services.visibility import get_visible

T = TypeVar("T")


def require_editor(actor: User) -> None:
    """Only officers and admins change records; the changes are audited as theirs."""
    if not actor.can_edit:
        raise PermissionDenied()
    act_as(db.session, actor)


def require_admin(actor: User) -> None:
    if not (actor.active and actor.is_admin):
        raise PermissionDenied()
    act_as(db.session, actor)


def check_common(
    errors: dict[str, str],
    actor: User,
    *,
    sensitivity: str,
    tier_id: int | None,
    owner_id: int | None,
) -> tuple[Sensitivity, RelationshipTier | None, User | None]:
    """Validate the sensitivity, tier and owner every gated record has; collect errors."""
    level = Sensitivity.OFFICIAL
    try:
        level = Sensitivity.from_code(sensitivity)
    except KeyError:
        errors["sensitivity"] = _("Choose a sensitivity level.")
    else:
        if level > actor.clearance:
            errors["sensitivity"] = _(
                "You cannot mark a record above your own clearance (%(level)s).",
                level=actor.clearance.label,
            )
    tier = db.session.get(RelationshipTier, tier_id) if tier_id else None
    if tier_id and tier is None:
        errors["tier_id"] = _("That tier does not exist.")
    owner = db.session.get(User, owner_id) if owner_id else None
    if owner_id and (owner is None or not owner.active):
        errors["owner_id"] = _("Choose an active staff member as owner.")
    return level, tier, owner


def check_lengths(errors: dict[str, str], model: type, values: dict[str, object]) -> None:
    """Refuse text longer than its column holds (the forms limit it; files and other callers
    must be stopped here, before the database truncates or refuses it)."""
    columns = model.__table__.columns  # type: ignore[attr-defined]
    for name, value in values.items():
        length = getattr(columns[name].type, "length", None) if name in columns else None
        if isinstance(value, str) and length and len(value) > length and name not in errors:
            errors[name] = _("Use at most %(count)d characters.", count=length)


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def restore(
    model: type[T], record_id: object, actor: User, check: Callable[[T], None] | None = None
) -> T:
    """Bring a record the admin may see back from the trash, once ``check`` has passed."""
    require_admin(actor)
    record = get_visible(model, record_id, actor, deleted=True)
    if check is not None:
        check(record)
    record.deleted_at = None  # type: ignore[attr-defined]
    record.deleted_by_id = None  # type: ignore[attr-defined]
    return record


def soft_delete(record: Any, actor: User) -> None:
    require_editor(actor)
    record.deleted_at = utcnow()
    record.deleted_by_id = actor.id
    db.session.flush()


def active_users() -> list[User]:
    """Staff who can own records, by name."""
    return list(db.session.scalars(select(User).where(User.active).order_by(User.full_name)))


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a list's filter: a record's id and what the reader sees."""

    id: int
    label: str


def filter_choices() -> dict[str, list[Choice]]:
    """The tiers (by rank), work areas and active staff (by name) that filters offer, under
    "tier", "work_area" and "owner": one statement for what would take three."""
    choices: dict[str, list[Choice]] = {"tier": [], "work_area": [], "owner": []}
    for row in db.session.execute(_filter_choices_statement()):
        if row.kind == "tier":
            label = tier_label(row.name)
        elif row.kind == "work_area":
            label = work_area_label(row.name, row.name_es or "")
        else:
            label = row.name
        choices[row.kind].append(Choice(row.id, label))
    return choices


@cache
def _filter_choices_statement() -> Any:
    """Built once: it is the same for every reader, and building it cost more than running it."""
    parts = [
        select(
            literal(kind).label("kind"),
            model.id,
            name.label("name"),
            cast(name_es, String).label("name_es"),
            func.row_number().over(order_by=order).label("position"),
        ).where(*where)
        for kind, model, name, name_es, order, where in (
            ("tier", RelationshipTier, RelationshipTier.name, null(), RelationshipTier.rank, ()),
            ("work_area", WorkArea, WorkArea.name, WorkArea.name_es, WorkArea.name, ()),
            ("owner", User, User.full_name, null(), User.full_name, (User.active,)),
        )
    ]
    return union_all(*parts).order_by(column("kind"), column("position"))


# Ids are INTEGER columns: a larger number would overflow the database driver, not miss.
