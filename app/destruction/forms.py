from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app import dates
from app.models import RequestStatus
from app.web.forms import DateField, KeptForm, NotInFuture, TextLimit, strip_filter


class RequestForm(KeptForm):
    requested_by_id = SelectField(
        _l("Who asked"),
        coerce=int,
        validators=[InputRequired()],
        description=_l("A parent, or a youth of 12 or older."),
    )
    received_on = DateField(
        _l("Date the request came in"), validators=[InputRequired(), NotInFuture()], default=dates.today
    )
    note = TextAreaField(
        _l("Note"),
        validators=[TextLimit(1000)],
        filters=[strip_filter],
        description=_l("How the request came in, for example by letter or at a home visit."),
    )
    submit = SubmitField(_l("Record the request"))


class ConfirmDestructionForm(FlaskForm):
    case_number = StringField(
        _l("Type the case number to confirm"),
        validators=[DataRequired(), Length(max=40)],
        filters=[strip_filter],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Destroy the record"))


class CloseRequestForm(FlaskForm):
    outcome = RadioField(
        _l("Outcome"),
        choices=[
            SelectChoice(
                RequestStatus.REFUSED.value,
                _l("Refused: another person's substantial interest or a law stands in the way"),
            ),
            SelectChoice(RequestStatus.WITHDRAWN.value, _l("Withdrawn by the person who asked")),
        ],
        validators=[InputRequired()],
    )
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(), TextLimit(1000)],
        filters=[strip_filter],
        description=_l("Tell the person who asked why; this is kept with the record."),
    )
    submit = SubmitField(_l("Save"))
