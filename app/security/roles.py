"""Route decorators: the one module that says which role may open a page.

A page that is not for your role answers 404, like a family you may not see.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app import audit
from app.models import Role


def roles_required(*roles: Role):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                audit.record_refused("open_page", detail=view.__name__)
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


case_roles_required = roles_required(Role.WORKER, Role.LEAD)
lead_required = roles_required(Role.LEAD)
admin_required = roles_required(Role.ADMIN)


def second_factor_required(view):
    """Only for a login that passed a second factor (TOTP or recovery code).

    Put it under a role decorator. A user without two-step verification is sent to set it up,
    since that is what they can do about it (a 404 would leave them puzzled); a user who has it,
    but logged in before setting it up elsewhere, is logged out to log in again with the code.
    """

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.login_second_factor:
            return view(*args, **kwargs)
        from app.services import login_sessions

        audit.record_refused("open_page", detail=f"{view.__name__}: no second factor")
        if current_user.two_factor_enabled:
            login_sessions.end(current_user.login_token, reason="second_factor")
            logout_user()
            flash(_("Log in again with your code."), "info")
            return redirect(url_for("auth.login"))
        flash(_("This page needs two-step verification. Set it up first."), "info")
        return redirect(url_for("auth.two_factor_setup"))

    return wrapped
