from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, ValidationError

from app.models import Role
from app.services.accounts import email_taken
from app.web.forms import FreshCheckForm, OnceForm, PlainName, choices, name_filter, strip_filter, version_field


class ServiceErrorsForm(FlaskForm):
    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Errors the data decided (a name or address taken, one's own access) beside their fields."""
        for name, messages in errors.items():
            target = self.form_errors if not name else self[name].errors
            target.extend(messages)


class UserForm(ServiceErrorsForm, FreshCheckForm):
    """An account, with the fresh check asking for it (the app's code or a passkey)."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100), PlainName()], filters=[name_filter])
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=254), Email(message=_l("Enter a valid e-mail address."))],
        filters=[strip_filter],
    )
    role = SelectField(_l("Role"), choices=choices(Role.choices()))
    team_id = SelectField(_l("Team"), coerce=int)
    active = BooleanField(_l("Active (may log in)"), default=True)
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, user_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._user_id = user_id

    def validate_email(self, field):
        if field.data and email_taken(field.data, except_user_id=self._user_id):
            raise ValidationError(_l("Another account already uses this e-mail address."))

    def validate_team_id(self, field):
        if self.role.data in ("worker", "lead") and not field.data:
            raise ValidationError(_l("Choose a team: care workers and team leads belong to one."))


class EditUserForm(UserForm):
    """The fresh check is asked only when the save gives more access (the service decides and says so
    beside the field): a name or address change needs none."""

    fresh_check_required = False
    fresh_check_help = _l("Needed for any change but the name.")


class NewUserForm(UserForm):
    """No password: the person sets their own with a one-time set-up code, once a second person confirmed."""

    submit = SubmitField(_l("Ask for the account"))


class ResetPasswordForm(FreshCheckForm):
    """No password either: the person gets a set-up code and chooses it themselves."""

    submit = SubmitField(_l("Ask for a set-up code"))


class ResetTwoFactorForm(FreshCheckForm):
    submit = SubmitField(_l("Ask to reset two-step verification"))


class EndLoginsForm(FreshCheckForm):
    submit = SubmitField(_l("End all logins"))


class TeamForm(ServiceErrorsForm, OnceForm):
    name = StringField(
        _l("Team name"), validators=[DataRequired(), Length(max=100), PlainName()], filters=[name_filter]
    )
    version = version_field()
    submit = SubmitField(_l("Save"))


SIGNAL_LABELS = {
    "not_seen_days": (_l("Not seen: days without a session"), 1, 365),
    "review_within_days": (_l("Plan review due: days before the review date"), 0, 90),
    "no_plan_after_days": (_l("No agreed plan: days after the start"), 1, 365),
    "difficult_window_days": (_l("Difficult moments rising: days compared"), 7, 180),
    "stress_open_days": (_l("Stress left open: days a severe item may stay open"), 1, 365),
    "intake_days": (_l("Long in intake: days after the start without a session or an agreed plan"), 1, 365),
    "paused_weeks": (_l("Paused a long time: weeks a family may stay paused"), 1, 104),
}


def signal_settings_form(values: dict[str, int]) -> FlaskForm:
    """A form with one whole-number field per signal threshold, filled with the values in force."""

    class SignalSettingsForm(FlaskForm):
        version = version_field()
        submit = SubmitField(_l("Save"))

    for name, (label, low, high) in SIGNAL_LABELS.items():
        setattr(
            SignalSettingsForm,
            name,
            IntegerField(
                label,
                validators=[InputRequired(), NumberRange(min=low, max=high)],
                default=values.get(name),
                render_kw={"min": low, "max": high},
            ),
        )
    return SignalSettingsForm()
