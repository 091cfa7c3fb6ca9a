"""Staff accounts: passwords, sign-in, and the admin's account management."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import gettext as _
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Role, Sensitivity, User
from crm.models.base import utcnow
from crm.services import records
from crm.services.errors import RecordNotFound, ValidationError, parse_id
from crm.services.normalize import clean, normalize_email, time_zones

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    if not check_password(user, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


@dataclass
class UserInput:
    email: str
    full_name: str
    role: str = Role.OFFICER.value
    clearance: str = "official"
    language: str = "en"
    timezone: str = "America/Los_Angeles"
    active: bool = True
    # Empty on edit keeps the current password.
    password: str = ""


def _validate(data: UserInput, user: User | None) -> dict[str, object]:
    errors: dict[str, str] = {}
    values: dict[str, object] = {"full_name": clean(data.full_name), "active": data.active}
    if not values["full_name"]:
        errors["full_name"] = _("Enter the person's name.")
    try:
        email = normalize_email(data.email)
    except ValueError:
        errors["email"] = _("Enter a valid e-mail address.")
    else:
        taken = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if taken is not None and taken is not user:
            errors["email"] = _("Another account already uses this e-mail address.")
        values["email"] = email
    if data.role not in Role.__members__.values():
        errors["role"] = _("Choose a role.")
    values["role"] = data.role
    try:
        values["clearance"] = Sensitivity.from_code(data.clearance)
    except KeyError:
        errors["clearance"] = _("Choose a clearance level.")
    if data.language not in ("en", "es"):
        errors["language"] = _("Choose English or Spanish.")
    values["language"] = data.language
    if data.timezone not in time_zones():
        errors["timezone"] = _("Choose a time zone from the list.")
    values["timezone"] = data.timezone
    if data.password or user is None:
        if len(data.password) < MIN_PASSWORD_LENGTH:
            errors["password"] = _("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        else:
            values["password_hash"] = hash_password(data.password)
    if user is not None and user.is_admin and (data.role != Role.ADMIN or not data.active):
        other_admins = db.session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN, User.active, User.id != user.id)
        )
        if not other_admins:
            errors["role"] = _("This is the last active administrator; keep it an active admin.")
    records.raise_if(errors)
    return values


def create_user(data: UserInput, actor: User | None = None) -> User:
    """Create an account. ``actor`` None means the command line, which may always do it."""
    if actor is not None:
        records.require_admin(actor)
    user = User(**_validate(data, None))
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: UserInput, actor: User) -> User:
    records.require_admin(actor)
    for key, value in _validate(data, user).items():
        setattr(user, key, value)
    db.session.flush()
    return user


def update_preferences(user: User, language: str, timezone: str) -> User:
    """A user's own language and time zone."""
    errors: dict[str, str] = {}
    if language not in ("en", "es"):
        errors["language"] = _("Choose English or Spanish.")
    if timezone not in time_zones():
        errors["timezone"] = _("Choose a time zone from the list.")
    if errors:
        raise ValidationError(errors)
    user.language = language
    user.timezone = timezone
    db.session.flush()
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.full_name)))


def get_user(user_id: object) -> User:
    user = db.session.get(User, parse_id(user_id))
    if user is None:
        raise RecordNotFound("User")
    return user
