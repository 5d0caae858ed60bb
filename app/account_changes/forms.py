from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from app.web.forms import FreshCheckForm


class ConfirmChangeForm(FreshCheckForm):
    """Confirming gives access: it asks the confirming person for a fresh check (the app's code or a passkey)."""

    submit = SubmitField(_l("Confirm"))


class RefuseChangeForm(FlaskForm):
    """Refusing gives nothing: a button (the form is there for its CSRF token)."""

    submit = SubmitField(_l("Refuse"))


class CancelChangeForm(FlaskForm):
    submit = SubmitField(_l("Cancel the change"))


class RenewHalfForm(FreshCheckForm):
    """A new second half of the set-up code gives access as the first did: a fresh check."""

    submit = SubmitField(_l("Make a new second half"))
