from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import DataRequired, Length

from app.web.forms import choices
from app.web.templating import LANGUAGE_NAMES


class LanguageForm(FlaskForm):
    language = SelectField(choices=choices(LANGUAGE_NAMES), validators=[DataRequired()])
    next = HiddenField(validators=[Length(max=2000)])
