"""``flask crm …`` commands: setup, create-user, seed-demo."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from crm.extensions import db
from crm.models import Contact, Organization, Role, Sensitivity, User
from crm.services import derived
from crm.services.errors import ValidationError
from crm.services.reference_data import ensure_reference_data
from crm.services.search import index_is_complete, rebuild_index
from crm.services.users import UserInput, create_user


@click.group("crm")
def crm_cli() -> None:
    """Liaison CRM administration."""


def database_has_records() -> bool:
    """True once any account or record exists: demo data must never mix with real data."""
    return any(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (User, Organization, Contact)
    )


def print_demo_logins() -> None:
    from crm.services.demo_data import DEMO_PASSWORD, DEMO_USERS

    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for user in DEMO_USERS:
        click.echo(f"  {user.email:<28} {user.role:<8} clearance {user.clearance.code}")


def demo_loaded() -> bool:
    from crm.services.demo_data import DEMO_USERS

    emails = [u.email for u in DEMO_USERS]
    return bool(db.session.scalar(select(func.count()).where(User.email.in_(emails))))


@crm_cli.command("init")
@with_appcontext
def init_command() -> None:
    """Add the reference data (tiers, work areas, counties) a new installation needs."""
    ensure_reference_data()
    db.session.commit()
    click.echo("Reference data is in place.")


@crm_cli.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the fictional demo office into an empty database (never over existing data)."""
    if database_has_records():
        if demo_loaded():
            click.echo("Demo data is already loaded.")
            print_demo_logins()
        else:
            click.echo("The database already holds data; the demo office was not loaded.")
        return
    from crm.services.demo_data import load_demo_office

    counts = load_demo_office()
    db.session.commit()
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    click.echo(f"Loaded the demo office: {summary}.")
    print_demo_logins()


@crm_cli.command("setup")
@with_appcontext
def setup_command() -> None:
    """What ``make run`` does before serving: migrate, then load the demo office once."""
    upgrade()
    ensure_reference_data()
    db.session.commit()
    ctx = click.get_current_context()
    ctx.invoke(seed_demo_command)
    if not index_is_complete():
        ctx.invoke(reindex_command)


@crm_cli.command("seed-scale")
@click.option("--contacts", default=100_000, show_default=True)
@click.option("--organizations", default=20_000, show_default=True)
@click.option("--interactions", default=1_000_000, show_default=True)
@click.option("--seed", default=2026, show_default=True)
@with_appcontext
def seed_scale_command(contacts: int, organizations: int, interactions: int, seed: int) -> None:
    """Load a large, realistic office for benchmarks (the same data for the same seed)."""
    from crm.services.scale_data import SCALE_PASSWORD, load_scale_office

    ensure_reference_data()
    load_scale_office(contacts, organizations, interactions, seed, progress=click.echo)
    derived.rebuild(db.session.connection())
    count = rebuild_index()
    db.session.commit()
    analyze()
    click.echo(f"Search index: {count} records. Staff sign in as staff0@scale.example")
    click.echo(f"(admin) to staff24@scale.example with the password {SCALE_PASSWORD}.")


@crm_cli.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Rewrite the search index and the derived sensitivity and last-contact data from the
    records (after a bulk load, or to repair them)."""
    derived.rebuild(db.session.connection())
    count = rebuild_index()
    db.session.commit()
    analyze()
    click.echo(f"Search index rebuilt: {count} records.")


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load. Without them SQLite picks
    an index that reads every interaction where the participants' index reads a handful.
    PostgreSQL is vacuumed too, so its list pages and counts read the indexes alone."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
        return
    with db.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


@crm_cli.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", "full_name", prompt="Full name")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.OFFICER.value)
@click.option("--clearance", type=click.Choice([s.code for s in Sensitivity]), default="official")
@click.option("--language", type=click.Choice(["en", "es"]), default="en")
@click.option("--timezone", default="America/Los_Angeles")
@click.password_option()
@with_appcontext
def create_user_command(
    email: str,
    full_name: str,
    role: str,
    clearance: str,
    language: str,
    timezone: str,
    password: str,
) -> None:
    """Create a staff account."""
    data = UserInput(
        email=email,
        full_name=full_name,
        role=role,
        clearance=clearance,
        language=language,
        timezone=timezone,
        password=password,
    )
    try:
        user = create_user(data)
    except ValidationError as error:
        db.session.rollback()
        for field, message in error.errors.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    click.echo(f"Created {user.role} {user.email} with clearance {user.clearance.code}.")
