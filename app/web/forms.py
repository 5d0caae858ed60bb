"""Small pieces shared by the forms of several blueprints."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, request
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import DateField as WTFormsDateField
from wtforms import HiddenField, Label, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app import dates
from app.models.enums import LabelledEnum
from app.services import drafts, logins


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs, or a dict, as WTForms select options."""
    items = pairs.items() if isinstance(pairs, dict) else pairs
    return [SelectChoice(value, label) for value, label in items]


class DateField(WTFormsDateField):
    """A date field that shows a stored date as the browser's date input reads it, year 1 included
    (strftime writes 0001-01-01 as 1-01-01, which the form could not take back)."""

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if self.data else ""


class DateRange:
    """A date within what its meaning allows, the bounds worked out when the form is checked (today moves);
    the message names the range in the user's language."""

    def __init__(self, earliest=lambda: dates.EARLIEST, latest=dates.today) -> None:
        self.earliest, self.latest = earliest, latest

    def __call__(self, form, field):
        if not field.data:
            return
        first, last = self.earliest(), self.latest()
        if first <= field.data <= last:
            return
        shown = {"first": dates.show_day(first), "last": dates.show_day(last)}  # as every date of the page
        if last == dates.today() and field.data > last:
            raise ValidationError(_("This date lies in the future. Enter a date up to today."))
        if last == dates.today():
            raise ValidationError(_("Enter a date from %(first)s up to today.", **shown))
        raise ValidationError(_("Enter a date from %(first)s to %(last)s.", **shown))


def NotInFuture() -> DateRange:  # noqa: N802 - reads as the validator it always was
    """A date that has happened: from dates.EARLIEST up to today."""
    return DateRange()


def Ahead() -> DateRange:  # noqa: N802
    """A date that may lie ahead (a review, an appointment, a start): up to two years from today."""
    return DateRange(latest=dates.latest_ahead)


def BirthDate() -> DateRange:  # noqa: N802
    return DateRange(earliest=dates.earliest_birth)


# Characters no one means to type: C0 and C1 controls (but tab and newline) and the bidirectional embeddings,
# overrides and isolates, which make a name read otherwise than it is stored ("Trojan Source").
_HIDDEN = {c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)} | set(range(0x7F, 0xA0))
_HIDDEN |= set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
_HIDDEN_TABLE = dict.fromkeys(_HIDDEN)


def has_hidden_characters(value: str) -> bool:
    return any(ord(c) in _HIDDEN for c in value)


def strip_filter(value):
    """Free text as meant: without surrounding spaces and without hidden control characters, a line break as
    one character (a browser posts CRLF), so a text holds as many characters as its counter said."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").translate(_HIDDEN_TABLE).strip()


def name_filter(value):
    """A name keeps what was typed (a hidden character is refused by PlainName, not silently dropped)."""
    return value.strip() if isinstance(value, str) else value


class PlainName:
    """A name holds no control or direction-changing characters: the same name must read the same everywhere."""

    def __call__(self, form, field):
        if field.data and has_hidden_characters(field.data):
            raise ValidationError(
                _l("This name holds an invisible control character (often from copying). Type the name again.")
            )


def text_length(value: str | None) -> int:
    """Characters as the person sees them: a line break counts once, though a browser posts it as CRLF
    (js/counters.js counts the same way)."""
    return len((value or "").replace("\r\n", "\n"))


class TextLimit:
    """The one rule for long free text: at most `max` characters, refused with the limit and how far over,
    never cut. Unlike WTForms' Length it puts no maxlength on the field, where a browser would cut a paste
    silently; the field's counter (macros/forms.html `field`, js/counters.js) reads the limit from its flag."""

    def __init__(self, max: int) -> None:
        self.max = max
        self.field_flags = {"text_limit": max}

    def __call__(self, form, field):
        count = text_length(field.data)
        if count > self.max:
            raise ValidationError(
                _(
                    "This text has %(count)s characters, %(over)s more than the %(max)s that fit. Shorten it: "
                    "what you typed is still here.",
                    count=format_number(count),
                    over=format_number(count - self.max),
                    max=format_number(self.max),
                )
            )


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as checkboxes (templates render each option themselves)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def version_field() -> HiddenField:
    """The edit version a form was loaded with (optimistic locking). Text, bounded: filled from
    the object (an int) when the post lacks it."""
    return HiddenField(validators=[Length(max=20)], filters=[lambda v: "" if v is None else str(v)])


