"""Which role may open a page, and which pages need a two-step login.

A page that is not for your role answers 404, like a family you may not see. Family pages
check roles through app.security.access.family_view, which uses the same two answers below.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app import audit
from app.models import Role
from app.services import login_sessions

CASE_ROLES = (Role.WORKER, Role.LEAD)  # the roles that work with families


def refuse_role(page: str, family_id: int | None = None) -> Any:
    """Not a page for this role: on file (in the family's access log, for a family page), and 404."""
    audit.record_refused("open_page", family_id=family_id, detail=page)
    abort(404)


def second_factor_missing(page: str, family_id: int | None = None) -> Any:
    """A page that needs a two-step login, opened without one.

    A user without two-step verification is sent to set it up, since that is what they can do
    about it (a 404 would leave them puzzled); a user who has it, but logged in before setting it
    up elsewhere, is logged out to log in again with the code.
    """
    audit.record_refused("open_page", family_id=family_id, detail=f"{page}: no second factor")
    if current_user.has_second_factor:
        login_sessions.end(current_user.login_token, reason="second_factor")
        logout_user()
        flash(_("Log in again with your code."), "info")
        return redirect(url_for("auth.login"))
    flash(_("This page needs two-step verification. Set it up first."), "info")
    return redirect(url_for("auth.two_factor_setup"))


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                return refuse_role(view.__name__)
            return view(*args, **kwargs)

        return wrapped

    return decorator


case_roles_required = roles_required(*CASE_ROLES)
lead_required = roles_required(Role.LEAD)
admin_required = roles_required(Role.ADMIN)


def second_factor_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only for a login that passed a second factor (TOTP, passkey or recovery code). Put it under a role decorator."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.login_second_factor:
            return view(*args, **kwargs)
        return second_factor_missing(view.__name__)

    return wrapped
