"""`flask crm …` commands."""

from sqlalchemy import select

from crm.extensions import db
from crm.models import County, RelationshipTier, Sensitivity, User
from crm.services.users import authenticate


def invoke(app, *args: str):
    return app.test_cli_runner().invoke(args=["crm", *args])


def test_create_user_makes_an_account_that_can_sign_in(app):
    result = invoke(
        app,
        "create-user",
        "--email",
        "Chief@Office.example",
        "--name",
        "Chief of Staff",
        "--role",
        "admin",
        "--clearance",
        "confidential",
        "--language",
        "es",
        "--password",
        "a long enough password",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin" in result.output
    user = db.session.scalar(select(User).where(User.email == "Chief@office.example"))
    assert user is not None
    assert user.clearance == Sensitivity.CONFIDENTIAL
    assert user.language == "es"
    assert "a long enough password" not in user.password_hash
    assert authenticate("chief@office.example", "a long enough password") == user


def test_create_user_reports_bad_input_and_creates_nothing(app):
    result = invoke(
        app, "create-user", "--email", "not-an-address", "--name", "X", "--password", "short"
    )
    assert result.exit_code == 1
    assert "email: Enter a valid e-mail address." in result.output
    assert "password: Use at least 10 characters." in result.output
    assert db.session.scalar(select(User)) is None


def test_init_adds_reference_data_only_once(app):
    first = invoke(app, "init")
    second = invoke(app, "init")
    assert first.exit_code == second.exit_code == 0
    assert len(db.session.scalars(select(County)).all()) == 58
    assert len(db.session.scalars(select(RelationshipTier)).all()) == 3
