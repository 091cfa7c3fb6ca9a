"""How a request's transaction ends: a page that only read ends it with COMMIT (PostgreSQL's
driver forgets what it prepared on a rollback), one that wrote is left to whoever owns it, and
a streamed download still reads its records after the request's own teardown."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, inspect, select, update

from crm.extensions import db
from crm.models import Organization, User
from crm.services.transactions import end_read_only
from tests import factories


def served(app: Flask, user: User, path: str) -> dict[str, Any]:
    """As a server does it: the request in a thread of its own, with no app context around
    it, and its body read after the request has been torn down."""
    db.session.commit()
    user_id = str(user.id)
    outcome: dict[str, Any] = {}

    def serve() -> None:
        client = FlaskClient(app, app.response_class, use_cookies=True)
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        try:
            response = client.get(path, buffered=False)
            try:
                outcome["status"] = response.status_code
                outcome["body"] = b"".join(response.response)
            finally:
                response.close()
        except Exception as error:  # handed to the test's own thread
            outcome["error"] = error

    thread = threading.Thread(target=serve)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome


@contextmanager
def transaction_ends() -> Iterator[list[str]]:
    """How each transaction on the database ends while the block runs: "commit" or "rollback"."""
    ends: list[str] = []

    def committed(_connection: Any) -> None:
        ends.append("commit")

    def rolled_back(_connection: Any) -> None:
        ends.append("rollback")

    event.listen(db.engine, "commit", committed)
    event.listen(db.engine, "rollback", rolled_back)
    try:
        yield ends
    finally:
        event.remove(db.engine, "commit", committed)
        event.remove(db.engine, "rollback", rolled_back)


def test_a_page_that_only_read_ends_its_transaction_with_commit(app, users):
    factories.make_organization(name="Consulado General de México en San Diego")
    db.session.commit()
    with transaction_ends() as ends:
        outcome = served(app, users["officer"], "/organizations/")

    assert outcome["status"] == 200
    assert "Consulado General de México en San Diego" in outcome["body"].decode()
    assert ends == ["commit"]


def test_a_streamed_export_reads_its_records_after_the_request_is_torn_down(app, users):
    factories.make_contact(given_names="José Ángel", family_name="Núñez")

    outcome = served(app, users["officer"], "/exports/contacts?format=csv")

    assert outcome["status"] == 200
    assert "José Ángel" in outcome["body"].decode()


def test_a_transaction_that_read_keeps_its_records_loaded(app, users):
    db.session.commit()
    user = db.session.scalar(select(User).where(User.id == users["officer"].id))

    end_read_only(db.session())

    assert not db.session().in_transaction()
    assert "email" in inspect(user).dict  # not expired: a streamed response may read it


@pytest.mark.parametrize("how", ["flushed", "pending", "statement"])
def test_a_transaction_that_wrote_is_left_to_its_owner(app, how):
    organization = factories.make_organization(name="Fiscalía General del Estado")
    db.session.commit()
    if how == "statement":
        db.session.execute(
            update(Organization).where(Organization.id == organization.id).values(name="Changed")
        )
    else:
        organization.name = "Changed"
        if how == "flushed":
            db.session.flush()

    end_read_only(db.session())
    assert db.session().in_transaction()
    db.session.rollback()

    assert db.session.get(Organization, organization.id).name == "Fiscalía General del Estado"
