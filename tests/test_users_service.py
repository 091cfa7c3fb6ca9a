"""Staff accounts: password hashing, sign-in, account management and preferences."""

import pytest

from crm.extensions import db
from crm.models import Sensitivity
from crm.services.errors import PermissionDenied, RecordNotFound, ValidationError
from crm.services.users import (
    UserInput,
    authenticate,
    check_password,
    create_user,
    get_user,
    update_preferences,
    update_user,
)
from tests.factories import PASSWORD, make_user
from tests.service_helpers import assert_refused

NEW_PASSWORD = "a much longer secret"


def user_input(**fields):
    values = {
        "email": "ana.ortiz@office.example",
        "full_name": "Ana Ortiz",
        "password": NEW_PASSWORD,
    }
    values.update(fields)
    return UserInput(**values)


def input_for(user, **fields):
    """The form as it would arrive for an existing account (password left empty)."""
    values = {
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "clearance": user.clearance.code,
        "language": user.language,
        "timezone": user.timezone,
        "active": user.active,
        "password": "",
    }
    values.update(fields)
    return UserInput(**values)


def test_create_user_stores_an_argon2_hash_not_the_password(app, users):
    user = create_user(
        user_input(email=" Ana.Ortiz@OFFICE.example ", clearance="confidential", language="es"),
        users["admin"],
    )

    assert user.email == "Ana.Ortiz@office.example"
    assert user.clearance == Sensitivity.CONFIDENTIAL
    assert user.password_hash.startswith("$argon2")
    assert NEW_PASSWORD not in user.password_hash
    assert check_password(user, NEW_PASSWORD)
    assert not check_password(user, NEW_PASSWORD.upper())


def test_the_command_line_creates_users_without_an_actor(app):
    assert create_user(user_input(role="admin")).is_admin


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_an_admin_manages_accounts(app, users, role):
    with pytest.raises(PermissionDenied):
        create_user(user_input(), users[role])
    with pytest.raises(PermissionDenied):
        update_user(users["viewer"], input_for(users["viewer"], role="admin"), users[role])
    assert users["viewer"].role == "viewer"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "OFFICER@Office.Example"}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"full_name": "  "}, "full_name"),
        ({"password": "123456789"}, "password"),
        ({"password": ""}, "password"),
        ({"role": "superuser"}, "role"),
        ({"clearance": "top_secret"}, "clearance"),
        ({"language": "fr"}, "language"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    ],
    ids=[
        "duplicate-email", "bad-email", "no-name", "short-password", "no-password", "role",
        "clearance", "language", "timezone",
    ],
)  # fmt: skip
def test_create_user_refuses_bad_input(app, users, fields, field):
    assert_refused(field, lambda: create_user(user_input(**fields), users["admin"]))


def test_a_password_of_the_minimum_length_is_accepted(app, users):
    user = create_user(user_input(password="0123456789"), users["admin"])
    assert check_password(user, "0123456789")


def test_authenticate_with_the_right_password_ignoring_email_case(app, users):
    user = authenticate("  OFFICER@office.example ", PASSWORD)
    assert user == users["officer"]
    assert user.last_login_at is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("officer@office.example", "wrong password"),
        ("officer@office.example", ""),
        ("nobody@office.example", PASSWORD),
    ],
)
def test_authenticate_fails_for_a_wrong_password_or_unknown_email(app, users, email, password):
    assert authenticate(email, password) is None
    assert users["officer"].last_login_at is None


def test_an_inactive_user_cannot_sign_in_even_with_the_right_password(app, users):
    make_user(email="former@office.example", active=False)
    assert authenticate("former@office.example", PASSWORD) is None


def test_update_user_keeps_the_password_when_left_empty(app, users):
    officer = users["officer"]
    old_hash = officer.password_hash

    update_user(officer, input_for(officer, full_name="Renamed Officer"), users["admin"])

    assert officer.full_name == "Renamed Officer"
    assert officer.password_hash == old_hash
    assert authenticate(officer.email, PASSWORD) == officer


def test_update_user_sets_a_new_password(app, users):
    officer = users["officer"]
    update_user(officer, input_for(officer, password=NEW_PASSWORD), users["admin"])

    assert authenticate(officer.email, NEW_PASSWORD) == officer
    assert authenticate(officer.email, PASSWORD) is None


def test_update_user_may_keep_its_own_email_but_not_take_another(app, users):
    officer = users["officer"]
    update_user(officer, input_for(officer, email=officer.email.upper()), users["admin"])

    taken = input_for(officer, email="viewer@office.example")
    assert_refused("email", lambda: update_user(officer, taken, users["admin"]))


@pytest.mark.parametrize(
    "change", [{"role": "officer"}, {"role": "viewer"}, {"active": False}], ids=str
)
def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, users, change):
    admin = users["admin"]
    make_user(role="admin", active=False)  # an inactive admin does not count

    assert_refused("role", lambda: update_user(admin, input_for(admin, **change), admin))
    db.session.expire_all()
    assert admin.is_admin and admin.active


def test_an_admin_can_be_demoted_while_another_active_admin_remains(app, users):
    admin = users["admin"]
    make_user(role="admin")

    update_user(admin, input_for(admin, role="officer"), admin)

    assert admin.role == "officer"


def test_update_preferences_saves_a_valid_language_and_time_zone(app, users):
    viewer = users["viewer"]
    update_preferences(viewer, "es", "America/Tijuana")
    db.session.commit()
    db.session.expire_all()
    assert (viewer.language, viewer.timezone) == ("es", "America/Tijuana")


@pytest.mark.parametrize(
    ("language", "timezone", "fields"),
    [
        ("fr", "America/Tijuana", {"language"}),
        ("es", "Pacific Time", {"timezone"}),
        ("", "", {"language", "timezone"}),
    ],
)
def test_update_preferences_refuses_bad_values(app, users, language, timezone, fields):
    viewer = users["viewer"]
    with pytest.raises(ValidationError) as caught:
        update_preferences(viewer, language, timezone)
    assert set(caught.value.errors) == fields
    assert (viewer.language, viewer.timezone) == ("en", "America/Los_Angeles")


def test_get_user(app, users):
    assert get_user(str(users["viewer"].id)) == users["viewer"]
    for missing in ("abc", users["admin"].id + 1000):
        with pytest.raises(RecordNotFound):
            get_user(missing)
