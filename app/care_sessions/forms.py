from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app import dates
from app.models import (
    DIFFICULT_TAGS,
    POSITIVE_TAGS,
    ConsentKind,
    HelpFocus,
    MomentKind,
    MomentTag,
    SessionKind,
    Severity,
    StressKind,
    StressStatus,
)
from app.plans.forms import ScoreForm
from app.web.forms import CheckboxesField, NotInFuture, choices, strip_filter, version_field

VIDEO_TIME = re.compile(r"^(\d{1,3}):([0-5]\d)$")
MAX_MOMENTS = 30


# One line per tag for the "What do the tags mean?" help on the session form (DOMAIN.md, in plain words).
TAG_MEANINGS = {
    MomentTag.AVOIDS_CONTACT: _l("The child keeps away from the parent, for example turns away or does not look."),
    MomentTag.SEEKS_EXCESSIVE_CONTACT: _l("The child seeks contact with anyone, also with people it hardly knows."),
    MomentTag.WANTS_CONTROL: _l("Out of insecurity the child wants to decide everything itself."),
    MomentTag.RESISTS: _l("The child keeps saying no or fights what the parent asks."),
    MomentTag.IRRITABLE: _l("The child is quickly angry or upset."),
    MomentTag.PUSHES_OWN_WAY: _l("The child keeps on and on until it gets what it wants."),
    MomentTag.HIDES_FEELINGS: _l("The child does not show what it feels or needs."),
    MomentTag.PARENT_HARD_TO_RESPOND: _l(
        "The parent could not react calmly or kindly, for example when tired or worried. Not a judgement: it shows "
        "where help is needed."
    ),
    MomentTag.RESPONDED_TO_SIGNAL: _l(
        "Core skill 1: the parent saw what the child showed (crying, reaching out, turning away) and reacted to it."
    ),
    MomentTag.TOOK_FEELINGS_SERIOUSLY: _l(
        "Core skill 2: the parent showed the child that its feelings matter, for example by naming them."
    ),
    MomentTag.UNDERSTOOD_WISH: _l("Core skill 3: the parent looked from the child's side and saw what it wanted."),
    MomentTag.ENJOYED_TOGETHER: _l("Parent and child had a good time together."),
    MomentTag.STAYED_POSITIVE: _l("The child was difficult, and the parent still reacted calmly and kindly."),
    MomentTag.IGNORED_MINOR: _l("The parent let small difficult behaviour pass, so it got no extra attention."),
    MomentTag.PREVENTED_DIFFICULT: _l(
        "The parent saw a hard moment coming and prevented it, for example by preparing the child."
    ),
    MomentTag.CHILD_SOUGHT_COMFORT: _l(
        "The child came to the parent for comfort, or showed that it trusts the parent."
    ),
}


def tag_help() -> dict[str, list[tuple[str, str]]]:
    """(label, meaning) of every tag, by kind of moment, in the order of the form."""
    return {
        "difficult": [(str(t.label), str(TAG_MEANINGS[t])) for t in DIFFICULT_TAGS],
        "positive": [(str(t.label), str(TAG_MEANINGS[t])) for t in POSITIVE_TAGS],
    }


def parse_video_time(text: str | None) -> int | None:
    """'03:12' -> 192 seconds; None when empty. Raises ValueError when malformed."""
    text = (text or "").strip()
    if not text:
        return None
    match = VIDEO_TIME.match(text)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 60 + int(match.group(2))


class MomentForm(Form):
    """One moment inside the session form (a sub-form: the outer form carries the CSRF token)."""

    kind = SelectField(_l("Kind of moment"), choices=choices(MomentKind.choices()), default=MomentKind.POSITIVE.value)
    description = TextAreaField(
        _l("What happened"),
        validators=[Length(max=1000)],
        filters=[strip_filter],
        description=_l("In your own words, short. For example: 'Mother saw that Emma was tired and held her.'"),
    )
    child_id = SelectField(_l("Which child"), coerce=int, default=0)
    tags = CheckboxesField(
        _l("What you saw"),
        choices=choices(MomentTag.choices()),
        description=_l("Tick what fits. Difficult and positive moments each have their own list."),
    )
    video_time = StringField(
        _l("Time in the recording (mm:ss)"),
        validators=[Length(max=6)],
        filters=[strip_filter],
        description=_l("For video: where the moment is in the recording, e.g. 03:12."),
    )

    def is_empty(self) -> bool:
        return not (self.description.data or self.tags.data or self.video_time.data)

    def validate_video_time(self, field):
        try:
            parse_video_time(field.data)
        except ValueError:
            raise ValidationError(_l("Write the time as minutes:seconds, for example 03:12.")) from None

    def validate_tags(self, field):
        kind = self.kind.data
        allowed = DIFFICULT_TAGS if kind == MomentKind.DIFFICULT.value else POSITIVE_TAGS
        wrong = [
            MomentTag(t).label
            for t in field.data or []
            if t in MomentTag._value2member_map_ and MomentTag(t) not in allowed
        ]
        if wrong and kind == MomentKind.DIFFICULT.value:
            raise ValidationError(_l("These do not fit a difficult moment: %(tags)s.", tags=", ".join(wrong)))
        if wrong:
            raise ValidationError(_l("These do not fit a positive moment: %(tags)s.", tags=", ".join(wrong)))


