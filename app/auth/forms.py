from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.forms_common import choices
from app.passwords import MAX_LENGTH, MIN_LENGTH
from app.templating import LANGUAGE_NAMES


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


def new_password_rules():
    return [
        DataRequired(),
        Length(
            min=MIN_LENGTH,
            max=MAX_LENGTH,
            message=_l("Use between %(min)d and %(max)d characters.", min=MIN_LENGTH, max=MAX_LENGTH),
        ),
    ]


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(
        _l("New password"),
        validators=new_password_rules(),
        description=_l("At least %(min)d characters. A short sentence is easy to remember.", min=MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords are not the same."))],
    )
    submit = SubmitField(_l("Change password"))

    def validate_new_password(self, field):
        if field.data and field.data == self.current_password.data:
            raise ValidationError(_l("Choose a password that differs from the current one."))


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES))
    submit = SubmitField(_l("Save"))
