from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms_common import NotInFuture, choices, strip_filter
from app.models import ContextFactor, FamilyStatus, MemberRole
from app.models.families import CONTEXT_LABELS, MEMBER_ROLE_LABELS, STATUS_LABELS


class FamilyForm(FlaskForm):
    display_name = StringField(
        _l("Family name"),
        validators=[DataRequired(), Length(max=100)],
        filters=[strip_filter],
        description=_l("How the team refers to this family, for example 'Family Jansen'."),
    )
    status = SelectField(_l("Status"), choices=choices(STATUS_LABELS), default=FamilyStatus.INTAKE.value)
    start_date = DateField(_l("Start of the help"), validators=[InputRequired()], default=date.today)
    end_date = DateField(_l("End of the help"), validators=[Optional()])
    primary_worker_id = SelectField(_l("Primary care worker"), coerce=int, validate_choice=True)
    multiple_problems = BooleanField(CONTEXT_LABELS[ContextFactor.MULTIPLE_PROBLEMS])
    early_adversity = BooleanField(CONTEXT_LABELS[ContextFactor.EARLY_ADVERSITY])
    parent_unwell = BooleanField(CONTEXT_LABELS[ContextFactor.PARENT_UNWELL])
    child_disability = BooleanField(CONTEXT_LABELS[ContextFactor.CHILD_DISABILITY])
    context_notes = TextAreaField(
        _l("Notes on the context"),
        validators=[Length(max=2000)],
        filters=[strip_filter],
        description=_l("Only what matters for the help. Parents may read the record."),
    )
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end cannot be before the start."))
        if self.status.data == FamilyStatus.CLOSED.value and not field.data:
            raise ValidationError(_l("A closed family needs the date the help ended."))
        if field.data and self.status.data != FamilyStatus.CLOSED.value:
            raise ValidationError(_l("Only a closed family has an end date. Choose 'Closed' or clear this date."))

    @property
    def context_fields(self):
        return [self[factor.value] for factor in ContextFactor]


class MemberForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=60)], filters=[strip_filter])
    role = SelectField(_l("Role in the family"), choices=choices(MEMBER_ROLE_LABELS), default=MemberRole.CHILD.value)
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), NotInFuture()])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional(), NumberRange(min=1900, message=_l("Enter a year from 1900 to this year."))],
        description=_l("If you do not know the date of birth, the year is enough."),
    )
    notes = StringField(_l("Note"), validators=[Length(max=500)], filters=[strip_filter])
    submit = SubmitField(_l("Save"))

    def validate_birth_year(self, field):
        if field.data is not None and field.data > date.today().year:
            raise ValidationError(_l("Enter a year from 1900 to this year."))
        if field.data and self.birth_date.data and self.birth_date.data.year != field.data:
            raise ValidationError(_l("The year does not match the date of birth."))
        if self.role.data == MemberRole.CHILD.value and not field.data and not self.birth_date.data:
            raise ValidationError(_l("For a child, enter at least the year of birth: the age guides the help."))


class AssignWorkersForm(FlaskForm):
    primary_worker_id = SelectField(_l("Primary care worker"), coerce=int, validators=[DataRequired()])
    co_worker_ids = SelectMultipleField(
        _l("Co-workers"),
        coerce=int,
        description=_l("Other care workers of the team who work with this family."),
    )
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for POST-only buttons."""
