"""Form pages that lose nothing: a draft kept when the login timed out, and create forms saved once.

`@form_page()` on a view with free text: a post that arrives after the login timed out is kept as a
draft (app.security.login) and the form is filled from it after logging in again (app.web.forms.KeptForm);
a post that saved (the view redirects) clears the page's draft.

`@form_page(once=True)` on a view that creates something, with an OnceForm: the form's one-time key is
taken in the save's transaction, so the same form sent twice (a double click, a reload, the back button)
saves once; the second send is led to what the first saved. A send that saved nothing (its errors are
shown) gives the key back, so the corrected form can be sent.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, flash, make_response, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from app.services import drafts

KEY_FIELD = "once_key"


def form_page(*, once: bool = False) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def page(*args: Any, **kwargs: Any) -> Any:
            if request.method != "POST" or not current_user.is_authenticated:
                return view(*args, **kwargs)
            key = request.form.get(KEY_FIELD, "")[:64] if once else ""
            if key:
                earlier = drafts.claim_key(current_user, key)
                if earlier is not None:
                    flash(_("This form had already been sent, and it was saved once. This is what was saved."), "info")
                    return redirect(earlier or request.path)
            response: Response = make_response(view(*args, **kwargs))
            if response.status_code in (301, 302, 303):
                drafts.discard(current_user, request.path)
                if key:
                    drafts.settle_key(current_user, key, response.location)
            elif key:
                drafts.release_key(current_user, key)
            return response

        page.keeps_drafts = True  # type: ignore[attr-defined]
        return page

    return decorate


def keeps_drafts() -> bool:
    """Whether the requested page is a form page: functools.wraps carries the mark up every decorator."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "keeps_drafts", False))
