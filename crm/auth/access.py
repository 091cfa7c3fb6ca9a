"""Who may do what: decorators for views that change data or administer the app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that needs no login (every other page does)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def editor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Officers and admins only; a viewer gets 403."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.can_edit:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper
