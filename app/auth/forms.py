from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from app.models.passkeys import NAME_LENGTH
from app.security.passwords import MAX_LENGTH, MIN_LENGTH, personal_words, weakness
from app.web.forms import ASSERTION_MAX, FreshCheckForm, choices, code_field
from app.web.templating import LANGUAGE_NAMES

# zxcvbn explains in English; these are our own words for its warnings.
WEAKNESS_REASONS = {
    "personal": _l("Do not build your password from your name or e-mail address."),
    # Built from one of them (app.security.passwords.built_from): say which, and that adding to it does not help.
    "personal:name": _l(
        "This password is built from your name: digits, a year or punctuation added to it do not make it safe."
    ),
    "personal:email": _l(
        "This password is built from your e-mail address: digits, a year or punctuation added to it do not"
        " make it safe."
    ),
    "personal:organisation": _l(
        "This password is built from the name of the organisation: digits, a year or punctuation added to it"
        " do not make it safe."
    ),
    "personal:app": _l(
        "This password is built from the name Attune: digits, a year or punctuation added to it do not make it safe."
    ),
    "Straight rows of keys are easy to guess.": _l("Rows of keys on the keyboard are easy to guess."),
    "Short keyboard patterns are easy to guess.": _l("Keyboard patterns are easy to guess."),
    'Repeats like "aaa" are easy to guess.': _l("Repeated characters are easy to guess."),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': _l("Repeated words are easy to guess."),
    'Sequences like "abc" or "6543" are easy to guess.': _l("Sequences such as abc or 6543 are easy to guess."),
    "Recent years are easy to guess.": _l("Dates and years are easy to guess."),
    "Dates are often easy to guess.": _l("Dates and years are easy to guess."),
    "This is a top-10 common password.": _l("This is a commonly used password."),
    "This is a top-100 common password.": _l("This is a commonly used password."),
    "This is a very common password.": _l("This is a commonly used password."),
    "This is similar to a commonly used password.": _l("This looks like a commonly used password."),
    "A word by itself is easy to guess.": _l("A single word is easy to guess."),
    "Names and surnames by themselves are easy to guess.": _l("Names are easy to guess."),
    "Common names and surnames are easy to guess.": _l("Names are easy to guess."),
}


def weakness_message(reason: str) -> str:
    specific = WEAKNESS_REASONS.get(reason) or _l("This password is too easy to guess.")
    advice = _l("Add a few uncommon words; a short sentence only you would think of works well.")
    return f"{specific} {advice}"


class StrongPassword:
    """Refuses a common or guessable password (zxcvbn), saying why, next to the field.

    The form may name whose password it is with personal_texts() (name, e-mail address); the
    organisation's and the app's names are always refused (app.security.passwords.personal_words).
    """

    def __call__(self, form, field):
        if not field.data or len(field.data) < MIN_LENGTH:
            return  # the length rule speaks first
        texts = form.personal_texts() if hasattr(form, "personal_texts") else ()
        reason = weakness(field.data, personal_words(*texts))
        if reason is not None:
            raise ValidationError(weakness_message(reason))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField(validators=[Length(max=2000)])
    submit = SubmitField(_l("Log in"))


def new_password_rules():
    return [
        DataRequired(),
        Length(
            min=MIN_LENGTH,
            max=MAX_LENGTH,
            message=_l("Use between %(min)d and %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH),
        ),
        StrongPassword(),
    ]


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its repetition, under the password rules (changing it, or setting it up).
    Made where the form is defined, so the fields keep their place in its order (the error summary)."""
    new_password = PasswordField(
        _l("New password"),
        validators=new_password_rules(),
        description=_l("At least %(min)d characters. A short sentence is easy to remember.", min=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(),
            Length(max=MAX_LENGTH),
            EqualTo("new_password", message=_l("The two passwords are not the same.")),
        ],
    )
    return new_password, confirm


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password, confirm = new_password_fields()
    submit = SubmitField(_l("Change password"))

    def personal_texts(self):
        return (current_user.email, current_user.name)

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password that differs from the current one."))


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES))
    submit = SubmitField(_l("Save"))


class VerifyForm(FlaskForm):
    code = code_field(_l("Code"))
    submit = SubmitField(_l("Verify"))


class TwoFactorSetupForm(FlaskForm):
    code = code_field(_l("Code from the app"))
    submit = SubmitField(_l("Turn on two-step verification"))


class TwoFactorDisableForm(FlaskForm):
    code = code_field(_l("Current code from the app"))
    submit = SubmitField(_l("Turn off two-step verification"))


class RecoveryCodesForm(FreshCheckForm):
    """The app's code or a passkey; a recovery code is no fresh check (app.services.logins)."""

    submit = SubmitField(_l("Make new recovery codes"))


# The browser's answer to a passkey registration, as base64url JSON: an attestation with a certificate
# chain takes a few kilobytes (an assertion's limit, ASSERTION_MAX, sits with FreshCheckForm).
ATTESTATION_MAX = 20_000


class PasskeyVerifyForm(FlaskForm):
    """The second login step with a passkey, filled by app/static/js/passkeys.js."""

    credential = HiddenField(validators=[DataRequired(), Length(max=ASSERTION_MAX)])


class PasskeyAddForm(FlaskForm):
    credential = HiddenField(validators=[DataRequired(), Length(max=ATTESTATION_MAX)])
    name = StringField(
        _l("Name of this passkey"),
        validators=[Optional(), Length(max=NAME_LENGTH)],
        description=_l("So you can tell your devices apart, for example 'Work tablet'."),
    )


class PasskeyRemoveForm(FreshCheckForm):
    passkey_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    submit = SubmitField(_l("Remove"))


class PasskeyRenameForm(FlaskForm):
    passkey_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=2**31 - 1)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_LENGTH)])
    submit = SubmitField(_l("Rename"))


class PasskeyCheckForm(FreshCheckForm):
    submit = SubmitField(_l("Continue"))


class SetupForm(FlaskForm):
    """Redeeming a one-time set-up code (its two halves: from the administrator who asked and from the person
    who confirmed): the person chooses their own password."""

    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    code = code_field(_l("First code, from the administrator"))
    second_code = code_field(_l("Second code, from the person who confirmed"))
    new_password, confirm = new_password_fields()
    submit = SubmitField(_l("Set my password"))

    def personal_texts(self):
        # The name is judged by the service once the code proved whose account it is.
        return (self.email.data,)
