"""Fixtures: one migrated database per run (SQLite, or PostgreSQL from TEST_DATABASE_URL),
emptied before every test; an app, a client, and ``login_as`` for each role."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import database_url
from crm import create_app
from crm.extensions import db, limiter
from crm.models import Sensitivity, User
from crm.services.reference_data import ensure_reference_data
from tests import factories


def test_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def drop_everything() -> None:
    """Start PostgreSQL runs from an empty schema so the migrations build all of it."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))


class IsolatedClient(FlaskClient):
    """Runs each request in its own app context and database session, as a server would.

    What the test arranged is committed first, and the test's objects are reloaded after, so a
    test sees exactly what the request wrote (and nothing leaks through ``g`` between requests).
    """

    def run_wsgi_app(self, environ: dict[str, Any], buffered: bool = False) -> Any:
        db.session.commit()
        with self.application.app_context():
            result = super().run_wsgi_app(environ, buffered=True)
        db.session.expire_all()
        return result


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=test_database_url(tmp_path_factory),
    )
    app.instance_path = str(instance)
    app.test_client_class = IsolatedClient
    with app.app_context():
        drop_everything()
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts with only the reference data (tiers, work areas, counties)."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    ensure_reference_data()
    db.session.commit()
    yield
    db.session.rollback()
    db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def users() -> dict[str, User]:
    """One account per role; the officer and viewer have the default clearance (official)."""
    made = {
        "admin": factories.make_user(
            role="admin",
            clearance=Sensitivity.LAW_ENFORCEMENT_SENSITIVE,
            email="admin@office.example",
        ),
        "officer": factories.make_user(role="officer", email="officer@office.example"),
        "viewer": factories.make_user(role="viewer", email="viewer@office.example"),
    }
    db.session.commit()
    return made


@pytest.fixture
def login_as(client: FlaskClient, users: dict[str, User]) -> Callable[[str | User], User]:
    """Sign the test client in as a role name or a given user (without the password form)."""

    def login(who: str | User) -> User:
        user = users[who] if isinstance(who, str) else who
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return user

    return login


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def other_app(app: Flask) -> Iterator[Callable[..., Flask]]:
    """Build another app on the same database with some settings changed (CSRF, rate limits,
    calendar windows)."""
    made: list[Flask] = []

    def build(**overrides: object) -> Flask:
        other = create_app(
            "testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **overrides
        )
        other.instance_path = app.instance_path
        other.test_client_class = app.test_client_class
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()
    # The limiter is one object shared by every app; give it back the test app's setting.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
