"""Route decorators: the one module that says which role may open a page.

A page that is not for your role answers 404, like a family you may not see.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, session
from flask_login import current_user, login_required

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


# replaced by auth branch at merge: the auth helper's decorator checks the real second step.
def second_factor_required(view):
    """Refuse a login that did not pass a second factor (session flag "second_factor")."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not session.get("second_factor"):
            audit.record_refused("open_page", detail=f"{view.__name__}: no second factor")
            abort(404)
        return view(*args, **kwargs)

    return wrapped
