"""The migrations build exactly the models' schema, and `make run`'s set-up works from nothing."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect

from crm import create_app, include_in_migrations, render_migration_item
from crm.extensions import db


def schema_differences(connection) -> list:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_type": True,
            "render_item": render_migration_item,
            "include_name": include_in_migrations,
        },
    )
    return compare_metadata(context, db.metadata)


def test_upgrade_on_an_empty_database_gives_exactly_the_models_schema(app):
    # The session's database was built by `upgrade()` alone (see conftest), on SQLite or
    # on PostgreSQL when TEST_DATABASE_URL is set.
    with db.engine.connect() as connection:
        assert schema_differences(connection) == []


def test_every_model_table_is_created_by_a_migration(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_removes_everything_and_upgrade_rebuilds_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    roundtrip = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with roundtrip.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            assert schema_differences(connection) == []
        db.engine.dispose()


def run_flask(instance: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the flask command the way `make run` does, on its own instance folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SECRET_KEY", "TEST_DATABASE_URL"}
    }
    env.update(CRM_CONFIG="development", CRM_INSTANCE_PATH=str(instance))
    flask = Path(sys.executable).with_name("flask")
    return subprocess.run(
        [str(flask), "--app", "wsgi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )


def count_rows(database: Path, table: str) -> int:
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        count = connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
    engine.dispose()
    return count


def test_make_run_setup_on_an_empty_instance_loads_the_demo_once(tmp_path):
    first = run_flask(tmp_path, "crm", "setup")
    assert first.returncode == 0, first.stderr
    assert "Loaded the demo office" in first.stdout
    assert "Demo logins" in first.stdout
    database = tmp_path / "crm.sqlite3"
    assert (tmp_path / "secret_key").exists()
    counts = {t: count_rows(database, t) for t in ("users", "organizations", "contacts")}
    assert counts["organizations"] >= 50
    assert counts["contacts"] >= 200

    second = run_flask(tmp_path, "crm", "setup")
    assert second.returncode == 0, second.stderr
    assert "already loaded" in second.stdout
    assert "Demo logins" in second.stdout, "make run prints the logins every time"
    assert {t: count_rows(database, t) for t in counts} == counts


def test_demo_data_is_never_loaded_over_real_data(tmp_path):
    assert run_flask(tmp_path, "db", "upgrade").returncode == 0
    created = run_flask(
        tmp_path,
        "crm",
        "create-user",
        "--email",
        "chief@office.example",
        "--name",
        "Chief",
        "--role",
        "admin",
        "--password",
        "a long enough password",
    )
    assert created.returncode == 0, created.stderr
    seeded = run_flask(tmp_path, "crm", "setup")
    assert seeded.returncode == 0, seeded.stderr
    assert "was not loaded" in seeded.stdout
    database = tmp_path / "crm.sqlite3"
    assert count_rows(database, "users") == 1
    assert count_rows(database, "organizations") == 0
    # The reference data a real installation needs is there all the same.
    assert count_rows(database, "relationship_tiers") == 3
    assert count_rows(database, "counties") == 58


def test_the_search_key_migration_fills_in_existing_organizations(tmp_path):
    url = f"sqlite:///{tmp_path / 'backfill.sqlite3'}"
    older = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with older.app_context():
        upgrade(revision="049c5b5e2536")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO organizations (kind, name, name_es, acronym, name_key, country,"
                " subdivision, government_level, website, email, phone, street, city,"
                " postal_code, sensitivity, notes) VALUES ('agency', 'Fiscalía General',"
                " 'Attorney General', 'FGR', 'fiscalia general', 'MX', '', 'federal', '', '',"
                " '', '', '', '', 1, '')"
            )
        upgrade()
        with db.engine.connect() as connection:
            key = connection.exec_driver_sql("SELECT search_key FROM organizations").scalar_one()
        db.engine.dispose()
    assert key == "fiscalia general attorney general fgr"


def test_the_calendar_migration_gives_existing_interactions_a_uid_and_a_cancellation_time(
    tmp_path,
):
    url = f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
    older = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    insert = (
        "INSERT INTO interactions (kind, subject, starts_at, timezone, location, video_url,"
        " status, summary, outcome, sensitivity, sequence, updated_at) VALUES ('meeting', '{0}',"
        " '2026-05-01 17:00:00', 'America/Tijuana', '', '', '{1}', '', '', 1, 0,"
        " '2026-04-20 09:00:00')"
    )
    with older.app_context():
        upgrade(revision="354bbd6a51c7")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(insert.format("Held", "held"))
            connection.exec_driver_sql(insert.format("Called off", "cancelled"))
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT subject, uid, all_day, cancelled_at FROM interactions ORDER BY id"
            ).all()
        db.engine.dispose()
    (held, held_uid, held_all_day, held_cancelled), (_, cancelled_uid, _, cancelled_at) = rows
    assert held == "Held"
    assert len(held_uid) == 36 and len(cancelled_uid) == 36 and held_uid != cancelled_uid
    assert not held_all_day
    assert held_cancelled is None
    assert str(cancelled_at).startswith("2026-04-20 09:00:00")


def test_migrations_go_down_and_up_again_over_a_full_office(tmp_path):
    """Altering a table on SQLite copies it; rows that point at it must survive both ways."""
    from crm.services.demo_data import load_demo_office
    from crm.services.reference_data import ensure_reference_data

    database = tmp_path / "office.sqlite3"
    office = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}")
    tables = ("contacts", "contact_emails", "affiliations", "interactions", "interaction_contacts")
    with office.app_context():
        upgrade()
        ensure_reference_data()
        load_demo_office()
        db.session.commit()
        before = {table: count_rows(database, table) for table in tables}
        downgrade(revision="354bbd6a51c7")
        upgrade()
        after = {table: count_rows(database, table) for table in tables}
        with db.engine.connect() as connection:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            uids = connection.exec_driver_sql("SELECT count(DISTINCT uid) FROM contacts").scalar()
        db.engine.dispose()
    assert after == before
    assert all(count > 0 for count in before.values())
    assert broken == []
    assert uids == before["contacts"]
