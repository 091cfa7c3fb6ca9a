"""Settings classes. Every value can be overridden by an environment variable.

Plain names (``DATABASE_URL``, ``SECRET_KEY``, ``REDIS_URL``) are read by
``environment_settings``; any other setting can be given as ``CRM_<NAME>`` (parsed as JSON
where possible, e.g. ``CRM_SESSION_COOKIE_SECURE=false``).
"""

from __future__ import annotations

import os


def database_url(url: str) -> str:
    """Name the psycopg 3 driver in a PostgreSQL URL, as SQLAlchemy needs it."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def environment_settings() -> dict[str, object]:
    """Settings given by plain environment variables, read when the app is created."""
    settings: dict[str, object] = {}
    if url := os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = database_url(url)
    if key := os.environ.get("SECRET_KEY"):
        settings["SECRET_KEY"] = key
    if redis_url := os.environ.get("REDIS_URL"):
        settings["REDIS_URL"] = redis_url
        settings["RATELIMIT_STORAGE_URI"] = redis_url
    return settings


class Config:
    """Defaults shared by every environment."""

    NAME = "base"
    SECRET_KEY: str | None = None
    # None: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {
        "pool_pre_ping": True,
        # Pages ask small questions many at a time: a parallel plan's extra processes cost
        # more to start than they save, and take cores from the other requests.
        "connect_args": {"options": "-c max_parallel_workers_per_gather=0"},
    }
    REDIS_URL: str | None = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "America/Los_Angeles"
    LANGUAGES = ("en", "es")
    PER_PAGE = 25
    MAX_PER_PAGE = 200
    # Where a phone number typed without a country code is assumed to be.
    DEFAULT_PHONE_REGION = "US"
    # How many reverse proxies (nginx, a load balancer) stand in front of the app; their
    # X-Forwarded-For/-Proto/-Host headers are trusted only when this is set.
    PROXY_COUNT = 0
    # Calendar feeds: which meetings they carry (days back and ahead of today), how long a
    # cancelled meeting stays so clients remove it, how often clients should refresh.
    CALENDAR_FEED_PAST_DAYS = 90
    CALENDAR_FEED_FUTURE_DAYS = 365
    CALENDAR_CANCELLED_DAYS = 30
    CALENDAR_REFRESH_MINUTES = 30
    CALENDAR_FEED_RATE_LIMIT = "60 per minute"
    # The dashboard's office-wide figures (counts, charts, tier coverage) are reused for this
    # long by each server process, per clearance and language, until anything is written.
    DASHBOARD_FIGURES_SECONDS = 60
    # Uploads (invitations, imports) larger than this are refused before they are read.
    MAX_CONTENT_LENGTH = 32 * 1024 * 1024
    # A secret generated into the instance folder is acceptable only outside production.
    GENERATE_SECRET_KEY = False


class DevelopmentConfig(Config):
    NAME = "development"
    GENERATE_SECRET_KEY = True


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestingConfig(Config):
    NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-only-not-secret"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    # Each test sees its own writes at once; the reuse has tests of its own.
    DASHBOARD_FIGURES_SECONDS = 0


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
