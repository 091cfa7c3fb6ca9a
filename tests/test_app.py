"""The application factory: configuration, secrets, error pages."""

import re
import stat

import pytest
from sqlalchemy import func, select, text

from config import database_url
from crm import create_app
from crm.extensions import db
from crm.models import Organization
from tests import factories


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_takes_the_secret_key_and_database_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "postgres://crm@db.internal/crm")
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    app = create_app("production")
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://crm@db.internal/crm"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not (tmp_path / "secret_key").exists()


def test_development_generates_one_private_secret_key_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    first = create_app("development")
    key_file = tmp_path / "secret_key"
    assert len(first.config["SECRET_KEY"]) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app("development").config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert first.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'crm.sqlite3'}"


def test_prefixed_environment_variables_override_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("CRM_PER_PAGE", "50")
    assert create_app("testing").config["PER_PAGE"] == 50


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls_name_the_psycopg_driver(given, expected):
    assert database_url(given) == expected


def test_unknown_page_gives_a_readable_404(client, login_as):
    login_as("officer")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Not found" in response.data
    assert b"Liaison CRM" in response.data


def test_stylesheets_are_vendored_and_served_without_login(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/static/vendor/pico/pico.min.css"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no asset may come from another host"
    response = client.get("/static/vendor/pico/pico.min.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    response.close()


def test_an_unexpected_error_shows_a_calm_page_and_saves_nothing(tmp_path):
    broken = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'broken.sqlite3'}",
        PROPAGATE_EXCEPTIONS=False,
    )

    @broken.get("/half-write")
    def half_write() -> str:
        factories.make_organization(name="Half written")
        raise RuntimeError("boom")

    with broken.app_context():
        db.create_all()
        user = factories.make_user()
        db.session.commit()
        client = broken.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
        response = client.get("/half-write")
        assert response.status_code == 500
        assert b"Nothing was saved" in response.data
        assert db.session.scalar(select(func.count()).select_from(Organization)) == 0
        db.engine.dispose()


@pytest.mark.parametrize(
    ("hops", "expected"), [(1, "https://crm.example.gov"), (0, "http://localhost")]
)
def test_feed_addresses_carry_the_public_address_only_behind_a_trusted_proxy(
    tmp_path, hops, expected
):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'proxy.sqlite3'}",
        PROXY_COUNT=hops,
    )
    with app.app_context():
        db.create_all()
        user = factories.make_user()
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
        response = client.post(
            "/calendar/feeds",
            data={"scope": "mine", "name": "Mine"},
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "crm.example.gov"},
        )
        db.engine.dispose()
    html = response.get_data(as_text=True)
    address = re.search(r'id="feed-https" type="text" readonly value="([^"]+)"', html)
    assert address is not None
    assert address.group(1).startswith(f"{expected}/calendar/feeds/")
    webcal = expected.replace("https://", "webcal://").replace("http://", "webcal://")
    assert f'value="{webcal}/calendar/feeds/' in html


def test_the_health_check_answers_without_login_or_session(app):
    response = app.test_client().get("/health")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert "Set-Cookie" not in response.headers


def test_an_sqlite_database_is_read_while_another_connection_writes(tmp_path):
    """Write-ahead logging: a page still loads while someone's save is being committed."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'crm.sqlite3'}")
    with app.app_context():
        with db.engine.connect() as writer, db.engine.connect() as reader:
            writer.exec_driver_sql("CREATE TABLE notes (body TEXT)")
            writer.commit()
            writer.exec_driver_sql("BEGIN EXCLUSIVE")
            writer.exec_driver_sql("INSERT INTO notes VALUES ('draft')")

            assert reader.exec_driver_sql("SELECT count(*) FROM notes").scalar() == 0
            assert reader.exec_driver_sql("PRAGMA mmap_size").scalar() > 0
            writer.rollback()
        db.engine.dispose()


def test_postgresql_answers_page_queries_without_parallel_workers(app):
    """Small page queries run in one process each, not spread over the cores the other
    requests need."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL setting")
    assert db.session.execute(text("SHOW max_parallel_workers_per_gather")).scalar() == "0"