def conflict_rows(form: FlaskForm, saved: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What is saved now, as the conflict notice lists it beside the user's own version in the form:
    (the field's label, the saved value in the user's language), in the order given."""
    rows = []
    for name, value in saved.items():
        if isinstance(value, bool):
            text = _("yes") if value else _("no")
        elif isinstance(value, date):
            text = dates.show_day(value)
        elif isinstance(value, LabelledEnum):
            text = value.label
        elif isinstance(value, list | tuple):
            text = ", ".join(str(item) for item in value)
        else:
            text = "" if value is None else str(value)
        rows.append((str(form[name].label.text), text or "–"))
    return rows


class KeptForm(FlaskForm):
    """A form with free text. What was typed into it when the login had timed out was kept
    (app.security.login, app.services.drafts); opened again after logging in, the form is filled from it.

    `from_draft` tells the page: it must not put the saved values over what was typed."""

    from_draft = False

    class Meta:
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            if formdata is not _Auto or wrapped is not None or request.method != "GET":
                return wrapped
            if not current_user.is_authenticated:
                return None
            draft = drafts.take(current_user, request.path)
            if draft is None:
                return None
            form.from_draft = True
            flash(
                _("Your login had expired while you were typing. What you typed has been kept: check it and save."),
                "warning",
            )
            return draft


class OnceForm(FlaskForm):
    """A create form: its one-time key makes a second send of the same form (a double click, a reload)
    show what the first one saved instead of saving it again (app.web.once)."""

    once_key = HiddenField(validators=[Length(max=64)], default=lambda: secrets.token_hex(16))


def code_field(label) -> StringField:
    """A code from the authenticator app (or a recovery code where the form takes one).

    A text field, not a number: recovery codes have letters, and leading zeros must survive.
    """
    return StringField(
        label,
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


# The browser's answer to a passkey assertion, as base64url JSON (a form field, never a JSON body):
# well under a kilobyte; an attestation (registration) with a certificate chain takes a few.
ASSERTION_MAX = 8_000
CODE_MAX = 40


class FreshCheckForm(FlaskForm):
    """The fresh check a sensitive action asks for (app.services.logins.fresh_check): the current code
    from the user's app, or a passkey (the hidden field, filled by the "check with passkey" button of
    the page's `fresh_check` block, templates/macros/forms.html). One of the two.

    Every form that asks for a fresh check subclasses this one, so every such check takes a passkey.
    `fresh_check_required = False` where the service decides whether the check is needed (an
    account edit that gives no more access needs none).
    """

    fresh_check_required = True
    fresh_check_help: str | None = None  # when the check is asked for, where not always

    fresh_code = StringField(
        _l("Your current code from the app"),
        validators=[Optional(), Length(max=CODE_MAX)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )
    fresh_passkey = HiddenField(validators=[Optional(), Length(max=ASSERTION_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.fresh_check_help:
            self.fresh_code.description = self.fresh_check_help
        user = current_user
        if user and user.is_authenticated and user.passkeys and not user.two_factor_enabled:
            # No code field is drawn for them: the error summary names the check by what they use.
            self.fresh_code.label = Label(self.fresh_code.id, _l("Check with passkey"))

    def validate(self, extra_validators=None):
        # Not a field validator: Optional() stops the chain of an empty field before it. Said beside the
        # other fields' errors, so one post shows everything still to do.
        valid = super().validate(extra_validators)
        if self.fresh_check_required and not self.fresh_check_answered():
            self.fresh_code.errors = [*self.fresh_code.errors, logins.fresh_check_asked(current_user)]
            return False
        return valid

    def fresh_check_answered(self) -> bool:
        return bool((self.fresh_code.data or "").strip() or self.fresh_passkey.data)


@dataclass(frozen=True)
class FormError:
    """One line of a form's error summary: the field it links to (none for a hidden or form-wide one)."""

    message: str
    field_id: str | None = None
    label: str | None = None
    link: LinkedError | None = None  # where the problem is put right, when that is another page


class LinkedError(str):
    """An error message with a link to the page where it is put right (a family's consent page).

    A str, so it sits in a field's errors like any message; the summary and the field draw the link."""

    href: str
    link_text: str
    new_tab: bool

    def __new__(cls, message: str, href: str, link_text: str, new_tab: bool = True) -> LinkedError:
        made = super().__new__(cls, message)
        made.href, made.link_text, made.new_tab = href, link_text, new_tab
        return made


def error_items(forms) -> list[FormError]:
    """Every error of the forms, nested goal and moment rows included, in the order of the page.

    WTForms reports a list of sub-forms as a list of dicts; shown as they were, the summary printed those
    dicts. Each nested field gets its own line, named by its row as the page names it ("Moment 2 – Time in
    the recording"): a sub-form's `row_title` (set by the page, e.g. a goal's title), else its class's
    `row_name` ("Moment %(n)d"), else the bare number."""
    items: list[FormError] = []
    for form in forms:
        items.extend(
            FormError(str(m), link=m if isinstance(m, LinkedError) else None) for m in getattr(form, "form_errors", [])
        )
        _collect(form, (), items)
    return items


def row_label(sub_form, n: int) -> str:
    """How the page names row n (1-based) of a list of sub-forms."""
    title = getattr(sub_form, "row_title", None)
    if title:
        return str(title)
    name = getattr(sub_form, "row_name", None)
    return str(name % {"n": n}) if name else str(n)


def _collect(form, rows: tuple[str, ...], items: list[FormError]) -> None:
    for f in form:
        if f.type == "FieldList":
            for n, entry in enumerate(f.entries, start=1):
                if entry.type == "FormField":
                    _collect(entry.form, (*rows, row_label(entry.form, n)), items)
                elif entry.errors:
                    items.append(_item(entry, (*rows, str(n))))
        elif f.type == "FormField":
            _collect(f.form, rows, items)
        elif f.errors:
            items.append(_item(f, rows))


def _item(f, rows: tuple[str, ...]) -> FormError:
    message = " ".join(str(e) for e in f.errors)
    link = next((e for e in f.errors if isinstance(e, LinkedError)), None)
    if f.type in ("HiddenField", "CSRFTokenField"):
        return FormError(message, link=link)
    label = str(f.label.text)
    for row in reversed(rows):
        label = str(_l("%(row)s – %(label)s", row=row, label=label))
    return FormError(message, f.id, label, link)