class StressChangeForm(Form):
    item_id = HiddenField(validators=[Length(max=12)])
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()))
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()))
    note = StringField(_l("What changed"), validators=[Length(max=500)], filters=[strip_filter])


class NewStressForm(Form):
    kind = SelectField(
        _l("Kind of stress"), choices=choices([("", _l("No new stress item"))] + StressKind.choices()), default=""
    )
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()), default=Severity.MODERATE.value)
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()), default=StressStatus.OPEN.value)
    helper = StringField(
        _l("Who helps"),
        validators=[Length(max=200)],
        filters=[strip_filter],
        description=_l("For example: debt counselling, the housing association, the GP."),
    )
    notes = StringField(_l("Notes"), validators=[Length(max=1000)], filters=[strip_filter])


class SessionForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    duration_minutes = IntegerField(
        _l("Duration in minutes"),
        validators=[Optional(), NumberRange(min=1, max=720, message=_l("Enter a number of minutes from 1 to 720."))],
        default=60,
    )
    kind = SelectField(
        _l("Kind of contact"), choices=choices(SessionKind.choices()), default=SessionKind.HOME_VISIT.value
    )
    attendee_ids = CheckboxesField(_l("Who from the family was there"), coerce=int)
    other_attendees = StringField(
        _l("Other people present"),
        validators=[Length(max=300)],
        filters=[strip_filter],
        description=_l("Other professionals, for example the GP or a teacher."),
    )
    focuses = CheckboxesField(
        _l("Help focus"),
        choices=choices(HelpFocus.choices()),
        description=_l("Where the help was aimed this time. One or more."),
    )
    summary = TextAreaField(_l("Summary"), validators=[Length(max=4000)], filters=[strip_filter])
    agreements = TextAreaField(_l("Agreements and next steps"), validators=[Length(max=4000)], filters=[strip_filter])
    next_appointment_on = DateField(_l("Next appointment"), validators=[Optional()])
    next_appointment_at = TimeField(_l("Time"), validators=[Optional()])
    moments = FieldList(FormField(MomentForm), min_entries=2, max_entries=MAX_MOMENTS)
    stress_changes = FieldList(FormField(StressChangeForm), max_entries=50)
    scores = FieldList(FormField(ScoreForm), max_entries=20)
    new_stress = FormField(NewStressForm)
    version = version_field()
    add_moment = SubmitField(_l("Add another moment"))
    submit = SubmitField(_l("Save session"))

    def validate_focuses(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one help focus."))

    def validate_next_appointment_on(self, field):
        if field.data and self.held_on.data and field.data < self.held_on.data:
            raise ValidationError(_l("The next appointment cannot be before this session."))

    def filled_moments(self) -> list[MomentForm]:
        return [entry.form for entry in self.moments if not entry.form.is_empty()]


class ConsentForm(FlaskForm):
    kind = SelectField(_l("Consent for"), choices=choices(ConsentKind.choices()))
    given = RadioField(
        _l("Decision"),
        choices=choices([("yes", _l("Consent given")), ("no", _l("Consent withdrawn or refused"))]),
        validators=[InputRequired(message=_l("Choose whether consent was given or withdrawn."))],
    )
    given_by = StringField(
        _l("By whom"),
        validators=[DataRequired(), Length(max=100)],
        filters=[strip_filter],
        description=_l("The parent or parents who decided, e.g. 'Anouk (mother)'."),
    )
    decided_on = DateField(_l("Decided on"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    note = StringField(_l("Note"), validators=[Length(max=300)], filters=[strip_filter])
    submit = SubmitField(_l("Record consent"))


class StressItemForm(FlaskForm):
    kind = SelectField(_l("Kind of stress"), choices=choices(StressKind.choices()))
    severity = SelectField(_l("Severity"), choices=choices(Severity.choices()), default=Severity.MODERATE.value)
    status = SelectField(_l("Status"), choices=choices(StressStatus.choices()), default=StressStatus.OPEN.value)
    changed_on = DateField(_l("Since"), validators=[InputRequired(), NotInFuture()], default=dates.today)
    helper = StringField(
        _l("Who helps"),
        validators=[Length(max=200)],
        filters=[strip_filter],
        description=_l("For example: debt counselling, the housing association, the GP."),
    )
    notes = TextAreaField(_l("Notes"), validators=[Length(max=1000)], filters=[strip_filter])
    submit = SubmitField(_l("Save"))


class TrashForm(FlaskForm):
    """CSRF for delete and restore buttons."""
