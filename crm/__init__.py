"""Liaison CRM: relationships of an office of bilateral relations."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, environment_settings
from crm.extensions import babel, csrf, db, limiter, login_manager, migrate
from crm.i18n import select_locale, select_timezone

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the application.

    ``config`` is a settings class or its name; without one, ``CRM_CONFIG`` chooses
    (``production`` when unset, so a forgotten setting fails safe).
    """
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("CRM_CONFIG", "production")]
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_path=os.environ.get("CRM_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(config)
    if not app.config.get("TESTING"):
        app.config.update(environment_settings())
    app.config.from_prefixed_env("CRM")
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_database(app)
    configure_secret_key(app)
    configure_proxies(app)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def configure_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        path = Path(app.instance_path) / "crm.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite has no pool worth pinging and must not share connections across threads.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}


def configure_secret_key(app: Flask) -> None:
    """Use SECRET_KEY from the environment; outside production keep one in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    if not app.config.get("GENERATE_SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    key_file = Path(app.instance_path) / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def configure_proxies(app: Flask) -> None:
    """Behind a reverse proxy, trust its X-Forwarded-* headers, so links built for calendar
    clients carry the public https address and rate limits see the real client."""
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


# How much of an SQLite database file each connection reads through memory mapping (address
# space, not memory: the pages are the operating system's file cache, shared by every worker).
SQLITE_MMAP_BYTES = 1 << 30


@event.listens_for(Engine, "connect")
def _sqlite_connection_settings(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless asked on every connection. Write-ahead logging lets
    pages be read while a change is written (and is kept in the file once set); mapping the
    file spares a system call for every page a query reads."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()


def register_extensions(app: Flask) -> None:
    from crm import models  # noqa: F401  (registers every model on the metadata)
    from crm.services import (
        audit,  # noqa: F401  (registers the audit trail's flush hook)
        derived,  # noqa: F401  (keeps derived data in step with writes)
        transactions,
    )

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
        include_name=include_in_migrations,
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    limiter.init_app(app)

    @app.teardown_request
    def end_read_only_transaction(error: BaseException | None) -> None:
        """A page that only read ends its transaction with COMMIT (see ``transactions``)."""
        # A request that never opened a session (a static file, /health) has none to end.
        if error is None and request.method in ("GET", "HEAD") and db.session.registry.has():
            transactions.end_read_only(db.session())


# The search index's database-specific parts, created by the migrations, not the models.
SEARCH_INDEX_OBJECTS = (
    "search_fts",
    "search_words",
    "search_prefixes",
    "ix_search_documents_prefixes",
    "ix_search_documents_words",
    "ix_search_documents_trigrams",
    "ix_search_documents_newest",
)


def include_in_migrations(name: str | None, type_: str, _parents: Any) -> bool:
    """Leave the search index's own tables, columns and indexes out of model comparisons."""
    return not (name and name.startswith(SEARCH_INDEX_OBJECTS))


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write the app's column types as the plain SQL types they store."""
    from crm.models.base import SensitivityType, UTCDateTime

    if type_ == "type" and isinstance(obj, SensitivityType):
        return "sa.SmallInteger()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def register_blueprints(app: Flask) -> None:
    from crm.admin.views import bp as admin_bp
    from crm.auth.access import public
    from crm.auth.views import bp as auth_bp
    from crm.calendar.views import bp as calendar_bp
    from crm.contacts.views import bp as contacts_bp
    from crm.dashboard.views import bp as dashboard_bp
    from crm.duplicates.views import bp as duplicates_bp
    from crm.exports.views import bp as exports_bp
    from crm.follow_ups.views import bp as follow_ups_bp
    from crm.imports.views import bp as imports_bp
    from crm.interactions.views import bp as interactions_bp
    from crm.lists.views import bp as lists_bp
    from crm.organizations.views import bp as organizations_bp
    from crm.relationships.views import bp as relationships_bp
    from crm.search.views import bp as search_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(organizations_bp, url_prefix="/organizations")
    app.register_blueprint(contacts_bp, url_prefix="/contacts")
    app.register_blueprint(interactions_bp, url_prefix="/interactions")
    app.register_blueprint(follow_ups_bp, url_prefix="/follow-ups")
    app.register_blueprint(relationships_bp)
    app.register_blueprint(calendar_bp, url_prefix="/calendar")
    app.register_blueprint(exports_bp, url_prefix="/exports")
    app.register_blueprint(lists_bp, url_prefix="/lists")
    app.register_blueprint(imports_bp, url_prefix="/imports")
    app.register_blueprint(duplicates_bp, url_prefix="/duplicates")
    app.register_blueprint(search_bp, url_prefix="/search")
    app.register_blueprint(admin_bp, url_prefix="/admin")

    @app.get("/health")
    @public
    def health() -> str:
        """For load balancers and monitoring: the app answers, and touches nothing else."""
        return "ok"

    @app.before_request
    def require_login() -> Any:
        """Every page needs a login; the few that do not are marked with ``public``."""
        if request.endpoint is None or request.endpoint == "static":
            return None
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "is_public", False) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()


def register_errorhandlers(app: Flask) -> None:
    from crm.services.errors import PermissionDenied, RecordNotFound

    def render_error(status: int) -> Any:
        def handler(_error: Exception) -> tuple[str, int]:
            if status == 500:
                # Whatever the failed request half-wrote goes; the page must not fail again.
                db.session.rollback()
            return render_template(f"errors/{status}.html"), status

        return handler

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, render_error(status))
    app.register_error_handler(RecordNotFound, render_error(404))
    app.register_error_handler(PermissionDenied, render_error(403))


def register_template_helpers(app: Flask) -> None:
    from crm import template_helpers

    template_helpers.register(app)


def register_cli(app: Flask) -> None:
    from crm.cli import crm_cli

    app.cli.add_command(crm_cli)
