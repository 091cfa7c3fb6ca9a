"""Reading list-page query strings: page, page size, filters."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request

from crm.services.errors import RecordNotFound, parse_id


def page_args() -> tuple[int, int]:
    """The requested page and page size, clamped to sane values."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", current_app.config["PER_PAGE"], type=int)
    per_page = min(max(per_page or 1, 1), current_app.config["MAX_PER_PAGE"])
    return max(page, 1), per_page


def int_arg(name: str) -> int | None:
    """A record id from the query string; anything that is not one is ignored."""
    try:
        return parse_id(request.args.get(name, ""))
    except RecordNotFound:
        return None


def date_arg(name: str) -> date | None:
    """A date (YYYY-MM-DD) from the query string; anything else is ignored."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def str_arg(name: str) -> str:
    return request.args.get(name, "").strip()


def query_without(*names: str, **changes: Any) -> dict[str, Any]:
    """The current query string with some keys dropped or changed, for links."""
    args = dict(request.view_args or {})
    args.update({k: v for k, v in request.args.items() if k not in names and v != ""})
    args.update({k: v for k, v in changes.items() if v is not None})
    return args


def safe_next(target: str | None, default: str) -> str:
    """A redirect target within this site, or ``default``. Browsers drop tabs and line breaks
    from a URL, so "/\t/evil.example" would leave the site: anything with a host after that
    clean-up, a backslash or a control character is refused."""
    if (
        target
        and target.startswith("/")
        and not urlsplit(target).netloc
        and "//" not in target
        and "\\" not in target
        and not any(ord(char) < 32 or ord(char) == 127 for char in target)
    ):
        return target
    return default
