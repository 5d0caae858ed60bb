"""Small pieces shared by the forms of several blueprints."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app import dates


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs, or a dict, as WTForms select options."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class NotInFuture:
    def __init__(self, message=None):
        self.message = message or _l("This date lies in the future.")

    def __call__(self, form, field):
        if field.data and field.data > dates.today():
            raise ValidationError(self.message)


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates render each option themselves)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def version_field() -> HiddenField:
    """The edit version a form was loaded with (optimistic locking). Text, bounded: filled from
    the object (an int) when the post lacks it."""
    return HiddenField(validators=[Length(max=20)], filters=[lambda v: "" if v is None else str(v)])


def code_field(label) -> StringField:
    """A code from the authenticator app (or a recovery code where the form takes one).

    A text field, not a number: recovery codes have letters, and leading zeros must survive.
    """
    return StringField(
        label,
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


def fresh_check_field() -> StringField:
    """The fresh check a sensitive action asks for: the current code from the user's app
    (checked by app.services.logins.fresh_check)."""
    return code_field(_l("Your current code from the app"))
