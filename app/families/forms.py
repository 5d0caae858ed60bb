from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app import dates
from app.models import ContextFactor, FamilyStatus, MemberRole
from app.web.forms import (
    Ahead,
    BirthDate,
    DateField,
    KeptForm,
    NotInFuture,
    OnceForm,
    PlainName,
    TextLimit,
    choices,
    name_filter,
    strip_filter,
    version_field,
)


class FamilyForm(KeptForm, OnceForm):
    display_name = StringField(
        _l("Family name"),
        validators=[DataRequired(), Length(max=100), PlainName()],
        filters=[name_filter],
        description=_l("How the team refers to this family, for example 'Family Jansen'."),
    )
    status = SelectField(_l("Status"), choices=choices(FamilyStatus.choices()), default=FamilyStatus.INTAKE.value)
    start_date = DateField(_l("Start of the help"), validators=[InputRequired(), Ahead()], default=dates.today)
    end_date = DateField(_l("End of the help"), validators=[Optional(), NotInFuture()])
    primary_worker_id = SelectField(_l("Primary care worker"), coerce=int, validate_choice=True)
    multiple_problems = BooleanField(ContextFactor.labels[ContextFactor.MULTIPLE_PROBLEMS])
    early_adversity = BooleanField(ContextFactor.labels[ContextFactor.EARLY_ADVERSITY])
    parent_unwell = BooleanField(ContextFactor.labels[ContextFactor.PARENT_UNWELL])
    child_disability = BooleanField(ContextFactor.labels[ContextFactor.CHILD_DISABILITY])
    context_notes = TextAreaField(
        _l("Notes on the context"),
        validators=[TextLimit(2000)],
        filters=[strip_filter],
        description=_l("Only what matters for the help. Parents may read the record."),
    )
    version = version_field()
    submit = SubmitField(_l("Save"))
    end_date_shown = True
    earliest_start: date | None = None  # a reopened family: its period cannot start before the one before it ended

    def validate(self, extra_validators=None) -> bool:
        # Cross-field rules live here: Optional() on an empty date skips per-field checks.
        valid = super().validate(extra_validators)
        if "status" not in self:  # a closed family: its dates and status are the close page's
            return valid
        end, start, status = self.end_date.data, self.start_date.data, self.status.data
        if start and self.earliest_start and start < self.earliest_start and not self.start_date.errors:
            self.start_date.errors = [_l("This period of help cannot start before the period before it ended.")]
            valid = False
        message = None
        if end and start and end < start:
            message = _l("The end date cannot be before the start date.")
        elif status == FamilyStatus.CLOSED.value and not end and not self.end_date.errors:
            message = _l("A closed family needs the date the help ended.")
        elif end and status != FamilyStatus.CLOSED.value:
            message = _l("Only a closed family has an end date. Choose 'Closed' or clear this date.")
        if message:
            self.end_date.errors = [*self.end_date.errors, message]
            return False
        return valid

    def only_open_statuses(self) -> None:
        """Closing has its own page (closure type, final scores); a reopened family can be edited."""
        self.status.choices = [c for c in self.status.choices if c.value != FamilyStatus.CLOSED.value]
        self.end_date_shown = False

    def for_closed_family(self) -> None:
        """The help has ended: the status and the dates of the help are fixed by closing; reopening,
        by a team lead, has its own page."""
        del self.status
        del self.start_date
        del self.end_date
        self.end_date_shown = False

    @property
    def context_fields(self):
        return [self[factor.value] for factor in ContextFactor]


class MemberForm(KeptForm, OnceForm):
    first_name = StringField(
        _l("First name"), validators=[DataRequired(), Length(max=60), PlainName()], filters=[name_filter]
    )
    role = SelectField(_l("Role in the family"), choices=choices(MemberRole.choices()), default=MemberRole.CHILD.value)
    birth_date = DateField(_l("Date of birth"), validators=[Optional(), BirthDate()])
    birth_year = IntegerField(
        _l("Year of birth"),
        validators=[Optional(), NumberRange(min=1900, message=_l("Enter a year from 1900 to this year."))],
        description=_l("If you do not know the date of birth, the year is enough."),
    )
    notes = StringField(_l("Note"), validators=[Length(max=500)], filters=[strip_filter])
    version = version_field()
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        year, born = self.birth_year.data, self.birth_date.data
        message = None
        if year is not None and year > dates.today().year:
            message = _l("Enter a year from 1900 to this year.")
        elif year and born and born.year != year:
            message = _l("The year does not match the date of birth.")
        elif self.role.data == MemberRole.CHILD.value and not year and not born and not self.birth_date.errors:
            message = _l("For a child, enter at least the year of birth: the age guides the help.")
        if message and not self.birth_year.errors:
            self.birth_year.errors = [*self.birth_year.errors, message]
            return False
        return valid


class AssignWorkersForm(FlaskForm):
    primary_worker_id = SelectField(_l("Primary care worker"), coerce=int, validators=[DataRequired()])
    co_worker_ids = SelectMultipleField(
        _l("Co-workers"),
        coerce=int,
        description=_l("Other care workers of the team who work with this family."),
    )
    version = version_field()
    submit = SubmitField(_l("Save"))


class ReopenForm(KeptForm):
    reason = TextAreaField(
        _l("Why is the help starting again?"),
        validators=[DataRequired(message=_l("Write why the help is starting again.")), TextLimit(1000)],
        filters=[strip_filter],
    )
    start_date = DateField(
        _l("Start of the new period of help"), validators=[InputRequired(), NotInFuture()], default=dates.today
    )
    status = RadioField(
        _l("Start in"),
        choices=choices(FamilyStatus.choices([FamilyStatus.INTAKE, FamilyStatus.ACTIVE])),
        default=FamilyStatus.ACTIVE.value,
        validators=[InputRequired()],
    )
    submit = SubmitField(_l("Reopen the help"))
    last_end: date | None = None  # the end of the period before: set by the route

    def validate_start_date(self, field):
        if field.data and self.last_end and field.data < self.last_end:
            raise ValidationError(_l("The new period cannot start before the help ended."))


class ConfirmForm(FlaskForm):
    """An empty form: CSRF protection for POST-only buttons."""
