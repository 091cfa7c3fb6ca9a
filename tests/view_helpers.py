"""Reading rendered pages the way a user sees them, and database snapshots, for request tests."""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from crm.extensions import db


def page(response: Any) -> str:
    return response.get_data(as_text=True)


def field_error(html: str, field_id: str) -> str | None:
    """The message shown beside a field (the element ``<field id>-error``), or None."""
    match = re.search(
        rf'<small id="{re.escape(field_id)}-error"[^>]*>(.*?)</small>', html, flags=re.S
    )
    return unescape(match.group(1)).strip() if match else None


def control(html: str, field_id: str) -> str:
    """The opening tag of the input, select or textarea with this id."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(field_id)}"[^>]*>', html)
    assert match, f"no control with id {field_id!r} on the page"
    return match.group(0)


def assert_error_beside(html: str, field_id: str, message: str) -> None:
    """The message is shown next to the field, and the field is marked invalid."""
    shown = field_error(html, field_id)
    assert shown is not None, f"no error shown beside {field_id!r}"
    assert message in shown
    assert 'aria-invalid="true"' in control(html, field_id)


def flashes(html: str) -> list[str]:
    return [unescape(m).strip() for m in re.findall(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', html)]


def redirect_target(response: Any) -> str:
    """Where a redirect goes: path and query string."""
    assert response.status_code in (301, 302, 303), response.status_code
    target = urlsplit(response.headers["Location"])
    return target.path + (f"?{target.query}" if target.query else "")


def login_redirect_next(response: Any) -> str | None:
    """For a redirect to the sign-in page, the page the user will be sent back to."""
    assert response.status_code == 302, response.status_code
    target = urlsplit(response.headers["Location"])
    assert target.path == "/login"
    return parse_qs(target.query).get("next", [None])[0]


def linked_names(html: str, prefix: str) -> list[str]:
    """Names linked from the rows of a list table, in page order (e.g. prefix "/contacts")."""
    return [
        unescape(name)
        for name in re.findall(rf'<td><a href="{re.escape(prefix)}/\d+">([^<]*)</a>', html)
    ]


def count_text(html: str) -> str | None:
    """The "1–2 of 3" line under a list."""
    match = re.search(r'<nav class="pagination"[^>]*>\s*<p>([^<]*)</p>', html)
    return unescape(match.group(1)) if match else None


def row(model: type, record_id: int) -> dict[str, Any]:
    """The record's row as stored, read afresh from the database."""
    table = model.__table__  # type: ignore[attr-defined]
    found = db.session.execute(select(table).where(table.c.id == record_id)).mappings().one()
    return dict(found)


def count(model: type, *where: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def without_csrf_tokens(html: str) -> str:
    """The page with CSRF tokens blanked: signed with the time, they differ between requests."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', html)
